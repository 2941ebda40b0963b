"""CPU ProcessModels of RF_IZ, as lava-nc 0.10's ``PyRF_IZModelFloat`` and
``PyRF_IZModelFixed``: RF's rotation, then :func:`kilauea.numerics.rf.rf_iz_reset`.
"""
from __future__ import annotations

import numpy as np

from ...numerics import rf as nrf
from .._api import CPU, LoihiProtocol, implements, requires, tag
from ..rf.models import AbstractPyRFModelFixed, AbstractPyRFModelFloat
from .process import RF_IZ

__all__ = ["PyRF_IZModelFloat", "PyRF_IZModelFixed"]

#: ``imag`` after a spike is ``vth - offset``.
_FLOAT_OFFSET = 1e-5
_FIXED_OFFSET = 1


def _scalar(x):
    return np.asarray(x).reshape(-1)[0].item()


@implements(proc=RF_IZ, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyRF_IZModelFloat(AbstractPyRFModelFloat):  # noqa: N801 (Lava's name)
    """RF_IZ in floating point."""

    def spike_and_reset(self, new_real, new_imag):
        return nrf.rf_iz_reset(new_real, new_imag, _scalar(self.vth), _FLOAT_OFFSET)


@implements(proc=RF_IZ, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRF_IZModelFixed(AbstractPyRFModelFixed):  # noqa: N801 (Lava's name)
    """RF_IZ in fixed point."""

    def spike_and_reset(self, new_real, new_imag):
        return nrf.rf_iz_reset(new_real, new_imag, _scalar(self.vth), _FIXED_OFFSET)
