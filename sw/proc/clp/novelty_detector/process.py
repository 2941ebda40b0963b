"""NoveltyDetector: signals an input that the prototypes did not answer in time."""
from __future__ import annotations

from ..._api import AbstractProcess, InPort, OutPort, Var


class NoveltyDetector(AbstractProcess):
    """Waits, after an input arrives (``input_aval_in`` nonzero), for an output of the
    prototypes (``output_aval_in`` nonzero); when more than ``t_wait`` steps pass
    without one, sends 1 on ``novelty_detected_out`` (else 0 every step).

    Parameters
    ----------
    t_wait : int
        Steps to wait for an output after an input (``t_wait >= 0``).
    """

    def __init__(self, *, t_wait: int) -> None:
        super().__init__()
        self.input_aval_in = InPort(shape=(1,))
        self.output_aval_in = InPort(shape=(1,))
        self.novelty_detected_out = OutPort(shape=(1,))
        self.t_wait = Var(shape=(1,), init=t_wait)
