"""Chip (neurocore) models of LIF, LIFReset and LIFRefractory.

Each declares the neuron program (`kilauea.neurons.library`) that runs the
population on the chip and how the Process's Vars and parameters become the
program's words (every word holds the Var's raw value; see
`kilauea.compiler.ncmodel`).
"""
from __future__ import annotations

import numpy as np

from ...compiler.ncmodel import NcNeuronModel, VarValues
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons import library
from .._ncbase import LibraryProgram, pop_values
from .process import LIF, LIFReset, LIFRefractory, TernaryLIF

_LIF_VARS = {"u": "u", "v": "v", "bias_mant": "bias_mant", "bias_exp": "bias_exp",
             "du": "du", "dv": "dv", "vth": "vth"}


def _flat(a) -> np.ndarray:
    return np.asarray(a).reshape(-1)


def _lif_values(proc, vals: VarValues) -> dict:
    return pop_values(proc, vals, _LIF_VARS, ("du", "dv", "vth"))


@implements(proc=LIF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcLifModel(LibraryProgram, NcNeuronModel):
    """LIF on the chip: program `lif`."""

    var_words = dict(_LIF_VARS)

    library_program = staticmethod(library.lif)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return _lif_values(proc, vals)


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcLifResetModel(LibraryProgram, NcNeuronModel):
    """LIFReset on the chip: program `lif_reset` (reset_interval and
    reset_offset become profile constants)."""

    var_words = dict(_LIF_VARS)

    library_program = staticmethod(library.lif_reset)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        words = _lif_values(proc, vals)
        words["reset_interval"] = int(proc.proc_params["reset_interval"])
        words["reset_offset"] = int(proc.proc_params["reset_offset"])
        return words


@implements(proc=LIFRefractory, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcLifRefractoryModel(LibraryProgram, NcNeuronModel):
    """LIFRefractory on the chip: program `lif_refractory`
    (`refractory_period_end` is the state word `refractory_end`)."""

    var_words = dict(_LIF_VARS, refractory_period_end="refractory_end")

    library_program = staticmethod(library.lif_refractory)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        words = _lif_values(proc, vals)
        words["refractory_end"] = _flat(vals.get(proc, "refractory_period_end"))
        words["refractory_period"] = int(proc.proc_params["refractory_period"])
        return words


_TERNARY_VARS = {"u": "u", "v": "v", "bias_mant": "bias_mant", "bias_exp": "bias_exp",
                 "du": "du", "dv": "dv", "vth_hi": "vth_hi", "vth_lo": "vth_lo"}


@implements(proc=TernaryLIF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcTernaryLifModel(LibraryProgram, NcNeuronModel):
    """TernaryLIF on the chip: program `ternary_lif`, graded payloads +1 / -1
    (`graded_out`)."""

    graded_out = True
    var_words = dict(_TERNARY_VARS)

    library_program = staticmethod(library.ternary_lif)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return pop_values(proc, vals, _TERNARY_VARS, ("du", "dv", "vth_hi", "vth_lo"))
