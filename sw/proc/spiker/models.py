"""CPU ProcessModel of Spiker (as lava-nc 0.10's ``SpikerModel``, no tag).
The step is :func:`kilauea.numerics.spiker.spiker_step`."""
from __future__ import annotations

import numpy as np

from ...numerics.spiker import spiker_step
from .._api import (CPU, LavaPyType, LoihiProtocol, PyLoihiProcessModel, PyOutPort, implements,
                    requires)
from .process import Spiker

__all__ = ["SpikerModel"]


@implements(proc=Spiker, protocol=LoihiProtocol)
@requires(CPU)
class SpikerModel(PyLoihiProcessModel):
    """Spiker: sends ``payload`` where ``counter == rate``."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, int)
    rate: np.ndarray = LavaPyType(np.ndarray, int, 32)
    counter: np.ndarray = LavaPyType(np.ndarray, int, 32)
    payload: np.ndarray = LavaPyType(np.ndarray, int, 32)

    def run_spk(self) -> None:
        counter, s = spiker_step(self.counter, self.rate, self.payload)
        self.s_out.send(s)
        self.counter[:] = counter
