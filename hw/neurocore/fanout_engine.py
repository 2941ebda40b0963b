"""Fan-out engine: spikes from the neuron engine in, spike packets out, one
packet per cycle at steady state (while `packet` is ready).

Owns the FANOUT_INDEX (compartment -> base, count) and FANOUT (destination
entries) memories; word layouts in `core_memory`. Pipeline:

    IX   accept a spike (compartment, payload); read FANOUT_INDEX[compartment]
    IX2  the index word (base, count), registered; its range check
    GEN  take (base, count) as soon as the previous spike's last entry is
         issued; issue FANOUT[base + i], one per cycle while the entries in
         flight fit (read, waiting in the two skid registers, offered: at most
         3 after the cycle, counted from registers)
    R    the entry leaves the block RAM
    OUT  the entry, registered; its tile check (on the mesh?) -> SPIKE packet (dst tile or host, axon,
         payload, step mod 256); an entry read while OUT is held waits in
         a skid register, so `packet.ready` moves only OUT and the skid
         registers (not the reads, nor the spikes taken)

Bad input (a range past the fan-out memory; an entry whose tile is off the
mesh) is dropped and pulses `err_range` (per spike) / `err_entry` (per entry).
"""
from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from .. import packet
from ..memory_map import MemBus
from ..params import ChipParams
from .core_memory import FANOUT_INDEX_LAYOUT, FANOUT_LAYOUT
from .interfaces import spike_out_layout

__all__ = ["FanoutEngine"]


class FanoutEngine(wiring.Component):
    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__({
            "spike": In(stream.Signature(spike_out_layout(params))),
            "step": In(packet.STEP_BITS),
            "packet": Out(stream.Signature(packet.Packet)),
            "busy": Out(1),
            "sent": Out(1),
            "stall": Out(1),
            "err_range": Out(1),
            "err_entry": Out(1),
            "index_bus": In(MemBus()),
            "fanout_bus": In(MemBus()),
        })
        self.index_mem = Memory(shape=FANOUT_INDEX_LAYOUT, depth=params.n_compartments, init=[])
        self.fanout_mem = Memory(shape=FANOUT_LAYOUT, depth=params.n_fanout, init=[])

    def elaborate(self, platform):
        p = self.params
        m = Module()
        m.submodules.index_mem = self.index_mem
        m.submodules.fanout_mem = self.fanout_mem
        ix_rd = self.index_mem.read_port()
        ix_wr = self.index_mem.write_port()
        fo_rd = self.fanout_mem.read_port()
        fo_wr = self.fanout_mem.write_port()
        for bus, wr in ((self.index_bus, ix_wr), (self.fanout_bus, fo_wr)):
            m.d.comb += [wr.addr.eq(bus.addr), wr.data.eq(bus.wdata), wr.en.eq(bus.we)]
        m.d.comb += [self.index_bus.rdata.eq(ix_rd.data.as_value()),
                     self.fanout_bus.rdata.eq(fo_rd.data.as_value())]

        # -- IX: index read; IX2: the index word, registered; its range check -----------
        ix_v = Signal()
        ix_payload = Signal(signed(packet.PAYLOAD_BITS))
        ix_move = Signal()
        ix2_v = Signal()
        ix2_word = Signal(FANOUT_INDEX_LAYOUT)
        ix2_payload = Signal(signed(packet.PAYLOAD_BITS))
        ix2_take = Signal()
        m.d.comb += [ix_move.eq(ix_v & (~ix2_v | ix2_take)),
                     self.spike.ready.eq(~ix_v | ix_move)]
        accept = self.spike.valid & self.spike.ready
        with m.If(accept):
            m.d.comb += [ix_rd.addr.eq(self.spike.payload.compartment), ix_rd.en.eq(1)]
            m.d.sync += [ix_v.eq(1), ix_payload.eq(self.spike.payload.payload)]
        with m.Else():
            m.d.comb += [ix_rd.addr.eq(self.index_bus.addr), ix_rd.en.eq(self.index_bus.re)]
            with m.If(ix_move):
                m.d.sync += ix_v.eq(0)
        iw = ix_rd.data
        with m.If(ix_move):
            m.d.sync += [ix2_v.eq(1), ix2_word.eq(iw), ix2_payload.eq(ix_payload)]
        with m.Elif(ix2_take):
            m.d.sync += ix2_v.eq(0)
        ix2_bad = (ix2_word.base + ix2_word.count) > p.n_fanout

        # -- GEN: one FANOUT read per cycle while the entries in flight fit ----------------
        remaining = Signal(17)
        gen_addr = Signal(17)
        gen_payload = Signal(signed(packet.PAYLOAD_BITS))
        out_v, sk0_v, sk1_v, r_v = Signal(), Signal(), Signal(), Signal()
        # entries read (r_v), waiting (sk0_v, sk1_v) or offered (out_v): at most 3
        # after this cycle, counted from registers only (tx.ready does not reach here)
        room = (out_v + sk0_v + sk1_v + r_v) <= 2
        issue = Signal()
        m.d.comb += issue.eq((remaining != 0) & room)
        m.d.comb += ix2_take.eq(ix2_v & ((remaining == 0) | ((remaining == 1) & issue)))
        with m.If(issue):
            m.d.sync += [gen_addr.eq(gen_addr + 1), remaining.eq(remaining - 1)]
            m.d.comb += [fo_rd.addr.eq(gen_addr), fo_rd.en.eq(1)]
        with m.Else():
            m.d.comb += [fo_rd.addr.eq(self.fanout_bus.addr), fo_rd.en.eq(self.fanout_bus.re)]
        with m.If(ix2_take & ~ix2_bad):
            m.d.sync += [gen_addr.eq(ix2_word.base), remaining.eq(ix2_word.count),
                         gen_payload.eq(ix2_payload)]
        self._output(m, fo_rd, issue, gen_payload, (out_v, sk0_v, sk1_v, r_v))
        m.d.comb += [
            self.err_range.eq(ix2_take & ix2_bad),
            self.busy.eq(ix_v | ix2_v | (remaining != 0) | r_v | sk0_v | out_v),
        ]
        return m

    def _output(self, m: Module, fo_rd, issue, gen_payload, flags) -> None:
        """R: the FANOUT word read (1 cycle after `issue`); OUT: the entry,
        registered, offered as a packet; SKID0, SKID1 (oldest first): entries
        read while OUT was held (`flags`: out_v, sk0_v, sk1_v, r_v)."""
        p = self.params
        out_v, sk0_v, sk1_v, r_v = flags
        entry = data.StructLayout({"ent": FANOUT_LAYOUT, "payload": signed(packet.PAYLOAD_BITS)})
        r_payload = Signal(signed(packet.PAYLOAD_BITS))
        m.d.sync += [r_v.eq(issue), r_payload.eq(gen_payload)]
        read = Signal(entry)
        m.d.comb += [read.ent.eq(fo_rd.data), read.payload.eq(r_payload)]
        out, skid0, skid1 = Signal(entry), Signal(entry), Signal(entry)
        on_mesh = Signal()      # from OUT's registers: the block RAM's word only passes a mux
        m.d.comb += on_mesh.eq(out.ent.host | ((out.ent.x < p.mesh_w) & (out.ent.y < p.mesh_h)))
        out_done = out_v & (~on_mesh | self.packet.ready)
        with m.If(~out_v | out_done):                 # OUT takes the oldest entry
            m.d.sync += [out_v.eq(sk0_v | r_v), out.eq(Mux(sk0_v, skid0, read)),
                         skid0.eq(Mux(sk1_v, skid1, read)), sk0_v.eq(sk1_v | (sk0_v & r_v)),
                         skid1.eq(read), sk1_v.eq(sk1_v & r_v)]
        with m.Elif(r_v):                             # OUT held: the entry read waits
            with m.If(sk0_v):
                m.d.sync += [skid1.eq(read), sk1_v.eq(1)]
            with m.Else():
                m.d.sync += [skid0.eq(read), sk0_v.eq(1)]

        pk = self.packet.payload
        m.d.comb += [
            self.packet.valid.eq(out_v & on_mesh),
            pk.kind.eq(packet.Kind.SPIKE),
            pk.dst.x.eq(Mux(out.ent.host, 0, out.ent.x)),
            pk.dst.y.eq(Mux(out.ent.host, 0, out.ent.y)),
            pk.dst.host.eq(out.ent.host),
            pk.body.spike.axon.eq(out.ent.axon),
            pk.body.spike.payload.eq(out.payload),
            pk.body.spike.step.eq(self.step),
            self.sent.eq(self.packet.valid & self.packet.ready),
            self.stall.eq(self.packet.valid & ~self.packet.ready),
            self.err_entry.eq(out_v & ~on_mesh),
        ]
