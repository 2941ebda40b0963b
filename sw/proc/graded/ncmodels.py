"""Chip (neurocore) models of GradedVec and GradedReluVec: the programs
`graded_vec` / `graded_relu_vec` (`kilauea.neurons.library`), graded
output (`graded_out`: spike payloads carry v).

Program words: state `v`, profile constant `vth`. The Var `exp` has no
chip word (the dynamics do not use it)."""
from __future__ import annotations

import numpy as np

from ...compiler.ncmodel import NcNeuronModel, program_cached, var_value
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons import library
from .process import GradedReluVec, GradedVec

__all__ = ["NcGradedVecModel", "NcGradedReluVecModel"]


def _graded_values(proc) -> dict:
    n = int(np.prod(proc.s_out.shape))
    v = np.broadcast_to(np.asarray(var_value(proc, "v")), tuple(proc.s_out.shape)).reshape(n)
    return {"v": v, "vth": np.asarray(var_value(proc, "vth")).reshape(-1)[0]}


@implements(proc=GradedVec, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcGradedVecModel(NcNeuronModel):
    """GradedVec on the chip: program `graded_vec`."""

    graded_out = True
    var_words = {"v": "v", "vth": "vth"}
    #: Vars without a chip word (kept on the host; see the module docstring)
    host_vars = ("exp",)

    @classmethod
    def program(cls, proc, n_groups: int):
        return program_cached(library.graded_vec, n_groups)

    @classmethod
    def values(cls, proc) -> dict:
        return _graded_values(proc)


@implements(proc=GradedReluVec, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcGradedReluVecModel(NcNeuronModel):
    """GradedReluVec on the chip: program `graded_relu_vec`."""

    graded_out = True
    var_words = {"v": "v", "vth": "vth"}
    #: Vars without a chip word (kept on the host; see the module docstring)
    host_vars = ("exp",)

    @classmethod
    def program(cls, proc, n_groups: int):
        return program_cached(library.graded_relu_vec, n_groups)

    @classmethod
    def values(cls, proc) -> dict:
        return _graded_values(proc)
