"""CPU ProcessModel of BitCheck (as lava-nc 0.10's ``LoihiBitCheckModel``):
in the management phase of every step it reads the watched Var and
records an overflow of ``bits`` bits (:mod:`kilauea.numerics.bit_check`).
"""
from __future__ import annotations

import numpy as np

from ...numerics import bit_check as nb
from .._api import CPU, LavaPyType, LoihiProtocol, PyLoihiProcessModel, PyRefPort, implements, requires
from .process import BitCheck

__all__ = ["LoihiBitCheckModel"]


def _scalar(x):
    first = np.asarray(x).reshape(-1)[0]
    return first.item() if isinstance(first, np.generic) else first


@implements(proc=BitCheck, protocol=LoihiProtocol)
@requires(CPU)
class LoihiBitCheckModel(PyLoihiProcessModel):
    """Reads ``state`` after each step; ``_overflowed = 1`` on overflow."""

    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, int)
    bits: int = LavaPyType(int, int)
    layerid: np.ndarray = LavaPyType(np.ndarray, object)
    debug: int = LavaPyType(int, int)
    _overflowed: int = LavaPyType(int, int)

    def post_guard(self) -> bool:
        return True

    def run_post_mgmt(self) -> None:
        value = self.state.read()
        debug = _scalar(self.debug) == 1
        if debug:
            print(f"Value is: {value} at time step: {self.time_step}")
        bits = int(_scalar(self.bits))
        if nb.overflows(value, bits):
            self._overflowed = 1
            if debug:
                self._report(np.asarray(value), bits)

    def _report(self, value: np.ndarray, bits: int) -> None:
        lo, hi = nb.signed_range(bits)
        layer = _scalar(self.layerid)
        if layer:
            print(f"layer id number: {layer}")
        print(f"value.max: overflows {bits} bits {value.max()}")
        print(f"max signed value {hi}")
        print(f"value.min: overflows {bits} bits {value.min()}")
        print(f"min signed value {lo}")
