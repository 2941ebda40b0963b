"""The synapse memories of all cores of a mesh, decoded for delivery.

`SynapseTables.build` takes the decoded AXON / SYNAPSE fields of T cores
(flat, core-major) and keeps every valid synapse in axon-row order (row =
core * axon_words + axon): its core's base in the stacked accumulators, its
offset there at slot 0 (``delay * R + row``, R rows per slot) and its
weight. A batch of packets (rows, effective payloads: the payload on graded
axons, else 1; step fields) is then delivered in one of two ways, both exact:

- `events`: a gather of the packets' synapses and one `np.add.at`
  (int64), for any batch;
- `dense`: when the synapses of each core fill most of a (rows used x
  targets used) block, they are also kept as one dense float64 matrix, a row
  per used axon row and a column per target of its core; a busy batch is
  a gather of its rows, scaled by the payloads, summed per core
  (`np.add.reduceat`). The matrix is float32 when its entries stay below
  2**24, else float64; either adds integers exactly below 2**24 / 2**53:
  the batch takes this way only when max |weight sum| x sum |payload|
  stays below that bound.

Either way each target then gets slot (s + 1 + delay) mod D, s the packet's
step field: ``acc[base + ((s + 1) * R + offset) mod (D * R)]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .delivery import expand

__all__ = ["SynapseTables", "DENSE_MIN_EVENTS", "DENSE_MAX_FILL", "DENSE_MAX_BYTES"]

_I64 = np.int64
#: a batch goes the dense way from this many synaptic events ...
DENSE_MIN_EVENTS = 512
#: ... when the dense matrix has at most this many entries per synapse ...
DENSE_MAX_FILL = 4
#: ... and at most this size
DENSE_MAX_BYTES = 256 << 20
_EXACT = 1 << 53
_EXACT32 = 1 << 24


@dataclass
class SynapseTables:
    """Valid synapses of T cores in axon-row order (see the module docstring)."""
    per_core: int               # D * R accumulators per core
    gc: int                     # R accumulators (rows) per slot
    n_valid: np.ndarray         # int64 [rows] valid synapses of each axon row
    n_bad: np.ndarray           # int64 [rows] bad synapses of each axon row
    start: np.ndarray           # int64 [rows] first valid synapse of each row
    base: np.ndarray            # int64 [synapses] core * per_core
    off: np.ndarray             # int64 [synapses] offset at slot 0
    weight: np.ndarray          # int64 [synapses]
    dense: "_Dense | None" = None

    @classmethod
    def build(cls, ax_ok, ax_base, ax_count, syn_ok, syn_off, syn_w, axon_words: int,
              synapse_words: int, per_core: int, gc: int) -> "SynapseTables":
        rows = np.flatnonzero(ax_ok)
        idx, owner = expand(ax_base[rows], ax_count[rows])
        core = rows[owner] // axon_words
        syn = core * synapse_words + idx
        valid = syn_ok[syn]
        n = len(ax_ok)
        n_valid = np.bincount(rows[owner[valid]], minlength=n).astype(_I64)
        t = cls(per_core, gc, n_valid, np.bincount(rows[owner[~valid]], minlength=n).astype(_I64),
                np.cumsum(n_valid) - n_valid, core[valid] * per_core, syn_off[syn[valid]],
                syn_w[syn[valid]].astype(_I64))
        t.dense = _Dense.build(t, rows[owner[valid]])
        return t

    def _slots(self, base, off, s) -> np.ndarray:
        return base + ((s + 1) * self.gc + off) % self.per_core

    def events(self, acc: np.ndarray, rows, pay, step) -> None:
        """Add the packets' synaptic events to `acc` (flat int64), wrapped."""
        idx, owner = expand(self.start[rows], self.n_valid[rows])
        at = self._slots(self.base[idx], self.off[idx], step[owner] if np.ndim(step) else step)
        np.add.at(acc, at, self.weight[idx] * pay[owner])
        acc[at] = acc[at].astype(np.int32)

    def deliver(self, acc: np.ndarray, rows, pay, step) -> str:
        """Add the packets to `acc` the dense way when it applies, else event
        by event; returns the way taken ("dense" or "events")."""
        d = self.dense
        if (d is None or self.n_valid[rows].sum() < DENSE_MIN_EVENTS
                or d.wmax * np.abs(pay).sum() >= d.bound):
            self.events(acc, rows, pay, step)
            return "events"
        if not np.ndim(step):
            d.add(self, acc, rows, pay, int(step))
            return "dense"
        for s in np.unique(step).tolist():
            sel = step == s
            d.add(self, acc, rows[sel], pay[sel], s)
        return "dense"


@dataclass
class _Dense:
    """The dense form: a row per used axon row, a column per target of its core."""
    row_of: np.ndarray          # int64 [rows] dense row of an axon row (-1: none)
    core_of: np.ndarray         # int64 [dense rows] core index (for the per-core sums)
    matrix: np.ndarray          # float32 (entries < 2**24) or float64 [dense rows, width]
    base: np.ndarray            # int64 [T, width] core base of each column (-1: padding)
    off: np.ndarray             # int64 [T, width] offset of each column at slot 0
    wmax: int                   # max |entry|
    bound: int                  # sums below this are exact in the matrix's dtype

    @classmethod
    def build(cls, t: SynapseTables, ev_row: np.ndarray) -> "_Dense | None":
        if not len(ev_row):
            return None
        pos = t.base + t.off
        cols, col = np.unique(pos, return_inverse=True)
        core_col = cols // t.per_core
        first = np.searchsorted(cols, core_col * t.per_core)    # first column of each core
        local = col - first[col]
        width = int(local.max()) + 1
        used = np.flatnonzero(t.n_valid)
        if (len(used) * width > DENSE_MAX_FILL * len(pos)
                or len(used) * width * 8 > DENSE_MAX_BYTES):
            return None
        row_of = np.full(len(t.n_valid), -1, _I64)
        row_of[used] = np.arange(len(used))
        m = np.zeros((len(used), width))
        np.add.at(m, (row_of[ev_row], local), t.weight)
        wmax = int(np.abs(m).max())
        if wmax < _EXACT32:              # float32 holds the sums exactly below 2**24
            m = m.astype(np.float32)
        T = int(core_col.max()) + 1
        base = np.full((T, width), -1, _I64)
        off = np.zeros((T, width), _I64)
        j = np.arange(len(cols)) - first                       # column within its core
        base[core_col, j] = core_col * t.per_core
        off[core_col, j] = cols % t.per_core
        core_of = t.base[t.start[used]] // t.per_core
        return cls(row_of, core_of, m, base, off, wmax,
                   _EXACT32 if m.dtype == np.float32 else _EXACT)

    def add(self, t: SynapseTables, acc: np.ndarray, rows, pay, s: int) -> None:
        r = self.row_of[rows]
        keep = r >= 0
        if not keep.all():
            r, pay = r[keep], pay[keep]
        if not len(r):
            return
        # payload per dense row (a row may come in several packets): its rows
        # in order, hence grouped by core; float64 sums of ints are exact here
        x = np.bincount(r, weights=pay, minlength=len(self.core_of))
        r = np.flatnonzero(x)
        core = self.core_of[r]
        starts = np.flatnonzero(np.concatenate(([True], core[1:] != core[:-1])))
        m = self.matrix[r]
        x = x[r]
        if (x != 1).any():
            m *= x[:, None]
        sums = np.add.reduceat(m, starts, axis=0)
        cores = core[starts]
        base, off = self.base[cores], self.off[cores]
        ok = (base >= 0) & (sums != 0)
        at = t._slots(base[ok], off[ok], s)
        acc[at] = (acc[at] + sums[ok].astype(_I64)).astype(np.int32)
