"""Shared helpers for the neurocore tests: a small test-only neuron engine
(RTL + its numpy model), random memory images, and an Amaranth-simulator
harness that drives a core's tile slot with packets."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import enum as am_enum, wiring
from amaranth.lib.memory import Memory

from kilauea import neurons
from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.words import to_s32, to_word
from kilauea.hw.neurocore.interfaces import NeuronEngineSignature
from kilauea.hw.params import ChipParams
from kilauea.sim.golden.chip import NeuronOutput

SMALL = ChipParams(mesh_w=2, mesh_h=2, n_compartments=16, n_synapses=256, n_axons=32,
                   n_fanout=64, n_ucode=64, n_profiles=4, n_delay_slots=4, n_acc_groups=2)


# -- test-only neuron engine ----------------------------------------------------
class ThresholdEngine(wiring.Component):
    """For c in 0..n-1: PARAM[c] bit 31 set -> "undefined opcode" (error pulse,
    nothing else); else v = STATE[c] + sum of its G accumulators (read and
    cleared, 32-bit wrap); if v > PARAM[c][23:0] (signed): spike with payload
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
                m.d.comb += [self.acc_req.valid.eq(1), self.acc_req.payload.compartment.eq(c),
                             self.acc_req.payload.group.eq(g)]
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
        s = acc[:, idx].sum(axis=0)
        acc[:, idx] = 0
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
                 host_frac=0.3, max_syn_per_axon=12, max_fanout=3, thr=(50, 400)) -> Image:
    p = params
    n = p.n_compartments if n_compartments is None else n_compartments
    counts = rng.integers(0, max_syn_per_axon + 1, p.n_axons)
    while counts.sum() > p.n_synapses:
        counts = counts // 2
    base = np.cumsum(counts) - counts
    axon = cm.pack_axon(base, counts, rng.integers(0, 2, p.n_axons))
    ns = int(counts.sum())
    syn = np.zeros(p.n_synapses, dtype=np.uint32)
    syn[:ns] = cm.pack_synapse(p, rng.integers(0, n, ns), rng.integers(-256, 256, ns),
                               rng.integers(0, p.max_delay + 1, ns),
                               rng.integers(0, p.n_acc_groups, ns))
    fcounts = rng.integers(0, max_fanout + 1, p.n_compartments)
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


def lif_image(p, rng, n, n_graded=0, **image_kw):
    """Random connectivity (`image_kw` go to `random_image`, e.g. max_fanout);
    compartments 0..n-1 run LIF, the next `n_graded` GradedVec (graded payloads)."""
    img = random_image(p, rng, n_compartments=n + n_graded, **image_kw)
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
    one cycle per call of `cycle` (async, inside an Amaranth testbench)."""

    def __init__(self, core, rx=None, tx=None):
        self.core = core
        self.rx = core.rx if rx is None else rx
        self.tx = core.tx if tx is None else tx
        self.queue: list[int] = []
        self.out: list[int] = []
        self.cycles = 0

    async def cycle(self, ctx):
        rx, tx = self.rx, self.tx
        if self.queue:
            ctx.set(rx.valid, 1)
            ctx.set(rx.payload.as_value(), self.queue[0])
        else:
            ctx.set(rx.valid, 0)
        ctx.set(tx.ready, 1)
        rdy = ctx.get(rx.ready)
        txv = ctx.get(tx.valid)
        txp = ctx.get(tx.payload.as_value())
        await ctx.tick()
        self.cycles += 1
        if self.queue and rdy:
            self.queue.pop(0)
        if txv:
            self.out.append(int(txp))

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
    mems = core.memories()
    for mem, words in image.words.items():
        md = mems[mem].data
        for i, w in enumerate(words):
            ctx.set(_row(md, i), int(w))


def backdoor_read(ctx, core, mem: Mem) -> np.ndarray:
    md = core.memories()[mem].data
    return np.array([int(ctx.get(_row(md, i))) & 0xFFFFFFFF for i in range(md.depth)],
                    dtype=np.int64)


def _row(md, i):
    row = md[i]
    return row.as_value() if hasattr(row, "as_value") else row
