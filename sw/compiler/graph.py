"""The chip graph the compiler's passes work on.

`partition` builds it from a `Network` (kilauea.runtime.builder); later
passes fill in fields (groups, placement). Everything is flat: a population
is a chip neuron process (elements in C order of its OutPort), a projection
is a set of synapses into one population's synaptic input, from a chip
population or from a host source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..neurons.builder import weight_exp_name

__all__ = ["Population", "HostSource", "Projection", "ChipGraph", "src_code", "source_key",
           "axon_code", "axon_source_key", "axon_graded", "axon_from_host", "ExpGroup",
           "ProjGroup", "GroupKey", "AccGroup"]


@dataclass(frozen=True)
class ExpGroup:
    """What an accumulator group holds: the input of every projection with this
    `weight_exp` >= 0 (exponent 0 also takes the direct host inputs) into
    input port `port` (an index into the model's `input_ports()`)."""
    exp: int
    port: int = 0

    def __str__(self) -> str:
        return f"weight_exp {self.exp}" + (f", port {self.port}" if self.port else "")


@dataclass(frozen=True)
class ProjGroup:
    """What an accumulator group holds: the input of one projection with
    `weight_exp` < 0 arriving through one `delay` (steps). Names the same group in a
    recompile of the same network: `conn_id` is id() of the connection process,
    `source` the source's `src_code`."""
    conn_id: int | None
    source: int
    delay: int
    port: int = 0

    def __str__(self) -> str:
        return f"delay {self.delay}" + (f", port {self.port}" if self.port else "")


GroupKey = ExpGroup | ProjGroup


@dataclass(frozen=True)
class AccGroup:
    """Accumulator group `index` of a population's compartments: what it holds (`key`)
    and the shift its input gets (`exp`, -8..7, the profile constant `param_name`)."""
    index: int
    key: GroupKey
    exp: int

    @property
    def param_name(self) -> str:
        return weight_exp_name(self.index)


@dataclass
class Population:
    """A chip neuron process."""
    index: int
    proc: Any
    model: type                      # an NcNeuronModel subclass
    size: int
    values: dict = field(default_factory=dict)       # program word -> value
    projections: list = field(default_factory=list)  # incoming Projection
    groups: list[AccGroup] = field(default_factory=list)  # accumulator groups (groups pass)
    program: Any = None                               # NeuronProgram (groups pass)
    host_out: Any = None                              # its OutPort when the host reads it
    host_out_graded: bool = False

    @property
    def name(self) -> str:
        return self.proc.name

    @property
    def group_exps(self) -> list[int]:
        """The weight_exp of each accumulator group."""
        return [g.exp for g in self.groups]

    @property
    def group_keys(self) -> list[GroupKey]:
        """What each accumulator group holds."""
        return [g.key for g in self.groups]


@dataclass
class HostSource:
    """A host OutPort feeding the chip, for one way of entering it:
    `step_offset` 0 (through a chip connection's synapses) or -1 (straight
    into a neuron's synaptic input, acting in the same step)."""
    index: int
    port: Any
    size: int
    step_offset: int
    graded: bool

    @property
    def name(self) -> str:
        return self.port.full_name()


@dataclass
class Projection:
    """Synapses into `target`'s input. Source elements `pre` of `source`
    (a Population or a HostSource), target elements `post`."""
    name: str
    target: Population
    source: Any
    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    delay: np.ndarray
    weight_exp: int
    graded: bool
    conn: Any = None                 # the connection process (None: direct host input)
    group: np.ndarray | None = None  # per synapse (groups pass)
    port: int = 0                    # the target's input port (index into input_ports())


def src_code(source) -> int:
    """A number naming a source: populations 2i, host sources 2i + 1."""
    return 2 * source.index + (1 if isinstance(source, HostSource) else 0)


# Axon codes: one int64 per input axon of a core, packed so that sorting them groups a
# source's elements, for numpy's sort / unique / searchsorted over whole networks:
#     bit 0: graded; bits 1..32: source element (32 bits); bits 33..: src_code(source)
# The (source, element) part alone (code >> 1) is a source key.
_ELEMENT_BITS = 32


def source_key(source, element: np.ndarray | int) -> np.ndarray:
    """(source, element) packed as src_code(source) << 32 | element (int64)."""
    return (np.int64(src_code(source)) << _ELEMENT_BITS) | np.asarray(element, dtype=np.int64)


def axon_code(source, element: np.ndarray, graded: bool) -> np.ndarray:
    """The axon codes of `source`'s `element`s entering as graded or binary spikes."""
    return (source_key(source, element) << 1) | int(graded)


def axon_source_key(code: np.ndarray) -> np.ndarray:
    """The (source, element) key of axon codes (see `source_key`)."""
    return code >> 1


def axon_graded(code: np.ndarray) -> np.ndarray:
    """1 where the axon carries graded spikes."""
    return code & 1


def axon_from_host(code: np.ndarray) -> np.ndarray:
    """1 where the axon's source is a host source (odd src_code)."""
    return (code >> (_ELEMENT_BITS + 1)) & 1


@dataclass
class ChipGraph:
    populations: list[Population]
    host_sources: list[HostSource]
    connections: list[Any]          # chip connection processes
    conn_models: dict               # id(proc) -> NcConnectionModel subclass
    chip_processes: list[Any]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # why the layout is as it is

    @property
    def projections(self) -> list[Projection]:
        return [pr for p in self.populations for pr in p.projections]
