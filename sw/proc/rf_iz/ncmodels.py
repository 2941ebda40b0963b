"""Chip model of RF_IZ: program ``rf_iz`` (kilauea.neurons.rf), equal to the
CPU ``fixed_pt`` model (``PyRF_IZModelFixed``) bit for bit; what it shares
with RF's chip model (ports, Vars, refusals, host fallback) is
``kilauea.proc.rf.ncmodels.NcRFBase``.
"""
from __future__ import annotations

from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons.rf import rf_iz
from ..rf.ncmodels import NcRFBase
from .process import RF_IZ

__all__ = ["NcRF_IZModel"]


@implements(proc=RF_IZ, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcRF_IZModel(NcRFBase):  # noqa: N801 (Lava's name)
    """RF_IZ on the chip: program `rf_iz` (input from chip connections only)."""

    factory = staticmethod(rf_iz)
