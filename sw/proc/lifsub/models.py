"""CPU ProcessModels of LIFSubtract: ``floating_pt`` and bit-exact ``fixed_pt``
(the arithmetic is in :mod:`kilauea.numerics.lifsub`)."""
from __future__ import annotations

import numpy as np

from ...numerics import lifsub
from .._api import LoihiProtocol, CPU, implements, requires, tag
from ..lif.models import AbstractPyLifModelFloat, AbstractPyLifModelFixed, _scalar
from .process import LIFSubtract


def _advance(model, step, a_in, du, dv, bias, vth) -> np.ndarray:
    """One ``step`` of ``kilauea.numerics.lifsub`` on the model's u and v;
    returns the spikes."""
    u, v, s = step(model.u, model.v, a_in, du, dv, bias, vth)
    model.store_uv(u, v)
    return s


@implements(proc=LIFSubtract, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLifSubtractModelFloat(AbstractPyLifModelFloat):
    """LIFSubtract in floating point (``bias_exp`` ignored)."""

    def lif_update(self, a_in: np.ndarray) -> np.ndarray:
        return _advance(self, lifsub.lif_subtract_float_step, a_in, _scalar(self.du),
                        _scalar(self.dv), self.bias_mant, _scalar(self.vth))


@implements(proc=LIFSubtract, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLifSubtractModelFixed(AbstractPyLifModelFixed):
    """LIFSubtract, bit-exact with the chip program ``lif_subtract``; LIF's
    ranges, checked before the first step and after host writes."""

    def lif_update(self, a_in: np.ndarray) -> np.ndarray:
        return _advance(self, lifsub.lif_subtract_fixed_step, a_in, *self.fixed_params())
