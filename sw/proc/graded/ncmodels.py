"""Chip (neurocore) models of GradedVec and GradedReluVec: the programs
`graded_vec` / `graded_relu_vec` (`kilauea.neurons.library`), graded
output (`graded_out`: spike payloads carry v).

Program words: state `v`, profile constant `vth`. The Var `exp` has no
chip word (the dynamics do not use it)."""
from __future__ import annotations

from ...compiler.ncmodel import NcNeuronModel, VarValues
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons import library
from .._ncbase import LibraryProgram, pop_values
from .process import GradedReluVec, GradedVec

__all__ = ["NcGradedVecModel", "NcGradedReluVecModel"]


class _NcGradedModel(LibraryProgram, NcNeuronModel):
    """The words of GradedVec and GradedReluVec (their programs differ)."""

    graded_out = True
    var_words = {"v": "v", "vth": "vth"}
    #: Vars without a chip word (kept on the host; see the module docstring)
    host_vars = ("exp",)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return pop_values(proc, vals, cls.var_words, ("vth",))


@implements(proc=GradedVec, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcGradedVecModel(_NcGradedModel):
    """GradedVec on the chip: program `graded_vec`."""

    library_program = staticmethod(library.graded_vec)


@implements(proc=GradedReluVec, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcGradedReluVecModel(_NcGradedModel):
    """GradedReluVec on the chip: program `graded_relu_vec`."""

    library_program = staticmethod(library.graded_relu_vec)
