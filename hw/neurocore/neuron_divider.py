"""The neuron engine's MOD unit: a floored remainder as a stream component.

`ModDivider` takes (dividend, divisor) on `i` and gives the remainder of the
floored division (the sign of the divisor, as Python's ``%``) on `o`.

Latency and back-pressure (every stage registered, so no path runs from
the request's operands to the answer in one cycle):

* the request is registered when accepted (cycle 0): |dividend| and its
  sign, the divisor;
* cycle 1, set-up: |divisor|, its sign and the bit length of |dividend|;
  divisor 0: `o` is valid here (latency 1) with remainder 0 and `by_zero`
  set; dividend 0: `o` is valid here, remainder 0;
* otherwise cycle 2 sets the index of |dividend|'s top significant bit
  and that bit (registers: each iteration chooses the next bit for the
  one after it, beside its subtraction), then a
  restoring division on magnitudes, one bit of
  |dividend| per cycle (cycles 3 .. 2 + bit length), then the sign fix-up:
  `o` is valid ``3 + bit_length(|dividend|)`` cycles (4..35) after `i` was
  accepted, and holds until `o.ready`.

`i.ready` is high while no division is in progress. A lane sends MOD's
request from stage X1 and takes the answer at W of the MOD's turn, or of a
later turn of its slot (`neuron_turns.mod_turns`; at most `isa.MOD_TURNS`).
"""
from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import data, enum, stream, wiring
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
        phase = Signal(_Phase)
        a_in = Signal(W)                # the accepted request, registered: |dividend|
        b_in = Signal(signed(W))
        dividend = Signal(W)            # |dividend|
        divisor = Signal(W)             # |divisor|
        count = Signal(range(W + 1))    # bits of |dividend| still to go
        index = Signal(range(W))        # the next bit's index: count - 1
        bit = Signal()                  # the next bit: dividend[index]
        rem = Signal(W + 1)
        neg_a = Signal()
        neg_b = Signal()

        m.d.comb += self.i.ready.eq(phase == _Phase.IDLE)
        with m.If(self.i.valid & self.i.ready):     # |dividend| and its sign taken
            dividend_in = self.i.payload.dividend
            m.d.sync += [a_in.eq(Mux(dividend_in < 0, -dividend_in, dividend_in)[:W]),
                         neg_a.eq(dividend_in < 0), b_in.eq(self.i.payload.divisor),
                         phase.eq(_Phase.SETUP)]
        with m.Switch(phase):
            with m.Case(_Phase.SETUP):
                self._setup(m, phase, a_in, b_in, (dividend, divisor, count, rem, neg_b))
            with m.Case(_Phase.ALIGN):      # the top significant bit, and its index
                m.d.sync += [index.eq(count - 1), bit.eq(dividend.bit_select((count - 1)[:len(index)], 1)),
                             phase.eq(_Phase.ITERATE)]
            with m.Case(_Phase.ITERATE):
                # the next bit of |dividend| (`bit`, a register: the one after
                # it is chosen meanwhile, out of the subtraction's path)
                rem_sh = Signal(W + 1)
                diff = Signal(signed(W + 2))
                m.d.comb += [rem_sh.eq(Cat(bit, rem[:W])), diff.eq(rem_sh - divisor)]
                m.d.sync += [rem.eq(Mux(diff < 0, rem_sh, diff)), index.eq(index - 1),
                             bit.eq(dividend.bit_select((index - 1)[:len(index)], 1)), count.eq(count - 1)]
                with m.If(count == 1):
                    m.d.sync += phase.eq(_Phase.DONE)
            with m.Case(_Phase.DONE):
                fixed = Signal(W + 1)
                m.d.comb += [fixed.eq(Mux((rem != 0) & (neg_a != neg_b), divisor - rem, rem)),
                             self.o.valid.eq(1),
                             self.o.payload.remainder.eq(Mux(neg_b, -fixed, fixed)[:W])]
                with m.If(self.o.ready):
                    m.d.sync += phase.eq(_Phase.IDLE)
        return m

    def _setup(self, m: Module, phase, a, b, regs) -> None:
        """The cycle after the request (`a`: |dividend|, taken with its
        sign): |divisor|, its sign and the bit length of |dividend|; divisor
        0 and dividend 0 are answered here."""
        dividend, divisor, count, rem, neg_b = regs
        abs_a = a
        abs_a_len = Signal(range(W + 1))  # bit length of |dividend| (0..32)
        for bit in range(W):
            with m.If(abs_a[bit]):
                m.d.comb += abs_a_len.eq(bit + 1)
        with m.If((b == 0) | (a == 0)):          # a == 0: |dividend| has bit length 0
            m.d.comb += [self.o.valid.eq(1), self.o.payload.by_zero.eq(b == 0)]
            with m.If(self.o.ready):
                m.d.sync += phase.eq(_Phase.IDLE)
        with m.Else():
            m.d.sync += [phase.eq(_Phase.ALIGN), count.eq(abs_a_len), dividend.eq(abs_a),
                         divisor.eq(Mux(b < 0, -b, b)[:W]), rem.eq(0), neg_b.eq(b < 0)]


class _Phase(enum.Enum, shape=3):
    """Where the divider is: waiting, set-up, the first bit's index, one bit
    per cycle, answer."""
    IDLE = 0
    SETUP = 1
    ALIGN = 2
    ITERATE = 3
    DONE = 4
