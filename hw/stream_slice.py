"""A register slice for a `lib.stream`: every signal that leaves it is a
register, in both directions, so no combinational path crosses it.

Put one where a stream runs between two blocks that the placer may put far
apart (the router's local output and the core's packet decoder): the wire
between them then starts and ends at a flip-flop. It holds up to two
payloads (the output register and a skid register that catches the payload
accepted in the cycle the output stalled), adds one cycle of latency and
passes one payload per cycle at full throughput.
"""
from __future__ import annotations

from amaranth.hdl import Module, Shape, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["RegisterSlice"]


class RegisterSlice(wiring.Component):
    """i       In(stream(shape))   `i.ready` is a register (the skid register is empty)
    o       Out(stream(shape))  `o.valid`, `o.payload` are registers
    busy    Out(1)              a payload is inside (a register)

    A payload taken at cycle c is offered on `o` from c + 1 on.
    """

    def __init__(self, shape):
        self.shape = shape
        super().__init__({"i": In(stream.Signature(shape)), "o": Out(stream.Signature(shape)),
                          "busy": Out(1)})

    def elaborate(self, platform):
        m = Module()
        i, o = self.i, self.o
        width = Shape.cast(self.shape).width
        skid, skid_valid = Signal(width), Signal()
        m.d.comb += [i.ready.eq(~skid_valid), self.busy.eq(o.valid | skid_valid)]
        take, give = i.valid & i.ready, o.valid & o.ready
        with m.If(~o.valid | give):             # the output register is free this cycle
            with m.If(skid_valid):
                m.d.sync += [o.payload.eq(skid), o.valid.eq(1), skid_valid.eq(0)]
            with m.Else():
                m.d.sync += [o.payload.eq(i.payload), o.valid.eq(i.valid)]
        with m.Elif(take):                      # the output stalls: the skid register catches it
            m.d.sync += [skid.eq(i.payload), skid_valid.eq(1)]
        return m
