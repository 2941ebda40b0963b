"""The neuron engine's MOD unit: a floored remainder as a stream component.

`ModDivider` takes (dividend, divisor) on `i` and gives the remainder of the
floored division (the sign of the divisor, as Python's ``%``) on `o`.

Latency and back-pressure:

* divisor 0: `o` is valid in the cycle `i` is (latency 0) with remainder 0
  and `by_zero` set;
* dividend 0: `o` is valid in the cycle `i` is, remainder 0;
* otherwise a restoring division on magnitudes, one bit of |dividend| per
  cycle: `o` is valid ``bit_length(|dividend|)`` cycles (1..32) after `i`
  was accepted, and holds until `o.ready`.

`i.ready` is high while no division is in progress. The neuron engine keeps
`i.valid` high (same payload) for as long as MOD is in execute and takes the
result in the cycle `o` is valid, so MOD costs 1 + bit_length(|ra|) cycles.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from .. import isa

__all__ = ["DivRequest", "DivResult", "ModDivider"]

W = isa.WORD_BITS

DivRequest = data.StructLayout({"dividend": signed(W), "divisor": signed(W)})
DivResult = data.StructLayout({"remainder": signed(W), "by_zero": 1})


class ModDivider(wiring.Component):
    """Floored remainder (see the module docstring).

    i  In(stream(DivRequest))
    o  Out(stream(DivResult))
    """

    def __init__(self):
        super().__init__({"i": In(stream.Signature(DivRequest)),
                          "o": Out(stream.Signature(DivResult))})

    def elaborate(self, platform):
        m = Module()
        busy = Signal()
        count = Signal(range(W + 2))    # bits of |dividend| still to go
        dividend = Signal(W)            # |dividend|, its next bit at the top
        divisor = Signal(W)             # |divisor|
        rem = Signal(W + 1)
        neg_a = Signal()
        neg_b = Signal()

        a, b = self.i.payload.dividend, self.i.payload.divisor
        neg_a_val = Signal(signed(W + 1))
        m.d.comb += neg_a_val.eq(-a)
        abs_a = Signal(W)
        m.d.comb += abs_a.eq(Mux(a < 0, neg_a_val, a)[:W])
        abs_a_len = Signal(range(W + 1))  # bit length of |dividend| (0..32)
        for bit in range(W):
            with m.If(abs_a[bit]):
                m.d.comb += abs_a_len.eq(bit + 1)
        abs_b = Signal(W)
        m.d.comb += abs_b.eq(Mux(b < 0, -b, b)[:W])

        rem_sh = Signal(W + 1)
        m.d.comb += rem_sh.eq(Cat(dividend[W - 1], rem[:W]))
        rem_nx = Signal(W + 1)
        m.d.comb += rem_nx.eq(Mux(rem_sh >= divisor, rem_sh - divisor, rem_sh))
        fixed = Signal(W + 1)
        m.d.comb += fixed.eq(Mux((rem_nx != 0) & (neg_a != neg_b), divisor - rem_nx, rem_nx))

        m.d.comb += self.i.ready.eq(~busy)
        with m.If(~busy & self.i.valid):
            with m.If(b == 0):
                m.d.comb += [self.o.valid.eq(1), self.o.payload.by_zero.eq(1)]
            with m.Elif(abs_a_len == 0):
                m.d.comb += self.o.valid.eq(1)                  # 0 mod b = 0
            with m.Else():
                # iterate only over the significant bits of |dividend|
                m.d.sync += [busy.eq(1), count.eq(abs_a_len),
                             dividend.eq(abs_a << (W - abs_a_len)[:6]),
                             divisor.eq(abs_b), rem.eq(0), neg_a.eq(a < 0), neg_b.eq(b < 0)]
        with m.If(busy):
            with m.If(count == 1):
                m.d.comb += [self.o.valid.eq(1),
                             self.o.payload.remainder.eq(Mux(neg_b, -fixed, fixed)[:W])]
            with m.If((count != 1) | self.o.ready):
                m.d.sync += [rem.eq(rem_nx), dividend.eq(dividend << 1), count.eq(count - 1)]
                with m.If(count == 1):
                    m.d.sync += busy.eq(0)
        return m
