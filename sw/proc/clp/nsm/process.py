"""The CLP's Readout and Allocator processes (lava-nc's ``clp.nsm``)."""
from __future__ import annotations

import typing as ty

import numpy as np

from ..._api import AbstractProcess, InPort, OutPort, Var


class Readout(AbstractProcess):
    """Reads the winner prototype's label; names unlabelled winners; checks labels.

    Each step, when a prototype spikes on ``inference_in`` (the first spiking one wins),
    its label is the inferred label; an unlabelled winner (label 0) gets the
    pseudo-label ``-(id + 1)``. When ``label_in`` carries a user label (nonzero), the
    last winner's label is checked: a real label equal to it sends feedback +1, a
    different one -1 and an allocation trigger; a pseudo-label is replaced by the
    user's label (which becomes the inferred one). Sends the inferred label
    (``user_output``, 0: none), the feedback (``feedback``) and the trigger
    (``trigger_alloc``) every step.

    Parameters
    ----------
    n_protos : int
        Number of prototype neurons.
    proto_labels : numpy.ndarray, optional
        Their initial labels (default 0: unlabelled).
    """

    def __init__(self, *, n_protos: int, proto_labels: ty.Optional[np.ndarray] = None) -> None:
        if proto_labels is None:
            proto_labels = np.zeros(shape=(n_protos,), dtype=int)
        super().__init__(proto_labels=proto_labels, n_protos=n_protos)
        self.inference_in = InPort(shape=(n_protos,))
        self.label_in = InPort(shape=(1,))
        self.user_output = OutPort(shape=(1,))
        self.feedback = OutPort(shape=(1,))
        self.trigger_alloc = OutPort(shape=(1,))
        self.proto_labels = Var(shape=(n_protos,), init=proto_labels)
        self.last_winner_id = Var(shape=(1,), init=0)


class Allocator(AbstractProcess):
    """On a trigger (``trigger_in`` nonzero), sends the id of the next prototype to
    allocate (1-based, as a graded value on ``allocate_out``; 0: nothing) and counts
    it.

    Parameters
    ----------
    n_protos : int
        Number of prototypes it allocates.
    next_alloc_id : int, optional
        The first id to send (default 1).
    """

    def __init__(self, *, n_protos: int, next_alloc_id: ty.Optional[int] = 1) -> None:
        super().__init__()
        self.trigger_in = InPort(shape=(1,))
        self.allocate_out = OutPort(shape=(1,))
        self.next_alloc_id = Var(shape=(1,), init=next_alloc_id)
        self.n_protos = Var(shape=(1,), init=n_protos)
