"""The neuron engine's ALU: one combinational result per opcode (latency 0).

`NeuronAlu` computes the register result of every single-cycle arithmetic,
logic, compare, shift, multiply, wrap and saturate instruction (`ALU_OPS`)
from the operands of `neuron_operands.operand_layout`; other opcodes give 0.
Semantics (signed 32-bit, wrapped): see `kilauea.hw.isa` and docs/isa.md.
Shift amounts are clamped to 0..63 (`isa.SHIFT_MAX`); MULT/MULF take the
64-bit product shifted by `imm.shift`; WRAP/SAT use `imm.width`.

MULT and MULF take three cycles (`MUL_OPS`, `isa.MUL_CYCLES`): in the first
the engine pulses `mul_load`, which registers a, rb, the shift and the
rounding (the operand bypass ends there); in the second the four 16 x 16
partial products (one 18 x 18 multiplier each) are formed and registered,
the two middle ones summed, the outer two with MULT's rounding bias; in the
third `result` is their sum, shifted. So the operand bypass, the multipliers,
and the final add with its shift each have a cycle of their own.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..isa import Opcode
from ..params import ChipParams
from .neuron_operands import WORD, operand_layout

__all__ = ["ALU_OPS", "MUL_OPS", "NeuronAlu"]

W = isa.WORD_BITS
_AMOUNT_BITS = (W - 1).bit_length()     # 5: shift amounts 0..31 (32..63 give 0 or the sign)

#: the opcodes whose result the ALU computes
ALU_OPS = frozenset({
    Opcode.ADD, Opcode.SUB, Opcode.MULT, Opcode.MULF, Opcode.SHL, Opcode.SHR, Opcode.TSHR,
    Opcode.ASH, Opcode.CGT, Opcode.CGE, Opcode.CEQ, Opcode.ABS, Opcode.SEL, Opcode.MAX,
    Opcode.MIN, Opcode.AND, Opcode.OR, Opcode.XOR, Opcode.WRAP, Opcode.SAT,
})

#: the two-cycle opcodes: operands registered on `mul_load`, result a cycle later
MUL_OPS = frozenset({Opcode.MULT, Opcode.MULF})


class NeuronAlu(wiring.Component):
    """ALU: combinational, except MULT / MULF (see the module docstring).

    op        In(Opcode)
    operands  In(operand_layout)   a, b = wrap32(R[rb] + imm), rb, rc, imm
    mul_load  In(1)                register a, rb, imm.shift and op for MULT / MULF
    result    Out(signed 32)       the value for rd (0 for opcodes not in ALU_OPS;
                                   MULT / MULF: of the operands last registered)
    """

    def __init__(self, params: ChipParams):
        super().__init__({
            "op": In(Opcode),
            "operands": In(operand_layout(params)),
            "mul_load": In(1),
            "result": Out(WORD),
        })

    def elaborate(self, platform):
        m = Module()
        ops = self.operands
        a, b = ops.a, ops.b
        neg_a = Signal(signed(W + 1))
        m.d.comb += neg_a.eq(-a)
        results = {**self._shifts(m, a, b, neg_a), **self._multiply(m, a, ops, self.mul_load, self.op),
                   **self._wrap_sat(m, a, ops.imm.width)}
        results.update({
            Opcode.ADD: (a + b)[:W],
            Opcode.SUB: (a - b)[:W],
            Opcode.CGT: a > b,
            Opcode.CGE: a >= b,
            Opcode.CEQ: a == b,
            Opcode.ABS: Mux(a < 0, neg_a, a)[:W],
            Opcode.SEL: Mux(ops.rc != 0, a, ops.rb),
            Opcode.MAX: Mux(a > b, a, b),
            Opcode.MIN: Mux(a < b, a, b),
            Opcode.AND: a & b,
            Opcode.OR: a | b,
            Opcode.XOR: a ^ b,
        })
        assert set(results) == ALU_OPS
        with m.Switch(self.op):
            for op, value in results.items():
                with m.Case(op):
                    m.d.comb += self.result.eq(value)
        return m

    @staticmethod
    def _shifts(m: Module, a, b, neg_a) -> dict:
        """SHL, SHR, TSHR (amount clamp(b, 0, 63)) and ASH (b in -63..63).

        The shifters take b's low 5 bits (which the adder of b = R[rb] + imm
        gives first); b's sign and high bits only choose, at the end, between
        that shift, `a` (amount 0: b < 0), and what every amount of 32..63
        gives (0, or the sign of `a` for arithmetic right shifts)."""
        k = b[:_AMOUNT_BITS]                    # the amount when 0 <= b < 32
        negative = b[-1]
        big = ~negative & (b[_AMOUNT_BITS:] != 0)                       # b >= 32
        big_down = ~b[_AMOUNT_BITS:].all() | (k == 0)                   # b < 0: -b >= 32
        sign = a >> (W - 1)                     # a >> 32..63: 0 or -1
        shl = Signal(WORD)
        m.d.comb += shl.eq(Mux(negative, a, Mux(big, 0, (a << k)[:W])))
        up_k = (-k)[:_AMOUNT_BITS]              # -b when -32 < b < 0
        return {
            Opcode.SHL: shl,
            Opcode.SHR: Mux(negative, a, Mux(big, sign, a >> k)),
            Opcode.TSHR: Mux(negative, a, Mux(big, 0, Mux(a < 0, -(neg_a >> k), a >> k)[:W])),
            Opcode.ASH: Mux(~negative, shl, Mux(big_down, sign, a >> up_k)),
        }

    @staticmethod
    def _multiply(m: Module, a, ops, load, op) -> dict:
        """MULT (toward zero) and MULF (floor) over three cycles (see the
        module docstring): the 64-bit product of the registered operands,
        from four 16 x 16 partial products, >> the registered imm.shift."""
        ma, mb = Signal(WORD), Signal(WORD)
        shift = Signal.like(ops.imm.shift)
        trunc = Signal()                # MULT: round toward zero
        with m.If(load):
            m.d.sync += [ma.eq(a), mb.eq(ops.rb), shift.eq(ops.imm.shift),
                         trunc.eq(op == Opcode.MULT)]
        h = W // 2
        a_lo, a_hi = ma[:h], ma[h:].as_signed()
        b_lo, b_hi = mb[:h], mb[h:].as_signed()
        # second cycle: partial products (one MULT18X18D each), the two middle
        # ones summed; the outer two side by side, plus MULT's rounding bias
        # (2**shift - 1 when the product is negative: (p + bias) >> shift = trunc(p / 2**shift))
        outer = Signal(signed(2 * W))   # a_hi * b_hi << 32 | a_lo * b_lo, + bias
        middle = Signal(signed(W + 2))  # a_lo * b_hi + a_hi * b_lo
        negative = trunc & (ma[-1] ^ mb[-1])
        bias = Signal(2 * W)
        m.d.comb += bias.eq(Mux(negative, (Const(1, 2 * W + 1) << shift) - 1, 0))
        m.d.sync += [outer.eq(Cat(a_lo * b_lo, a_hi * b_hi).as_signed() + bias),
                     middle.eq(a_lo * b_hi + a_hi * b_lo)]
        # third cycle: the product (+ bias), shifted
        prod = Signal(signed(2 * W))
        m.d.comb += prod.eq(outer + (middle << h))
        result = Signal(WORD)
        m.d.comb += result.eq((prod >> shift)[:W])
        return {Opcode.MULT: result, Opcode.MULF: result}

    @staticmethod
    def _wrap_sat(m: Module, a, width) -> dict:
        """WRAP and SAT to `width` bits (1..32)."""
        half = Signal(signed(W + 3))    # 2**(width-1)
        m.d.comb += half.eq(Const(1, W + 2) << (width - 1)[:5])
        return {
            Opcode.WRAP: Mux(a > half, a - 2 * half, Mux(a <= -half, a + 2 * half, a))[:W],
            Opcode.SAT: Mux(a > half - 1, half - 1, Mux(a < 1 - half, 1 - half, a))[:W],
        }
