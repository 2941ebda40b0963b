"""CPU ProcessModels of Conv (lava-nc 0.10 ``PyConvModelBinaryFloat`` /
``PyConvModelBinaryFixed``): each step sends ``a_buf`` (the previous
step's convolution), then ``a_buf = conv(s_in)``; binary input is cast to
0/1 unless ``use_graded_spike``. Fixed point: integer weights (kilauea
checks -256..255, the chip's synapse range), integer sums wrapped into 24
bits signed as Lava's ``signed_clamp``."""
from __future__ import annotations

import numpy as np

from ...hw.fixed_point import CONV_SUM_BITS
from ...hw.words import wrap_signed
from ...numerics import conv as nconv
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .._common import owner_of
from .process import Conv

__all__ = ["PyConvModelBinaryFloat", "PyConvModelBinaryFixed", "CONV_WEIGHT_MIN",
           "CONV_WEIGHT_MAX"]

CONV_WEIGHT_MIN, CONV_WEIGHT_MAX = -256, 255


class AbstractPyConvModel(PyLoihiProcessModel):
    """The step of Conv."""

    kernel_size: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    stride: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    padding: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    dilation: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    groups: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    use_graded_spike: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    fixed_point = False

    def _geometry(self):
        t = lambda v: tuple(int(a) for a in np.asarray(v).reshape(-1))  # noqa: E731
        return (t(self.stride), t(self.padding), t(self.dilation),
                int(np.asarray(self.groups).reshape(-1)[0]))

    def run_spk(self) -> None:
        self.a_out.send(self.a_buf)
        s_in = self.s_in.recv()
        if not bool(np.asarray(self.use_graded_spike).reshape(-1)[0]):
            s_in = np.asarray(s_in).astype(bool).astype(np.int64 if self.fixed_point else float)
        stride, padding, dilation, groups = self._geometry()
        a = nconv.conv2d(s_in, self.weight, stride, padding, dilation, groups)
        self.a_buf = wrap_signed(a, CONV_SUM_BITS) if self.fixed_point else a


@implements(proc=Conv, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyConvModelBinaryFloat(AbstractPyConvModel):
    """Conv, floating point."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buf: np.ndarray = LavaPyType(np.ndarray, float)
    weight: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=Conv, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyConvModelBinaryFixed(AbstractPyConvModel):
    """Conv, fixed point: integer sums wrapped into 24 bits."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buf: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    weight: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)

    fixed_point = True
    _checked = False

    def on_var_update(self) -> None:
        self._checked = False

    def run_spk(self) -> None:
        if not self._checked:
            proc = getattr(self, "_process", None)
            raw = np.asarray(proc.weight.init if proc is not None else self.weight)
            check_conv_weights(owner_of(self), raw)
            self._checked = True
        super().run_spk()


def check_conv_weights(owner: str, w) -> None:
    """``ValueError`` unless the weights are integers in -256..255."""
    w = np.asarray(w)
    if w.dtype.kind not in "iub" and not np.all(w == np.round(w)):
        raise ValueError(f"{owner}: fixed-point Conv 'weight' must hold integers")
    if w.size and (w.min() < CONV_WEIGHT_MIN or w.max() > CONV_WEIGHT_MAX):
        raise ValueError(f"{owner}: fixed-point Conv 'weight' must lie in {CONV_WEIGHT_MIN}.."
                         f"{CONV_WEIGHT_MAX}, got values in {w.min()}..{w.max()}")
