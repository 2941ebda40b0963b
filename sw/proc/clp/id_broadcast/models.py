"""CPU model of IdBroadcast."""
from __future__ import annotations

import numpy as np

from ..._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel,
                     PyOutPort, implements, requires)
from .process import IdBroadcast


@implements(proc=IdBroadcast, protocol=LoihiProtocol)
@requires(CPU)
class IdBroadcastModel(PyLoihiProcessModel):
    """``val = a_in``; sends it."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, int)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, int)
    val: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        self.val = a_in
        self.s_out.send(a_in)
