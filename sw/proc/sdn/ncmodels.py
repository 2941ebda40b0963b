"""Chip (neurocore) model of SigmaDelta: the program `sigma_delta`
(`kilauea.neurons.library`) built for the Process's `act_mode` and
`cum_error`, graded output (`graded_out`).

Program words: state `sigma`, `act`, `residue`, `error`; parameter `bias`
(per neuron); profile constants `vth`, `state_exp`. `spike_exp` (already
folded into `vth` and `bias` by the Process) and `cum_error` (it selects
the program variant at compile time) have no chip word."""
from __future__ import annotations

from ...compiler.ncmodel import NcNeuronModel, VarValues, program_cached
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons import library
from .._ncbase import LibraryProgram, pop_scalar as _one, pop_values, pop_vector as _vec
from .process import ActivationMode, Delta, Sigma, SigmaDelta

__all__ = ["NcSigmaDeltaModel", "NcSigmaModel", "NcDeltaModel"]

_STATE = ("sigma", "act", "residue", "error", "bias")


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcSigmaDeltaModel(NcNeuronModel):
    """SigmaDelta on the chip: program `sigma_delta(act_mode, cum_error)`."""

    graded_out = True
    var_words = {name: name for name in _STATE + ("vth", "state_exp")}
    #: Vars without a chip word (kept on the host; see the module docstring)
    host_vars = ("spike_exp", "cum_error")

    @classmethod
    def program(cls, proc, vals: VarValues, n_groups: int):
        relu = ActivationMode(proc.proc_params["act_mode"]) == ActivationMode.RELU
        cum = bool(_one(proc, vals, "cum_error"))
        return program_cached(library.sigma_delta, n_groups,
                              act_mode="relu" if relu else "unit", cum_error=cum)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return pop_values(proc, vals, cls.var_words, ("vth", "state_exp"))


@implements(proc=Sigma, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcSigmaModel(LibraryProgram, NcNeuronModel):
    """Sigma on the chip: program `sigma` (state `sigma`), graded output."""

    graded_out = True
    var_words = {"sigma": "sigma"}

    library_program = staticmethod(library.sigma)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return {"sigma": _vec(proc, vals, "sigma")}


@implements(proc=Delta, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcDeltaModel(NcNeuronModel):
    """Delta on the chip: program `delta(cum_error)`; state `act`, `residue`,
    `error`; constants `vth`, `state_exp` and `in_shift = spike_exp +
    state_exp`. `spike_exp`, `state_exp`, `cum_error` and the unused `sigma`
    stay on the host (they are folded into the program at compile time)."""

    graded_out = True
    var_words = {"act": "act", "residue": "residue", "error": "error", "vth": "vth"}
    host_vars = ("sigma", "spike_exp", "state_exp", "cum_error")

    @classmethod
    def program(cls, proc, vals: VarValues, n_groups: int):
        cum = bool(_one(proc, vals, "cum_error"))
        return program_cached(library.delta, n_groups, cum_error=cum)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        state_exp = int(_one(proc, vals, "state_exp"))
        words = {name: _vec(proc, vals, name) for name in ("act", "residue", "error")}
        words.update(vth=_one(proc, vals, "vth"), state_exp=state_exp,
                     in_shift=int(_one(proc, vals, "spike_exp")) + state_exp)
        return words
