"""What a chip (Nc) ProcessModel declares for the compiler.

A chip model is a subclass of `kilauea.core.model.AbstractNcProcessModel`
that holds no Python state: it tells the compiler how a Process maps onto
neurocore resources. Two kinds exist:

- `NcNeuronModel`: a population of compartments running one neuron program
  (`kilauea.neurons`). It names the program (`program(n_groups)`), the value
  of every program word for a given Process (`values(proc)`), which Var is
  kept in which program word (`var_words`), and its ports (`in_port`: the
  synaptic input, `out_port`: the spikes; `graded_out`: payloads carry values).
- `NcConnectionModel`: a set of synapses from the neurons feeding its
  `in_port` to the neurons its `out_port` feeds. `synapses(proc)` returns
  (pre, post, weight, delay) arrays with the weights *prepared* exactly as the
  CPU fixed-point model prepares them (`kilauea.numerics.prepare_weights`),
  unshifted; `weight_exp(proc)` is the per-projection shift the target's
  program applies; `graded(proc)` says whether input payloads multiply the
  weights (`num_message_bits > 0`); `prepared_vars` names the Vars the CPU
  fixed-point model re-prepares after a set (Dense weights) and
  `prepare_var(proc, name, value)` prepares one: the chip runtime keeps
  its host copies the same way (instead of special-casing Var names).

Values are read from the Vars' current values (`Var.init`, which `Var.set`
before the first run updates) when the network is compiled. The chip
runtime recompiles a running network with the values it holds (host copies
of host-only Vars, chip words): `compile_network(..., values=...)`, which
`var_value` serves for the duration of that compile.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Mapping

import numpy as np

from ..core.model import AbstractNcProcessModel
from ..neurons.builder import NeuronProgram

__all__ = ["NcNeuronModel", "NcConnectionModel", "var_value", "program_cached"]

_OVERRIDES = threading.local()


@contextlib.contextmanager
def _value_overrides(values: Mapping[tuple[int, str], Any]):
    """Inside the block (this thread), `var_value(proc, name)` returns
    `values[(id(proc), name)]` where present instead of the Var's `init`
    (private: `compile_network(..., values=...)` is the way in)."""
    prev = getattr(_OVERRIDES, "map", None)
    _OVERRIDES.map = dict(prev or {})
    _OVERRIDES.map.update(values)
    try:
        yield
    finally:
        _OVERRIDES.map = prev


def var_value(proc, name: str) -> np.ndarray:
    """The current value of Var `name` of `proc` (a numpy array; sparse
    matrices are returned as they are)."""
    ov = getattr(_OVERRIDES, "map", None)
    if ov:
        key = (id(proc), name)
        if key in ov:
            v = ov[key]
            if hasattr(v, "toarray"):
                return v.copy()
            return np.array(v)
    var = getattr(proc, name)
    return var.init_value()


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
    out_port: str = "s_out"
    graded_out: bool = False
    #: Var name -> program word name (state, param or profile constant)
    var_words: dict[str, str] = {}
    #: Vars with no word on the chip (folded into others at compile time):
    #: `get` serves the host copy, `set` is refused
    host_vars: tuple[str, ...] = ()

    @classmethod
    def program(cls, proc, n_groups: int) -> NeuronProgram:
        raise NotImplementedError

    @classmethod
    def values(cls, proc) -> dict[str, Any]:
        """Program word name -> value (scalar, or an array of the
        population's size in C order), raw from the Process: the
        fixed-point check verifies them."""
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
    #: width to which the CPU fixed-point model wraps each step's sum (None:
    #: it does not wrap). The chip's accumulators never wrap, so the
    #: compiler warns when a target's worst-case sum could exceed it.
    sum_wrap_bits: int | None = None
    #: Vars whose value the CPU fixed-point model replaces by a *prepared*
    #: one (sign mode, clip, truncate: `kilauea.numerics.prepare_weights`)
    #: in the first step after it was set. The chip runtime keeps its host
    #: copy of such a Var the same way, through `prepare_var`, so that `get`
    #: returns what the CPU model would hold.
    prepared_vars: tuple[str, ...] = ()

    @classmethod
    def synapses(cls, proc) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(pre, post, weight, delay) int64 arrays, one entry per synapse
        with a nonzero prepared weight."""
        raise NotImplementedError

    @classmethod
    def raw_weights(cls, proc):
        """The user's weights (for the fixed-point check)."""
        raise NotImplementedError

    @classmethod
    def prepare_var(cls, proc, name: str, value):
        """The prepared form of `value` for Var `name` (one of
        `prepared_vars`) of `proc`, as the CPU fixed-point model computes it."""
        raise NotImplementedError(f"{cls.__name__} lists no prepared Var {name!r}")

    @classmethod
    def weight_exp(cls, proc) -> int:
        return int(proc.proc_params.get("weight_exp", 0))

    @classmethod
    def graded(cls, proc) -> bool:
        return int(np.asarray(var_value(proc, "num_message_bits")).reshape(-1)[0]) > 0
