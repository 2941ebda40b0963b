"""Chip model of RFZero: program ``rfzero`` (kilauea.neurons.resfire),
equal to the CPU ``fixed_pt`` model (``PyRFZeroModelFixed``) bit for bit,
int32 wraps of products and sums and the flooring ``// 2**15`` included.
Its two input ports (``u_in``, ``v_in``) fill accumulator groups of their
own. Where the program cannot hold a process the compiler raises a
``ChipRefusal`` naming the parameter, its value and the limit, and
(``host_fallback``) the process runs on the host with its CPU model unless
the run config demands the chip:

- ``u``, ``v``, ``lct``, ``lst`` or ``uth`` not an integer, or outside 32
  bits signed (the fixed-point check; the words are 32-bit);
- input straight from a host process.

Vars: ``u``, ``v`` are state words, ``lct``, ``lst`` per-neuron parameter
words, ``uth`` a profile word. Spike payloads carry ``u'``: one beyond 24
bits stops the chip run with a ``ChipStatusError`` (the CPU model sends the
32-bit value).
"""
from __future__ import annotations

from ...compiler.ncmodel import NcNeuronModel, VarValues, program_cached
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons.resfire import rfzero
from .._ncbase import pop_values
from .process import RFZero

__all__ = ["NcRFZeroModel"]


@implements(proc=RFZero, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcRFZeroModel(NcNeuronModel):
    """RFZero on the chip: program `rfzero` (input from chip connections only)."""

    in_ports = ("u_in", "v_in")
    graded_out = True
    var_words = {"u": "u", "v": "v", "lct": "lct", "lst": "lst", "uth": "uth"}
    host_fallback = True
    direct_host_input = ("lava-nc's model adds a host sender's values in the sender's own "
                         "dtype (a float source turns u and v into float64 and ends their "
                         "int32 wraps), the chip adds 24-bit payloads to 32-bit words: feed "
                         "it through a Dense or Sparse")

    @classmethod
    def program(cls, proc, vals: VarValues, n_groups: int):
        return program_cached(rfzero, n_groups)

    @classmethod
    def program_for(cls, proc, vals: VarValues, group_ports: tuple[int, ...]):
        return program_cached(rfzero, len(group_ports), ports=tuple(group_ports))

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return pop_values(proc, vals, cls.var_words, ("uth",))
