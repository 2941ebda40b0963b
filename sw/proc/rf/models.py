"""CPU ProcessModels of RF, as lava-nc 0.10's ``PyRFModelFloat`` and
``PyRFModelFixed`` (and their bases, which RF_IZ's models share). The
arithmetic is in :mod:`kilauea.numerics.rf`.
"""
from __future__ import annotations

import numpy as np

from ...numerics import rf as nrf
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .._common import owner_of
from .process import RF

__all__ = ["AbstractPyRFModelFloat", "AbstractPyRFModelFixed", "PyRFModelFloat",
           "PyRFModelFixed"]


def _scalar(x):
    return np.asarray(x).reshape(-1)[0].item()


class AbstractPyRFModelFloat(PyLoihiProcessModel):
    """The rotation in floating point; ``spike_and_reset(new_real,
    new_imag)`` (of the concrete model) gives ``(real, imag, s)``."""

    a_real_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_imag_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    real: np.ndarray = LavaPyType(np.ndarray, float)
    imag: np.ndarray = LavaPyType(np.ndarray, float)
    sin_decay: float = LavaPyType(float, float)
    cos_decay: float = LavaPyType(float, float)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    decay_bits: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    vth: float = LavaPyType(float, float)

    def resonate(self, xr, xi):
        return nrf.resonator_float(self.real, self.imag, xr, xi, _scalar(self.sin_decay),
                                   _scalar(self.cos_decay))

    def run_spk(self) -> None:
        new_real, new_imag = self.resonate(self.a_real_in.recv(), self.a_imag_in.recv())
        real, imag, s = self.spike_and_reset(new_real, new_imag)
        self.real[:] = real
        self.imag[:] = imag
        self.s_out.send(s)


class AbstractPyRFModelFixed(AbstractPyRFModelFloat):
    """The rotation in fixed point: int32 states clipped to 24 bits signed,
    ``decay_bits``-bit decays (> 0 required: lava-nc's model cannot shift
    the float decays it otherwise holds)."""

    a_real_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=24)
    a_imag_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    real: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    imag: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    sin_decay: float = LavaPyType(float, float)
    cos_decay: float = LavaPyType(float, float)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def resonate(self, xr, xi):
        bits = int(_scalar(self.decay_bits))
        if bits <= 0:
            raise ValueError(f"{owner_of(self)}: the fixed-point model needs decay_bits > 0 "
                             f"(integer decays), got {bits}")
        for name, x in (("a_real_in", xr), ("a_imag_in", xi)):
            if np.asarray(x).dtype.kind not in "iub":
                raise ValueError(f"{owner_of(self)}: the fixed-point model needs integer "
                                 f"input on '{name}', got {np.asarray(x).dtype}")
        return nrf.resonator_fixed(self.real, self.imag, xr, xi, int(_scalar(self.sin_decay)),
                                   int(_scalar(self.cos_decay)), bits,
                                   int(_scalar(self.state_exp)))


class _RfSpikes:
    def spike_and_reset(self, new_real, new_imag):
        s = nrf.rf_spikes(new_real, new_imag, self.imag, _scalar(self.vth))
        return new_real, new_imag, s


@implements(proc=RF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRFModelFloat(_RfSpikes, AbstractPyRFModelFloat):
    """RF in floating point."""


@implements(proc=RF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRFModelFixed(_RfSpikes, AbstractPyRFModelFixed):
    """RF in fixed point."""
