"""Fan-out engine: spikes from the neuron engine in, spike packets out, one
packet per cycle at steady state (while `packet` is ready).

Owns the FANOUT_INDEX (compartment -> base, count) and FANOUT (destination
entries) memories; word layouts in `core_memory`. Pipeline:

    IX   accept a spike (compartment, payload); read FANOUT_INDEX[compartment]
    IX2  the index word (base, count), registered; its range check
    GEN  take (base, count) as soon as the previous spike's last entry is
         issued; issue FANOUT[base + i], one per cycle while the entries in
         flight fit (read, registered, waiting in the three skid registers,
         offered: at most 4 after the cycle, counted from registers)
    R    the entry leaves the block RAM
    R2   the entry, registered (no logic after the block RAM)
    OUT  the entry, registered; its tile check (on the mesh?) -> SPIKE packet (dst tile or host, axon,
         payload, step mod 256); an entry arriving while OUT is held waits in
         a skid register, so `packet.ready` moves only OUT and the skid
         registers (not the reads, nor the spikes taken)

Bad input (a range past the fan-out memory; an entry whose tile is off the
mesh) is dropped and pulses `err_range` (per spike) / `err_entry` (per entry).

Host reads (`index_bus`, `fanout_bus`, only while idle) take their word
from the register the engine puts after the block RAM, IX2's or R2's
(`index_rdata_r`, `fanout_rdata_r`, 32 bits, the cycle after `rdata`), so
each block RAM output feeds one register.
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

#: skid registers behind OUT: the entries read or leaving the block RAM when
# OUT is held (with OUT, N_SKID + 1 entries in flight at most)
N_SKID = 3


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
            "index_rdata_r": Out(32),       # index_bus.rdata, registered (IX2's word)
            "fanout_rdata_r": Out(32),      # fanout_bus.rdata, registered (R2's entry)
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
        # a spike is taken while IX or IX2 is free (registers only: GEN's
        # take does not reach the index read's address and enable)
        m.d.comb += [ix_move.eq(ix_v & (~ix2_v | ix2_take)),
                     self.spike.ready.eq(~ix_v | ~ix2_v)]
        accept = self.spike.valid & self.spike.ready
        # the host's reads come only while the engine is idle (no spike, no
        # entry issued), so they select the read addresses (not `accept`, `issue`)
        m.d.comb += [ix_rd.addr.eq(Mux(self.index_bus.re, self.index_bus.addr,
                                       self.spike.payload.compartment)),
                     ix_rd.en.eq(accept | self.index_bus.re)]
        with m.If(accept):
            m.d.sync += [ix_v.eq(1), ix_payload.eq(self.spike.payload.payload)]
        with m.Elif(ix_move):
            m.d.sync += ix_v.eq(0)
        iw = ix_rd.data
        with m.If(ix_move):
            m.d.sync += [ix2_v.eq(1), ix2_payload.eq(ix_payload)]
        with m.Elif(ix2_take):
            m.d.sync += ix2_v.eq(0)
        host_read = Signal()        # the host's read of FANOUT_INDEX answers now (IX2 is empty)
        m.d.sync += host_read.eq(self.index_bus.re)
        with m.If(ix_move | host_read):
            m.d.sync += ix2_word.eq(iw)
        m.d.comb += self.index_rdata_r.eq(ix2_word.as_value())
        ix2_bad = (ix2_word.base + ix2_word.count) > p.n_fanout

        # -- GEN: one FANOUT read per cycle while the entries in flight fit ----------------
        remaining = Signal(17)
        active = Signal()           # remaining != 0, a register
        single = Signal()           # remaining == 1, a register
        gen_addr = Signal(17)
        gen_payload = Signal(signed(packet.PAYLOAD_BITS))
        out_v, r_v, r2_v = Signal(), Signal(), Signal()
        sk_v = [Signal(name=f"sk{i}_v") for i in range(N_SKID)]
        # entries read (r_v), leaving the block RAM (r2_v), waiting (sk_v) or
        # offered (out_v): at most N_SKID + 1 after this cycle, counted from
        # registers only (tx.ready does not reach here)
        room = (out_v + r_v + r2_v + sum(sk_v)) <= N_SKID
        issue = Signal()
        m.d.comb += issue.eq(active & room)
        m.d.comb += ix2_take.eq(ix2_v & (~active | (single & issue)))
        m.d.comb += [fo_rd.addr.eq(Mux(self.fanout_bus.re, self.fanout_bus.addr, gen_addr)),
                     fo_rd.en.eq(issue | self.fanout_bus.re)]
        with m.If(ix2_take & ~ix2_bad):
            m.d.sync += [gen_addr.eq(ix2_word.base), remaining.eq(ix2_word.count),
                         active.eq(ix2_word.count != 0), single.eq(ix2_word.count == 1),
                         gen_payload.eq(ix2_payload)]
        with m.Elif(issue):
            m.d.sync += [gen_addr.eq(gen_addr + 1), remaining.eq(remaining - 1),
                         active.eq(~single), single.eq(remaining == 2)]
        self._output(m, fo_rd, issue, gen_payload, (out_v, r_v, r2_v, sk_v))
        m.d.comb += [
            self.err_range.eq(ix2_take & ix2_bad),
            self.busy.eq(ix_v | ix2_v | active | r_v | r2_v | sk_v[0] | out_v),
        ]
        return m

    def _output(self, m: Module, fo_rd, issue, gen_payload, flags) -> None:
        """R: the FANOUT word read (1 cycle after `issue`); R2: the word,
        registered as it leaves the block RAM; OUT: the entry, registered,
        offered as a packet; skid registers (oldest first): entries that
        arrived while OUT was held (`flags`: out_v, r_v, r2_v, sk_v)."""
        p = self.params
        out_v, r_v, r2_v, sk_v = flags
        entry = data.StructLayout({"ent": FANOUT_LAYOUT, "payload": signed(packet.PAYLOAD_BITS)})
        r_payload = Signal(signed(packet.PAYLOAD_BITS))
        read = Signal(entry)        # R2
        m.d.sync += [r_v.eq(issue), r_payload.eq(gen_payload), r2_v.eq(r_v),
                     read.ent.eq(fo_rd.data), read.payload.eq(r_payload)]
        m.d.comb += self.fanout_rdata_r.eq(read.ent.as_value())
        out = Signal(entry)
        skid = [Signal(entry, name=f"skid{i}") for i in range(N_SKID)]
        on_mesh = Signal()      # from OUT's registers
        m.d.comb += on_mesh.eq(out.ent.host | ((out.ent.x < p.mesh_w) & (out.ent.y < p.mesh_h)))
        out_done = out_v & (~on_mesh | self.packet.ready)
        with m.If(~out_v | out_done):                 # OUT takes the oldest entry
            m.d.sync += [out_v.eq(sk_v[0] | r2_v), out.eq(Mux(sk_v[0], skid[0], read))]
            for i in range(N_SKID):                   # the rest move up, R2 behind them
                nxt_v = sk_v[i + 1] if i + 1 < N_SKID else 0
                nxt = skid[i + 1] if i + 1 < N_SKID else read
                m.d.sync += [skid[i].eq(Mux(nxt_v, nxt, read)),
                             sk_v[i].eq(nxt_v | (sk_v[i] & r2_v))]
        with m.Elif(r2_v):                            # OUT held: R2 waits behind the others
            for i in range(N_SKID):
                with m.If(~sk_v[i] & (sk_v[i - 1] if i else 1)):
                    m.d.sync += [skid[i].eq(read), sk_v[i].eq(1)]

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
