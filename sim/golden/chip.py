"""Golden chip model: numpy, one timestep at a time, for a whole mesh.

It executes the same per-tile memory images as the RTL (words of every `Mem`
the core owns, plus the neuron engine's memories held by a neuron model) with
the same step semantics (docs/architecture.md) and the same cycle-independent
counters (synaptic events, neuron updates, spike packets in and out) and error
flags/counts as the RTL neurocore (docs/neurocore.md).

Step semantics, as in the RTL:

- a spike carrying step s into axon a of a tile accumulates, for each synapse
  word of the axon, weight (x payload if the axon is graded) into accumulator
  (slot (s + 1 + delay) mod D, group, compartment); accumulators are 32-bit
  two's complement and wrap;
- `step()` runs step t = previous + 1 on every tile: counters cleared, the
  neuron phase on slot t mod D (the neuron model reads and clears the
  accumulators its programs read), then one spike packet per fan-out entry of
  each spike (step field t mod 256); tile-bound packets are delivered (they
  land in slots t + 1 + delay, never slot t); host-bound ones are returned.

How a step is computed: all memories of the mesh live in one `MeshStore`
(`kilauea.sim.golden.mesh`: one array per memory, a row per tile; each
`GoldenTile` works on its row) with decoded tables cached until a write
changes their memory. A step is whole-array numpy over the mesh, with no
loop over packets, spikes or compartments: the neuron phase of every core at
once (each distinct program executed once, instruction by instruction, over
all compartments of the mesh that run it: `kilauea.sim.golden.neuron`), one
sum of the pre-summed rows of the spiking compartments for fan-out and
delivery together (`kilauea.sim.golden.fused`), or, where an error is on
the way, one gather over the fan-out tables for all spikes and one sparse
product of the packets with the mesh's synapse matrix.

The neuron phase belongs to a *neuron model*: the chip's microcode
(`MicrocodeNeuronModel`, run mesh-wide as above), or a test's stand-in, run
tile by tile through this interface::

    model.mem_words(params) -> dict[Mem, int]     # its memories and their sizes
    model.step(mems, t, n_compartments, acc) -> NeuronOutput
        mems : dict[Mem, np.ndarray]  the tile's words of those memories (uint32,
               the model may update them in place, e.g. STATE)
        t    : the time step (from 1)
        acc  : int64 array [2**acc_row_bits], this step's accumulator slot (its
               rows); the model reads and clears (sets to 0) what its programs read
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from ...hw import packet
from ...hw.memory_map import Mem
from ...hw.neurocore import core_memory as cm
from ...hw.params import ChipParams
from ...hw.words import to_s32, to_u32, to_word, unpack
from .mesh import ROUTE_MEMS, Fanout, MeshStore, step_field

__all__ = ["NeuronOutput", "NeuronModel", "MicrocodeNeuronModel", "SpikeBatch", "GoldenTile",
           "GoldenChip"]


@dataclass
class NeuronOutput:
    """What one tile's neuron phase produced."""
    compartments: np.ndarray         # int64, spiking compartments in emission order
    payloads: np.ndarray             # int64, their payloads (binary spikes: 1)
    updates: int                     # compartment updates done
    errors: int = 0                  # undefined-opcode events


class NeuronModel(Protocol):
    def mem_words(self, params: ChipParams) -> dict[Mem, int]: ...
    def step(self, mems: dict[Mem, np.ndarray], t: int, n_compartments: int,
             acc: np.ndarray) -> NeuronOutput: ...


class MicrocodeNeuronModel:
    """The chip's neuron engine: the golden microcode interpreter
    (`kilauea.sim.golden.neuron.run_neuron_phase`) on STATE / PARAM /
    PROFILE / UCODE images laid out as `hw.neurocore.compartment_memory` says."""

    def __init__(self, params: ChipParams, x: int = 0, y: int = 0):
        self.params = params

    def mem_words(self, params: ChipParams) -> dict[Mem, int]:
        from ...hw.neurocore import compartment_memory as ncm
        d = ncm.memory_depths(params)
        return {Mem.STATE: d["state"], Mem.PARAM: d["param"], Mem.PROFILE: d["profile"],
                Mem.UCODE: d["ucode"]}

    def step(self, mems, t, n_compartments, acc) -> NeuronOutput:
        from .neuron import run_neuron_phase
        r = run_neuron_phase(mems[Mem.UCODE], mems[Mem.PROFILE], mems[Mem.PARAM],
                             mems[Mem.STATE], t, acc, n_compartments,
                             n_groups=self.params.n_acc_groups, rows=True)
        mems[Mem.STATE][:] = to_word(np.asarray(r.state).astype(np.int64))
        acc[r.acc_read] = 0
        return NeuronOutput(np.asarray(r.spike_compartments, dtype=np.int64),
                            np.asarray(r.spike_payloads, dtype=np.int64),
                            int(r.updates), int(r.errors))


@dataclass
class SpikeBatch:
    """Spike packets: destination (x, y, host), axon, payload, step."""
    x: np.ndarray
    y: np.ndarray
    host: np.ndarray
    axon: np.ndarray
    payload: np.ndarray
    step: np.ndarray

    @classmethod
    def empty(cls) -> "SpikeBatch":
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z, z, z)

    @classmethod
    def concat(cls, batches: list["SpikeBatch"]) -> "SpikeBatch":
        if not batches:
            return cls.empty()
        return cls(*(np.concatenate([getattr(b, f) for b in batches])
                     for f in ("x", "y", "host", "axon", "payload", "step")))

    def __len__(self) -> int:
        return len(self.axon)

    def tuples(self) -> list[tuple[int, int, int, int, int, int]]:
        """(x, y, host, axon, payload, step) per packet (x = y = 0 for the host)."""
        h = self.host.astype(bool)
        return list(zip(np.where(h, 0, self.x).tolist(), np.where(h, 0, self.y).tolist(),
                        self.host.tolist(), self.axon.tolist(), self.payload.tolist(),
                        self.step.tolist()))




class GoldenTile:
    """One tile's core: memories, accumulators, registers, counters. Its
    arrays are its row of a `MeshStore` (the chip's, or its own when made
    alone)."""

    def __init__(self, params: ChipParams, x: int, y: int, model: NeuronModel,
                 store: MeshStore | None = None, index: int = 0):
        self.params, self.x, self.y, self.model = params, x, y, model
        self.store = store if store is not None else MeshStore(params, 1, model.mem_words(params))
        self.i = index
        self.words = cm.mem_words(params)
        self.neuron_words = dict(model.mem_words(params))
        st = self.store
        self.mems: dict[Mem, np.ndarray] = {m: st.mems[m][index] for m in ROUTE_MEMS}
        self.neuron_mems: dict[Mem, np.ndarray] = {m: st.mems[m][index] for m in self.neuron_words}
        self.acc = st.acc[index]
        self.counters = st.counters[index]
        self.flags = 0
        self.errors = 0

    @property
    def sent(self) -> SpikeBatch:
        """The spike packets this tile sent in the last step."""
        fo, t = self.store.sent
        return _batch(fo, t, fo.src == self.i)

    @property
    def n_compartments(self) -> int:
        """CONFIG.N_COMPARTMENTS: compartments updated per step."""
        return int(self.store.n_compartments[self.i])

    # -- errors --------------------------------------------------------------
    def error(self, flag: cm.ErrorFlag, n: int = 1) -> None:
        if n:
            self.flags |= 1 << flag
            self.errors = min(self.errors + int(n), 0xFFFFFFFF)

    def _check(self, mem: int, addr: int, write: bool) -> bool:
        try:
            m = Mem(mem)
        except ValueError:
            self.error(cm.ErrorFlag.BAD_MEM)
            return False
        words = self.words.get(m, self.neuron_words.get(m))
        if words is None:
            self.error(cm.ErrorFlag.BAD_MEM)
            return False
        if not 0 <= addr < words:
            self.error(cm.ErrorFlag.BAD_ADDR)
            return False
        if write and (m is Mem.COUNTERS or (m is Mem.CONFIG and addr == cm.Config.TILE)):
            self.error(cm.ErrorFlag.BAD_MEM)
            return False
        return True

    # -- host access (WRITE / READ packets) ------------------------------------
    def write(self, mem: int, addr: int, data: int) -> None:
        data = to_u32(int(data))
        if not self._check(mem, addr, True):
            return
        m = Mem(mem)
        if m is Mem.CONFIG:
            if data > self.params.n_compartments:
                self.error(cm.ErrorFlag.BAD_ADDR)
            else:
                self.store.n_compartments[self.i] = data
                self.store.changed(self.i, m)
        elif m is Mem.STATUS:
            self.flags = 0
            self.errors = 0
        elif m is Mem.ACCUM:
            self.acc.reshape(-1)[addr] = to_s32(data)
        elif m in self.mems:
            self.mems[m][addr] = data
            self.store.changed(self.i, m)
        else:
            self.neuron_mems[m][addr] = data
            self.store.changed(self.i, m)

    def read(self, mem: int, addr: int) -> int:
        """The word a READ returns (0 after an error)."""
        if not self._check(mem, addr, False):
            return 0
        m = Mem(mem)
        if m is Mem.CONFIG:
            return self.n_compartments if addr == cm.Config.N_COMPARTMENTS else self.x | self.y << 4
        if m is Mem.STATUS:
            return [self.flags, self.errors, 0][addr]
        if m is Mem.COUNTERS:
            return to_u32(int(self.counters[addr]))
        if m is Mem.ACCUM:
            return int(to_word(self.acc.reshape(-1)[addr]))
        if m in self.mems:
            return int(self.mems[m][addr])
        return int(self.neuron_mems[m][addr])

    def load(self, mem: Mem, words, base: int = 0) -> None:
        """Bulk write of consecutive words (same result as one WRITE per word)."""
        words = to_u32(np.asarray(words))
        if mem in (Mem.CONFIG, Mem.STATUS, Mem.COUNTERS):
            for i, w in enumerate(words):
                self.write(mem, base + i, int(w))
            return
        n = self.words.get(mem, self.neuron_words.get(mem))
        if n is None or base < 0 or base + len(words) > n:
            raise ValueError(f"tile ({self.x},{self.y}): load of {len(words)} words at {base} "
                             f"does not fit memory {mem!r} ({n} words)")
        if mem is Mem.ACCUM:
            self.acc.reshape(-1)[base:base + len(words)] = to_s32(words)
        elif mem in self.mems:
            self.mems[mem][base:base + len(words)] = words
            self.store.changed(self.i, mem)
        else:
            self.neuron_mems[mem][base:base + len(words)] = words
            self.store.changed(self.i, mem)

    # -- synapse engine ----------------------------------------------------------
    def receive(self, axon, payload, step) -> None:
        """Process spike packets arriving at this tile (any order: the result is
        order-independent; `MeshStore.deliver`)."""
        for flag, n in self.store.deliver(self.i, axon, payload, step).items():
            self.error(flag, int(n[self.i]))

    # -- neuron phase + fan-out --------------------------------------------------
    def run_step(self, t: int) -> SpikeBatch:
        """Step t on this tile alone (its neuron model's `step`, then fan-out);
        returns the spike packets it sends."""
        c = self.counters
        c[:] = 0
        c[cm.Counter.STEP] = to_u32(t)
        res = self.model.step(self.neuron_mems, t, self.n_compartments,
                              self.acc[t % self.params.n_delay_slots])
        self.error(cm.ErrorFlag.BAD_OPCODE, res.errors)
        c[cm.Counter.UPDATES] += res.updates
        comp = np.asarray(res.compartments, dtype=np.int64)
        fo, bad = self.store.fan_out(np.full(len(comp), self.i, dtype=np.int64), comp,
                                     np.asarray(res.payloads, dtype=np.int64))
        self.error(cm.ErrorFlag.BAD_FANOUT, int(bad[self.i]))
        self.store.sent = (fo, t)
        return _batch(fo, t)

    # -- the packet decoder ----------------------------------------------------------
    def handle(self, word: int) -> list:
        """Process one packet arriving on the tile's rx, as the RTL core does;
        returns the packets it sends (packet dataclasses): READ_RESP / STATUS
        answers, and the spike packets of a STEP."""
        word = int(word)
        k = packet.decode_field(np.uint64(word), "kind")
        f = lambda *path: int(packet.decode_field(np.uint64(word), "body", *path))
        if k == packet.Kind.SPIKE.value:
            self.receive([f("spike", "axon")], [f("spike", "payload")], [f("spike", "step")])
            return []
        if k == packet.Kind.WRITE.value:
            self.write(f("write", "mem"), f("write", "addr"), f("write", "data"))
            return []
        if k == packet.Kind.READ.value:
            data = self.read(f("read", "mem"), f("read", "addr"))
            r = unpack(packet.TileAddr, f("read", "reply"))
            reply = packet.HOST if r["host"] else packet.Dest(r["x"], r["y"])
            return [packet.ReadResp(reply, data, f("read", "tag"), self.x, self.y)]
        if k == packet.Kind.CTRL.value:
            op = f("ctrl", "op")
            if op == packet.CtrlOp.STEP.value:
                sent = self.run_step(f("ctrl", "arg"))
                return [packet.Spike(packet.HOST if h else packet.Dest(x, y), a, v, s)
                        for x, y, h, a, v, s in sent.tuples()]
            if op == packet.CtrlOp.STATUS_REQ.value:
                return [packet.Ctrl(packet.HOST, packet.CtrlOp.STATUS, self.flags, self.x, self.y)]
        self.error(cm.ErrorFlag.BAD_PACKET)
        return []


_NO_PACKETS = Fanout(*(np.zeros(0, dtype=np.int64),) * 6)


def _batch(fo: Fanout, t: int, sel=slice(None)) -> SpikeBatch:
    """Packets `sel` of a fan-out as a SpikeBatch (step field t mod 256)."""
    n = len(fo.axon[sel])
    return SpikeBatch(fo.x[sel], fo.y[sel], fo.host[sel], fo.axon[sel], fo.payload[sel],
                      np.full(n, step_field(t), dtype=np.int64))


class GoldenChip:
    """The whole mesh. `model_factory(params, x, y)` makes each tile's neuron
    model. With the microcode model on every tile (the chip), a step runs
    the neuron phase of all cores at once (`MeshStore.neuron_phase`); other
    models run tile by tile through their `step`."""

    def __init__(self, params: ChipParams,
                 model_factory: Callable[[ChipParams, int, int], NeuronModel] = MicrocodeNeuronModel):
        self.params = params
        self.t = 0
        xy = params.tiles()
        models = [model_factory(params, x, y) for (x, y) in xy]
        self.store = MeshStore(params, len(xy), models[0].mem_words(params))
        self.tiles = {(x, y): GoldenTile(params, x, y, m, self.store, i)
                      for i, ((x, y), m) in enumerate(zip(xy, models))}
        self._list = list(self.tiles.values())
        self._microcode = all(isinstance(m, MicrocodeNeuronModel) for m in models)

    def tile(self, x: int, y: int) -> GoldenTile:
        return self.tiles[(x, y)]

    def write(self, x: int, y: int, mem: int, addr: int, data: int) -> None:
        self.tiles[(x, y)].write(mem, addr, data)

    def read(self, x: int, y: int, mem: int, addr: int) -> int:
        return self.tiles[(x, y)].read(mem, addr)

    def load(self, x: int, y: int, mem: Mem, words, base: int = 0) -> None:
        self.tiles[(x, y)].load(mem, words, base)

    def inject(self, x: int, y: int, axon, payload=1, step=None) -> None:
        """Host input spikes for step t + 1 (packet step field t mod 256 by
        default, as the host port sends them)."""
        s = self.t % (1 << packet.STEP_BITS) if step is None else step
        self.tiles[(x, y)].receive(axon, payload, s)

    def receive(self, tile, axon, payload, step) -> None:
        """Spike packets arriving at cores: `tile` the core index of each
        (``params.tiles()`` order), axon, payload and step field (int
        arrays); one delivery for all cores, the same as each core's
        `GoldenTile.receive` of its own packets."""
        for flag, n in self.store.deliver(tile, axon, payload, step).items():
            self._errors(flag, n)

    def _errors(self, flag: cm.ErrorFlag, counts: np.ndarray) -> None:
        """Per-tile error counts."""
        if not counts.any():
            return
        for i in np.flatnonzero(counts).tolist():
            self._list[i].error(flag, int(counts[i]))

    def _neuron_phase(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every tile's neuron phase: spikes (tile index, compartment,
        payload) in tile then emission order."""
        st = self.store
        if self._microcode:
            ph = st.neuron_phase(t)
            self._errors(cm.ErrorFlag.BAD_OPCODE, ph.errors)
            st.counters[:, cm.Counter.UPDATES] += st.n_compartments
            return ph.tile, ph.comp, ph.payload
        out = []
        for i, tile in enumerate(self._list):
            res = tile.model.step(tile.neuron_mems, t, tile.n_compartments,
                                  tile.acc[t % self.params.n_delay_slots])
            tile.error(cm.ErrorFlag.BAD_OPCODE, res.errors)
            tile.counters[cm.Counter.UPDATES] += res.updates
            comp = np.asarray(res.compartments, dtype=np.int64)
            out.append((np.full(len(comp), i, dtype=np.int64), comp,
                        np.asarray(res.payloads, dtype=np.int64)))
        return tuple(np.concatenate(a) for a in zip(*out))

    def step(self) -> SpikeBatch:
        """Run the next step on every tile; returns the host-bound spikes
        (axon, payload; in tile row-major, emission, fan-out entry order)."""
        self.t += 1
        st = self.store
        st.route_tables()                   # decoded once after writes (not inside a step's work)
        st.fused_rows()                     # likewise the pre-summed rows
        st.counters[:] = 0
        st.counters[:, cm.Counter.STEP] = to_u32(self.t)
        tile, comp, payload = self._neuron_phase(self.t)
        if not len(comp):                   # no spike: nothing to send or deliver
            st.sent = (_NO_PACKETS, self.t)
            return _batch(_NO_PACKETS, self.t)
        host, errs = st.send(tile, comp, payload, self.t)
        for flag, n in errs.items():
            self._errors(flag, n)
        return _batch(host, self.t)

    def send(self, word: int) -> list:
        """One packet from the host, as the host port takes it: a tile-bound
        packet goes to its tile (answers to the host are returned); CTRL
        STEP(t) to the host runs the next step and returns its host-bound
        spikes then CTRL DONE(t). Returns packet dataclasses. Packets the RTL
        host port refuses (REJECTED status) raise ValueError here: among them a
        READ whose reply is not the host and a CTRL other than STATUS_REQ sent
        to a tile."""
        pk = packet.decode(word)
        if pk.dst.host:
            if isinstance(pk, packet.Ctrl) and pk.op is packet.CtrlOp.STEP:
                if pk.arg != self.t + 1:
                    raise ValueError(f"STEP({pk.arg}) after step {self.t}: steps run in order")
                hs = self.step()
                return ([packet.Spike(packet.HOST, a, v, s) for a, v, s in
                         zip(hs.axon.tolist(), hs.payload.tolist(), hs.step.tolist())]
                        + [packet.Ctrl(packet.HOST, packet.CtrlOp.DONE, pk.arg)])
            raise ValueError(f"golden host port: unsupported host packet {pk}")
        if ((isinstance(pk, packet.Read) and not pk.reply.host)
                or (isinstance(pk, packet.Ctrl) and pk.op is not packet.CtrlOp.STATUS_REQ)):
            raise ValueError(f"golden host port: refused {pk} (only the host reads, "
                             f"only the host port steps)")
        out = self.tiles[(pk.dst.x, pk.dst.y)].handle(word)
        back = [r for r in out if r.dst.host]
        for r in out:
            if not r.dst.host:
                back += self.tiles[(r.dst.x, r.dst.y)].handle(r.encode())
        return back

    def counters(self, x: int, y: int) -> dict[str, int]:
        c = self.tiles[(x, y)].counters
        return {k.name: int(c[k]) for k in cm.Counter}
