"""The memories of all cores of a mesh, stacked, and the whole-mesh step operations.

`MeshStore` holds every memory of T cores as one array per memory (core
index = y * mesh_w + x, the order of `ChipParams.tiles()`); each
`GoldenTile` works on its row (a view). On top of the words it keeps decoded
tables (axon base/count/graded, synapse target and weight, fan-out
index and entries, the neuron plan), rebuilt for a core only after a write to
the memories they come from. A step is then a few numpy operations over
all cores at once:

- `deliver(core, axon, payload, step)`: every synaptic event of a batch of
  spike packets at once, from the decoded synapse tables of all cores
  (`kilauea.sim.golden.synapses`: a gather and one `np.add.at`, or for a
  busy batch on dense connectivity, rows of a dense weight matrix summed
  per core), into the stacked accumulators, wrapped to 32 bits;
- `neuron_phase(t)`: the microcode of every core (`kilauea.sim.golden.neuron`);
- `fan_out(core, comp, payload, t)`: one gather over the fan-out tables;
- `send(core, comp, payload, t)`: a step's fan-out and delivery at once,
  pre-summed per spiking compartment (`kilauea.sim.golden.fused`) where
  no error is on the way, else `fan_out` + `deliver`.

Per-core counters and error counts come out as `np.bincount` over the
core index of each event.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...hw import packet
from ...hw.memory_map import Mem
from ...hw.neurocore import core_memory as cm
from ...hw.params import ChipParams
from .delivery import expand
from .fused import FusedRows, RouteView
from .synapses import SynapseTables
from .neuron import AccShape, NeuronPlan, PhaseSpikes, plan_neuron_phase, run_plan

__all__ = ["MeshStore", "Fanout", "ROUTE_MEMS", "NEURON_MEMS", "step_field"]

_I64 = np.int64

#: the core memories the store holds, and whose decoded routing tables
#: (axons, synapses, fan-out) a write makes stale
ROUTE_MEMS = (Mem.AXON, Mem.SYNAPSE, Mem.FANOUT_INDEX, Mem.FANOUT)
#: the memories (and CONFIG's compartment count) a write to which makes the
#: neuron plan stale
NEURON_MEMS = (Mem.PARAM, Mem.PROFILE, Mem.UCODE, Mem.CONFIG)


@dataclass
class Fanout:
    """Spike packets a fan-out produced (one per valid fan-out entry, in
    spike then entry order): source core, destination, axon, payload."""
    src: np.ndarray
    x: np.ndarray
    y: np.ndarray
    host: np.ndarray
    axon: np.ndarray
    payload: np.ndarray


class _Tables:
    """Decoded routing tables of T cores, flat (core-major)."""

    def __init__(self, p: ChipParams, T: int, words: dict):
        self.ax_base = np.zeros(T * words[Mem.AXON], _I64)
        self.ax_count = np.zeros_like(self.ax_base)
        self.ax_graded = np.zeros(T * words[Mem.AXON], bool)
        self.ax_ok = np.zeros(T * words[Mem.AXON], bool)
        self.syn_off = np.zeros(T * words[Mem.SYNAPSE], _I64)
        self.syn_w = np.zeros_like(self.syn_off)
        self.syn_ok = np.zeros(T * words[Mem.SYNAPSE], bool)
        self.fi_base = np.zeros(T * words[Mem.FANOUT_INDEX], _I64)
        self.fi_count = np.zeros_like(self.fi_base)
        self.fi_ok = np.zeros(T * words[Mem.FANOUT_INDEX], bool)
        self.fo = {k: np.zeros(T * words[Mem.FANOUT], _I64) for k in ("x", "y", "host", "axon")}
        self.fo_ok = np.zeros(T * words[Mem.FANOUT], bool)
        self.synapses: SynapseTables | None = None
        self.fanout: _FanoutRows | None = None
        self.row_syn = np.zeros(T * words[Mem.AXON], _I64)  # valid synapses of a valid axon row
        self.row_bad = np.zeros(T * words[Mem.AXON], _I64)  # its bad synapses
        self.fused: FusedRows | None = None                 # built on first use ...
        self.fused_built = False                            # ... after each rebuild


@dataclass
class _FanoutRows:
    """The valid fan-out entries of every (core, compartment) row of the
    FANOUT_INDEX memories, compacted in row order: a spike of row r sends
    packets start[r] .. start[r] + count[r] - 1 (source core, x, y, host,
    axon) and counts bad[r] BAD_FANOUT errors (1 for a bad index word, else
    its bad entries)."""
    start: np.ndarray
    count: np.ndarray
    bad: np.ndarray
    src: np.ndarray
    x: np.ndarray
    y: np.ndarray
    host: np.ndarray
    axon: np.ndarray
    any_bad: bool

    @classmethod
    def build(cls, tb: "_Tables", fi_words: int, fo_words: int) -> "_FanoutRows":
        rows = np.flatnonzero(tb.fi_ok)
        idx, owner = expand(tb.fi_base[rows], tb.fi_count[rows])
        src = rows[owner] // fi_words
        ent = src * fo_words + idx
        valid = tb.fo_ok[ent]
        n = len(tb.fi_ok)
        count = np.bincount(rows[owner[valid]], minlength=n).astype(_I64)
        bad = (~tb.fi_ok).astype(_I64) + np.bincount(rows[owner[~valid]], minlength=n)
        ent = ent[valid]
        return cls(np.cumsum(count) - count, count, bad.astype(_I64), src[valid],
                   *(tb.fo[k][ent] for k in ("x", "y", "host", "axon")), bool(bad.any()))


class MeshStore:
    """Stacked memories, accumulators and counters of T cores."""

    def __init__(self, params: ChipParams, n_tiles: int, neuron_words: dict[Mem, int]):
        p = self.params = params
        self.T = n_tiles
        self.words = dict(cm.mem_words(p))
        self.neuron_words = dict(neuron_words)
        self.mems = {m: np.zeros((n_tiles, self.words[m]), np.uint32) for m in ROUTE_MEMS}
        self.mems.update({m: np.zeros((n_tiles, n), np.uint32) for m, n in neuron_words.items()})
        self.shape = AccShape(p.n_delay_slots, p.n_acc_groups, 1 << p.acc_row_bits)
        self.acc = np.zeros((n_tiles, self.shape.slots, self.shape.rows), _I64)
        self.counters = np.zeros((n_tiles, len(cm.Counter)), _I64)
        self._none = np.zeros(n_tiles, _I64)      # per-core error counts: none (read-only)
        self._none.flags.writeable = False
        self.n_compartments = np.zeros(n_tiles, _I64)
        self.tables = _Tables(p, n_tiles, self.words)
        self.stale = {"route": set(range(n_tiles)), "neuron": True}
        self._plan: NeuronPlan | None = None
        self.last_way = ""              # how the last delivery went ("events", "dense", "fused")
        z = np.zeros(0, _I64)
        self._sent: tuple[Fanout, int] = (Fanout(z, z, z, z, z, z), 0)
        self._sent_spikes: tuple | None = None      # spikes whose fan-out is not expanded yet

    @property
    def sent(self) -> tuple[Fanout, int]:
        """The last step's fan-out (every packet) and its step (`GoldenTile.sent`)."""
        if self._sent_spikes is not None:
            tile, comp, payload, t = self._sent_spikes
            self._sent = (self._expand(tile, comp, payload)[0], t)
            self._sent_spikes = None
        return self._sent

    @sent.setter
    def sent(self, value: tuple[Fanout, int]) -> None:
        self._sent, self._sent_spikes = value, None

    def changed(self, tile: int, mem: Mem) -> None:
        """Note a write to `mem` of core `tile` (tables rebuilt when needed)."""
        if mem in ROUTE_MEMS:
            self.sent                   # the last step's packets, from the tables it used
            self.stale["route"].add(tile)
        elif mem in NEURON_MEMS:
            self.stale["neuron"] = True

    # -- decoded tables ------------------------------------------------------------
    def _decode(self, i: int) -> None:
        """Decode core i's AXON, SYNAPSE, FANOUT_INDEX and FANOUT words into
        its slices of the tables (with their validity, as the RTL checks it)."""
        p, tb, w = self.params, self.tables, self.words
        sl = lambda m: slice(i * w[m], (i + 1) * w[m])
        ax = cm.unpack_axon(self.mems[Mem.AXON][i])
        s = sl(Mem.AXON)
        tb.ax_base[s], tb.ax_count[s], tb.ax_graded[s] = ax["base"], ax["count"], ax["graded"] != 0
        tb.ax_ok[s] = ((np.arange(w[Mem.AXON]) < p.n_axons)
                       & (ax["base"] + ax["count"] <= min(p.n_synapses, w[Mem.SYNAPSE])))
        syn = cm.unpack_synapse(p, self.mems[Mem.SYNAPSE][i])
        sh, s = self.shape, sl(Mem.SYNAPSE)
        tb.syn_ok[s] = (syn["row"] < p.acc_rows) & (syn["delay"] <= p.max_delay)
        tb.syn_off[s] = syn["delay"].astype(_I64) * sh.rows + syn["row"]
        tb.syn_w[s] = syn["weight"]
        fi = cm.unpack_fanout_index(self.mems[Mem.FANOUT_INDEX][i])
        s = sl(Mem.FANOUT_INDEX)
        tb.fi_base[s], tb.fi_count[s] = fi["base"], fi["count"]
        tb.fi_ok[s] = fi["base"] + fi["count"] <= p.n_fanout
        fo = cm.unpack_fanout(self.mems[Mem.FANOUT][i])
        s = sl(Mem.FANOUT)
        for k in tb.fo:
            tb.fo[k][s] = fo[k]
        tb.fo_ok[s] = (fo["host"] == 1) | ((fo["x"] < p.mesh_w) & (fo["y"] < p.mesh_h))

    def route_tables(self) -> _Tables:
        """The decoded routing tables, brought up to date."""
        if self.stale["route"]:
            for i in sorted(self.stale["route"]):
                self._decode(i)
            self.stale["route"].clear()
            tb, sh, w = self.tables, self.shape, self.words
            tb.synapses = SynapseTables.build(
                tb.ax_ok, tb.ax_base, tb.ax_count, tb.syn_ok, tb.syn_off, tb.syn_w,
                w[Mem.AXON], w[Mem.SYNAPSE], sh.per_core, sh.rows)
            tb.row_syn = np.where(tb.ax_ok, tb.synapses.n_valid, 0)
            tb.row_bad = np.where(tb.ax_ok, tb.synapses.n_bad, 0)
            tb.fanout = _FanoutRows.build(tb, w[Mem.FANOUT_INDEX], w[Mem.FANOUT])
            tb.fused, tb.fused_built = None, False
        return self.tables

    def fused_rows(self) -> FusedRows | None:
        """The pre-summed rows of the current routing tables (built on first
        use after a rebuild; None where the matrix would be too sparse)."""
        tb = self.route_tables()
        if not tb.fused_built:
            tb.fused = FusedRows.build(RouteView(
                tb.fanout, tb.synapses, tb.ax_ok, tb.ax_graded, tb.row_bad,
                self.words[Mem.AXON], self.params.mesh_w, self.T))
            tb.fused_built = True
        return tb.fused

    def plan(self) -> NeuronPlan:
        """The neuron plan of all cores, rebuilt after a PARAM / PROFILE /
        UCODE / CONFIG write."""
        if self.stale["neuron"] or self._plan is None:
            m = self.mems
            self._plan = plan_neuron_phase(m[Mem.UCODE], m[Mem.PROFILE].view(np.int32),
                                           m[Mem.PARAM].view(np.int32), self.n_compartments,
                                           self.shape)
            self.stale["neuron"] = False
        return self._plan

    # -- a step's operations ---------------------------------------------------------
    def neuron_phase(self, t: int) -> PhaseSpikes:
        """Step t's neuron phase of every core (STATE and accumulators updated)."""
        m = self.mems
        return run_plan(self.plan(), m[Mem.STATE].view(np.int32).reshape(-1),
                        self.acc.reshape(-1), t)

    def _count(self, tiles: np.ndarray) -> np.ndarray:
        return np.bincount(tiles, minlength=self.T)

    def deliver(self, tile, axon, payload, step) -> dict[cm.ErrorFlag, np.ndarray]:
        """Spike packets (core index, axon, payload, step field; int arrays,
        or ints for all packets) arriving at their cores: accumulators,
        PACKETS_IN and SYN_EVENTS counters updated; returns per-core counts
        of BAD_AXON / BAD_SYNAPSE."""
        tb, n_ax = self.route_tables(), self.words[Mem.AXON]
        axon = np.asarray(axon, _I64).reshape(-1)
        tile, payload = _per_packet(tile, axon.shape), _per_packet(payload, axon.shape)
        step = np.asarray(step, _I64)
        if step.ndim:
            step = _per_packet(step, axon.shape)
        self.counters[:, cm.Counter.PACKETS_IN] += self._count(tile)
        rows = tile * n_ax + np.minimum(axon, n_ax - 1)
        ok = (axon < n_ax) & tb.ax_ok[rows]
        errs = {cm.ErrorFlag.BAD_AXON: self._none, cm.ErrorFlag.BAD_SYNAPSE: self._none}
        if not ok.all():
            errs[cm.ErrorFlag.BAD_AXON] = self._count(tile[~ok])
            rows, tile, payload = rows[ok], tile[ok], payload[ok]
            step = step[ok] if step.ndim else step
        pay = np.where(tb.ax_graded[rows], payload, 1)
        self.counters[:, cm.Counter.SYN_EVENTS] += np.bincount(
            tile, weights=tb.row_syn[rows], minlength=self.T).astype(_I64)
        nbad = tb.row_bad[rows]
        if nbad.any():
            errs[cm.ErrorFlag.BAD_SYNAPSE] = np.bincount(tile, weights=nbad,
                                                         minlength=self.T).astype(_I64)
        self.last_way = tb.synapses.deliver(self.acc.reshape(-1), rows, pay, step)
        return errs

    def _expand(self, tile, comp, payload) -> tuple[Fanout, np.ndarray]:
        """The spike packets of spikes (core, compartment, payload; emission
        order) and per-core BAD_FANOUT counts; counts nothing."""
        fr = self.route_tables().fanout
        flat = tile * self.words[Mem.FANOUT_INDEX] + comp
        bad = np.bincount(tile, weights=fr.bad[flat], minlength=self.T).astype(_I64) \
            if fr.any_bad else self._none
        idx, owner = expand(fr.start[flat], fr.count[flat])
        out = Fanout(fr.src[idx], fr.x[idx], fr.y[idx], fr.host[idx], fr.axon[idx],
                     payload[owner])
        return out, bad

    def fan_out(self, tile, comp, payload) -> tuple[Fanout, np.ndarray]:
        """`_expand`, with PACKETS_OUT counted."""
        out, bad = self._expand(tile, comp, payload)
        self.counters[:, cm.Counter.PACKETS_OUT] += self._count(out.src)
        return out, bad

    def send(self, tile, comp, payload, t: int) -> tuple[Fanout, dict]:
        """Step t's spikes (core, compartment, payload; emission order) sent:
        PACKETS_OUT counted, tile-bound packets delivered (step field of t);
        returns the host-bound packets (in order) and per-core error counts
        per flag (BAD_FANOUT, BAD_AXON, BAD_SYNAPSE). Pre-summed per source
        row where `FusedRows.applies`, else packet by packet: same result."""
        fz = self.fused_rows()                          # the tables brought up to date
        fr = self.tables.fanout
        flat = tile * self.words[Mem.FANOUT_INDEX] + comp
        if fz is not None and fz.applies(flat):
            c = self.counters
            c[:, cm.Counter.PACKETS_OUT] += np.bincount(
                tile, weights=fr.count[flat], minlength=self.T).astype(_I64)
            e, owner = fz.host(flat)
            host = Fanout(fr.src[e], fr.x[e], fr.y[e], fr.host[e], fr.axon[e], payload[owner])
            fz.deliver(self.acc.reshape(-1), c[:, cm.Counter.PACKETS_IN],
                       c[:, cm.Counter.SYN_EVENTS], flat, payload, step_field(t))
            self._sent_spikes = (tile, comp, payload, t)
            self.last_way = "fused"
            return host, {}
        fo, bad = self.fan_out(tile, comp, payload)
        self.sent = (fo, t)
        errs = {cm.ErrorFlag.BAD_FANOUT: bad}
        to_host = fo.host != 0
        if to_host.all():
            return fo, errs
        keep = ~to_host
        errs.update(self.deliver((fo.y * self.params.mesh_w + fo.x)[keep], fo.axon[keep],
                                 fo.payload[keep], step_field(t)))
        return _select(fo, to_host), errs


def _select(fo: Fanout, sel: np.ndarray) -> Fanout:
    return Fanout(*(a[sel] for a in (fo.src, fo.x, fo.y, fo.host, fo.axon, fo.payload)))


def step_field(t: int) -> int:
    """The step field of the spike packets sent in step t."""
    return t % (1 << packet.STEP_BITS)


def _per_packet(v, shape: tuple) -> np.ndarray:
    """`v` (an int or int array) as an int64 array of `shape` (one entry
    per packet); an int64 array of that shape is returned as it is."""
    if isinstance(v, np.ndarray) and v.dtype == _I64 and v.shape == shape:
        return v
    return np.broadcast_to(np.asarray(v, _I64), shape)
