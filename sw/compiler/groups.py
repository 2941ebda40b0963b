"""Pass 3, accumulator groups: which group of its target each synapse adds to.

Lava floors each projection's per-step sum separately when `weight_exp < 0`
(spec/fixed-point.md, "Flooring is per projection and per source step"), so:

- projections with the same `weight_exp >= 0` share one group (shifting
  left commutes with summing);
- a projection with `weight_exp < 0` gets a group of its own; a DelayDense
  one gets one group per distinct delay (what lands in slot T through delay
  d came from source step T - 1 - d, so one group per delay keeps each
  source step's sum apart);
- host inputs straight into a neuron's input are weight-1 synapses on a
  group with exponent 0 (shared with projections of `weight_exp = 0`).

Group g of a population is shifted by its program's profile constant
`weight_exp{g}`. More groups than `ChipParams.n_acc_groups` is a
`CompileError` naming the population and the projections.
"""
from __future__ import annotations

import numpy as np

from .errors import CompileError
from .graph import ChipGraph, src_code

__all__ = ["assign_groups"]


def assign_groups(graph: ChipGraph, params) -> None:
    for pop in graph.populations:
        keys: dict = {}
        owners: dict = {}
        for pr in pop.projections:
            if pr.weight_exp >= 0:
                k = ("exp", pr.weight_exp)
                keys.setdefault(k, len(keys))
                owners.setdefault(k, []).append(pr.name)
                pr.group = np.full(len(pr.pre), keys[k], dtype=np.int64)
            else:
                ds = np.unique(pr.delay) if len(pr.delay) else np.zeros(1, np.int64)
                g = np.zeros(len(pr.pre), dtype=np.int64)
                for d in ds:
                    k = ("proj", id(pr), int(d))
                    keys.setdefault(k, len(keys))
                    owners.setdefault(k, []).append(pr.name + (f" (delay {d})" if len(ds) > 1 else ""))
                    g[pr.delay == d] = keys[k]
                pr.group = g
        if len(keys) > params.n_acc_groups:
            listing = "; ".join(f"group {i}: {', '.join(owners[k])} (weight_exp "
                                f"{k[1] if k[0] == 'exp' else _exp_of(pop, k)})"
                                for k, i in keys.items())
            first_over = [k for k, i in keys.items() if i == params.n_acc_groups][0]
            raise CompileError(
                f"process '{pop.name}' needs {len(keys)} accumulator groups but a compartment has "
                f"{params.n_acc_groups} (short by {len(keys) - params.n_acc_groups}); projection "
                f"{owners[first_over][0]} is the first that does not fit. Projections with "
                f"weight_exp < 0 each need their own group (one per distinct delay); "
                f"{listing}")
        exps = [0] * max(1, len(keys))
        stable = [("exp", 0)] * max(1, len(keys))
        for k, i in keys.items():
            exps[i] = k[1] if k[0] == "exp" else _exp_of(pop, k)
            stable[i] = k if k[0] == "exp" else _stable_key(pop, k)
        pop.group_exps = exps
        pop.group_keys = stable
        pop.program = pop.model.program(pop.proc, len(exps))


def _stable_key(pop, key) -> tuple:
    """A group key that names the same group in a recompile of the same
    network: ("proj", id(connection), source code, delay)."""
    for pr in pop.projections:
        if id(pr) == key[1]:
            return ("proj", id(pr.conn) if pr.conn is not None else None, src_code(pr.source),
                    key[2])
    raise KeyError(key)


def _exp_of(pop, key) -> int:
    for pr in pop.projections:
        if id(pr) == key[1]:
            return pr.weight_exp
    raise KeyError(key)
