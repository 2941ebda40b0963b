"""RFZero (lava-nc 0.10's ``lava.proc.resfire.process``): a
resonate-and-fire neuron fed its two coordinates separately. Equations:
``docs/processes.md``, "RFZero", and :mod:`kilauea.numerics.resfire`. Chip
model: ``ncmodels.NcRFZeroModel`` (program ``kilauea.neurons.resfire``).
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ...numerics.resfire import rfzero_constants
from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape
from ..graded._checks import check_broadcast, check_number, check_shape

__all__ = ["RFZero"]


class RFZero(PopulationShape, AbstractProcess):
    """Resonate-and-fire neurons: ``(u, v)`` rotates at ``freqs`` Hz with
    time constant ``decay_tau`` (s), steps of ``dt`` (s); a neuron sends
    ``u`` when it exceeds ``uth`` as ``v`` crosses zero upwards.

    Parameters
    ----------
    shape : tuple(int)
    freqs : float or array
        Frequencies (Hz).
    decay_tau : float or array
        Decay time constants (s).
    dt : float, optional
        Step length (s; default 0.001).
    uth : int, optional
        Threshold (default 1).
    name : str, optional
    log_config : LogConfig, optional

    Ports: ``u_in``, ``v_in``, ``s_out``. Vars: ``u``, ``v``, ``lct``,
    ``lst`` (per neuron; ``lct``, ``lst`` in units of ``2**-15``), ``uth``
    (1,).
    """

    def __init__(self, shape: ty.Tuple[int, ...], freqs, decay_tau, dt: float = 0.001,
                 uth: int = 1, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("RFZero", shape)
        check_broadcast("RFZero", "freqs", freqs, shape)
        check_broadcast("RFZero", "decay_tau", decay_tau, shape)
        check_number("RFZero", "dt", dt, -np.inf, np.inf)
        check_number("RFZero", "uth", uth, -np.inf, np.inf)
        super().__init__(shape=shape, name=name, log_config=log_config)
        self.u_in = InPort(shape=shape)
        self.v_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=0)
        self.v = Var(shape=shape, init=0)
        lct, lst = rfzero_constants(freqs, decay_tau, dt)
        self.lct = Var(shape=shape, init=lct)
        self.lst = Var(shape=shape, init=lst)
        self.uth = Var(shape=(1,), init=uth)
