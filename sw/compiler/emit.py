"""Pass 7, emit: VarSlots (where each chip Var lives) and the report.

VarSlots: a neuron Var kept in a state word or a per-compartment parameter
is one copy of n words (one per element, each on its neuron's tile); a Var
kept in a profile constant (du, dv, vth, ...) has one copy per population
piece (one per core holding part of the population): `get` reads the
first, `set` writes all. Connection Vars (weights, delays, a_buff,
num_message_bits) are `host_only`: the chip holds the weights packed in
synapse words and `a_buff` in its accumulators.

Report (`CompileReport`): per core, every capacity in use, and the
estimated cycles per step

    est_cycles = activity * synapse words        (synaptic events, one per cycle)
               + phase_cycles(pieces' compartments and program turns)
                     (the engine's lanes: about compartments * turns / n_lanes,
                      at least 8 cycles per turn of the busiest slot)
               + activity * fan-out entries      (one packet per cycle)

with `activity` the assumed fraction of sources spiking per step (default
1.0: every source spikes, a worst case).
"""
from __future__ import annotations

import numpy as np

from ..hw.fixed_point import ACT_SHIFT, PAYLOAD_MIN, WORD_BITS
from ..hw.memory_map import Mem
from ..hw.neurocore import compartment_memory as ncm
from ..hw.neurocore.neuron_engine import phase_cycles
from ..neurons.builder import WordSpace
from .allocate import Allocation
from .graph import ChipGraph
from .ir import CompileReport, CoreUsage, VarCopy, VarSlot

__all__ = ["var_slots", "report", "input_range_warnings"]

_MEM = {WordSpace.STATE: Mem.STATE, WordSpace.PARAM: Mem.PARAM, WordSpace.PROFILE: Mem.PROFILE}


def var_slots(graph: ChipGraph, alloc: Allocation) -> dict:
    slots: dict = {}
    pieces = {}     # pop index -> list of (tile, profile, comp_base, start, count)
    for a in alloc.cores:
        for p, prof, base in zip(a.core.pieces, a.profile_of_piece, a.comp_base_of_piece):
            pieces.setdefault(p.pop.index, []).append((a.tile, prof, base, p.start, p.count))
    for pop in graph.populations:
        proc, prog = pop.proc, pop.program
        core, comp = alloc.where[pop.index]
        tiles = np.array([a.tile for a in alloc.cores], dtype=np.int64).reshape(-1, 2)
        for var, word in pop.model.var_words.items():
            ref = prog.word(word)
            mem, idx = ref.space, ref.index
            shape = tuple(getattr(proc, var).shape)
            slot = VarSlot(proc, var, shape)
            if var in pop.model.var_fields:
                slot.lsb, slot.bits, slot.signed = pop.model.var_fields[var]
            if mem != "state":      # a parameter's width is checked on set
                d = prog.params[word] if mem == "param" else prog.consts[word]
                slot.lo, slot.hi = d.lo, d.hi
            if mem == "profile":
                for tile, prof, _, _, _ in pieces[pop.index]:
                    slot.copies.append(VarCopy([tile[0]], [tile[1]], _MEM[mem],
                                               [ncm.profile_addr(prof, idx)]))
            else:
                addr = (ncm.state_addr(comp, idx) if mem == "state" else ncm.param_addr(comp, idx))
                slot.copies.append(VarCopy(tiles[core, 0], tiles[core, 1], _MEM[mem], addr))
            slots[(id(proc), var)] = slot
        for var in pop.model.host_vars:       # Vars with no chip word (e.g. SigmaDelta.spike_exp)
            if hasattr(proc, var):
                slots[(id(proc), var)] = VarSlot(proc, var, tuple(getattr(proc, var).shape),
                                                 host_only=True)
    for c in graph.connections:
        m = graph.conn_models[id(c)]
        for var in m.host_vars:
            if hasattr(c, var):
                slots[(id(c), var)] = VarSlot(c, var, tuple(getattr(c, var).shape), host_only=True)
    return slots


def input_range_warnings(graph: ChipGraph) -> list[str]:
    """Populations whose worst-case input could leave Lava's int32 range
    (|a_in << 6| >= 2**31; spec: "Note on u"). Graded and host inputs are
    taken at the largest 24-bit payload."""
    out = []
    for pop in graph.populations:
        worst = np.zeros(pop.size, dtype=np.float64)
        for pr in pop.projections:
            pay = float(-PAYLOAD_MIN) if pr.graded else 1.0
            s = np.bincount(pr.post, weights=np.abs(pr.weight).astype(np.float64) * pay,
                            minlength=pop.size)
            worst += s * 2.0 ** pr.weight_exp
        if pop.size and worst.max() * (1 << ACT_SHIFT) >= 2.0 ** (WORD_BITS - 1):
            out.append(f"process '{pop.name}': worst-case input {worst.max():.0f} could leave "
                       f"the int32 range of a_in << 6 (results may then differ from Lava's)")
    out += _wrap_warnings(graph)
    return out


def _wrap_warnings(graph: ChipGraph) -> list[str]:
    """Connections whose step sum wraps at a different width on the CPU
    fixed-point model (`sum_wrap_bits`: Conv 24 bits, Dense and Sparse 32,
    DelayDense none, as in lava-nc) than in the chip's 32-bit accumulators,
    where a target's worst-case sum could exceed the narrower width: the
    results could then differ."""
    out = []
    for pop in graph.populations:
        for pr in pop.projections:
            model = graph.conn_models.get(id(pr.conn)) if pr.conn is not None else None
            bits = getattr(model, "sum_wrap_bits", None)
            if bits == WORD_BITS or (bits is None and not pr.graded):
                continue
            pay = float(-PAYLOAD_MIN) if pr.graded else 1.0
            worst = np.bincount(pr.post, weights=np.abs(pr.weight).astype(np.float64) * pay,
                                minlength=pop.size)
            narrow = min(bits or WORD_BITS, WORD_BITS)
            if not pop.size or worst.max() < 2.0 ** (narrow - 1):
                continue
            if bits is None:
                out.append(f"connection '{pr.name}' into '{pop.name}': a worst-case step sum of "
                           f"{worst.max():.0f} exceeds the chip's {WORD_BITS}-bit accumulator, "
                           "which wraps; the CPU fixed-point model (as lava-nc) does not, so "
                           "results could differ")
            else:
                out.append(f"connection '{pr.name}' into '{pop.name}': a worst-case step sum of "
                           f"{worst.max():.0f} exceeds the {bits}-bit range the CPU fixed-point "
                           f"model wraps to; the chip wraps at {WORD_BITS} bits, so results "
                           "could differ")
    return out


def report(graph: ChipGraph, alloc: Allocation, params, placement_cost: float,
           row_major_cost: float, activity: float = 1.0) -> CompileReport:
    cores = []
    for a in alloc.cores:
        c = a.core
        neuron_cycles = phase_cycles([(p.count, p.pop.program.cycles()) for p in c.pieces],
                                     params)
        est = int(round(activity * a.n_synapses + neuron_cycles + activity * a.n_fanout))
        cores.append(CoreUsage(
            tile=a.tile,
            processes=[p.label for p in c.pieces],
            compartments=c.compartments, synapses=a.n_synapses, axons=a.n_axons,
            fanout=a.n_fanout, ucode=c.ucode, profiles=c.profiles,
            groups=max((p.pop.program.n_groups for p in c.pieces), default=0),
            max_delay=a.max_delay, est_cycles=est))
    total_syn = sum(a.n_synapses for a in alloc.cores)
    total_fo = sum(a.n_fanout for a in alloc.cores)
    full = [f"{a.tile} full of {a.core.closed_by}" for a in alloc.cores
            if a.core.closed_by is not None]
    notes = list(graph.notes) or ([f"split over {len(cores)} cores because one core's "
                                   f"capacity ran out: {', '.join(full)}"] if full else [])
    return CompileReport(params, cores, total_syn, total_fo, activity * total_fo,
                         placement_cost, row_major_cost, warnings=list(graph.warnings),
                         notes=notes)
