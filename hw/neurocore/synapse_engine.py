"""Synapse engine: spike packets in, accumulator events out, one synaptic
event per cycle at steady state.

Owns the AXON and SYNAPSE memories (word layouts: `core_memory`). Pipeline:

    AX   accept a spike (axon, payload, step); read AXON[axon]
    AX2  the axon word, registered as it leaves the block RAM
    GEN  take the axon word (base, count, graded) as soon as the previous
         axon's last synapse address is issued; issue SYNAPSE[base + i],
         one address per cycle
    S1   the synapse word leaves the block RAM and is registered
    S2   synapse word -> accumulator address (slot (step + 1 + delay) mod D,
         row) and the partial products of weight x payload (binary axons:
         weight; `partial_products`), registered
    S3   delta = the partial products summed, registered: out on `event_*`
         to the accumulators (which never stall it) four cycles after the
         address was issued

So consecutive spikes cost no bubble between their synapse streams; an
axon with no synapses costs one cycle. Bad input (axon >= n_axons or a range
past the synapse memory; a synapse word with row/delay out of
range) is dropped and pulses `err_axon` / `err_synapse`.

Host reads (`axon_bus`, `synapse_bus`, only while idle) take their word
from the register the engine puts after the block RAM, AX2's or S2's
(`axon_rdata_r`, `synapse_rdata_r`, 32 bits, the cycle after `rdata`): each
block RAM output (SYNAPSE: a deep memory, several block RAMs and a
multiplexer after them) then feeds one register, not two.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, Value, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .. import packet
from ..memory_map import MemBus
from ..params import ChipParams
from .accumulators import acc_event_layout
from .core_memory import AXON_LAYOUT, synapse_layout
from .interfaces import ACC_BITS

__all__ = ["SynapseEngine", "syn_spike_layout", "partial_products"]

syn_spike_layout = data.StructLayout({
    "axon": unsigned(packet.AXON_BITS),
    "payload": signed(packet.PAYLOAD_BITS),
    "step": unsigned(packet.STEP_BITS),
})


#: bits of the unsigned low parts of weight and payload in `partial_products`
# (an 18 x 18 signed multiplier block takes a 17-bit unsigned operand whole)
WEIGHT_LOW_BITS = 17
PAYLOAD_LOW_BITS = 12


def partial_products(weight: Value, payload: Value) -> list[tuple[Value, int]]:
    """weight x payload (both signed) as (product, shift) terms whose sum
    (each term shifted left by its shift) is the product: weight split at
    bit `WEIGHT_LOW_BITS` (when wider), payload at `PAYLOAD_LOW_BITS`, low
    parts unsigned, high parts signed. Each term fits one 18 x 18
    multiplier, so registering the terms puts the multipliers and the adder
    that sums them in different cycles."""
    def halves(v: Value, low: int) -> list[tuple[Value, int]]:
        if len(v) <= low:
            return [(v, 0)]
        return [(v.as_unsigned()[:low], 0), (v[low:].as_signed(), low)]
    return [(w * x, ws + xs) for w, ws in halves(weight, WEIGHT_LOW_BITS)
            for x, xs in halves(payload, PAYLOAD_LOW_BITS)]


class SynapseEngine(wiring.Component):
    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__({
            "spike": In(stream.Signature(syn_spike_layout)),
            "event_valid": Out(1),
            "event": Out(acc_event_layout(params)),
            "busy": Out(1),
            "err_axon": Out(1),
            "err_synapse": Out(1),
            "axon_bus": In(MemBus()),
            "synapse_bus": In(MemBus()),
            "axon_rdata_r": Out(32),        # axon_bus.rdata, registered (AX2's word)
            "synapse_rdata_r": Out(32),     # synapse_bus.rdata, registered (S2's word)
        })
        self.axon_mem = Memory(shape=AXON_LAYOUT, depth=params.n_axons, init=[])
        self.synapse_mem = Memory(shape=synapse_layout(params), depth=params.n_synapses, init=[])

    def elaborate(self, platform):
        m = Module()
        m.submodules.axon_mem = self.axon_mem
        m.submodules.synapse_mem = self.synapse_mem
        ax_rd = self.axon_mem.read_port()
        ax_wr = self.axon_mem.write_port()
        sy_rd = self.synapse_mem.read_port()
        sy_wr = self.synapse_mem.write_port()

        # host access (only while idle)
        for bus, wr in ((self.axon_bus, ax_wr), (self.synapse_bus, sy_wr)):
            m.d.comb += [wr.addr.eq(bus.addr), wr.data.eq(bus.wdata), wr.en.eq(bus.we)]
        m.d.comb += [self.axon_bus.rdata.eq(ax_rd.data.as_value()),
                     self.synapse_bus.rdata.eq(sy_rd.data.as_value())]

        issue, gen_payload, gen_step, front_busy = self._generator(m, ax_rd, sy_rd)
        back_busy = self._events(m, sy_rd, issue, gen_payload, gen_step)
        m.d.comb += self.busy.eq(front_busy | back_busy)
        return m

    def _generator(self, m: Module, ax_rd, sy_rd):
        """AX, AX2 and GEN: spikes in, one SYNAPSE read per cycle out; returns
        (issue, its payload, its step, busy)."""
        p = self.params
        # -- AX: axon lookup; AX2: the axon word, registered ---------------------------
        ax_v = Signal()
        ax_bad = Signal()
        ax_payload = Signal(signed(packet.PAYLOAD_BITS))
        ax_step = Signal(packet.STEP_BITS)
        ax_move = Signal()
        ax2_v = Signal()
        ax2_bad = Signal()
        ax2_word = Signal(AXON_LAYOUT)
        ax2_payload = Signal(signed(packet.PAYLOAD_BITS))
        ax2_step = Signal(packet.STEP_BITS)
        ax_take = Signal()
        m.d.comb += [ax_move.eq(ax_v & (~ax2_v | ax_take)),
                     self.spike.ready.eq(~ax_v | ax_move)]
        accept = self.spike.valid & self.spike.ready
        with m.If(accept):
            m.d.comb += [ax_rd.addr.eq(self.spike.payload.axon), ax_rd.en.eq(1)]
        with m.Else():
            m.d.comb += [ax_rd.addr.eq(self.axon_bus.addr), ax_rd.en.eq(self.axon_bus.re)]
        with m.If(accept):
            m.d.sync += [ax_v.eq(1), ax_bad.eq(self.spike.payload.axon >= p.n_axons),
                         ax_payload.eq(self.spike.payload.payload),
                         ax_step.eq(self.spike.payload.step)]
        with m.Elif(ax_move):
            m.d.sync += ax_v.eq(0)
        with m.If(ax_move):
            m.d.sync += [ax2_v.eq(1), ax2_bad.eq(ax_bad),
                         ax2_payload.eq(ax_payload), ax2_step.eq(ax_step)]
        with m.Elif(ax_take):
            m.d.sync += ax2_v.eq(0)
        host_read = Signal()            # the host's read of AXON answers now (AX2 is empty)
        m.d.sync += host_read.eq(self.axon_bus.re)
        with m.If(ax_move | host_read):
            m.d.sync += ax2_word.eq(ax_rd.data)
        m.d.comb += self.axon_rdata_r.eq(ax2_word.as_value())
        aw = ax2_word

        # -- GEN: synapse address generator --------------------------------------
        remaining = Signal(16)
        issue = Signal()                # remaining != 0, a register: a SYNAPSE read this cycle
        last = Signal(init=1)           # remaining <= 1, a register (no compare before ax_take)
        gen_addr = Signal(17)
        gen_payload = Signal(signed(packet.PAYLOAD_BITS))
        gen_step = Signal(packet.STEP_BITS)
        m.d.comb += ax_take.eq(ax2_v & last)
        range_bad = (aw.base + aw.count) > p.n_synapses
        m.d.comb += self.err_axon.eq(ax_take & (ax2_bad | range_bad))
        with m.If(ax_take & ~ax2_bad & ~range_bad):
            m.d.sync += [gen_addr.eq(aw.base), remaining.eq(aw.count),
                         issue.eq(aw.count != 0), last.eq(aw.count <= 1),
                         gen_payload.eq(Mux(aw.graded, ax2_payload, 1)), gen_step.eq(ax2_step)]
        with m.Elif(issue):
            m.d.sync += [gen_addr.eq(gen_addr + 1), remaining.eq(remaining - 1),
                         issue.eq(~last), last.eq(remaining <= 2)]
        with m.If(issue):
            m.d.comb += [sy_rd.addr.eq(gen_addr), sy_rd.en.eq(1)]
        with m.Else():
            m.d.comb += [sy_rd.addr.eq(self.synapse_bus.addr), sy_rd.en.eq(self.synapse_bus.re)]
        return issue, gen_payload, gen_step, ax_v | ax2_v | issue

    def _events(self, m: Module, sy_rd, issue, gen_payload, gen_step):
        """S1, S2 and S3: synapse words in, registered events out; returns busy."""
        p = self.params
        # -- S1: synapse word, registered as it leaves the block RAM ------------------
        s1_v = Signal()
        s1_payload = Signal(signed(packet.PAYLOAD_BITS))
        s1_step = Signal(packet.STEP_BITS)
        m.d.sync += [s1_v.eq(issue), s1_payload.eq(gen_payload), s1_step.eq(gen_step)]
        s2_v = Signal()
        s2_word = Signal(synapse_layout(p))
        s2_payload = Signal(signed(packet.PAYLOAD_BITS))
        s2_step = Signal(packet.STEP_BITS)
        m.d.sync += [s2_v.eq(s1_v), s2_word.eq(sy_rd.data), s2_payload.eq(s1_payload),
                     s2_step.eq(s1_step)]
        m.d.comb += self.synapse_rdata_r.eq(s2_word.as_value())

        # -- S2: check, slot and partial products, registered (S3) ----------------------
        sw = s2_word
        ok = (sw.row < p.acc_rows) & (sw.delay <= p.max_delay)
        slot = Signal(p.slot_bits)
        m.d.comb += slot.eq(s2_step + 1 + sw.delay)
        addr = [sw.row]
        if p.n_delay_slots > 1:
            addr.append(slot[:(p.n_delay_slots - 1).bit_length()])
        s3_v, s3_ok = Signal(), Signal()
        s3_addr = Signal(len(self.event.addr))
        products = partial_products(sw.weight, s2_payload)
        s3_pp = [Signal(v.shape(), name=f"s3_pp{i}") for i, (v, _) in enumerate(products)]
        m.d.sync += [s3_v.eq(s2_v), s3_ok.eq(ok), s3_addr.eq(Cat(*addr))]
        m.d.sync += [r.eq(v) for r, (v, _) in zip(s3_pp, products)]

        # -- S3: the product (the partial products summed), registered: the event ---------
        delta = sum(r << shift for r, (_, shift) in zip(s3_pp, products))
        m.d.sync += [
            self.event_valid.eq(s3_v & s3_ok),
            self.event.addr.eq(s3_addr),
            self.event.delta.eq(delta[:ACC_BITS]),
            self.err_synapse.eq(s3_v & ~s3_ok),
        ]
        return s1_v | s2_v | s3_v | self.event_valid
