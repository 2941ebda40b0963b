"""The neurocore top: packet decoder, CONFIG / COUNTERS / STATUS registers,
and the wiring of synapse engine, accumulators, neuron engine and fan-out
engine behind the tile slot (docs/architecture.md, "The tile slot").

Packets on `rx` pass a register slice (`stream_slice.RegisterSlice`: the
router's output and the core's decoder may sit far apart on an FPGA) and a
decode stage (one register: the packet and its WRITE / READ address checks)
and are served from there, one per cycle:

- SPIKE: to the synapse engine (lands in slot (step + 1 + delay) mod D).
- WRITE / READ: served once every engine is idle; a READ is answered with a
  READ_RESP (data, the read's tag, this tile's x/y) to the read's `reply`.
- CTRL STEP(t): waits until every engine is idle, then clears the counters,
  sets `step_seen` = t and starts the neuron phase on slot t mod D; the
  neuron engine's spikes go to the fan-out engine (packets carry t mod 256).
- CTRL STATUS_REQ: answered with CTRL STATUS (arg = STATUS.FLAGS) to the host.
- anything else: dropped, STATUS flag BAD_PACKET.

After reset the core zeroes ACCUM (`memory_clear`,
`clear_cycles(params)` cycles); until then it is not idle and takes no packet.

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
from ..stream_slice import RegisterSlice
from . import core_memory as cm
from .accumulators import Accumulators
from .compartment_memory import Banked
from .fanout_engine import FanoutEngine
from .memory_clear import CLEARED_MEMS, MemoryClear, clear_cycles
from .synapse_engine import SynapseEngine

__all__ = ["Core", "default_engine", "engine_memories", "engine_mem_words"]

#: the memory-backed `Mem`s (a MemBus each: `Core._buses`)
MEM_BUSES = (Mem.AXON, Mem.SYNAPSE, Mem.ACCUM, Mem.FANOUT_INDEX, Mem.FANOUT,
             Mem.STATE, Mem.PARAM, Mem.PROFILE, Mem.UCODE)

#: the neuron engine's memories whose read words share one of the core's
# registers (a MEM_GROUP-to-1 multiplexer between a block RAM's output and a
# flip-flop); 1: each word goes straight from its block RAM to a register of
# its own, placed next to it (the other engines' words: their own registers)
MEM_GROUP = 1


def default_engine(params: ChipParams):
    """The microcode neuron engine (hw/neurocore/neuron_engine.py)."""
    from .neuron_engine import NeuronEngine
    return NeuronEngine(params)


NEURON_MEMS = {Mem.STATE: "state_mem", Mem.PARAM: "param_mem",
               Mem.PROFILE: "profile_mem", Mem.UCODE: "ucode_mem"}


def engine_memories(engine) -> dict[Mem, Memory | Banked]:
    """The neuron engine's memories: its attributes `state_mem`, `param_mem`,
    `profile_mem`, `ucode_mem` (those it has; STATE and PARAM of the
    microcode engine are `Banked`)."""
    return {mem: getattr(engine, attr) for mem, attr in NEURON_MEMS.items()
            if isinstance(getattr(engine, attr, None), (Memory, Banked))}


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
        self.clear = MemoryClear(clear_cycles(params))
        self.words = {**cm.mem_words(params), **engine_mem_words(self.engine)}

    def memories(self) -> dict[Mem, Memory | Banked]:
        """The Memory (or the `compartment_memory.Banked` memories) of each
        memory-backed `Mem`, for backdoor loading in simulation (a test proves
        it equal to the WRITE packet path; `compartment_memory.bank_images`
        splits a flat image over the banks)."""
        mems = {Mem.AXON: self.synapse.axon_mem, Mem.SYNAPSE: self.synapse.synapse_mem,
                Mem.ACCUM: self.accumulators.mem, Mem.FANOUT_INDEX: self.fanout.index_mem,
                Mem.FANOUT: self.fanout.fanout_mem}
        mems.update(engine_memories(self.engine))
        return mems

    def elaborate(self, platform):
        m = Module()
        m.submodules.synapse = self.synapse
        m.submodules.accumulators = self.accumulators
        m.submodules.fanout = self.fanout
        m.submodules.engine = self.engine
        m.submodules.clear = self.clear
        m.submodules.rx_slice = rx_slice = RegisterSlice(packet.Packet)
        wiring.connect(m, wiring.flipped(self.rx), rx_slice.i)
        s = _CoreState(self.params)
        s.rx = rx_slice.o
        m.d.comb += self.step_seen.eq(s.step)
        self._decode(m, s)
        self._engines(m, s)
        self._transmit(m, s)
        self._receive(m, s)
        self._memory_access(m, s)
        self._reads(m, s)
        # STEP
        m.d.sync += s.start_r.eq(s.served & s.is_step)
        with m.If(s.served & s.is_step):
            m.d.sync += s.step.eq(s.pkt.body.ctrl.arg)
        self._counters(m, s)
        self._status(m, s)
        m.d.comb += self.idle.eq(~self.rx.valid & ~rx_slice.busy & ~s.d_v & s.idle_r
                                 & ~s.resp_v & ~s.rd_v & ~s.rd_v2)
        return m

    def _decode(self, m: Module, s: "_CoreState") -> None:
        """The decode stage: a packet on `rx` is taken into `s.pkt` with its
        WRITE / READ checks (memory known, address below the memory's words,
        read-only register, CONFIG value) and, per memory-backed `Mem`, whether
        it reads or writes it, all registered; the stage hands the packet on
        (`s.fire`) the way `rx` used to, one cycle later. `rx` is taken while
        the stage is empty or handing its packet on (one packet per cycle)."""
        rx, p = s.rx, self.params
        wb = rx.payload.body.write          # WRITE and READ share mem/addr
        kind = rx.payload.kind
        mem_ok, addr_ok = Signal(), Signal()
        with m.Switch(wb.mem):
            for mem, words in self.words.items():
                with m.Case(mem):
                    m.d.comb += [mem_ok.eq(1), addr_ok.eq(wb.addr < words)]
        m.d.comb += rx.ready.eq(~s.d_v | s.fire)
        with m.If(rx.ready):
            m.d.sync += [
                s.d_v.eq(rx.valid),
                s.pkt.eq(rx.payload),
                s.mem_ok.eq(mem_ok),
                s.addr_ok.eq(addr_ok),
                s.ro.eq((wb.mem == Mem.COUNTERS)
                        | ((wb.mem == Mem.CONFIG) & (wb.addr == cm.Config.TILE))),
                s.cfg_bad.eq((wb.mem == Mem.CONFIG) & (wb.data > p.n_compartments)),
            ]
            for mem in self._buses():       # never read-only, never CONFIG
                hit = (wb.mem == mem) & addr_ok
                m.d.sync += [s.reads[mem].eq(hit & (kind == packet.Kind.READ)),
                             s.writes[mem].eq(hit & (kind == packet.Kind.WRITE))]

    def _buses(self) -> dict:
        """The MemBus of each memory-backed `Mem`."""
        syn, acc, fan, eng = self.synapse, self.accumulators, self.fanout, self.engine
        buses = (syn.axon_bus, syn.synapse_bus, acc.bus, fan.index_bus, fan.fanout_bus,
                 eng.state_bus, eng.param_bus, eng.profile_bus, eng.ucode_bus)
        return dict(zip(MEM_BUSES, buses))

    def _engines(self, m: Module, s: "_CoreState") -> None:
        """Synapse engine -> accumulators; neuron engine start, step,
        read-and-clear requests and spikes -> fan-out engine."""
        p = self.params
        syn, acc, fan, eng = self.synapse, self.accumulators, self.fanout, self.engine
        m.d.comb += [
            acc.event_valid.eq(syn.event_valid),
            acc.event.eq(syn.event),
            eng.start.eq(s.start_r),
            eng.step.eq(s.step),
            eng.n_compartments.eq(s.n_comp),
            fan.step.eq(s.step[:packet.STEP_BITS]),
        ]
        wiring.connect(m, eng.spike, fan.spike)
        # neuron engine read-and-clear -> accumulator address of slot t mod D
        # (every row of the ring exists: a request is never bad)
        addr = Cat(eng.acc_req.payload.row, s.step[:(p.n_delay_slots - 1).bit_length()])
        m.d.comb += [
            acc.acc_req.valid.eq(eng.acc_req.valid),
            acc.acc_req.payload.addr.eq(addr),
            acc.acc_req.payload.bad.eq(0),
            eng.acc_req.ready.eq(acc.acc_req.ready),
            eng.acc_resp.valid.eq(acc.acc_resp.valid),
            eng.acc_resp.payload.eq(acc.acc_resp.payload),
            acc.acc_resp.ready.eq(eng.acc_resp.ready),
        ]
        m.d.comb += s.engines_idle.eq(~(syn.busy | acc.busy | eng.busy | fan.busy | s.start_r
                                        | self.clear.busy))
        # the same, registered: idle in the previous cycle, and no spike or STEP
        # taken then (only those make an engine busy), so idle now; the
        # packet decoder and the tile's `idle` use it (no path from the
        # engines' state to rx.ready or to the memories' enables)
        m.d.sync += s.idle_r.eq(s.engines_idle
                                & ~((s.fire & s.is_spike) | (s.served & s.is_step)))

    def _transmit(self, m: Module, s: "_CoreState") -> None:
        """Fan-out packets first, then responses."""
        tx, fan = self.tx, self.fanout
        m.d.comb += [
            tx.valid.eq(fan.packet.valid | s.resp_v),
            tx.payload.eq(Mux(fan.packet.valid, fan.packet.payload, s.resp)),
            fan.packet.ready.eq(tx.ready),
        ]
        with m.If(s.resp_v & ~fan.packet.valid & tx.ready):
            m.d.sync += s.resp_v.eq(0)

    def _receive(self, m: Module, s: "_CoreState") -> None:
        """The decoded packet: spikes to the synapse engine; WRITE, READ and
        STEP once every engine is idle; a READ or STATUS_REQ once the
        response slot is free."""
        syn, pkt = self.synapse, s.pkt
        clearing = self.clear.busy
        reading = s.rd_v | s.rd_v2
        others = Signal()       # a packet other than a spike may be taken (registers only)
        m.d.comb += [syn.spike.valid.eq(s.d_v & s.is_spike & ~reading & ~clearing),
                     syn.spike.payload.axon.eq(pkt.body.spike.axon),
                     syn.spike.payload.payload.eq(pkt.body.spike.payload),
                     syn.spike.payload.step.eq(pkt.body.spike.step)]
        with m.If(reading | clearing):
            m.d.comb += others.eq(0)
        with m.Elif(s.is_write | s.is_step):
            m.d.comb += others.eq(s.idle_r)
        with m.Elif(s.is_read):
            m.d.comb += others.eq(s.idle_r & ~s.resp_v)
        with m.Elif(s.is_sreq):
            m.d.comb += others.eq(~s.resp_v)
        with m.Else():
            m.d.comb += others.eq(1)
        # `served`: the WRITE / READ in the stage is served now (the memories'
        # enables: no path from the synapse engine's ready); for every kind but
        # a spike it is `fire`, and what only those kinds do uses it
        m.d.comb += [s.served.eq(s.d_v & others),
                     s.fire.eq(Mux(s.is_spike, syn.spike.valid & syn.spike.ready, s.served))]

    def _memory_access(self, m: Module, s: "_CoreState") -> None:
        """WRITE and READ of the decoded packet (its checks registered by
        `_decode`): the engines' MemBus ports, the decode errors and the
        register writes (CONFIG, STATUS clear)."""
        wb, served = s.pkt.body.write, s.served   # WRITE and READ share mem/addr
        mem_ok, addr_ok, ro, cfg_bad = s.mem_ok, s.addr_ok, s.ro, s.cfg_bad
        m.d.comb += s.access_ok.eq(mem_ok & addr_ok)
        w_ok = s.access_ok & ~ro & ~cfg_bad

        clr = self.clear
        for mem, bus in self._buses().items():
            we = s.served & s.writes[mem]
            m.d.comb += bus.re.eq(s.served & s.reads[mem])
            if mem in CLEARED_MEMS:     # after reset: (clear address, 0, write)
                m.d.comb += [bus.addr.eq(Mux(clr.busy, clr.addr, wb.addr)),
                             bus.wdata.eq(Mux(clr.busy, 0, wb.data)),
                             bus.we.eq(Mux(clr.busy, clr.addr < self.words[mem], we))]
            else:
                m.d.comb += [bus.addr.eq(wb.addr), bus.wdata.eq(wb.data), bus.we.eq(we)]

        with m.If(served & (s.is_write | s.is_read)):
            with m.If(~mem_ok | (s.is_write & s.access_ok & ro)):
                m.d.comb += s.err_dec.eq(1 << cm.ErrorFlag.BAD_MEM)
            with m.Elif(~addr_ok | (s.is_write & cfg_bad)):
                m.d.comb += s.err_dec.eq(1 << cm.ErrorFlag.BAD_ADDR)
        with m.If(served & s.other):
            m.d.comb += s.err_dec.eq(1 << cm.ErrorFlag.BAD_PACKET)

        with m.If(served & s.is_write & w_ok):
            with m.If(wb.mem == Mem.CONFIG):
                m.d.sync += s.n_comp.eq(wb.data)
            with m.If(wb.mem == Mem.STATUS):
                m.d.comb += s.clear_status.eq(1)

    def _reads(self, m: Module, s: "_CoreState") -> None:
        """READ: issued now, answered two cycles later with a READ_RESP; STATUS_REQ:
        answered with CTRL STATUS (arg = STATUS.FLAGS) to the host."""
        wb, rb, served, resp = s.pkt.body.write, s.pkt.body.read, s.served, s.resp
        m.d.sync += s.rd_v.eq(served & s.is_read)
        with m.If(served & s.is_read):
            m.d.sync += [s.rd_mem.eq(wb.mem), s.rd_addr.eq(wb.addr), s.rd_ok.eq(s.access_ok),
                         s.rd_tag.eq(rb.tag), s.rd_reply.eq(rb.reply)]
        # the memories' words are registered as they leave the block RAMs (by
        # their engine, or the core in groups of MEM_GROUP); answered the cycle after
        m.d.sync += s.rd_v2.eq(s.rd_v)
        rd_word = self._read_data(m, s)
        with m.If(s.rd_v2):
            m.d.sync += [
                s.resp_v.eq(1),
                resp.kind.eq(packet.Kind.READ_RESP),
                resp.dst.eq(s.rd_reply),
                resp.body.raw.eq(0),
                resp.body.read_resp.data.eq(Mux(s.rd_ok, rd_word, 0)),
                resp.body.read_resp.tag.eq(s.rd_tag),
                resp.body.read_resp.src_x.eq(self.x),
                resp.body.read_resp.src_y.eq(self.y),
            ]
        with m.If(served & s.is_sreq):
            m.d.sync += [
                s.resp_v.eq(1),
                resp.kind.eq(packet.Kind.CTRL),
                resp.dst.eq(Cat(Const(0, 8), Const(1, 1))),
                resp.body.raw.eq(0),
                resp.body.ctrl.op.eq(packet.CtrlOp.STATUS),
                resp.body.ctrl.src_x.eq(self.x),
                resp.body.ctrl.src_y.eq(self.y),
                resp.body.ctrl.arg.eq(s.flags_now),
            ]

    def _read_data(self, m: Module, s: "_CoreState") -> Signal:
        """The 32-bit word the pending read returns, in the cycle after the
        block RAMs answered (`rd_v2`)."""
        busy_word = Cat(self.synapse.busy | self.accumulators.busy, self.engine.busy,
                        self.fanout.busy)
        rdata = Signal(32)
        # words the engines register themselves as they leave the block RAM,
        # read from there: no second register on those outputs, which would be
        # placed away from the first (SYNAPSE is deep, its read multiplexer
        # slow; a block RAM's data is 5.8 ns from the clock)
        syn, fan = self.synapse, self.fanout
        registered = {Mem.AXON: syn.axon_rdata_r, Mem.SYNAPSE: syn.synapse_rdata_r,
                      Mem.ACCUM: self.accumulators.rdata_r,
                      Mem.FANOUT_INDEX: fan.index_rdata_r, Mem.FANOUT: fan.fanout_rdata_r}
        buses = [(mem, bus) for mem, bus in self._buses().items() if mem not in registered]
        groups = [buses[i:i + MEM_GROUP] for i in range(0, len(buses), MEM_GROUP)]
        taken = [Signal(32, name=f"rd_group{k}") for k in range(len(groups))]
        for group, word in zip(groups, taken):
            with m.Switch(s.rd_mem):          # in the cycle the block RAMs answer
                for mem, bus in group:
                    with m.Case(mem):
                        m.d.sync += word.eq(bus.rdata)
        with m.Switch(s.rd_mem):              # the cycle after: the answer
            for group, word in zip(groups, taken):
                with m.Case(*(mem for mem, _ in group)):
                    m.d.comb += rdata.eq(word)
            for mem, word in registered.items():
                with m.Case(mem):
                    m.d.comb += rdata.eq(word)
            with m.Case(Mem.CONFIG):
                m.d.comb += rdata.eq(Mux(s.rd_addr[0], self.x | self.y << 4, s.n_comp))
            with m.Case(Mem.COUNTERS):
                m.d.comb += rdata.eq(s.counters[s.rd_addr[:3]])
            with m.Case(Mem.STATUS):
                m.d.comb += rdata.eq(Array([s.flags_now, s.errors_now, busy_word,
                                            Const(0)])[s.rd_addr[:2]])
        return rdata

    def _counters(self, m: Module, s: "_CoreState") -> None:
        """COUNTERS: cleared by STEP (STEP takes t), else counting."""
        C = cm.Counter
        syn, acc, fan = self.synapse, self.accumulators, self.fanout
        incs = {
            C.CYCLES: ~s.engines_idle,
            C.SYN_EVENTS: syn.event_valid,
            C.UPDATES: self.engine.updates,
            C.PACKETS_IN: s.fire & s.is_spike,
            C.PACKETS_OUT: fan.sent,
            C.STALLS: acc.stall | fan.stall,
        }
        with m.If(s.served & s.is_step):
            for c in C:
                m.d.sync += s.counters[c].eq(s.pkt.body.ctrl.arg if c is C.STEP else 0)
        with m.Else():
            for c, inc in incs.items():
                with m.If(inc):
                    m.d.sync += s.counters[c].eq(s.counters[c] + 1)

    def _status(self, m: Module, s: "_CoreState") -> None:
        """STATUS.FLAGS (sticky error flags) and STATUS.ERRORS (saturating count)."""
        F = cm.ErrorFlag
        syn, acc, fan, eng = self.synapse, self.accumulators, self.fanout, self.engine
        acc_bad_fire = acc.acc_req.valid & acc.acc_req.ready & acc.acc_req.payload.bad
        pulses = Signal(len(F))
        m.d.comb += pulses.eq(s.err_dec
                              | (eng.error << F.BAD_OPCODE)
                              | (syn.err_axon << F.BAD_AXON)
                              | ((fan.err_range | fan.err_entry) << F.BAD_FANOUT)
                              | (acc_bad_fire << F.BAD_ACC_REQ))
        events = Cat(s.err_dec.any(), eng.error, syn.err_axon, syn.err_synapse,
                     fan.err_range, fan.err_entry, acc_bad_fire)
        # this cycle's error events, registered (no path from an engine's
        # pulse to the counter's adder); the count of them a cycle later (no
        # path from a pulse to that sum either; those of the cycle before a
        # STATUS clear are cleared with it); a READ, two cycles or more after
        # the packet before it, sees them at once (`flags_now`, `errors_now`:
        # the registers with the events not yet in them)
        new_flags = Signal(len(F))
        events_r = Signal(len(events))
        new_errors = Signal(range(len(events) + 1))
        m.d.sync += [new_flags.eq(pulses | (syn.err_synapse << F.BAD_SYNAPSE)),
                     events_r.eq(events),
                     new_errors.eq(Mux(s.clear_status, 0, sum(events_r)))]
        total = s.errors + new_errors
        m.d.comb += [s.flags_now.eq(s.flags | new_flags),
                     s.errors_now.eq(Mux(total > 0xFFFFFFFF, 0xFFFFFFFF, total))]
        with m.If(s.clear_status):
            m.d.sync += [s.flags.eq(0), s.errors.eq(0)]
        with m.Else():
            m.d.sync += [s.flags.eq(s.flags_now), s.errors.eq(s.errors_now)]


class _CoreState:
    """The core top's registers, decoded packet kinds and control signals."""

    def __init__(self, params: ChipParams):
        self.rx = None                                      # the packets, registered
        self.d_v = Signal()                                 # a packet in the decode stage
        self.pkt = Signal(packet.Packet)                    # ... that packet
        self.mem_ok = Signal()                              # its checks (WRITE / READ):
        self.addr_ok = Signal()                             # mem known, addr in range,
        self.ro = Signal()                                  # a read-only register,
        self.cfg_bad = Signal()                             # CONFIG above n_compartments
        self.reads = {mem: Signal(name=f"reads_{mem.name.lower()}") for mem in MEM_BUSES}
        self.writes = {mem: Signal(name=f"writes_{mem.name.lower()}") for mem in MEM_BUSES}
        self.served = Signal()                              # a non-spike packet is taken now
        self.step = Signal(32)                              # the step t being run
        self.n_comp = Signal(range(params.n_compartments + 1))     # CONFIG
        self.flags = Signal(len(cm.ErrorFlag))              # STATUS.FLAGS
        self.errors = Signal(32)                            # STATUS.ERRORS
        self.flags_now = Signal(len(cm.ErrorFlag))          # with the last cycle's events
        self.errors_now = Signal(32)
        self.counters = Array(Signal(32, name=f"cnt_{c.name.lower()}") for c in cm.Counter)
        self.start_r = Signal()                             # starts the neuron engine
        self.engines_idle = Signal()
        self.idle_r = Signal()                              # engines idle, registered
        self.resp_v = Signal()                              # a response waits in `resp`
        self.resp = Signal(packet.Packet)
        self.fire = Signal()                                # the decoded packet is taken
        self.access_ok = Signal()                           # WRITE/READ mem and addr valid
        self.err_dec = Signal(len(cm.ErrorFlag))            # decode error flags this cycle
        self.clear_status = Signal()
        self.rd_v = Signal()                                # a read's word arrives this cycle
        self.rd_v2 = Signal()                               # ... and is answered this cycle
        self.rd_mem = Signal(packet.MEM_BITS)
        self.rd_addr = Signal(packet.ADDR_BITS)
        self.rd_ok = Signal()
        self.rd_tag = Signal(packet.TAG_BITS)
        self.rd_reply = Signal(packet.TileAddr)
        kind, ctrl_op = self.pkt.kind, self.pkt.body.ctrl.op
        self.is_spike = kind == packet.Kind.SPIKE
        self.is_write = kind == packet.Kind.WRITE
        self.is_read = kind == packet.Kind.READ
        is_ctrl = kind == packet.Kind.CTRL
        self.is_step = is_ctrl & (ctrl_op == packet.CtrlOp.STEP)
        self.is_sreq = is_ctrl & (ctrl_op == packet.CtrlOp.STATUS_REQ)
        self.other = ~(self.is_spike | self.is_write | self.is_read | self.is_step
                       | self.is_sreq)
