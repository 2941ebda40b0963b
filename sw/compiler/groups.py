"""Pass 3, accumulator groups: which group of its target each synapse adds to.

Lava floors each projection's per-step sum separately when `weight_exp < 0`
(docs/processes.md, "Flooring is per projection and per source step"), so:

- projections with the same `weight_exp >= 0` share one group (shifting
  left commutes with summing);
- a projection with `weight_exp < 0` gets a group of its own; a DelayDense
  one gets one group per distinct delay (what lands in slot T through delay
  d came from source step T - 1 - d, so one group per delay keeps each
  source step's sum apart);
- host inputs straight into a neuron's input are weight-1 synapses on a
  group with exponent 0 (shared with projections of `weight_exp = 0`);
- a model with several input ports (`NcNeuronModel.in_ports`, RF's
  a_real_in and a_imag_in) keeps each port's input in groups of its own
  (the keys hold the port) and gets its program for that port of each
  group (`program_for`).

The groups are `graph.AccGroup`s keyed by what they hold (`graph.ExpGroup`,
`graph.ProjGroup`); group g is shifted by its program's profile constant
`AccGroup.param_name` (``weight_exp{g}``). More groups than `ChipParams.n_acc_groups` is a
`CompileError` naming the population and the projections.
"""
from __future__ import annotations

import numpy as np

from .errors import CompileError
from .graph import AccGroup, ChipGraph, ExpGroup, Population, ProjGroup, src_code
from .ncmodel import VarValues

__all__ = ["assign_groups"]


def assign_groups(graph: ChipGraph, params, vals: VarValues) -> None:
    """Fill each population's `groups`, each projection's per-synapse `group`, and
    build the population's program for that many groups (its chip model
    reading Vars through `vals`)."""
    for pop in graph.populations:
        groups, owners = _groups_of(pop)
        if len(groups) > params.n_acc_groups:
            listing = "; ".join(f"group {g.index}: {', '.join(owners[g.index])} "
                                f"(weight_exp {g.exp})" for g in groups)
            raise CompileError(
                f"process '{pop.name}' needs {len(groups)} accumulator groups but a compartment "
                f"has {params.n_acc_groups} (short by {len(groups) - params.n_acc_groups}); "
                f"projection {owners[params.n_acc_groups][0]} is the first that does not fit. "
                f"Projections with weight_exp < 0 each need their own group (one per distinct "
                f"delay); {listing}")
        pop.groups = groups or [AccGroup(0, ExpGroup(0), 0)]
        pop.program = pop.model.program_for(pop.proc, vals,
                                            tuple(g.key.port for g in pop.groups))


def _groups_of(pop: Population) -> tuple[list[AccGroup], list[list[str]]]:
    """The groups `pop`'s projections need, in order of first use, and the names of
    the projections each one holds; sets every projection's `group`."""
    groups: list[AccGroup] = []
    owners: list[list[str]] = []
    shared: dict[ExpGroup, int] = {}
    for pr in pop.projections:
        if pr.weight_exp >= 0:
            key = ExpGroup(pr.weight_exp, pr.port)
            if key not in shared:
                shared[key] = len(groups)
                groups.append(AccGroup(len(groups), key, pr.weight_exp))
                owners.append([])
            owners[shared[key]].append(pr.name)
            pr.group = np.full(len(pr.pre), shared[key], dtype=np.int64)
            continue
        ds = np.unique(pr.delay) if len(pr.delay) else np.zeros(1, np.int64)
        pr.group = np.zeros(len(pr.pre), dtype=np.int64)
        conn_id = id(pr.conn) if pr.conn is not None else None
        for d in ds:
            key = ProjGroup(conn_id, src_code(pr.source), int(d), pr.port)
            pr.group[pr.delay == d] = len(groups)
            groups.append(AccGroup(len(groups), key, pr.weight_exp))
            owners.append([pr.name + (f" (delay {d})" if len(ds) > 1 else "")])
    return groups, owners
