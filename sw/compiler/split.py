"""Pass 4, split: pack populations into logical cores, splitting those (and
their weight matrices) that exceed one core's capacities.

Where things live: a neuron's compartment, its incoming synapse words and
the input axons that point at them sit in the neuron's core (the target
core); its fan-out entries (one per destination core axon, plus one for the
host) sit in the same core (as the source). Profiles: one per population
piece; microcode: each distinct program once per core.

Algorithm: first fit in order. Populations are walked in graph order and
their neurons in index order; a neuron joins the open core if every
capacity still holds after adding it (compartments + 1, accumulator rows +
its program's groups, synapse words + its fan-in, axons + the sources of its synapses not yet in the core, a profile
when it starts a new piece, its program's words when new to the core, its
fan-out entries); otherwise the core is closed and a new one opened. So a
population larger than a core is cut into consecutive pieces, and a weight
matrix is cut with its targets. Fan-out depends on where the targets land,
so packing is repeated with each neuron's fan-out from the previous packing
until it fits (at most 4 rounds).

Errors (`CompileError`): a single neuron that does not fit an empty core
(names the resource and the shortfall); more cores than tiles (names the
mesh, the shortfall and the resource that closed the cores).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from .errors import CompileError
from .graph import ChipGraph, Population, axon_code

__all__ = ["LogicalCore", "Piece", "Resource", "split", "axon_codes", "RESOURCES"]


class Resource(StrEnum):
    """A per-core capacity the packing fills (the value names it in messages)."""
    COMPARTMENTS = "compartments"
    SYNAPSES = "synapses"
    AXONS = "axons"
    FANOUT = "fanout"
    UCODE = "ucode"
    PROFILES = "profiles"
    ACC_ROWS = "accumulator rows"

    @property
    def unit(self) -> str:
        """What one neuron's need of it counts."""
        return {Resource.SYNAPSES: "fan-in", Resource.UCODE: "words",
                Resource.ACC_ROWS: "its input groups, ChipParams.n_acc_rows"}.get(self, "entries")


RESOURCES = tuple(Resource)


@dataclass(frozen=True)
class Piece:
    """Neurons `start` .. `start + count - 1` (C order) of `pop`, on one core."""
    pop: Population
    start: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.pop.name}[{self.start}:{self.start + self.count}]"


@dataclass
class LogicalCore:
    index: int
    pieces: list[Piece] = field(default_factory=list)
    compartments: int = 0
    synapses: int = 0
    axons: set = field(default_factory=set)
    programs: dict = field(default_factory=dict)   # id(program) -> program
    fanout: int = 0
    acc_rows: int = 0          # accumulator rows: the sum of its neurons' groups
    closed_by: Resource | None = None

    @property
    def ucode(self) -> int:
        return sum(len(p) for p in self.programs.values())

    @property
    def profiles(self) -> int:
        return len(self.pieces)


def axon_codes(pop: Population):
    """Per target neuron of `pop`: its fan-in and the sorted array of axon
    codes (source, source element, graded) of its synapses.
    Returns (indeg [n], ptr [n+1], codes sorted by target)."""
    posts, codes = [], []
    for pr in pop.projections:
        posts.append(pr.post)
        codes.append(axon_code(pr.source, pr.pre, pr.graded))
    if not posts:
        z = np.zeros(pop.size, dtype=np.int64)
        return z, np.zeros(pop.size + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    post = np.concatenate(posts)
    code = np.concatenate(codes)
    order = np.lexsort((code, post))
    indeg = np.bincount(post, minlength=pop.size).astype(np.int64)
    ptr = np.concatenate([[0], np.cumsum(indeg)])
    return indeg, ptr, code[order]


def capacities(params) -> dict[Resource, int]:
    return {Resource.COMPARTMENTS: params.n_compartments, Resource.SYNAPSES: params.n_synapses,
            Resource.AXONS: params.n_axons, Resource.FANOUT: params.n_fanout,
            Resource.UCODE: params.n_ucode, Resource.PROFILES: params.n_profiles,
            Resource.ACC_ROWS: params.acc_rows}


@dataclass
class _Open:
    """The open core of a packing and its axon codes as a sorted array."""
    core: LogicalCore
    axons: np.ndarray


def _window(o: _Open, pop_codes, fo: np.ndarray, prog, start, k: int, cap: dict):
    """First fit of neurons k, k+1, ... of a population into the open core,
    for a window of them at once: (j, over), j the number of neurons that
    join (in order, each while every capacity holds), over the resources
    neuron k + j would exceed (in RESOURCES order; [] if the window ended).
    Same decisions as adding the neurons one at a time."""
    indeg, ptr, codes = pop_codes
    cur = o.core
    n = min(len(indeg) - k, max(cap[Resource.COMPARTMENTS] - cur.compartments, 1))
    syn = cur.synapses + np.cumsum(indeg[k:k + n])
    n = min(n, int(np.searchsorted(syn, cap[Resource.SYNAPSES], side="right")) + 1)
    syn = syn[:n]
    seg = codes[ptr[k]:ptr[k + n]]
    owner = np.repeat(np.arange(n), indeg[k:k + n])
    pos = np.searchsorted(o.axons, seg)
    fresh = (pos >= len(o.axons)) | (o.axons[np.minimum(pos, len(o.axons) - 1)] != seg) \
        if len(o.axons) else np.ones(len(seg), bool)
    _, first = np.unique(seg[fresh], return_index=True)     # a new axon's first user
    new = np.bincount(owner[fresh][first], minlength=n)
    need = {
        Resource.COMPARTMENTS: cur.compartments + np.arange(1, n + 1),
        Resource.SYNAPSES: syn,
        Resource.AXONS: len(o.axons) + np.cumsum(new),
        Resource.FANOUT: cur.fanout + np.cumsum(fo[k:k + n]),
        Resource.UCODE: np.full(n, cur.ucode + (0 if id(prog) in cur.programs else len(prog))),
        Resource.PROFILES: np.full(n, cur.profiles + (1 if start is None else 0)),
        Resource.ACC_ROWS: cur.acc_rows + prog.n_groups * np.arange(1, n + 1),
    }
    bad = np.zeros(n, bool)
    for r in RESOURCES:
        bad |= need[r] > cap[r]
    if not bad.any():
        return n, []
    j = int(np.argmax(bad))
    return j, [r for r in RESOURCES if need[r][j] > cap[r]]


def _take(o: _Open, pop, pop_codes, fo, prog, start, k: int, j: int):
    """Neurons k .. k + j - 1 join the open core; returns the piece's start."""
    indeg, ptr, codes = pop_codes
    cur = o.core
    if start is None:
        start = k
        cur.pieces.append(Piece(pop, k, j))
    else:
        cur.pieces[-1] = Piece(pop, start, k + j - start)
    cur.compartments += j
    cur.acc_rows += j * prog.n_groups
    cur.synapses += int(indeg[k:k + j].sum())
    cur.fanout += int(fo[k:k + j].sum())
    cur.programs[id(prog)] = prog
    new = np.setdiff1d(codes[ptr[k]:ptr[k + j]], o.axons)
    o.axons = np.union1d(o.axons, new)
    cur.axons.update(new.tolist())
    return start


def _alone_error(pop, k: int, r: Resource, pop_codes, fo, prog, cap: dict) -> CompileError:
    indeg, ptr, codes = pop_codes
    alone = {Resource.COMPARTMENTS: 1, Resource.SYNAPSES: int(indeg[k]),
             Resource.AXONS: len(np.unique(codes[ptr[k]:ptr[k + 1]])), Resource.FANOUT: int(fo[k]),
             Resource.UCODE: len(prog), Resource.PROFILES: 1,
             Resource.ACC_ROWS: prog.n_groups}[r]
    return CompileError(
        f"process '{pop.name}' neuron {k} does not fit an empty core: it needs "
        f"{alone} {r} ({r.unit}) but a core has {cap[r]} (short by {alone - cap[r]})")


def _pack(graph: ChipGraph, cap: dict[Resource, int], fanout_of: dict,
          codes_of: dict) -> list[LogicalCore]:
    """First fit in order (module docstring), a window of neurons at a time."""
    cores: list[LogicalCore] = []
    o = _Open(LogicalCore(0), np.zeros(0, dtype=np.int64))
    for pop in graph.populations:
        if pop.index not in codes_of:
            codes_of[pop.index] = axon_codes(pop)
        pc = codes_of[pop.index]
        fo = fanout_of.get(pop.index)
        if fo is None:
            fo = np.full(pop.size, 1 if pop.host_out is not None else 0, dtype=np.int64)
        prog = pop.program
        start = None
        k = 0
        while k < pop.size:
            j, over = _window(o, pc, fo, prog, start, k, cap)
            if j:
                start = _take(o, pop, pc, fo, prog, start, k, j)
                k += j
            if not over:
                continue
            if o.core.compartments == 0:
                raise _alone_error(pop, k, over[0], pc, fo, prog, cap)
            o.core.closed_by = over[0]
            cores.append(o.core)
            o = _Open(LogicalCore(len(cores)), np.zeros(0, dtype=np.int64))
            start = None
    if o.core.compartments:
        cores.append(o.core)
    return cores


def core_of_neurons(graph: ChipGraph, cores: list[LogicalCore]) -> dict:
    """Population index -> (core index [n], compartment offset in its piece's core [n])."""
    out = {p.index: (np.full(p.size, -1, dtype=np.int64), np.zeros(p.size, dtype=np.int64))
           for p in graph.populations}
    for c in cores:
        base = 0
        for p in c.pieces:
            core, comp = out[p.pop.index]
            core[p.start:p.start + p.count] = c.index
            comp[p.start:p.start + p.count] = base + np.arange(p.count)
            base += p.count
    return out


#: a fan-out key packs (source neuron, destination core, graded) in an int64:
#: bit 0 graded, bits 1..16 the logical core, bits 17.. the neuron
_FANOUT_NEURON_SHIFT = 17


def _fanout_key(neuron: np.ndarray, core: np.ndarray, graded: bool) -> np.ndarray:
    """One int64 per (source neuron, destination core, graded) fan-out entry."""
    return (neuron << _FANOUT_NEURON_SHIFT) | (core << 1) | int(graded)


def fanout_counts(graph: ChipGraph, where: dict) -> dict:
    """Per chip population: fan-out entries of each neuron (distinct
    (destination core, graded) axons, plus one when the host reads it)."""
    keys = {p.index: [] for p in graph.populations}
    for pop in graph.populations:
        core = where[pop.index][0]
        for pr in pop.projections:
            if isinstance(pr.source, Population):
                keys[pr.source.index].append(_fanout_key(pr.pre, core[pr.post], pr.graded))
    out = {}
    for pop in graph.populations:
        n = np.zeros(pop.size, dtype=np.int64)
        if keys[pop.index]:
            u = np.unique(np.concatenate(keys[pop.index]))
            n += np.bincount(u >> _FANOUT_NEURON_SHIFT, minlength=pop.size)
        if pop.host_out is not None:
            n += 1
        out[pop.index] = n
    return out


def _pack_fitting(graph: ChipGraph, params, cap: dict, codes_of: dict) -> list[LogicalCore]:
    fanout_of: dict = {}
    for _ in range(4):
        cores = _pack(graph, cap, fanout_of, codes_of)
        where = core_of_neurons(graph, cores)
        real = fanout_counts(graph, where)
        ok = True
        for c in cores:
            c.fanout = sum(int(real[p.pop.index][p.start:p.start + p.count].sum())
                           for p in c.pieces)
            ok &= c.fanout <= params.n_fanout
        if ok:
            break
        fanout_of = real
    else:
        c = max(cores, key=lambda c: c.fanout)
        raise CompileError(f"logical core {c.index} needs {c.fanout} fanout entries but a core has "
                           f"{params.n_fanout} (short by {c.fanout - params.n_fanout})")
    return cores


#: below this many estimated cycles per step on the busiest core, spreading
#: the work over more tiles is not worth the extra spike packets
BALANCE_MIN_CYCLES = 2000


def _work(c: LogicalCore) -> int:
    return c.synapses + sum(p.count * len(p.pop.program) for p in c.pieces)


def split(graph: ChipGraph, params, balance: bool = True) -> list[LogicalCore]:
    """Pack the populations into logical cores (see the module docstring).
    With `balance`, when the densest packing leaves tiles free and its
    busiest core has more than BALANCE_MIN_CYCLES of work, the packing is
    redone with compartment and synapse limits lowered to an even share of
    the mesh (plus 10 %, 25 %, 50 % slack), keeping the first that fits."""
    cap = capacities(params)
    codes_of: dict = {}                 # population index -> axon_codes (computed once)
    cores = _pack_fitting(graph, params, cap, codes_of)
    n_tiles = params.n_tiles
    if balance and len(cores) < n_tiles and max(map(_work, cores), default=0) > BALANCE_MIN_CYCLES:
        tot_c = sum(p.size for p in graph.populations)
        tot_s = sum(len(pr.pre) for pr in graph.projections)
        for slack in (1.1, 1.25, 1.5):
            share = dict(cap)
            share[Resource.COMPARTMENTS] = min(cap[Resource.COMPARTMENTS],
                                               max(1, int(np.ceil(slack * tot_c / n_tiles))))
            share[Resource.SYNAPSES] = min(cap[Resource.SYNAPSES],
                                           max(1, int(np.ceil(slack * tot_s / n_tiles))))
            try:
                even = _pack_fitting(graph, params, share, codes_of)
            except CompileError:
                continue
            if len(even) <= n_tiles:
                graph.notes.append(
                    f"spread over {len(even)} cores instead of {len(cores)} to balance a step's "
                    f"work: the densest packing's busiest core had {max(map(_work, cores))} "
                    f"synapses + neuron instructions per step (more than "
                    f"{BALANCE_MIN_CYCLES}); "
                    f"compile_network(..., balance=False) packs densely")
                return even
    if len(cores) > n_tiles:
        totals = {"compartments": sum(p.size for p in graph.populations),
                  "synapses": sum(len(pr.pre) for pr in graph.projections)}
        caps = {"compartments": params.n_compartments, "synapses": params.n_synapses}
        over = [f"{r}: {totals[r]} needed, the mesh has {n_tiles * caps[r]} "
                f"(short by {totals[r] - n_tiles * caps[r]})"
                for r in totals if totals[r] > n_tiles * caps[r]]
        reasons: dict = {}
        for c in cores[:-1]:
            reasons[c.closed_by] = reasons.get(c.closed_by, 0) + 1
        why = ", ".join(f"{n} core(s) full of {r}" for r, n in reasons.items())
        raise CompileError(
            f"the network needs {len(cores)} cores but the {params.mesh_w} x {params.mesh_h} mesh "
            f"has {n_tiles} (short by {len(cores) - n_tiles} cores; {why})"
            + ("; " + "; ".join(over) if over else ""))
    return cores
