"""`compile_network`: the compiler's entry point, running the passes in order.

    partition -> fixed-point check -> groups -> delays check -> split
    -> placement -> allocation -> emit (images, VarSlots, host I/O, report)

See docs/compiler.md for each pass.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..hw.params import ChipParams
from . import placement as pl
from .allocate import allocate, check_delays
from .emit import input_range_warnings, report, var_slots
from .fixcheck import check_fixed_point
from .graph import ChipGraph
from .groups import assign_groups
from .ir import CompiledNetwork, PopulationLayout
from .ncmodel import VarValues
from .partition import partition
from .split import LogicalCore, core_of_neurons, split

__all__ = ["compile_network", "place_cores"]


#: neuron indices below this fit a fan-out entry key (`_entry_keys`)
_PRE_RANGE = 1 << 31


def _entry_keys(src_core, pre, dst_core, graded: int, n: int) -> np.ndarray:
    """One int64 per (source core, source neuron, destination core, graded):
    the fan-out entries of a projection, as distinct keys (n: cores)."""
    key = ((src_core.astype(np.int64) * _PRE_RANGE + pre) * n + dst_core) * 2 + graded
    return np.unique(key)


def place_cores(graph: ChipGraph, cores: list[LogicalCore], params: ChipParams,
                anneal_moves: int | None = None):
    """Pass 5: tiles for the logical cores. Traffic between cores i -> j is
    the number of fan-out entries from neurons of i to axons of j (one
    packet per entry per spike); host traffic of a core is its host-bound
    fan-out entries plus the axons fed by host inputs. Returns (tiles,
    cost, row-major cost)."""
    n = len(cores)
    where = core_of_neurons(graph, cores)
    traffic = np.zeros((n, n))
    host = np.zeros(n)
    for pop in graph.populations:
        core = where[pop.index][0]
        pairs = []
        for pr in pop.projections:
            if hasattr(pr.source, "projections"):          # a chip population
                src_core = where[pr.source.index][0][pr.pre]
                pairs.append(_entry_keys(src_core, pr.pre, core[pr.post], int(pr.graded), n))
            else:
                keys = np.unique(pr.pre.astype(np.int64) * n + core[pr.post])
                np.add.at(host, keys % n, 1)
        if pairs:
            allp = np.unique(np.concatenate(pairs))
            dst = (allp >> 1) % n
            np.add.at(traffic, ((allp >> 1) // n // _PRE_RANGE, dst), 1)
    np.fill_diagonal(traffic, 0)
    for pop in graph.populations:
        if pop.host_out is not None:
            np.add.at(host, where[pop.index][0], 1)
    tiles = pl.place(traffic, params.mesh_w, params.mesh_h, host, anneal_moves=anneal_moves)
    rm = pl.row_major(n, params.mesh_w, params.mesh_h)
    return tiles, pl.placement_cost(tiles, traffic, host), pl.placement_cost(rm, traffic, host)


def compile_network(network, params: ChipParams | None = None, *, activity: float = 1.0,
                    anneal_moves: int | None = None, balance: bool = True,
                    values: Mapping[tuple[int, str], Any] | None = None) -> CompiledNetwork:
    """Compile the chip part of `network` (what `build_network` returns with
    a run config that selected chip models) for a chip of shape `params`.
    `values`: (id(process), Var name) -> the value to compile a Var with
    instead of its `init` (the chip runtime recompiling a running network
    with the values it holds). Raises `CompileError` for anything that
    cannot be mapped exactly."""
    params = params or ChipParams()
    vals = VarValues(values or {})
    graph = partition(network, vals)
    check_fixed_point(graph, vals)
    assign_groups(graph, params, vals)
    check_delays(graph, params)
    graph.warnings += input_range_warnings(graph)
    cores = split(graph, params, balance)
    tiles, cost, rm_cost = place_cores(graph, cores, params, anneal_moves)
    alloc = allocate(graph, cores, tiles, params)
    images = {a.tile: dict(a.images) for a in alloc.cores}
    rep = report(graph, alloc, params, cost, rm_cost, activity)
    return CompiledNetwork(params, images, var_slots(graph, alloc), alloc.inputs, alloc.outputs,
                           graph.chip_processes, rep, layouts(graph, alloc))


def layouts(graph: ChipGraph, alloc) -> dict:
    """id(process) -> PopulationLayout of every chip neuron population."""
    tiles = np.array([a.tile for a in alloc.cores], dtype=np.int64).reshape(-1, 2)
    out = {}
    for pop in graph.populations:
        core, comp = alloc.where[pop.index]
        core = np.asarray(core, dtype=np.int64)
        out[id(pop.proc)] = PopulationLayout(pop.proc, pop.program, tiles[core, 0], tiles[core, 1],
                                             np.asarray(comp, dtype=np.int64),
                                             list(pop.group_keys))
    return out
