"""A tiny top with the chip's host-port ports, for the cache tests (it
compiles in seconds): host_out repeats host_in one cycle later, and a READ
is answered by a READ_RESP carrying the read's address and tag."""

from amaranth.hdl import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from kilauea.hw.packet import Kind, Packet


class EchoTop(wiring.Component):
    host_in: In(stream.Signature(Packet))
    host_out: Out(stream.Signature(Packet))

    def __init__(self, salt: int = 0):
        self.salt = salt          # changes the design (a different cache key)
        super().__init__()

    def elaborate(self, platform):
        m = Module()
        full = Signal()
        buf = Signal(Packet)
        m.d.comb += [self.host_in.ready.eq(~full | self.host_out.ready),
                     self.host_out.valid.eq(full), self.host_out.payload.eq(buf)]
        with m.If(self.host_out.ready):
            m.d.sync += full.eq(0)
        with m.If(self.host_in.valid & self.host_in.ready):
            m.d.sync += full.eq(1)
            p = self.host_in.payload
            with m.If(p.kind == Kind.READ):
                m.d.sync += [buf.eq(0), buf.kind.eq(Kind.READ_RESP), buf.dst.host.eq(1),
                             buf.body.read_resp.data.eq(p.body.read.addr + self.salt),
                             buf.body.read_resp.tag.eq(p.body.read.tag)]
            with m.Else():
                m.d.sync += buf.eq(p)
        return m
