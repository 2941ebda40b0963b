"""Fan-out and delivery of a spike, pre-summed per spiking compartment.

On the chip a spike of compartment c of core k sends one packet per valid
fan-out entry of row (k, c) of FANOUT_INDEX; each tile-bound packet
(axon a) adds, on its destination core, weight x payload (payload 1 on an
ungraded axon) of every synapse of axon a to accumulator
``(slot (s + 1 + delay) mod D, group, compartment)``, s the packet's step
field. Per source row the effect of all its tile-bound packets is fixed by
the routing memories (FANOUT_INDEX, FANOUT, AXON, SYNAPSE): `FusedRows`
keeps it, built from the decoded tables (`kilauea.sim.golden.mesh`) and
rebuilt with them after any write to those memories:

- ``matrix``: a row per source row, a column per accumulator the mesh's
  synapses reach (core, offset at slot 0): the sum of the weights the row
  adds there with payload 1, modulo 2**32 (int32). Accumulators are 32-bit
  and wrap, so a sum taken modulo 2**32 and added once is what the events
  add one by one;
- ``gmatrix``: for the rows with packets to graded axons, the same sums
  over those packets only: a spike with payload p adds
  ``matrix + (p - 1) * gmatrix`` (weight x payload, modulo 2**32, as the
  events add it);
- ``counts``: per source row the PACKETS_IN and SYN_EVENTS it adds on each
  core;
- the host-bound fan-out entries of each row (their order kept).

A step's spikes (source rows, payloads, step field s) then take this way
when every spiking row is clean (no bad fan-out index or entry, no bad axon,
no bad synapse on its way): one gather of the spiking rows of ``matrix``,
summed (`np.add.reduce`), plus the rows of ``gmatrix`` of graded spikes
scaled by p - 1, added to the accumulators at the columns' slots for s; the
counts summed likewise. Otherwise the step goes packet by packet
(`MeshStore.fan_out` + `MeshStore.deliver`, which count the errors).
The matrix (a column per accumulator any valid synapse of the mesh
reaches) is kept only where it is dense enough: at most FUSED_MAX_FILL
entries per synaptic event of all rows' packets and FUSED_MAX_BYTES in all,
checked before the events are expanded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .delivery import expand

__all__ = ["FusedRows", "FUSED_MAX_FILL", "FUSED_MAX_BYTES"]

_I64 = np.int64
#: the matrix is kept with at most this many entries per synaptic event ...
FUSED_MAX_FILL = 4
#: ... and at most this size
FUSED_MAX_BYTES = 64 << 20
_EXACT = 1 << 53                 # float64 sums of integers are exact below this


@dataclass(frozen=True)
class RouteView:
    """What `FusedRows.build` reads of the decoded tables (flat, core-major):
    the compacted fan-out rows (`mesh._FanoutRows`), the synapse tables
    (`synapses.SynapseTables`), axon validity, graded flags and bad
    synapses per axon row, and the sizes."""
    fanout: object
    synapses: object
    ax_ok: np.ndarray
    ax_graded: np.ndarray
    row_bad: np.ndarray
    axon_words: int
    mesh_w: int
    n_tiles: int


@dataclass
class FusedRows:
    """The pre-summed rows (see the module docstring)."""
    frow: np.ndarray            # int64 [source rows] matrix row (-1: no tile-bound packet)
    ok: np.ndarray              # bool [source rows] no error on the row's way
    grow: np.ndarray            # int64 [source rows] gmatrix row (-1: no graded axon met)
    matrix: np.ndarray          # int32 [rows, width] weight sums modulo 2**32
    gmatrix: np.ndarray         # int32 [graded rows, width] their graded axons' part
    counts: np.ndarray          # int64 [rows, 2, T] PACKETS_IN, SYN_EVENTS per core
    col_base: np.ndarray        # int64 [width] core * per_core of each column
    col_off: np.ndarray         # int64 [width] offset of each column at slot 0
    per_core: int               # D * G * C
    gc: int                     # G * C
    host_start: np.ndarray      # int64 [source rows] first host entry (in host_entry)
    host_count: np.ndarray      # int64 [source rows] host entries of the row
    host_entry: np.ndarray      # int64 [host entries] index into the fan-out rows' arrays
    host_first: np.ndarray | None   # int64 [source rows] the one host entry (-1: none),
                                    # when no row has more than one
    _at: dict = field(default_factory=dict)

    @classmethod
    def build(cls, v: RouteView) -> "FusedRows | None":
        """The pre-summed rows of the decoded tables; None where the matrix
        would be too sparse or too large (the packet way then serves)."""
        fr, syn = v.fanout, v.synapses
        n = len(fr.start)
        srow = np.repeat(np.arange(n), fr.count)                 # source row of each entry
        tile_bound = fr.host == 0
        hent = np.flatnonzero(~tile_bound)
        hcount = np.bincount(srow[hent], minlength=n).astype(_I64)
        pk = np.flatnonzero(tile_bound)                          # tile-bound packets
        psrc, axon = srow[pk], fr.axon[pk]
        dst = fr.y[pk] * v.mesh_w + fr.x[pk]
        arow = dst * v.axon_words + np.minimum(axon, v.axon_words - 1)
        clean = (axon < v.axon_words) & v.ax_ok[arow] & (v.row_bad[arow] == 0)
        ok = (fr.bad == 0) & (np.bincount(psrc[~clean], minlength=n) == 0)
        used = np.flatnonzero(ok & (np.bincount(psrc, minlength=n) > 0))
        frow = np.full(n, -1, _I64)
        frow[used] = np.arange(len(used))
        g_used = np.flatnonzero(ok & (np.bincount(psrc, weights=v.ax_graded[arow],
                                                  minlength=n) > 0))
        grow = np.full(n, -1, _I64)
        grow[g_used] = np.arange(len(g_used))
        keep = ok[psrc]
        psrc, dst, arow = psrc[keep], dst[keep], arow[keep]
        mark = np.zeros(v.n_tiles * syn.per_core, bool)      # the accumulators synapses reach
        mark[syn.base + syn.off] = True
        cols = np.flatnonzero(mark)
        R, W = len(used), len(cols)
        events = int(syn.n_valid[arow].sum())
        if R * W > FUSED_MAX_FILL * max(events, 1) or R * W * 4 > FUSED_MAX_BYTES:
            return None                                     # checked before expanding events
        idx, owner = expand(syn.start[arow], syn.n_valid[arow])
        pos = syn.base[idx] + syn.off[idx]
        col = np.cumsum(mark) - 1
        ev_src, ev_col, w = psrc[owner], col[pos], syn.weight[idx]
        matrix = _sums(frow[ev_src], ev_col, w, R, W)
        g = v.ax_graded[arow][owner]
        gmatrix = _sums(grow[ev_src[g]], ev_col[g], w[g], len(g_used), W)
        T = v.n_tiles
        counts = np.zeros((R, 2, T), _I64)
        np.add.at(counts, (frow[psrc], 0, dst), 1)
        np.add.at(counts, (frow[psrc], 1, dst), syn.n_valid[arow])
        per_core = syn.per_core
        return cls(frow, ok, grow, matrix, gmatrix, counts,
                   cols // per_core * per_core, cols % per_core, per_core, syn.gc,
                   np.cumsum(hcount) - hcount, hcount, hent, _first(hcount, hent))

    def applies(self, rows: np.ndarray) -> bool:
        """Spikes of source `rows` can take this way (no error on it)."""
        return bool(self.ok[rows].all())

    def host(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The host-bound packets of spikes of source `rows` (spike then entry
        order): their indices in the fan-out rows' arrays, and the spike of
        each (index into rows)."""
        if self.host_first is not None:
            e = self.host_first[rows]
            owner = np.flatnonzero(e >= 0)
            return e[owner], owner
        i, owner = expand(self.host_start[rows], self.host_count[rows])
        return self.host_entry[i], owner

    def deliver(self, acc: np.ndarray, counters_in: np.ndarray, counters_syn: np.ndarray,
                rows: np.ndarray, payload: np.ndarray, s: int) -> None:
        """Deliver the tile-bound packets of spikes of source `rows` with
        `payload` sent with step field `s`: `acc` (flat int64, signed 32-bit
        values) updated, per-core PACKETS_IN / SYN_EVENTS counts added to
        `counters_in` / `counters_syn` (int64 [T] views)."""
        r = self.frow[rows]
        sel = r >= 0
        if not sel.all():
            r, rows, payload = r[sel], rows[sel], payload[sel]
        if not len(r):
            return
        sums = np.add.reduce(self.matrix[r], axis=0, dtype=np.int32)   # modulo 2**32
        if len(self.gmatrix):
            g = self.grow[rows]
            k = (g >= 0) & (payload != 1)
            if k.any():
                scaled = self.gmatrix[g[k]] * (payload[k] - 1).astype(np.int32)[:, None]
                sums += np.add.reduce(scaled, axis=0, dtype=np.int32)
        c = np.add.reduce(self.counts[r], axis=0)
        counters_in += c[0]
        counters_syn += c[1]
        at = self.slots(s)
        acc[at] = (acc[at] + sums).astype(np.int32)

    def slots(self, s: int) -> np.ndarray:
        """The accumulator index of each column for packets of step field s:
        slot (s + 1 + delay) mod D."""
        k = (s + 1) * self.gc % self.per_core
        at = self._at.get(k)
        if at is None:
            at = self._at[k] = self.col_base + (k + self.col_off) % self.per_core
        return at


def _sums(cell_row: np.ndarray, cell_col: np.ndarray, w: np.ndarray, R: int, W: int) -> np.ndarray:
    """int32 [R, W]: the weights w summed per (row, column), modulo 2**32."""
    cell = cell_row * W + cell_col
    if int(np.abs(w).sum()) < _EXACT:               # float64 sums of ints: exact
        sums = np.bincount(cell, weights=w, minlength=R * W).astype(_I64)
    else:
        sums = np.zeros(R * W, _I64)
        np.add.at(sums, cell, w)
    return sums.astype(np.int32).reshape(R, W)


def _first(hcount: np.ndarray, hent: np.ndarray) -> np.ndarray | None:
    """Per source row its host entry (-1: none) when no row has several."""
    if len(hcount) and hcount.max() > 1:
        return None
    first = np.full(len(hcount), -1, _I64)
    first[hcount == 1] = hent
    return first
