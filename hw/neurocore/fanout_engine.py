"""Fan-out engine: spikes from the neuron engine in, spike packets out, one
packet per cycle at steady state (while `packet` is ready).

Owns the FANOUT_INDEX (compartment -> base, count) and FANOUT (destination
entries) memories; word layouts in `core_memory`. Pipeline:

    IX   accept a spike (compartment, payload); read FANOUT_INDEX[compartment]
    GEN  take (base, count) as soon as the previous spike's last entry is
         issued; issue FANOUT[base + i], one per cycle while the output stage
         is free or being emptied
    OUT  entry -> SPIKE packet (dst tile or host, axon, payload, step mod 256)

Bad input (a range past the fan-out memory; an entry whose tile is off the
mesh) is dropped and pulses `err_range` (per spike) / `err_entry` (per entry).
"""
from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import stream, wiring
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

        # -- IX ------------------------------------------------------------------
        ix_v = Signal()
        ix_payload = Signal(signed(packet.PAYLOAD_BITS))
        ix_take = Signal()
        m.d.comb += self.spike.ready.eq(~ix_v | ix_take)
        accept = self.spike.valid & self.spike.ready
        with m.If(accept):
            m.d.comb += [ix_rd.addr.eq(self.spike.payload.compartment), ix_rd.en.eq(1)]
            m.d.sync += [ix_v.eq(1), ix_payload.eq(self.spike.payload.payload)]
        with m.Else():
            m.d.comb += [ix_rd.addr.eq(self.index_bus.addr), ix_rd.en.eq(self.index_bus.re)]
            with m.If(ix_take):
                m.d.sync += ix_v.eq(0)
        iw = ix_rd.data

        # -- GEN + OUT -------------------------------------------------------------
        remaining = Signal(17)
        gen_addr = Signal(17)
        gen_payload = Signal(signed(packet.PAYLOAD_BITS))
        out_v = Signal()
        out_payload = Signal(signed(packet.PAYLOAD_BITS))
        ent = fo_rd.data
        on_mesh = ent.host | ((ent.x < p.mesh_w) & (ent.y < p.mesh_h))
        out_done = Signal()   # the output stage empties this cycle
        m.d.comb += out_done.eq(out_v & (~on_mesh | self.packet.ready))
        issue = (remaining != 0) & (~out_v | out_done)
        m.d.comb += ix_take.eq(ix_v & ((remaining == 0) | ((remaining == 1) & issue)))
        range_bad = (iw.base + iw.count) > p.n_fanout
        with m.If(issue):
            m.d.sync += [gen_addr.eq(gen_addr + 1), remaining.eq(remaining - 1)]
            m.d.comb += [fo_rd.addr.eq(gen_addr), fo_rd.en.eq(1)]
        with m.Else():
            m.d.comb += [fo_rd.addr.eq(self.fanout_bus.addr), fo_rd.en.eq(self.fanout_bus.re)]
        with m.If(ix_take & ~range_bad):
            m.d.sync += [gen_addr.eq(iw.base), remaining.eq(iw.count), gen_payload.eq(ix_payload)]
        with m.If(issue):
            m.d.sync += [out_v.eq(1), out_payload.eq(gen_payload)]
        with m.Elif(out_done):
            m.d.sync += out_v.eq(0)

        pk = self.packet.payload
        m.d.comb += [
            self.packet.valid.eq(out_v & on_mesh),
            pk.kind.eq(packet.Kind.SPIKE),
            pk.dst.x.eq(Mux(ent.host, 0, ent.x)),
            pk.dst.y.eq(Mux(ent.host, 0, ent.y)),
            pk.dst.host.eq(ent.host),
            pk.body.spike.axon.eq(ent.axon),
            pk.body.spike.payload.eq(out_payload),
            pk.body.spike.step.eq(self.step),
            self.sent.eq(self.packet.valid & self.packet.ready),
            self.stall.eq(self.packet.valid & ~self.packet.ready),
            self.err_range.eq(ix_take & range_bad),
            self.err_entry.eq(out_v & ~on_mesh),
            self.busy.eq(ix_v | (remaining != 0) | out_v),
        ]
        return m
