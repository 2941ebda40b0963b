"""CPU ProcessModel of RFZero (fixed point, as lava-nc 0.10's
``PyRFZeroModelFixed``): int32 arithmetic that wraps
(:func:`kilauea.numerics.resfire.rfzero_step`)."""
from __future__ import annotations

import numpy as np

from ...numerics.resfire import rfzero_step
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .process import RFZero

__all__ = ["PyRFZeroModelFixed"]


@implements(proc=RFZero, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRFZeroModelFixed(PyLoihiProcessModel):
    """RFZero in fixed point."""

    u_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    v_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    uth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    lst: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    lct: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        u, v, s = rfzero_step(self.u, self.v, self.u_in.recv(), self.v_in.recv(), self.lct,
                              self.lst, self.uth)
        self.u[:] = u
        self.v[:] = v
        self.s_out.send(s)
