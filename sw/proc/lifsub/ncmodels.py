"""Chip model of LIFSubtract: program ``lif_subtract`` (kilauea.neurons.subtractive)."""
from __future__ import annotations

from ...compiler.ncmodel import NcNeuronModel, VarValues
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons.subtractive import lif_subtract
from .._ncbase import LibraryProgram, pop_values
from .process import LIFSubtract

_VARS = {"u": "u", "v": "v", "bias_mant": "bias_mant", "bias_exp": "bias_exp",
         "du": "du", "dv": "dv", "vth": "vth"}


@implements(proc=LIFSubtract, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcLifSubtractModel(LibraryProgram, NcNeuronModel):
    """LIFSubtract on the chip: program `lif_subtract`."""

    var_words = dict(_VARS)

    library_program = staticmethod(lif_subtract)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return pop_values(proc, vals, _VARS, ("du", "dv", "vth"))
