"""Pass 6, allocation: axons, synapse words, delays, fan-out entries,
neuron profiles and microcode, per core.

For every logical core (placed on a tile by pass 5):

- compartments: the core's population pieces, consecutive from 0, in piece
  order (`CONFIG.N_COMPARTMENTS` = their number);
- axons: one per distinct (source, source element, graded) among the
  synapses whose target is in the core, numbered in that order; the axon's
  synapse words are consecutive (sorted by compartment) and the axon is
  `graded` when its connection has `num_message_bits > 0` (and for host
  values entering a neuron's input directly);
- accumulator rows: each compartment takes one row per accumulator group
  of its program, densely in compartment order (`neurons.acc_row_bases`;
  its PARAM header holds the row base); a core needing more rows than
  `ChipParams.n_acc_rows` is an error (the packing of pass 4 keeps within it);
- synapse words: (row = the target's row base + group, prepared weight,
  delay); a delay
  beyond `ChipParams.max_delay` is an error naming the synapse; an axon
  with more synapse words than its entry's `count` field holds
  (`AXON_MAX_SYNAPSES`, 32767 for the 15-bit field) is an error naming the
  core, the axon's source and the connection processes feeding it;
- fan-out entries, at the source's core: per spiking compartment, one per
  axon it has in any core (destination tile, axon), then one host entry
  (host axon = the HostOutput's axon_base + element) when its OutPort has
  host consumers; host axons are numbered per HostOutput in population order;
- neuron engine images (`kilauea.neurons.core_images`): one profile per
  piece with the program for the population's accumulator groups, its
  constants (du, dv, vth, weight_exp{g}, ...), per-compartment parameters
  and state.

The result, `Allocation`, holds each tile's images, the host inputs and
outputs, and where each piece's words are (for VarSlots).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..hw.memory_map import Mem
from ..hw.neurocore import compartment_memory as ncm
from ..hw.neurocore import core_memory as cm
from ..hw.words import shape_range, to_word
from ..neurons.builder import acc_row_bases, core_images
from .errors import CompileError
from .graph import (ChipGraph, Population, axon_code, axon_from_host, axon_graded,
                    axon_source_key, source_key)
from .ir import HostInput, HostOutput
from .split import LogicalCore, core_of_neurons

__all__ = ["Allocation", "CoreAlloc", "allocate", "check_delays", "AXON_MAX_SYNAPSES"]

#: most synapse words one input axon can point at: the largest value of the
#: AXON entry's `count` field (`core_memory.AXON_LAYOUT`, 15 bits: 32767)
AXON_MAX_SYNAPSES = shape_range(cm.AXON_LAYOUT["count"].shape)[1]


@dataclass
class CoreAlloc:
    core: LogicalCore
    tile: tuple[int, int]
    images: dict = field(default_factory=dict)       # Mem -> uint32 words
    n_axons: int = 0
    n_synapses: int = 0
    n_fanout: int = 0
    host_fanout: int = 0
    host_axons: int = 0                               # axons fed by host inputs
    max_delay: int = 0
    profile_of_piece: list = field(default_factory=list)
    comp_base_of_piece: list = field(default_factory=list)


@dataclass
class Allocation:
    cores: list[CoreAlloc]
    inputs: list[HostInput]
    outputs: list[HostOutput]
    where: dict                                       # pop index -> (core [n], comp [n])


def check_delays(graph: ChipGraph, params) -> None:
    for pr in graph.projections:
        if len(pr.delay) and pr.delay.max() > params.max_delay:
            i = int(np.flatnonzero(pr.delay > params.max_delay)[0])
            who = pr.conn.name if pr.conn is not None else pr.name
            raise CompileError(
                f"process '{who}': synapse from {pr.source.name} element {int(pr.pre[i])} to "
                f"{pr.target.name} element {int(pr.post[i])} has delay {int(pr.delay[i])}, more "
                f"than the chip's largest delay {params.max_delay} (n_delay_slots="
                f"{params.n_delay_slots} allows at most n_delay_slots - 2)")


def _check_axon_counts(a: CoreAlloc, ucodes: np.ndarray, first: np.ndarray,
                       counts: np.ndarray, proj: np.ndarray, projections: list) -> None:
    """Raise `CompileError` when an axon of core `a` has more synapse words
    than its entry's count field holds. `proj` [n_synapses]: the index in
    `projections` of each synapse (in SYNAPSE word order)."""
    over = np.flatnonzero(counts > AXON_MAX_SYNAPSES)
    if not len(over):
        return
    i = int(over[0])
    n = int(counts[i])
    feeding = [projections[j] for j in np.unique(proj[first[i]:first[i] + n]).tolist()]
    names = [f"'{pr.conn.name if pr.conn is not None else pr.name}'" for pr in feeding]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    element = int(axon_source_key(ucodes[i:i + 1])[0] & 0xFFFF_FFFF)
    raise CompileError(
        f"core at tile {a.tile}: axon {i} (source '{feeding[0].source.name}' element {element}) "
        f"needs {n} synapse words but an axon entry holds at most {AXON_MAX_SYNAPSES} (its "
        f"count field is {cm.AXON_LAYOUT['count'].shape.width} bits; short by "
        f"{n - AXON_MAX_SYNAPSES}); fed by {len(names)} connection process(es): {shown}. "
        f"Merge these connections or spread the targets over more cores")


def _piece_values(pop: Population, start: int, count: int) -> dict:
    vals = {}
    for k, v in pop.values.items():
        vals[k] = v[start:start + count] if np.ndim(v) else v
    for group in pop.groups:
        vals[group.param_name] = group.exp
    return vals


def _row_bases(cores: list[LogicalCore], params) -> dict[int, np.ndarray]:
    """Core index -> the accumulator row base of each of its compartments
    (`neurons.acc_row_bases`: the rows `core_images` writes into the PARAM
    headers); a core needing more rows than the chip has is rejected."""
    out = {}
    for c in cores:
        pieces = [(p.pop.program, p.count) for p in c.pieces]
        bases = acc_row_bases(pieces)
        rows = sum(prog.n_groups * n for prog, n in pieces)
        if rows > params.acc_rows:
            raise CompileError(f"core {c.index} needs {rows} accumulator rows (one per input "
                               f"group of each compartment) but ChipParams.n_acc_rows is "
                               f"{params.acc_rows} (short by {rows - params.acc_rows})")
        out[c.index] = bases
    return out


def allocate(graph: ChipGraph, cores: list[LogicalCore], tiles: list, params) -> Allocation:
    where = core_of_neurons(graph, cores)
    row_base = _row_bases(cores, params)
    wshape = cm.synapse_layout(params)["weight"].shape
    wbits, (wlo, whi) = wshape.width, shape_range(wshape)
    # ---- synapses and axons, per target core
    rec = {k: [] for k in ("code", "core", "axon")}
    allocs = [CoreAlloc(c, tiles[c.index]) for c in cores]
    per_core = {c.index: {k: [] for k in ("code", "comp", "w", "d", "g", "p")} for c in cores}
    projections = graph.projections
    proj_index = {id(pr): j for j, pr in enumerate(projections)}
    for pop in graph.populations:
        core, comp = where[pop.index]
        for pr in pop.projections:
            if len(pr.weight) and (pr.weight.min() < wlo or pr.weight.max() > whi):
                raise CompileError(f"projection {pr.name}: weight outside the synapse word's "
                                   f"{wbits}-bit range {wlo}..{whi}")
            code = axon_code(pr.source, pr.pre, pr.graded)
            tc = core[pr.post]
            by_core = np.argsort(tc, kind="stable")         # each core's synapses, in order
            cores_hit, begin = np.unique(tc[by_core], return_index=True)
            for ci, sel in zip(cores_hit.tolist(), np.split(by_core, begin[1:])):
                d = per_core[ci]
                d["code"].append(code[sel])
                d["comp"].append(comp[pr.post[sel]])
                d["w"].append(pr.weight[sel])
                d["d"].append(pr.delay[sel])
                d["g"].append(pr.group[sel])
                d["p"].append(np.full(len(sel), proj_index[id(pr)], dtype=np.int64))
    for a in allocs:
        d = per_core[a.core.index]
        if d["code"]:
            code, comp, w, dl, g, prj = (np.concatenate(d[k])
                                         for k in ("code", "comp", "w", "d", "g", "p"))
        else:
            code = comp = w = dl = g = prj = np.zeros(0, dtype=np.int64)
        order = np.lexsort((comp, code))
        code, comp, w, dl, g, prj = (x[order] for x in (code, comp, w, dl, g, prj))
        ucodes, first, counts = np.unique(code, return_index=True, return_counts=True)
        a.n_axons, a.n_synapses = len(ucodes), len(code)
        a.max_delay = int(dl.max()) if len(dl) else 0
        for r, cap in (("axons", params.n_axons), ("synapses", params.n_synapses)):
            need = a.n_axons if r == "axons" else a.n_synapses
            if need > cap:
                raise CompileError(f"core at tile {a.tile} needs {need} {r} but has {cap} "
                                   f"(short by {need - cap})")
        _check_axon_counts(a, ucodes, first, counts, prj, projections)
        a.images[Mem.AXON] = cm.pack_axon(first, counts, axon_graded(ucodes))
        a.images[Mem.SYNAPSE] = cm.pack_synapse(params, row_base[a.core.index][comp] + g, w, dl)
        a.host_axons = int(axon_from_host(ucodes).sum())
        rec["code"].append(ucodes)
        rec["core"].append(np.full(len(ucodes), a.core.index, dtype=np.int64))
        rec["axon"].append(np.arange(len(ucodes), dtype=np.int64))
    rcode = np.concatenate(rec["code"]) if rec["code"] else np.zeros(0, np.int64)
    rcore = np.concatenate(rec["core"]) if rec["core"] else np.zeros(0, np.int64)
    raxon = np.concatenate(rec["axon"]) if rec["axon"] else np.zeros(0, np.int64)
    order = np.lexsort((raxon, rcore, rcode))
    rcode, rcore, raxon = rcode[order], rcore[order], raxon[order]
    rkey = axon_source_key(rcode)
    tile_x = np.array([t[0] for t in tiles], dtype=np.int64)
    tile_y = np.array([t[1] for t in tiles], dtype=np.int64)

    # ---- host outputs
    outputs: list[HostOutput] = []
    host_base: dict[int, int] = {}
    nxt = 0
    for pop in graph.populations:
        if pop.host_out is not None:
            host_base[pop.index] = nxt
            outputs.append(HostOutput(pop.host_out, pop.size, nxt, pop.host_out_graded))
            nxt += pop.size
    if nxt > (1 << 16):
        raise CompileError(f"{nxt} host-bound neurons: host axons are 16 bits (at most 65536)")

    # ---- fan-out and neuron images, per source core
    for a in allocs:
        fi_base, fi_count, fx, fy, fax, fhost = [], [], [], [], [], []
        at = 0
        populations = []
        for piece in a.core.pieces:
            pop, start, count = piece.pop, piece.start, piece.count
            el = np.arange(start, start + count, dtype=np.int64)
            key = source_key(pop, el)
            lo = np.searchsorted(rkey, key, side="left")
            hi = np.searchsorted(rkey, key, side="right")
            n = hi - lo
            host = pop.index in host_base
            cnt = n + (1 if host else 0)
            fi_base.append(at + np.cumsum(cnt) - cnt)
            fi_count.append(cnt)
            at += int(cnt.sum())
            owner = np.repeat(np.arange(count), cnt)
            start_of = np.cumsum(cnt) - cnt
            pos = np.arange(int(cnt.sum())) - start_of[owner]
            is_host = pos >= n[owner]
            idx = np.where(is_host, 0, lo[owner] + np.minimum(pos, n[owner] - 1))
            c = rcore[idx] if len(rcore) else np.zeros(len(idx), np.int64)
            fx.append(np.where(is_host, 0, tile_x[c] if len(c) else c))
            fy.append(np.where(is_host, 0, tile_y[c] if len(c) else c))
            fax.append(np.where(is_host, host_base.get(pop.index, 0) + el[owner],
                                raxon[idx] if len(raxon) else idx))
            fhost.append(is_host.astype(np.int64))
            populations.append((pop.program, count, _piece_values(pop, start, count)))
        a.n_fanout = at
        if at > params.n_fanout:
            raise CompileError(f"core at tile {a.tile} needs {at} fanout entries but has "
                               f"{params.n_fanout} (short by {at - params.n_fanout})")
        cat = (lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64))
        fx, fy, fax, fhost = cat(fx), cat(fy), cat(fax), cat(fhost)
        a.host_fanout = int(fhost.sum())
        a.images[Mem.FANOUT_INDEX] = cm.pack_fanout_index(cat(fi_base), cat(fi_count))
        a.images[Mem.FANOUT] = cm.pack_fanout(fax, fx, fy, fhost)
        try:
            ci = core_images(params, populations)
        except ValueError as e:
            raise CompileError(f"core at tile {a.tile}: {e}") from None
        n = ci.n_compartments
        a.images[Mem.UCODE] = to_word(ci.ucode[:a.core.ucode])
        a.images[Mem.PROFILE] = to_word(ci.profile[:len(populations) * ncm.PROFILE_WORDS])
        a.images[Mem.PARAM] = to_word(ci.param[:n * ncm.PARAM_WORDS])
        a.images[Mem.STATE] = to_word(ci.state[:n * ncm.STATE_WORDS])
        a.images[Mem.CONFIG] = np.array([n], dtype=np.uint32)
        a.profile_of_piece = list(range(len(populations)))
        a.comp_base_of_piece = [f for f, _ in ci.populations]

    # ---- host inputs
    inputs: list[HostInput] = []
    for hs in graph.host_sources:
        key = source_key(hs, np.arange(hs.size, dtype=np.int64))
        lo = np.searchsorted(rkey, key, side="left")
        hi = np.searchsorted(rkey, key, side="right")
        idx = np.concatenate([np.arange(l, h) for l, h in zip(lo.tolist(), hi.tolist())]) \
            if hs.size else np.zeros(0, np.int64)
        idx = idx.astype(np.int64)
        ptr = np.concatenate([[0], np.cumsum(hi - lo)]).astype(np.int64)
        inputs.append(HostInput(hs.port, hs.size, ptr, tile_x[rcore[idx]], tile_y[rcore[idx]],
                                raxon[idx], hs.graded, hs.step_offset))
    return Allocation(allocs, inputs, outputs, where)
