"""What the compiler hands the chip runtime: `CompiledNetwork`.

The compiler (sw/compiler/, a pipeline of passes) turns the chip part of a
Process graph into memory images for every tile plus the maps the runtime
needs to talk to the chip through the host port:

- `images`: per tile, per memory, the words to write from address 0;
- `vars`: where each chip Var's elements live (for Var.get/set and probes);
- `inputs`: how values sent by host-side OutPorts become spike packets;
- `outputs`: which host axon of a host-bound spike is which element of
  which chip OutPort;
- `report`: per-core use of every capacity, estimated cycles, totals.

The runtime never looks inside the images; the engines never see Processes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

import numpy as np
from amaranth.hdl import signed, unsigned

from ..hw.memory_map import Mem
from ..hw.fixed_point import WORD_BITS
from ..hw.params import ChipParams
from ..hw.words import shape_range, to_s32, to_u32
from .graph import GroupKey

__all__ = ["Tile", "TileWords", "VarCopy", "VarSlot", "HostInput", "HostOutput", "CoreUsage", "CompileReport",
           "PopulationLayout", "CompiledNetwork"]

Tile = tuple[int, int]


@dataclass(frozen=True)
class TileWords:
    """The elements of a `VarCopy` on one tile: `sel` (indices into the
    copy's elements) live at addresses `addr` of `mem` on `tile`."""
    tile: Tile
    mem: Mem
    sel: np.ndarray
    addr: np.ndarray


@dataclass(frozen=True, eq=False)
class VarCopy:
    """One copy of a chip Var's words: element i (C order of the copy) is
    the 32-bit word at address `addr[i]` of memory `mem` of tile
    (`x[i]`, `y[i]`). `x`, `y`, `addr`: int64 arrays of equal length."""
    x: np.ndarray
    y: np.ndarray
    mem: Mem
    addr: np.ndarray

    def __post_init__(self) -> None:
        for name in ("x", "y", "addr"):
            object.__setattr__(self, name, np.asarray(getattr(self, name),
                                                      dtype=np.int64).reshape(-1))
        object.__setattr__(self, "mem", Mem(self.mem))
        if not self.x.size == self.y.size == self.addr.size:
            raise ValueError(f"VarCopy: x, y and addr differ in length "
                             f"({self.x.size}, {self.y.size}, {self.addr.size})")

    def __len__(self) -> int:
        return int(self.addr.size)

    @cached_property
    def by_tile(self) -> tuple[TileWords, ...]:
        """The copy's words grouped by tile (ascending (x, y))."""
        if not self.x.size:
            return ()
        keys = np.unique(np.stack([self.x, self.y], axis=1), axis=0)
        out = []
        for xx, yy in keys.tolist():
            sel = np.flatnonzero((self.x == xx) & (self.y == yy))
            out.append(TileWords((int(xx), int(yy)), self.mem, sel, self.addr[sel]))
        return tuple(out)

    def read(self, engine) -> np.ndarray:
        """The copy's raw words (int64, 0 .. 2**32 - 1) through `engine`
        (a `kilauea.sim.engine.ChipEngine`: host READ packets)."""
        words = np.zeros(len(self), dtype=np.int64)
        for tw in self.by_tile:
            words[tw.sel] = np.asarray(engine.read_words(tw.tile, tw.mem, tw.addr),
                                       dtype=np.int64)
        return words

    def write(self, engine, words: np.ndarray) -> None:
        """Write raw 32-bit `words` (one per element of the copy, or one for
        all) through `engine` (host WRITE packets)."""
        words = np.broadcast_to(to_u32(np.asarray(words, dtype=np.int64)), (len(self),))
        for tw in self.by_tile:
            engine.write_words(tw.tile, tw.mem, tw.addr, words[tw.sel])


@dataclass
class VarSlot:
    """Where one chip Var's value lives, and how to read and write it.

    A Var with `n` elements (C order of its shape) is stored as one 32-bit
    word per element in each of its `copies` (`VarCopy`). Scalar Vars
    shared by a population split over several cores (e.g. LIF's `du`,
    stored once per core's profile) have one copy per core: `read` reads
    the first, `write` writes all. `signed`: the word is a two's complement
    int32.

    `host_only`: the Var has no word on the chip the runtime may read back
    (e.g. Dense weights, held in packed synapse words); `get` serves the
    host copy; `set` on a running network updates the host copy and the
    runtime recompiles and reloads the chip, carrying its state over
    (docs/chip-runtime.md, "Setting host-only Vars").

    `lo`, `hi`: the range `write` accepts (a parameter's or constant's width
    as its neuron program declares it; None: any 32-bit word).

    `lsb`, `bits`: the Var is the bit field [lsb, lsb + bits) of each word
    (default: the whole word), sign-extended when `signed`; `write` keeps
    the word's other bits (ATRLIF's ``s`` in the lowest bit of ``v``'s word).
    """
    process: Any                    # the AbstractProcess
    name: str                       # the Var's name
    shape: tuple[int, ...]
    copies: list[VarCopy] = field(default_factory=list)
    signed: bool = True
    host_only: bool = False
    lo: int | None = None
    hi: int | None = None
    lsb: int = 0
    bits: int = WORD_BITS

    def decode(self, words: np.ndarray) -> np.ndarray:
        """The Var's values from raw words (int64, 0 .. 2**32 - 1)."""
        w = np.asarray(words, dtype=np.int64)
        if self.bits < WORD_BITS:
            w = (w >> self.lsb) & ((1 << self.bits) - 1)
            if self.signed:
                w = np.where(w >= 1 << (self.bits - 1), w - (1 << self.bits), w)
            return w
        return to_s32(w) if self.signed else w

    @property
    def on_chip(self) -> bool:
        """True when the chip holds words the runtime reads and writes."""
        return not self.host_only and bool(self.copies)

    @property
    def in_profile(self) -> bool:
        """True when the Var is a profile constant (one word per core)."""
        return self.on_chip and self.copies[0].mem is Mem.PROFILE

    def label(self) -> str:
        return f"{getattr(self.process, 'name', self.process)}.{self.name}"

    def read(self, engine, copy: int = 0) -> np.ndarray:
        """The Var's value (int64 array of `shape`) from copy `copy`'s words
        on the chip, as two's complement when `signed`."""
        c = self.copies[copy]
        words = np.zeros(int(np.prod(self.shape, dtype=np.int64)), dtype=np.int64)
        words[:len(c)] = c.read(engine)
        return self.decode(words).reshape(self.shape)

    def check(self, values: np.ndarray) -> None:
        """ValueError unless every value fits `lo`..`hi` and a 32-bit word."""
        v = np.asarray(values)
        if not v.size:
            return
        if self.lo is not None and (v.min() < self.lo or v.max() > self.hi):
            raise ValueError(f"Var {self.label()} is on the chip: it must lie in the "
                             f"fixed-point range {self.lo}..{self.hi}, got values in "
                             f"{v.min()}..{v.max()}")
        lo, hi = shape_range(signed(self.bits) if self.signed else unsigned(self.bits))
        if v.min() < lo or v.max() > hi:
            raise ValueError(f"Var {self.label()}: values must fit a {self.bits}-bit "
                             f"{'signed' if self.signed else 'unsigned'} word [{lo}, {hi}]")

    def write(self, engine, values: np.ndarray) -> None:
        """Check `values` (integers, `shape`) and write them to every copy."""
        values = np.asarray(values, dtype=np.int64)
        self.check(values)
        words = to_u32(values.reshape(-1))
        if self.bits < WORD_BITS:
            mask = ((1 << self.bits) - 1) << self.lsb
            old = self.copies[0].read(engine)[:words.size]
            words = (old & ~mask & 0xFFFFFFFF) | ((values.reshape(-1) << self.lsb) & mask)
        for c in self.copies:
            c.write(engine, words if len(c) == words.size else words[:len(c)])


@dataclass
class HostInput:
    """Values a host-side OutPort sends to chip InPorts become spike packets.

    For element i of the OutPort (flattened), destinations are
    dst_x/dst_y/dst_axon[ptr[i]:ptr[i+1]]. An element sends a packet in step
    t when its value is nonzero; the payload is the value (graded) or 1
    (binary). The packet's step field is t + step_offset: 0 when the host
    value enters synapses (a Dense on the chip: it acts at t + 1 + delay, as in
    Lava), -1 when it goes straight into a neuron's a_in (it acts at t).
    """
    port: Any                       # the host process's OutPort
    size: int                       # elements of the port
    ptr: np.ndarray                 # int64, size + 1
    dst_x: np.ndarray
    dst_y: np.ndarray
    dst_axon: np.ndarray
    graded: bool
    step_offset: int

    def flits(self, t: int, value) -> np.ndarray:
        """The spike packets (uint64 flits) for the port's value `value`
        (any shape, `size` elements) sent in step t (added by the compiler
        engineer; the rule of this class's docstring, vectorised)."""
        from ..hw import packet
        v = np.asarray(value).reshape(-1)
        if v.size != self.size:
            raise ValueError(f"{self.port.full_name()}: {v.size} values for {self.size} elements")
        if not self.graded:
            v = (v != 0)                # binary: a spike wherever the value is nonzero
        elif v.dtype.kind == "f":
            if not np.all(v == np.round(v)):
                raise ValueError(f"{self.port.full_name()}: the chip takes integer values "
                                 f"(got {v[v != np.round(v)][0]!r})")
        v = v.astype(np.int64)
        nz = np.flatnonzero(v)
        cnt = self.ptr[nz + 1] - self.ptr[nz]
        owner = np.repeat(nz, cnt)
        start = np.cumsum(cnt) - cnt
        idx = self.ptr[owner] + (np.arange(int(cnt.sum())) - np.repeat(start, cnt))
        pay = v[owner] if self.graded else np.ones(len(idx), dtype=np.int64)
        step = (t + self.step_offset) % (1 << packet.STEP_BITS)
        return packet.encode_array(packet.Kind.SPIKE, self.dst_x[idx], self.dst_y[idx],
                                   axon=self.dst_axon[idx], payload=pay, step=step)


@dataclass
class HostOutput:
    """Host-bound spikes of one chip OutPort: host axon `axon_base + i` is
    element i (flattened) of `port`. The runtime sends the step's vector
    (payloads where spiking, else 0) to the host InPorts connected to it."""
    port: Any                       # the chip process's OutPort
    size: int
    axon_base: int
    graded: bool

    def values(self, host_axon: np.ndarray, host_payload: np.ndarray) -> np.ndarray:
        """This port's vector for a step (flat, `size` elements) from the
        step's host-bound spikes (StepResult.host_axon / host_payload;
        added by the compiler engineer)."""
        a = np.asarray(host_axon, dtype=np.int64) - self.axon_base
        sel = (a >= 0) & (a < self.size)
        out = np.zeros(self.size, dtype=np.int64)
        out[a[sel]] = np.asarray(host_payload, dtype=np.int64)[sel] if self.graded else 1
        return out


@dataclass
class CoreUsage:
    """One core's use of every capacity (units: words / entries / slots)."""
    tile: Tile
    processes: list[str]            # names (and ranges) of what is mapped here
    compartments: int
    synapses: int
    axons: int
    fanout: int
    ucode: int
    profiles: int
    groups: int                     # accumulator groups in use (max over profiles)
    max_delay: int
    est_cycles: int                 # estimated cycles per step (see docs/compiler.md)


@dataclass
class CompileReport:
    """Per-core usage and network totals; `str()` is the printed report."""
    params: ChipParams
    cores: list[CoreUsage]
    total_synapses: int
    total_fanout: int
    est_packets_per_step: float
    placement_cost: float
    row_major_cost: float
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # why the cores are as they are

    def __str__(self) -> str:
        p = self.params
        cap = {"compartments": p.n_compartments, "synapses": p.n_synapses, "axons": p.n_axons,
               "fanout": p.n_fanout, "ucode": p.n_ucode, "profiles": p.n_profiles}
        lines = [f"kilauea compile report: {p.mesh_w} x {p.mesh_h} mesh, "
                 f"{len(self.cores)} core(s) used"]
        head = f"{'tile':>7} " + " ".join(f"{k:>14}" for k in cap) + f" {'delay':>6} {'est. cycles':>11}"
        lines.append(head)
        for c in self.cores:
            cells = " ".join(f"{getattr(c, k):>6}/{v:<7}" for k, v in cap.items())
            lines.append(f"{str(c.tile):>7} {cells} {c.max_delay:>6} {c.est_cycles:>11}")
            lines.append(f"{'':>7}   maps: {', '.join(c.processes)}")
        lines.append(f"synapses: {self.total_synapses}; fan-out entries: {self.total_fanout}; "
                     f"est. spike packets/step: {self.est_packets_per_step:.1f}")
        lines.append("est. cycles: a core's clock cycles per step if every neuron spiked "
                     "(an estimate; chip_report() shows the measured ones after a run)")
        lines.append(f"placement: hop-weighted traffic {self.placement_cost:.1f} "
                     f"(row-major would be {self.row_major_cost:.1f})")
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class PopulationLayout:
    """Where a chip neuron population's compartments are (for carrying a
    running network's state into a recompiled one): neuron i (C order) is
    compartment `comp[i]` of tile (`x[i]`, `y[i]`); its program's named
    words (`program.word(name)`) are at `state_addr` / `param_addr` of that
    compartment; accumulator group g holds the input `group_keys[g]` names
    (`graph.ExpGroup`: projections of one weight_exp >= 0 and direct host inputs;
    `graph.ProjGroup`: one projection of weight_exp < 0, one delay)."""
    process: Any
    program: Any                    # kilauea.neurons.builder.NeuronProgram
    x: np.ndarray
    y: np.ndarray
    comp: np.ndarray
    group_keys: list[GroupKey]


@dataclass
class CompiledNetwork:
    """Everything the chip runtime needs to run the chip part of a network."""
    params: ChipParams
    images: Mapping[Tile, Mapping[Mem, np.ndarray]]
    vars: dict[tuple[int, str], VarSlot]           # (id(process), var name) -> slot
    inputs: list[HostInput]
    outputs: list[HostOutput]
    chip_processes: list[Any]
    report: CompileReport
    #: id(neuron process) -> PopulationLayout (filled by compile_network)
    layouts: dict = field(default_factory=dict)

    def var_slot(self, process, name: str) -> VarSlot:
        try:
            return self.vars[(id(process), name)]
        except KeyError:
            raise KeyError(f"Var {getattr(process, 'name', process)}.{name} is not on the chip") from None
