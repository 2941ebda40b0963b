"""The neurocore top: packet decoder, CONFIG / COUNTERS / STATUS registers,
and the wiring of synapse engine, accumulators, neuron engine and fan-out
engine behind the tile slot (docs/architecture.md, "The tile slot").

Packets on `rx`:

- SPIKE: to the synapse engine (lands in slot (step + 1 + delay) mod D).
- WRITE / READ: served once every engine is idle; a READ is answered with a
  READ_RESP (data, the read's tag, this tile's x/y) to the read's `reply`.
- CTRL STEP(t): waits until every engine is idle, then clears the counters,
  sets `step_seen` = t and starts the neuron phase on slot t mod D; the
  neuron engine's spikes go to the fan-out engine (packets carry t mod 256).
- CTRL STATUS_REQ: answered with CTRL STATUS (arg = STATUS.FLAGS) to the host.
- anything else: dropped, STATUS flag BAD_PACKET.

Bad input sets a sticky flag in STATUS.FLAGS, adds 1 to STATUS.ERRORS and
changes nothing else (see `core_memory.ErrorFlag`). Word layouts and
register addresses: `core_memory`, docs/neurocore.md.
"""
from __future__ import annotations

from typing import Callable

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory

from .. import packet
from ..memory_map import Mem
from ..mesh import TileSlot
from ..params import ChipParams
from . import core_memory as cm
from .accumulators import Accumulators
from .fanout_engine import FanoutEngine
from .synapse_engine import SynapseEngine

__all__ = ["Core", "default_engine", "engine_memories", "engine_mem_words"]


def default_engine(params: ChipParams):
    """The microcode neuron engine (hw/neurocore/neuron_engine.py)."""
    from .neuron_engine import NeuronEngine
    return NeuronEngine(params)


NEURON_MEMS = {Mem.STATE: "state_mem", Mem.PARAM: "param_mem",
               Mem.PROFILE: "profile_mem", Mem.UCODE: "ucode_mem"}


def engine_memories(engine) -> dict[Mem, Memory]:
    """The neuron engine's memories: its attributes `state_mem`, `param_mem`,
    `profile_mem`, `ucode_mem` (those it has)."""
    return {mem: getattr(engine, attr) for mem, attr in NEURON_MEMS.items()
            if isinstance(getattr(engine, attr, None), Memory)}


def engine_mem_words(engine) -> dict[Mem, int]:
    """Host-addressable words of the neuron engine's memories (their depths;
    a memory the engine does not expose as an attribute gets the whole
    16-bit address space)."""
    words = {mem: 1 << packet.ADDR_BITS for mem in NEURON_MEMS}
    words.update({mem: mm.depth for mem, mm in engine_memories(engine).items()})
    return words


class Core(wiring.Component):
    """One neurocore. `make_engine(params)` builds the neuron engine (a
    component with `interfaces.NeuronEngineSignature`); default: the
    microcode engine. `x`, `y`: this tile's coordinates (READ_RESP source,
    CONFIG.TILE)."""

    def __init__(self, params: ChipParams, x: int = 0, y: int = 0,
                 make_engine: Callable | None = None):
        self.params, self.x, self.y = params, x, y
        if cm.acc_words(params) > 1 << packet.ADDR_BITS:
            raise ValueError(f"ChipParams: accumulator memory has {cm.acc_words(params)} words, "
                             f"more than a {packet.ADDR_BITS}-bit address reaches")
        super().__init__(TileSlot())
        self.synapse = SynapseEngine(params)
        self.accumulators = Accumulators(params)
        self.fanout = FanoutEngine(params)
        self.engine = (make_engine or default_engine)(params)
        self.words = {**cm.mem_words(params), **engine_mem_words(self.engine)}

    def memories(self) -> dict[Mem, Memory]:
        """The Memory of each memory-backed `Mem`, for backdoor loading in
        simulation (a test proves it equal to the WRITE packet path)."""
        mems = {Mem.AXON: self.synapse.axon_mem, Mem.SYNAPSE: self.synapse.synapse_mem,
                Mem.ACCUM: self.accumulators.mem, Mem.FANOUT_INDEX: self.fanout.index_mem,
                Mem.FANOUT: self.fanout.fanout_mem}
        mems.update(engine_memories(self.engine))
        return mems

    def elaborate(self, platform):
        p = self.params
        m = Module()
        m.submodules.synapse = syn = self.synapse
        m.submodules.accumulators = acc = self.accumulators
        m.submodules.fanout = fan = self.fanout
        m.submodules.engine = eng = self.engine

        # -- registers ------------------------------------------------------------
        step = Signal(32)
        n_comp = Signal(range(p.n_compartments + 1))
        flags = Signal(len(cm.ErrorFlag))
        errors = Signal(32)
        counters = Array(Signal(32, name=f"cnt_{c.name.lower()}") for c in cm.Counter)
        start_r = Signal()
        m.d.comb += self.step_seen.eq(step)

        # -- engines ----------------------------------------------------------------
        m.d.comb += [
            acc.event_valid.eq(syn.event_valid),
            acc.event.eq(syn.event),
            eng.start.eq(start_r),
            eng.step.eq(step),
            eng.n_compartments.eq(n_comp),
            fan.step.eq(step[:packet.STEP_BITS]),
        ]
        wiring.connect(m, eng.spike, fan.spike)
        # neuron engine read-and-clear -> accumulator address of slot t mod D
        req = eng.acc_req.payload
        addr = [req.compartment]
        if cm.group_log2(p):
            addr.append(req.group[:cm.group_log2(p)])
        addr.append(step[:(p.n_delay_slots - 1).bit_length()])
        # the group is taken modulo G (its low log2 G bits, docs/isa.md), for every G
        acc_bad = req.compartment >= p.n_compartments
        m.d.comb += [
            acc.acc_req.valid.eq(eng.acc_req.valid),
            acc.acc_req.payload.addr.eq(Cat(*addr)),
            acc.acc_req.payload.bad.eq(acc_bad),
            eng.acc_req.ready.eq(acc.acc_req.ready),
            eng.acc_resp.valid.eq(acc.acc_resp.valid),
            eng.acc_resp.payload.eq(acc.acc_resp.payload),
            acc.acc_resp.ready.eq(eng.acc_resp.ready),
        ]
        engines_idle = ~(syn.busy | acc.busy | eng.busy | fan.busy | start_r)

        # -- transmit: fan-out packets first, then responses ----------------------------
        resp_v = Signal()
        resp = Signal(packet.Packet)
        tx = self.tx
        m.d.comb += [
            tx.valid.eq(fan.packet.valid | resp_v),
            tx.payload.eq(Mux(fan.packet.valid, fan.packet.payload, resp)),
            fan.packet.ready.eq(tx.ready),
        ]
        with m.If(resp_v & ~fan.packet.valid & tx.ready):
            m.d.sync += resp_v.eq(0)

        # -- receive / decode -----------------------------------------------------------
        rx = self.rx
        pkt = rx.payload
        wb = pkt.body.write     # WRITE and READ share mem/addr offsets
        rb = pkt.body.read
        rd_v = Signal()
        rd_mem = Signal(packet.MEM_BITS)
        rd_addr = Signal(packet.ADDR_BITS)
        rd_ok = Signal()
        rd_tag = Signal(packet.TAG_BITS)
        rd_reply = Signal(packet.TileAddr)

        buses = {Mem.AXON: syn.axon_bus, Mem.SYNAPSE: syn.synapse_bus, Mem.ACCUM: acc.bus,
                 Mem.FANOUT_INDEX: fan.index_bus, Mem.FANOUT: fan.fanout_bus,
                 Mem.STATE: eng.state_bus, Mem.PARAM: eng.param_bus,
                 Mem.PROFILE: eng.profile_bus, Mem.UCODE: eng.ucode_bus}

        is_spike = pkt.kind == packet.Kind.SPIKE
        is_write = pkt.kind == packet.Kind.WRITE
        is_read = pkt.kind == packet.Kind.READ
        is_ctrl = pkt.kind == packet.Kind.CTRL
        is_step = is_ctrl & (pkt.body.ctrl.op == packet.CtrlOp.STEP)
        is_sreq = is_ctrl & (pkt.body.ctrl.op == packet.CtrlOp.STATUS_REQ)
        other = ~(is_spike | is_write | is_read | is_step | is_sreq)

        m.d.comb += [syn.spike.valid.eq(rx.valid & is_spike & ~rd_v),
                     syn.spike.payload.axon.eq(pkt.body.spike.axon),
                     syn.spike.payload.payload.eq(pkt.body.spike.payload),
                     syn.spike.payload.step.eq(pkt.body.spike.step)]
        with m.If(rd_v):
            m.d.comb += rx.ready.eq(0)
        with m.Elif(is_spike):
            m.d.comb += rx.ready.eq(syn.spike.ready)
        with m.Elif(is_write | is_step):
            m.d.comb += rx.ready.eq(engines_idle)
        with m.Elif(is_read):
            m.d.comb += rx.ready.eq(engines_idle & ~resp_v)
        with m.Elif(is_sreq):
            m.d.comb += rx.ready.eq(~resp_v)
        with m.Else():
            m.d.comb += rx.ready.eq(1)
        fire = rx.valid & rx.ready

        # address check (WRITE and READ)
        mem_ok = Signal()
        addr_ok = Signal()
        ro = Signal()
        with m.Switch(wb.mem):
            for mem, words in self.words.items():
                with m.Case(mem):
                    m.d.comb += [mem_ok.eq(1), addr_ok.eq(wb.addr < words)]
        m.d.comb += ro.eq((wb.mem == Mem.COUNTERS)
                          | ((wb.mem == Mem.CONFIG) & (wb.addr == cm.Config.TILE)))
        cfg_bad = (wb.mem == Mem.CONFIG) & (wb.data > p.n_compartments)
        access_ok = mem_ok & addr_ok
        w_ok = access_ok & ~ro & ~cfg_bad

        for mem, bus in buses.items():
            sel = wb.mem == mem
            m.d.comb += [bus.addr.eq(wb.addr), bus.wdata.eq(wb.data),
                         bus.we.eq(fire & is_write & sel & w_ok),
                         bus.re.eq(fire & is_read & sel & access_ok)]

        err_dec = Signal(len(cm.ErrorFlag))
        with m.If(fire & (is_write | is_read)):
            with m.If(~mem_ok | (is_write & access_ok & ro)):
                m.d.comb += err_dec.eq(1 << cm.ErrorFlag.BAD_MEM)
            with m.Elif(~addr_ok | (is_write & cfg_bad)):
                m.d.comb += err_dec.eq(1 << cm.ErrorFlag.BAD_ADDR)
        with m.If(fire & other):
            m.d.comb += err_dec.eq(1 << cm.ErrorFlag.BAD_PACKET)

        # register writes
        clear_status = Signal()
        with m.If(fire & is_write & w_ok):
            with m.If(wb.mem == Mem.CONFIG):
                m.d.sync += n_comp.eq(wb.data)
            with m.If(wb.mem == Mem.STATUS):
                m.d.comb += clear_status.eq(1)

        # reads: issue now, answer next cycle
        m.d.sync += rd_v.eq(fire & is_read)
        with m.If(fire & is_read):
            m.d.sync += [rd_mem.eq(wb.mem), rd_addr.eq(wb.addr), rd_ok.eq(access_ok),
                         rd_tag.eq(rb.tag), rd_reply.eq(rb.reply)]
        busy_word = Cat(syn.busy | acc.busy, eng.busy, fan.busy)
        rdata = Signal(32)
        with m.Switch(rd_mem):
            for mem, bus in buses.items():
                with m.Case(mem):
                    m.d.comb += rdata.eq(bus.rdata)
            with m.Case(Mem.CONFIG):
                m.d.comb += rdata.eq(Mux(rd_addr[0], self.x | self.y << 4, n_comp))
            with m.Case(Mem.COUNTERS):
                m.d.comb += rdata.eq(counters[rd_addr[:3]])
            with m.Case(Mem.STATUS):
                m.d.comb += rdata.eq(Array([flags, errors, busy_word, Const(0)])[rd_addr[:2]])
        with m.If(rd_v):
            m.d.sync += [
                resp_v.eq(1),
                resp.kind.eq(packet.Kind.READ_RESP),
                resp.dst.eq(rd_reply),
                resp.body.raw.eq(0),
                resp.body.read_resp.data.eq(Mux(rd_ok, rdata, 0)),
                resp.body.read_resp.tag.eq(rd_tag),
                resp.body.read_resp.src_x.eq(self.x),
                resp.body.read_resp.src_y.eq(self.y),
            ]
        with m.If(fire & is_sreq):
            m.d.sync += [
                resp_v.eq(1),
                resp.kind.eq(packet.Kind.CTRL),
                resp.dst.eq(Cat(Const(0, 8), Const(1, 1))),
                resp.body.raw.eq(0),
                resp.body.ctrl.op.eq(packet.CtrlOp.STATUS),
                resp.body.ctrl.src_x.eq(self.x),
                resp.body.ctrl.src_y.eq(self.y),
                resp.body.ctrl.arg.eq(flags),
            ]

        # STEP
        m.d.sync += start_r.eq(fire & is_step)
        with m.If(fire & is_step):
            m.d.sync += step.eq(pkt.body.ctrl.arg)

        # -- counters --------------------------------------------------------------------
        C = cm.Counter
        incs = {
            C.CYCLES: ~engines_idle,
            C.SYN_EVENTS: syn.event_valid,
            C.UPDATES: eng.updates,
            C.PACKETS_IN: fire & is_spike,
            C.PACKETS_OUT: fan.sent,
            C.STALLS: acc.stall | fan.stall,
        }
        with m.If(fire & is_step):
            for c in C:
                m.d.sync += counters[c].eq(pkt.body.ctrl.arg if c is C.STEP else 0)
        with m.Else():
            for c, inc in incs.items():
                with m.If(inc):
                    m.d.sync += counters[c].eq(counters[c] + 1)

        # -- status ----------------------------------------------------------------------
        F = cm.ErrorFlag
        acc_bad_fire = acc.acc_req.valid & acc.acc_req.ready & acc.acc_req.payload.bad
        pulses = Signal(len(F))
        m.d.comb += pulses.eq(err_dec
                              | (eng.error << F.BAD_OPCODE)
                              | (syn.err_axon << F.BAD_AXON)
                              | ((fan.err_range | fan.err_entry) << F.BAD_FANOUT)
                              | (acc_bad_fire << F.BAD_ACC_REQ))
        n_err = (err_dec.any() + eng.error + syn.err_axon + syn.err_synapse
                 + fan.err_range + fan.err_entry + acc_bad_fire)
        syn_pulse = syn.err_synapse << F.BAD_SYNAPSE
        with m.If(clear_status):
            m.d.sync += [flags.eq(0), errors.eq(0)]
        with m.Else():
            m.d.sync += flags.eq(flags | pulses | syn_pulse)
            total = errors + n_err
            m.d.sync += errors.eq(Mux(total > 0xFFFFFFFF, 0xFFFFFFFF, total))

        # -- idle ------------------------------------------------------------------------
        m.d.comb += self.idle.eq(~rx.valid & engines_idle & ~resp_v & ~rd_v)
        return m
