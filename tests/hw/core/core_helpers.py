"""Shared helpers for the neurocore tests: a small test-only neuron engine
(RTL + its numpy model), random memory images, and an Amaranth-simulator
harness that drives a core's tile slot with packets."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import enum as am_enum, wiring
from amaranth.lib.memory import Memory

from kilauea import neurons
from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.neurocore.compartment_memory import Banked, bank_images, banks_of
from kilauea.hw.words import to_s32, to_word
from kilauea.hw.neurocore.interfaces import NeuronEngineSignature
from kilauea.hw.params import ChipParams
from kilauea.sim.golden.chip import GoldenChip, GoldenTile, NeuronOutput

ME = packet.Dest(0, 0)   # the tile the single-core tests drive

SMALL = ChipParams(mesh_w=2, mesh_h=2, n_compartments=16, n_synapses=256, n_axons=32,
                   n_fanout=64, n_ucode=64, n_profiles=4, n_delay_slots=4, n_acc_groups=2,
                   n_acc_rows=32)


# -- test-only neuron engine ----------------------------------------------------
class ThresholdEngine(wiring.Component):
    """For c in 0..n-1: PARAM[c] bit 31 set -> "undefined opcode" (error pulse,
    nothing else); else v = STATE[c] + sum of its G accumulators, rows
    (c x G + g) mod 2^acc_row_bits (read and cleared, 32-bit wrap); if v > PARAM[c][23:0] (signed): spike with payload
    v[23:0] and v = 0; STATE[c] = v; one update pulse."""

    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__(NeuronEngineSignature(params))
        self.state_mem = Memory(shape=32, depth=params.n_compartments, init=[])
        self.param_mem = Memory(shape=32, depth=params.n_compartments, init=[])
        self.profile_mem = Memory(shape=32, depth=params.n_profiles, init=[])
        self.ucode_mem = Memory(shape=32, depth=params.n_ucode, init=[])

    def elaborate(self, platform):
        p = self.params
        m = Module()
        ports = {}
        for name in ("state", "param", "profile", "ucode"):
            mem = getattr(self, f"{name}_mem")
            m.submodules[f"{name}_mem"] = mem
            ports[name] = (mem.read_port(), mem.write_port(), getattr(self, f"{name}_bus"))
        c = Signal(p.compartment_bits + 1)
        g = Signal(p.group_bits + 1)
        v = Signal(signed(32))
        par = Signal(32)
        for name, (rd, wr, bus) in ports.items():
            m.d.comb += [bus.rdata.eq(rd.data), wr.addr.eq(bus.addr), wr.data.eq(bus.wdata),
                         wr.en.eq(bus.we & ~self.busy)]
            if name in ("state", "param"):
                m.d.comb += rd.addr.eq(Mux(self.busy, c, bus.addr))
            else:
                m.d.comb += rd.addr.eq(bus.addr)
        st_rd, st_wr, st_bus = ports["state"]
        pa_rd = ports["param"][0]
        thr = Signal(signed(24))
        m.d.comb += thr.eq(par[:24])
        with m.FSM():
            with m.State("IDLE"):
                with m.If(self.start):
                    m.d.sync += [c.eq(0), self.busy.eq(1)]
                    m.next = "READ"
            with m.State("READ"):        # addresses c presented this cycle
                with m.If(c >= self.n_compartments):
                    m.d.sync += self.busy.eq(0)
                    m.next = "IDLE"
                with m.Else():
                    m.next = "LOAD"
            with m.State("LOAD"):
                m.d.sync += [v.eq(st_rd.data), par.eq(pa_rd.data), g.eq(0)]
                with m.If(pa_rd.data[31]):
                    m.d.comb += self.error.eq(1)
                    m.d.sync += c.eq(c + 1)
                    m.next = "READ"
                with m.Else():
                    m.next = "REQ"
            with m.State("REQ"):
                m.d.comb += [self.acc_req.valid.eq(1),
                             self.acc_req.payload.row.eq(c * p.n_acc_groups + g)]
                with m.If(self.acc_req.ready):
                    m.next = "RESP"
            with m.State("RESP"):
                m.d.comb += self.acc_resp.ready.eq(1)
                with m.If(self.acc_resp.valid):
                    m.d.sync += [v.eq(v + self.acc_resp.payload), g.eq(g + 1)]
                    with m.If(g == p.n_acc_groups - 1):
                        m.next = "DECIDE"
                    with m.Else():
                        m.next = "REQ"
            with m.State("DECIDE"):
                m.d.comb += self.updates.eq(1)
                with m.If(v > thr):
                    m.next = "SPIKE"
                with m.Else():
                    m.d.comb += [st_wr.addr.eq(c), st_wr.data.eq(v), st_wr.en.eq(1)]
                    m.d.sync += c.eq(c + 1)
                    m.next = "READ"
            with m.State("SPIKE"):
                m.d.comb += [self.spike.valid.eq(1), self.spike.payload.compartment.eq(c),
                             self.spike.payload.payload.eq(v[:24])]
                with m.If(self.spike.ready):
                    m.d.comb += [st_wr.addr.eq(c), st_wr.data.eq(0), st_wr.en.eq(1)]
                    m.d.sync += c.eq(c + 1)
                    m.next = "READ"
        return m


class ThresholdModel:
    """numpy model of ThresholdEngine (the golden chip's neuron model in tests)."""

    def __init__(self, params: ChipParams, x: int = 0, y: int = 0):
        self.params = params

    def mem_words(self, params):
        return {Mem.STATE: params.n_compartments, Mem.PARAM: params.n_compartments,
                Mem.PROFILE: params.n_profiles, Mem.UCODE: params.n_ucode}

    def step(self, mems, t, n, acc):
        param = mems[Mem.PARAM][:n].astype(np.int64)
        bad = (param >> 31) & 1 == 1
        thr = param & 0xFFFFFF
        thr = np.where(thr >= 1 << 23, thr - (1 << 24), thr)
        idx = np.flatnonzero(~bad)
        G = self.params.n_acc_groups
        rows = (idx[:, None] * G + np.arange(G)[None, :]) % acc.size
        if len(np.unique(rows)) != rows.size:
            raise ValueError("ThresholdModel: compartments share accumulator rows; give the "
                             "chip n_acc_rows >= n_compartments x n_acc_groups")
        s = acc[rows].sum(axis=1)
        acc[rows] = 0
        v = to_s32(to_word(to_s32(mems[Mem.STATE][idx]) + s))
        spk = v > thr[idx]
        pay = v & 0xFFFFFF
        pay = np.where(pay >= 1 << 23, pay - (1 << 24), pay)
        v = np.where(spk, 0, v)
        mems[Mem.STATE][idx] = to_word(v)
        return NeuronOutput(idx[spk], pay[spk], updates=len(idx), errors=int(bad.sum()))


# -- random memory images ----------------------------------------------------------
@dataclass
class Image:
    """Per-memory word arrays (uint32) for one tile, and the CONFIG value."""
    words: dict = field(default_factory=dict)
    n_compartments: int = 0


def random_image(params: ChipParams, rng: np.random.Generator, n_compartments=None,
                 host_frac=0.3, max_syn_per_axon=12, max_fanout=3, thr=(50, 400),
                 min_fanout=0) -> Image:
    """Random AXON / SYNAPSE / FANOUT tables and threshold-engine STATE and
    PARAM words; each compartment gets `min_fanout`..`max_fanout` fan-out
    entries (halved until they fit the fan-out memory)."""
    p = params
    n = p.n_compartments if n_compartments is None else n_compartments
    counts = rng.integers(0, max_syn_per_axon + 1, p.n_axons)
    while counts.sum() > p.n_synapses:
        counts = counts // 2
    base = np.cumsum(counts) - counts
    axon = cm.pack_axon(base, counts, rng.integers(0, 2, p.n_axons))
    ns = int(counts.sum())
    syn = np.zeros(p.n_synapses, dtype=np.uint32)
    syn[:ns] = cm.pack_synapse(p, rng.integers(0, min(p.acc_rows, n * p.n_acc_groups), ns),
                               rng.integers(-256, 256, ns), rng.integers(0, p.max_delay + 1, ns))
    fcounts = rng.integers(min_fanout, max_fanout + 1, p.n_compartments)
    while fcounts.sum() > p.n_fanout:
        fcounts = fcounts // 2
    fbase = np.cumsum(fcounts) - fcounts
    findex = cm.pack_fanout_index(fbase, fcounts)
    nf = int(fcounts.sum())
    fan = np.zeros(p.n_fanout, dtype=np.uint32)
    fan[:nf] = cm.pack_fanout(rng.integers(0, p.n_axons, nf), rng.integers(0, p.mesh_w, nf),
                              rng.integers(0, p.mesh_h, nf), rng.random(nf) < host_frac)
    state = to_word(rng.integers(-100, 100, p.n_compartments))
    param = to_word(rng.integers(thr[0], thr[1], p.n_compartments))
    return Image({Mem.AXON: axon, Mem.SYNAPSE: syn, Mem.FANOUT_INDEX: findex, Mem.FANOUT: fan,
                  Mem.STATE: state, Mem.PARAM: param}, n)


def lif_image(p, rng, n, n_graded=0, **tables):
    """Random connectivity (`tables`: `random_image` options); compartments
    0..n-1 run LIF, the next `n_graded` GradedVec (graded payloads)."""
    img = random_image(p, rng, n_compartments=n + n_graded, **tables)
    values = {"du": int(rng.integers(0, 4096)), "dv": int(rng.integers(0, 4096)),
              "vth": int(rng.integers(1, 40)),
              "bias_mant": rng.integers(-50, 200, n), "bias_exp": rng.integers(0, 5, n),
              "u": rng.integers(-3000, 3000, n), "v": rng.integers(-3000, 3000, n)}
    pops = [(neurons.lif(p.n_acc_groups), n, values)]
    if n_graded:
        pops.append((neurons.graded_vec(p.n_acc_groups), n_graded,
                     {"vth": int(rng.integers(1, 100)), "v": rng.integers(-200, 200, n_graded)}))
    ci = neurons.core_images(p, pops)
    img.words[Mem.UCODE] = to_word(ci.ucode)
    img.words[Mem.PROFILE] = to_word(ci.profile)
    img.words[Mem.PARAM] = to_word(ci.param)
    img.words[Mem.STATE] = to_word(ci.state)
    return img


def write_packets(image: Image, x=0, y=0) -> list[int]:
    """WRITE packets loading `image` into tile (x, y) (CONFIG last)."""
    out = []
    for mem, words in image.words.items():
        out += packet.encode_array(packet.Kind.WRITE, x, y, 0, mem=mem.value,
                                   addr=np.arange(len(words)), data=words).tolist()
    out.append(packet.Write(packet.Dest(x, y), Mem.CONFIG.value, cm.Config.N_COMPARTMENTS,
                            image.n_compartments).encode())
    return out


# -- simulator harness ---------------------------------------------------------------
class SlotDriver:
    """Drives a core's (or any tile slot's) rx from a queue and collects tx,
    one cycle per call of `cycle` (async, inside an Amaranth testbench).
    `tx_ready(cycle) -> bool` sets tx's ready each cycle (back-pressure;
    default: always ready); `stalls` counts cycles tx offered a flit that was
    not taken."""

    def __init__(self, core, rx=None, tx=None, tx_ready: Callable[[int], bool] | None = None):
        self.core = core
        self.rx = core.rx if rx is None else rx
        self.tx = core.tx if tx is None else tx
        self.tx_ready = tx_ready
        self.queue: list[int] = []
        self.out: list[int] = []
        self.cycles = 0
        self.stalls = 0

    async def cycle(self, ctx):
        rx, tx = self.rx, self.tx
        if self.queue:
            ctx.set(rx.valid, 1)
            ctx.set(rx.payload.as_value(), self.queue[0])
        else:
            ctx.set(rx.valid, 0)
        ready = True if self.tx_ready is None else bool(self.tx_ready(self.cycles))
        ctx.set(tx.ready, int(ready))
        rdy = ctx.get(rx.ready)
        txv = ctx.get(tx.valid)
        txp = ctx.get(tx.payload.as_value())
        await ctx.tick()
        self.cycles += 1
        if self.queue and rdy:
            self.queue.pop(0)
        if txv and ready:
            self.out.append(int(txp))
        elif txv:
            self.stalls += 1

    async def run_until_idle(self, ctx, limit=20000):
        """Cycles until the queue is empty and the core idle; returns the count."""
        n = 0
        while True:
            await self.cycle(ctx)
            n += 1
            if not self.queue and ctx.get(self.core.idle):
                return n
            if n > limit:
                raise TimeoutError(f"core not idle after {limit} cycles")

    def take(self) -> list:
        out, self.out = self.out, []
        return [packet.decode(w) for w in out]


def spike_tuple(pk) -> tuple:
    d = pk.dst
    return (0 if d.host else d.x, 0 if d.host else d.y, int(d.host), pk.axon, pk.payload, pk.step)


async def backdoor_load(ctx, core, image: Image):
    """Write `image` into the core's memories once its memory clear after
    reset is done (it would zero ACCUM and FANOUT_INDEX again)."""
    while ctx.get(core.clear.busy):
        await ctx.tick()
    mems = core.memories()
    for mem, words in image.words.items():
        for bank, part in bank_images(mems[mem], np.asarray(words, dtype=np.int64)):
            for i, w in enumerate(part):
                ctx.set(_row(bank.data, i), int(w))


def backdoor_read(ctx, core, mem: Mem) -> np.ndarray:
    """Every word of `mem` in its flat (host) order, whatever its banks."""
    memory = core.memories()[mem]
    parts = [np.array([int(ctx.get(_row(b.data, i))) & 0xFFFFFFFF for i in range(b.depth)],
                      dtype=np.int64) for b in banks_of(memory)]
    return memory.join(parts) if isinstance(memory, Banked) else parts[0]


def _row(md, i):
    row = md[i]
    return row.as_value() if hasattr(row, "as_value") else row


# -- packets to tile (0, 0) and a step-by-step comparison with the golden tile ------
def spikes(axon, payload, step, dst: packet.Dest = ME) -> list[int]:
    """SPIKE words (step taken mod 256; `step` broadcasts over the axons)."""
    return [packet.Spike(dst, int(a), int(v), int(s) % 256).encode()
            for a, v, s in zip(axon, payload, np.broadcast_to(step, np.shape(axon)))]


def step_pkt(t: int, dst: packet.Dest = ME) -> int:
    return packet.Ctrl(dst, packet.CtrlOp.STEP, t).encode()


def packet_mem(mem) -> int:
    return mem.value if isinstance(mem, Mem) else int(mem)


def read_pkt(mem, addr, tag=0, dst: packet.Dest = ME) -> int:
    return packet.Read(dst, packet_mem(mem), int(addr), tag, packet.HOST).encode()


def golden_tile(params: ChipParams, model, image: Image) -> GoldenTile:
    """Tile (0, 0) of a fresh golden chip running `model`, loaded with `image`."""
    tile = GoldenChip(params, model).tile(0, 0)
    for mem, words in image.words.items():
        tile.load(mem, words)
    tile.write(Mem.CONFIG, cm.Config.N_COMPARTMENTS, image.n_compartments)
    return tile


# counters whose values do not depend on cycle timing
EXACT_COUNTERS = (cm.Counter.STEP, cm.Counter.SYN_EVENTS, cm.Counter.UPDATES,
                  cm.Counter.PACKETS_IN, cm.Counter.PACKETS_OUT)


async def steps_vs_golden(ctx, drv: SlotDriver, core, tile: GoldenTile, plan, label: str) -> dict:
    """Steps t = 1..len(plan) on `core` (tile (0, 0), driven by `drv`) and on
    the golden `tile`. plan[t - 1] = ((axons, payloads) sent before STEP(t),
    stamped t - 1; (axons, payloads) sent after it, stamped t). Checks, each
    step: every spike packet, once, in order; every STATE and ACCUM word; the
    counters through READ packets (every answer once, in order). Returns the
    totals seen: host / tile packets, synaptic events, stall cycles."""
    seen = dict.fromkeys(("host", "tile", "events", "stalls"), 0)
    for t, ((pa, pp), (da, dp)) in enumerate(plan, start=1):
        tile.receive(pa, pp, t - 1)
        sent = tile.run_step(t)
        tile.receive(da, dp, t)
        drv.queue += spikes(pa, pp, t - 1) + [step_pkt(t)] + spikes(da, dp, t)
        await drv.run_until_idle(ctx)
        got = [spike_tuple(pk) for pk in drv.take()]
        assert got == sent.tuples(), f"{label} step {t}: spike packets differ"
        seen["host"] += int(sent.host.sum())
        seen["tile"] += int((sent.host == 0).sum())
        assert ctx.get(core.step_seen) == t, f"{label} step {t}: step_seen"
        for mem in (Mem.STATE, Mem.ACCUM):
            words = backdoor_read(ctx, core, mem)
            want = np.array([tile.read(mem, a) for a in range(len(words))], dtype=np.int64)
            np.testing.assert_array_equal(words, want, err_msg=f"{label} step {t}: {mem!r}")
        drv.queue += [read_pkt(Mem.COUNTERS, c, tag=c) for c in cm.Counter]
        await drv.run_until_idle(ctx)
        resp = drv.take()
        assert [pk.tag for pk in resp] == list(cm.Counter), f"{label} step {t}: READ answers"
        for c in EXACT_COUNTERS:
            assert resp[c].data == tile.counters[c], f"{label} step {t}: counter {c.name}"
        assert resp[cm.Counter.CYCLES].data > 0
        seen["events"] += resp[cm.Counter.SYN_EVENTS].data
        seen["stalls"] += resp[cm.Counter.STALLS].data
    return seen
