"""Chip (neurocore) models of LIF, LIFReset and LIFRefractory.

Each declares the neuron program (`kilauea.neurons.library`) that runs the
population on the chip and how the Process's Vars and parameters become the
program's words (every word holds the Var's raw value; see
`kilauea.compiler.ncmodel`).
"""
from __future__ import annotations

import numpy as np

from ...compiler.ncmodel import NcNeuronModel, program_cached, var_value
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons import library
from .process import LIF, LIFReset, LIFRefractory, TernaryLIF

_LIF_VARS = {"u": "u", "v": "v", "bias_mant": "bias_mant", "bias_exp": "bias_exp",
             "du": "du", "dv": "dv", "vth": "vth"}


def _flat(a) -> np.ndarray:
    return np.asarray(a).reshape(-1)


def _lif_values(proc) -> dict:
    n = int(np.prod(proc.s_out.shape))
    vals = {}
    for var, word in _LIF_VARS.items():
        a = np.asarray(var_value(proc, var))
        if var in ("du", "dv", "vth"):
            vals[word] = a.reshape(-1)[0]
        else:
            vals[word] = np.broadcast_to(a, tuple(proc.s_out.shape)).reshape(n)
    return vals


@implements(proc=LIF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcLifModel(NcNeuronModel):
    """LIF on the chip: program `lif`."""

    var_words = dict(_LIF_VARS)

    @classmethod
    def program(cls, proc, n_groups: int):
        return program_cached(library.lif, n_groups)

    @classmethod
    def values(cls, proc) -> dict:
        return _lif_values(proc)


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcLifResetModel(NcNeuronModel):
    """LIFReset on the chip: program `lif_reset` (reset_interval and
    reset_offset become profile constants)."""

    var_words = dict(_LIF_VARS)

    @classmethod
    def program(cls, proc, n_groups: int):
        return program_cached(library.lif_reset, n_groups)

    @classmethod
    def values(cls, proc) -> dict:
        vals = _lif_values(proc)
        vals["reset_interval"] = int(proc.proc_params["reset_interval"])
        vals["reset_offset"] = int(proc.proc_params["reset_offset"])
        return vals


@implements(proc=LIFRefractory, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcLifRefractoryModel(NcNeuronModel):
    """LIFRefractory on the chip: program `lif_refractory`
    (`refractory_period_end` is the state word `refractory_end`)."""

    var_words = dict(_LIF_VARS, refractory_period_end="refractory_end")

    @classmethod
    def program(cls, proc, n_groups: int):
        return program_cached(library.lif_refractory, n_groups)

    @classmethod
    def values(cls, proc) -> dict:
        vals = _lif_values(proc)
        vals["refractory_end"] = _flat(var_value(proc, "refractory_period_end"))
        vals["refractory_period"] = int(proc.proc_params["refractory_period"])
        return vals


_TERNARY_VARS = {"u": "u", "v": "v", "bias_mant": "bias_mant", "bias_exp": "bias_exp",
                 "du": "du", "dv": "dv", "vth_hi": "vth_hi", "vth_lo": "vth_lo"}


@implements(proc=TernaryLIF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcTernaryLifModel(NcNeuronModel):
    """TernaryLIF on the chip: program `ternary_lif`, graded payloads +1 / -1
    (`graded_out`)."""

    graded_out = True
    var_words = dict(_TERNARY_VARS)

    @classmethod
    def program(cls, proc, n_groups: int):
        return program_cached(library.ternary_lif, n_groups)

    @classmethod
    def values(cls, proc) -> dict:
        shape = tuple(proc.s_out.shape)
        n = int(np.prod(shape))
        vals = {}
        for var in _TERNARY_VARS:
            a = np.asarray(var_value(proc, var))
            if var in ("du", "dv", "vth_hi", "vth_lo"):
                vals[var] = a.reshape(-1)[0]
            else:
                vals[var] = np.broadcast_to(a, shape).reshape(n)
        return vals
