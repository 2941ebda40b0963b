"""Pass 2, fixed-point check: every chip parameter is an integer in the
spec's width (the ranges the neuron programs declare, which are those of
`docs/numerics.md` and `kilauea.hw.fixed_point`), and every connection's
weights are integers. This is where those ranges are enforced: the
processes and their CPU models accept what lava-nc's accept.

A connection's `a_buff` must start at 0 (the chip keeps it in the
target's accumulators, which start empty).

A float network (fractional du, vth, weights, ...) gets a `CompileError`
naming the process and the parameter and pointing to `kilauea.quantize`,
which converts a float LIF/Dense network to fixed point. A neuron
population's errors are `ChipRefusal`s: a process whose chip model has a
host fallback then runs on the host (`kilauea.runtime.chip.fallback`).
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from .errors import ChipRefusal, CompileError
from .graph import ChipGraph
from .ncmodel import VarValues

__all__ = ["check_fixed_point", "QUANTIZE_HINT"]

QUANTIZE_HINT = ("the chip runs fixed-point networks: give integer parameters "
                 "(see docs/numerics.md) or convert a float network with kilauea.quantize(...)")


def _values_of(a) -> np.ndarray:
    if sparse.issparse(a):
        return np.asarray(a.data)
    return np.asarray(a)


def _check_integers(owner: str, name: str, value) -> None:
    a = _values_of(value)
    if a.dtype == object:
        raise CompileError(f"process '{owner}': parameter '{name}' is not numeric ({value!r})")
    if a.dtype.kind in "iub" or a.size == 0:
        return
    if a.dtype.kind != "f" or not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
        bad = a.reshape(-1)[np.flatnonzero(a.reshape(-1) != np.round(a.reshape(-1)))[:1]]
        shown = bad[0] if bad.size else a.reshape(-1)[0]
        raise CompileError(f"process '{owner}': parameter '{name}' must hold integers on the "
                           f"chip, got {shown!r}; {QUANTIZE_HINT}")


def check_fixed_point(graph: ChipGraph, vals: VarValues) -> None:
    """Pass 2 (see the module docstring), the chip models reading Vars
    through `vals`; fills each population's `values`."""
    for pop in graph.populations:
        m, proc = pop.model, pop.proc
        values = m.values(proc, vals)
        word_to_var = {w: v for v, w in m.var_words.items()}
        for name, val in values.items():
            try:
                _check_integers(proc.name, word_to_var.get(name, name), val)
            except CompileError as e:
                raise ChipRefusal(str(e), proc) from None
        prog = m.program(proc, vals, 1)
        words = {k: (np.asarray(v).astype(np.int64) if np.ndim(v) else int(v))
                 for k, v in values.items()}
        pop.values = dict(words)         # as the program's images() takes them
        if prog.derive is not None:
            try:
                words = prog.derive(words)
            except ValueError as e:
                raise CompileError(f"process '{proc.name}': {e}") from None
        decls = {**prog.state, **prog.params, **prog.consts}
        for name, val in words.items():
            d = decls.get(name)
            if d is None:
                raise CompileError(f"process '{proc.name}': its chip model gives a value "
                                   f"'{name}' the program '{prog.name}' does not have")
            a = np.asarray(val, dtype=np.int64)
            if a.size and (a.min() < d.lo or a.max() > d.hi):
                bad = int(a.reshape(-1)[np.flatnonzero((a.reshape(-1) < d.lo)
                                                       | (a.reshape(-1) > d.hi))[0]])
                raise ChipRefusal(f"process '{proc.name}': parameter "
                                  f"'{word_to_var.get(name, name)}'={bad} is outside the "
                                  f"chip's fixed-point range {d.lo}..{d.hi} (the CPU models "
                                  f"run it); {QUANTIZE_HINT}", proc)
    for c in graph.connections:
        m = graph.conn_models[id(c)]
        _check_integers(c.name, "weights", m.raw_weights(c, vals))
        if hasattr(c, "a_buff") and np.any(np.asarray(c.a_buff.init_value()) != 0):
            raise CompileError(f"process '{c.name}': a nonzero initial 'a_buff' cannot be mapped "
                               f"onto the chip (its sums live in the target's accumulators, "
                               f"which start at 0)")
