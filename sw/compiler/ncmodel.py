"""What a chip (Nc) ProcessModel declares for the compiler.

A chip model is a subclass of `kilauea.core.model.AbstractNcProcessModel`
that holds no Python state: it tells the compiler how a Process maps onto
neurocore resources. Two kinds exist:

- `NcNeuronModel`: a population of compartments running one neuron program
  (`kilauea.neurons`). It names the program (`program(proc, vals,
  n_groups)`), the value of every program word for a given Process
  (`values(proc, vals)`), which Var is kept in which program word
  (`var_words`), and its ports (`in_port`: the synaptic input, `out_port`:
  the spikes; `graded_out`: payloads carry values).
- `NcConnectionModel`: a set of synapses from the neurons feeding its
  `in_port` to the neurons its `out_port` feeds. `synapses(proc, vals)`
  returns (pre, post, weight, delay) arrays with the weights *prepared*
  exactly as the CPU fixed-point model prepares them
  (`kilauea.numerics.prepare_weights`), unshifted; `weight_exp(proc)` is
  the per-projection shift the target's program applies (a parameter, not
  a Var); `graded(proc, vals)` says whether input payloads multiply the weights
  (`num_message_bits > 0`); `raw_weights(proc, vals)` are the user's weights
  (for the fixed-point check); `prepared_vars` names the Vars the CPU
  fixed-point model re-prepares after a set (Dense weights) and
  `prepare_var(proc, name, value)` prepares one: the chip runtime keeps
  its host copies the same way (instead of special-casing Var names).

Every hook that reads a Var takes the compile's `VarValues` (`vals`) and
reads through it: `vals.get(proc, name)` is the Var's current value
(`Var.init`, which `Var.set` before the first run updates), or the value
the compile was given for it. The chip runtime recompiles a running
network with the values it holds (host copies of host-only Vars, chip
words): `compile_network(..., values=...)` builds one `VarValues` from that
mapping and hands it to every hook it calls. Code outside a compile (a CPU
model sharing a chip model's helpers) passes `VarValues()`: no overrides.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from ..core.model import AbstractNcProcessModel
from ..neurons.builder import NeuronProgram

__all__ = ["NcNeuronModel", "NcConnectionModel", "VarValues", "program_cached"]


@dataclass(frozen=True, eq=False)
class VarValues:
    """The Var values one compile reads. `overrides`: (id(process), Var
    name) -> the value to use instead of the Var's `init` (copied into a
    read-only mapping; empty: every Var reads its `init`)."""

    overrides: Mapping[tuple[int, str], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def get(self, proc, name: str):
        """The value of Var `name` of `proc`: a fresh numpy array (a sparse
        matrix stays sparse, copied), from `overrides` where present, else
        `getattr(proc, name).init_value()`."""
        key = (id(proc), name)
        if key in self.overrides:
            v = self.overrides[key]
            return v.copy() if hasattr(v, "toarray") else np.array(v)
        return getattr(proc, name).init_value()


_PROGRAMS: dict[tuple, NeuronProgram] = {}


def program_cached(factory: Callable[..., NeuronProgram], n_groups: int, **kw) -> NeuronProgram:
    """One `NeuronProgram` object per (factory, n_groups, options), so that
    populations sharing a program share its microcode on a core."""
    key = (factory, n_groups, tuple(sorted(kw.items())))
    if key not in _PROGRAMS:
        _PROGRAMS[key] = factory(n_groups, **kw)
    return _PROGRAMS[key]


class NcNeuronModel(AbstractNcProcessModel):
    """A neuron population on the chip (see the module docstring)."""

    in_port: str = "a_in"
    #: several synaptic inputs (e.g. RF's a_real_in, a_imag_in): each
    #: accumulator group holds one port's input; empty: `in_port` alone
    in_ports: tuple[str, ...] = ()
    out_port: str = "s_out"
    graded_out: bool = False
    #: Var name -> program word name (state, param or profile constant)
    var_words: dict[str, str] = {}
    #: Var -> (lsb, bits, signed): a Var of `var_words` kept in a bit field
    #: of its word (several Vars may share one word)
    var_fields: dict[str, tuple[int, int, bool]] = {}
    #: True: where the compiler refuses the process (`ChipRefusal`: a
    #: parameter or an input the program cannot reproduce) it runs on the
    #: host with its CPU model, unless the run config demands the chip
    host_fallback: bool = False
    #: Vars with no word on the chip (folded into others at compile time):
    #: `get` serves the host copy, `set` is refused
    host_vars: tuple[str, ...] = ()
    #: None: a host process may feed `in_port` directly; else why it cannot
    #: (the compiler's CompileError says it)
    direct_host_input: str | None = None

    @classmethod
    def program(cls, proc, vals: VarValues, n_groups: int) -> NeuronProgram:
        """The population's program for `n_groups` accumulator groups (Vars
        that select a variant are read through `vals`)."""
        raise NotImplementedError

    @classmethod
    def input_ports(cls) -> tuple[str, ...]:
        """The InPorts that take synaptic input (`in_ports`, else `in_port`)."""
        return tuple(cls.in_ports) or (cls.in_port,)

    @classmethod
    def program_for(cls, proc, vals: VarValues, group_ports: tuple[int, ...]) -> NeuronProgram:
        """The program for accumulator groups whose inputs arrive on
        `input_ports()[p]` for p in `group_ports` (a model with one input
        port: `program(proc, vals, len(group_ports))`)."""
        return cls.program(proc, vals, len(group_ports))

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict[str, Any]:
        """Program word name -> value (scalar, or an array of the
        population's size in C order), raw from the Process's Vars as `vals`
        gives them: the fixed-point check verifies them."""
        raise NotImplementedError

    @classmethod
    def size(cls, proc) -> int:
        return int(np.prod(getattr(proc, cls.out_port).shape))


class NcConnectionModel(AbstractNcProcessModel):
    """Synapses on the chip (see the module docstring)."""

    in_port: str = "s_in"
    out_port: str = "a_out"
    #: Vars kept only on the host (no chip word to read back)
    host_vars: tuple[str, ...] = ()
    #: width to which the CPU fixed-point model wraps each step's graded sum
    #: (None: it does not wrap). The chip's accumulators wrap at 32 bits, so
    #: the compiler warns when a target's worst-case sum could exceed the
    #: narrower of the two and they differ (`emit.input_range_warnings`).
    sum_wrap_bits: int | None = None
    #: Vars whose value the CPU fixed-point model replaces by a *prepared*
    #: one (sign mode, clip, truncate: `kilauea.numerics.prepare_weights`)
    #: in the first step after it was set. The chip runtime keeps its host
    #: copy of such a Var the same way, through `prepare_var`, so that `get`
    #: returns what the CPU model would hold.
    prepared_vars: tuple[str, ...] = ()

    @classmethod
    def synapses(cls, proc, vals: VarValues
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(pre, post, weight, delay) int64 arrays, one entry per synapse
        with a nonzero prepared weight (Vars read through `vals`)."""
        raise NotImplementedError

    @classmethod
    def raw_weights(cls, proc, vals: VarValues):
        """The user's weights as `vals` gives them (for the fixed-point
        check)."""
        raise NotImplementedError

    @classmethod
    def prepare_var(cls, proc, name: str, value):
        """The prepared form of `value` for Var `name` (one of
        `prepared_vars`) of `proc`, as the CPU fixed-point model computes it."""
        raise NotImplementedError(f"{cls.__name__} lists no prepared Var {name!r}")

    @classmethod
    def weight_exp(cls, proc) -> int:
        """The per-projection shift (-8..7) the target's program applies to
        this connection's per-step sum (a parameter, not a Var)."""
        return int(proc.proc_params.get("weight_exp", 0))

    @classmethod
    def graded(cls, proc, vals: VarValues) -> bool:
        """Whether input payloads multiply the weights (`num_message_bits`
        > 0, read through `vals`)."""
        return int(np.asarray(vals.get(proc, "num_message_bits")).reshape(-1)[0]) > 0
