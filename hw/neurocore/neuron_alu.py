"""The neuron engine's ALU and multiplier.

`NeuronAlu` computes the register result of every arithmetic, logic,
compare, shift, wrap and saturate instruction (`ALU_OPS` less `MUL_OPS`)
from the operands of `neuron_operands.operand_layout`, in two pipelined
stages (`ALU_LATENCY`): the first registers the value of the opcode's family
(add / logic / ABS; shift; wrap / saturate: `a`, whether it crosses a bound
and what it gives then; compare and choose: the flags and the candidates),
the second chooses the family, and within it the compare's flag or
candidate, TSHR's rounding of a negative a toward zero, or WRAP / SAT's
bound; other opcodes give 0. Semantics (signed 32-bit, wrapped): see `kilauea.hw.isa` and docs/isa.md. Shift amounts are
clamped to 0..63 (`isa.SHIFT_MAX`); WRAP/SAT use `imm.width`, decoded by the
lane a stage before (`operands.half`), as are b's flags as a shift amount
(`operands.amount`).

`NeuronMultiplier` computes MULT and MULF (the 64-bit product of a and rb,
shifted right by `imm.shift`; MULT rounds toward zero, MULF down), fully
pipelined: the operands presented in cycle t (from registers: the
multipliers take them directly) give `product` in cycle
t + `isa.MUL_LATENCY` (4 registers: the four 16 x 16 partial products, one
18 x 18 multiplier each, and the rounding bias; the outer two plus the bias
and the middle two summed; the product; the shift), so a new multiply may
start every cycle.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..isa import Opcode
from ..params import ChipParams
from .neuron_operands import AMOUNT_BITS, WORD, operand_layout

__all__ = ["ALU_OPS", "MUL_OPS", "ALU_LATENCY", "NeuronAlu", "NeuronMultiplier"]

ALU_LATENCY = 2     # cycles from the operands to `NeuronAlu.result`

W = isa.WORD_BITS

#: the opcodes whose result the ALU or the multiplier computes
ALU_OPS = frozenset({
    Opcode.ADD, Opcode.SUB, Opcode.MULT, Opcode.MULF, Opcode.SHL, Opcode.SHR, Opcode.TSHR,
    Opcode.ASH, Opcode.CGT, Opcode.CGE, Opcode.CEQ, Opcode.ABS, Opcode.SEL, Opcode.MAX,
    Opcode.MIN, Opcode.AND, Opcode.OR, Opcode.XOR, Opcode.WRAP, Opcode.SAT,
})

#: the opcodes of the multiplier (`NeuronMultiplier`)
MUL_OPS = frozenset({Opcode.MULT, Opcode.MULF})


class _Family(enum.Enum, shape=2):
    """Which first-stage register holds an opcode's value."""
    SIMPLE = 0      # ADD, SUB, AND, OR, XOR, ABS
    CHOSEN = 1      # CGT, CGE, CEQ, MAX, MIN, SEL: a compare, then a choice
    SHIFTED = 2     # SHL, SHR, TSHR, ASH (TSHR of a negative a: negated in the second)
    WRAPSAT = 3     # WRAP, SAT


_FAMILY = {
    **dict.fromkeys((Opcode.ADD, Opcode.SUB, Opcode.AND, Opcode.OR, Opcode.XOR, Opcode.ABS),
                    _Family.SIMPLE),
    **dict.fromkeys((Opcode.CGT, Opcode.CGE, Opcode.CEQ, Opcode.MAX, Opcode.MIN, Opcode.SEL),
                    _Family.CHOSEN),
    **dict.fromkeys((Opcode.SHL, Opcode.SHR, Opcode.TSHR, Opcode.ASH), _Family.SHIFTED),
    **dict.fromkeys((Opcode.WRAP, Opcode.SAT), _Family.WRAPSAT),
}
assert set(_FAMILY) == ALU_OPS - MUL_OPS


class NeuronAlu(wiring.Component):
    """ALU, two pipelined stages (see the module docstring).

    op        In(Opcode)
    operands  In(operand_layout)   a, b = wrap32(R[rb] + imm), rb, rc_nz, imm, half, amount
    result    Out(signed 32)       the value for rd of the operands presented
                                   `ALU_LATENCY` cycles before (0 for opcodes
                                   outside ALU_OPS - MUL_OPS)
    """

    def __init__(self, params: ChipParams):
        super().__init__({
            "op": In(Opcode),
            "operands": In(operand_layout(params)),
            "result": Out(WORD),
        })

    def elaborate(self, platform):
        m = Module()
        ops = self.operands
        a, b = ops.a, ops.b
        neg_a = Signal(signed(W + 1))
        m.d.comb += neg_a.eq(-a)
        values = {**self._shifts(m, a, b, ops.amount)}
        values.update({
            Opcode.ADD: (a + b)[:W],
            Opcode.SUB: (a - b)[:W],
            Opcode.ABS: Mux(a < 0, neg_a, a)[:W],
            Opcode.AND: a & b,
            Opcode.OR: a | b,
            Opcode.XOR: a ^ b,
            Opcode.WRAP: a,             # WRAP / SAT: `a` unless a bound is crossed
            Opcode.SAT: a,
        })
        # first stage: one register per family, each the value of the op in
        # it (CHOSEN: the compare's flags and the two candidates)
        stage = {f: Signal(WORD, name=f"alu_{f.name.lower()}") for f in _Family
                 if f != _Family.CHOSEN}
        family = Signal(_Family)
        for fam, reg in stage.items():
            with m.Switch(self.op):
                for op, value in values.items():
                    if _FAMILY[op] == fam:
                        with m.Case(op):
                            m.d.sync += reg.eq(value)
                with m.Default():
                    m.d.sync += reg.eq(0)
        with m.Switch(self.op):
            for op, fam in _FAMILY.items():
                with m.Case(op):
                    m.d.sync += family.eq(fam)
            with m.Default():
                m.d.sync += family.eq(_Family.SIMPLE)
        chosen = self._compare_and_choose(m, self.op, ops)
        round_up = Signal()
        m.d.sync += round_up.eq(self._tshr_rounds(a, b, ops.amount) & (self.op == Opcode.TSHR))
        bounds = self._wrap_sat_bounds(m, a, ops.half, self.op == Opcode.WRAP)
        # second stage: the family's register (TSHR of a negative a rounded
        # up, WRAP / SAT's bound if one was crossed)
        shifted = (stage[_Family.SHIFTED] + round_up)[:W]
        bounded = Mux(bounds.above, bounds.above_value,
                      Mux(bounds.below, bounds.below_value, stage[_Family.WRAPSAT]))
        with m.Switch(family):
            with m.Case(_Family.SIMPLE):
                m.d.sync += self.result.eq(stage[_Family.SIMPLE])
            with m.Case(_Family.CHOSEN):
                m.d.sync += self.result.eq(chosen)
            with m.Case(_Family.SHIFTED):
                m.d.sync += self.result.eq(shifted)
            with m.Case(_Family.WRAPSAT):
                m.d.sync += self.result.eq(bounded)
        return m

    @staticmethod
    def _compare_and_choose(m: Module, op, ops):
        """CGT, CGE, CEQ, MAX, MIN, SEL: the first stage registers a > b,
        a == b and the two candidates (SEL's choice made: it needs no
        compare); the second gives the flag or the candidate they choose."""
        a, b = ops.a, ops.b
        x, y = Signal(WORD, name="ch_x"), Signal(WORD, name="ch_y")
        gt, eq, kind = Signal(name="ch_gt"), Signal(name="ch_eq"), Signal(Opcode, name="ch_op")
        m.d.sync += [x.eq(Mux(op == Opcode.SEL, Mux(ops.rc_nz, a, ops.rb), a)), y.eq(b),
                     gt.eq(a > b), eq.eq(a == b), kind.eq(op)]
        value = Signal(WORD)
        with m.Switch(kind):
            for code, v in ((Opcode.CGT, gt), (Opcode.CGE, gt | eq), (Opcode.CEQ, eq),
                            (Opcode.MAX, Mux(gt, x, y)), (Opcode.MIN, Mux(gt | eq, y, x)),
                            (Opcode.SEL, x)):
                with m.Case(code):
                    m.d.comb += value.eq(v)
        return value

    @staticmethod
    def _tshr_rounds(a, b, amount):
        """TSHR of a negative a by an amount k in 1..31: the shifter's
        a >> k rounds down, TSHR toward zero, so the second stage adds 1
        when a bit shifted out was set."""
        k = b[:AMOUNT_BITS]
        in_range = ~b[-1] & ~amount.big
        below_k = Cat(k > i for i in range(W))      # bit i: i < k (no adder)
        lost = (a & below_k) != 0
        return (a < 0) & in_range & lost

    @staticmethod
    def _shifts(m: Module, a, b, amount) -> dict:
        """SHL, SHR, TSHR (amount clamp(b, 0, 63)) and ASH (b in -63..63).

        The shifters take b's low 5 bits; b's sign and its `amount` flags
        (decoded a stage before, `neuron_operands.amount_flags`) only choose,
        at the end, between that shift, `a` (amount 0: b < 0), and what every
        amount of 32..63 gives (0, or the sign of `a` for arithmetic right
        shifts). TSHR shifts arithmetically here; `_tshr_rounds` corrects it
        toward zero."""
        k = b[:AMOUNT_BITS]                    # the amount when 0 <= b < 32
        negative = b[-1]
        big, big_down = amount.big, amount.big_down     # b >= 32; b < 0: -b >= 32
        sign = a >> (W - 1)                     # a >> 32..63: 0 or -1
        shl, down = Signal(WORD), Signal(WORD)
        m.d.comb += [shl.eq(Mux(negative, a, Mux(big, 0, (a << k)[:W]))), down.eq(a >> k)]
        # -32 < b < 0: a >> -b = (a >> 1) >> (31 - k), and 31 - k = ~k (no adder)
        up = (a >> 1) >> (~k)[:AMOUNT_BITS]
        return {
            Opcode.SHL: shl,
            Opcode.SHR: Mux(negative, a, Mux(big, sign, down)),
            Opcode.TSHR: Mux(negative, a, Mux(big, 0, down)),
            Opcode.ASH: Mux(~negative, shl, Mux(big_down, sign, up)),
        }

    @staticmethod
    def _wrap_sat_bounds(m: Module, a, bound, wrap) -> "_Bounds":
        """WRAP and SAT to `width` bits (1..32), first stage: whether `a`
        crosses the upper bound (WRAP: a > `bound` = 2**(width-1), SAT:
        a >= it) or the lower (a <= -bound), and the value each gives (WRAP:
        a -+ 2**width; SAT: the bound), registered for the second."""
        half = Signal(signed(W + 3))
        m.d.comb += half.eq(bound)
        r = _Bounds()
        m.d.sync += [
            r.above.eq(Mux(wrap, a > half, a >= half)),
            r.below.eq(a <= -half),
            r.above_value.eq(Mux(wrap, a - 2 * half, half - 1)[:W]),
            r.below_value.eq(Mux(wrap, a + 2 * half, 1 - half)[:W]),
        ]
        return r


class _Bounds:
    """WRAP / SAT's first-stage registers (see `NeuronAlu._wrap_sat_bounds`)."""

    def __init__(self):
        self.above, self.below = Signal(name="ws_above"), Signal(name="ws_below")
        self.above_value = Signal(WORD, name="ws_above_value")
        self.below_value = Signal(WORD, name="ws_below_value")


class NeuronMultiplier(wiring.Component):
    """MULT / MULF, pipelined (see the module docstring).

    a, b     In(signed 32)   the factors (ra's and rb's registers)
    shift    In(6)           imm.shift, 0..63
    trunc    In(1)           MULT: round toward zero (else MULF: floor)
    product  Out(signed 32)  wrap32(a * b >> shift), isa.MUL_LATENCY cycles later
    """

    def __init__(self):
        super().__init__({"a": In(WORD), "b": In(WORD), "shift": In(isa.SHIFT_MAX.bit_length()),
                          "trunc": In(1), "product": Out(WORD)})

    def elaborate(self, platform):
        m = Module()
        h = W // 2
        a, b = self.a, self.b
        # first register: the four 16 x 16 partial products (one MULT18X18D
        # each) and MULT's rounding bias, 2**shift - 1 when the product is
        # negative ((p + bias) >> shift = trunc(p / 2**shift))
        ll, hh = Signal(W), Signal(signed(W))
        lh, hl = Signal(signed(W + 1)), Signal(signed(W + 1))
        bias = Signal(2 * W)
        negative = self.trunc & (a[-1] ^ b[-1])
        m.d.sync += [ll.eq(a[:h] * b[:h]), hh.eq(a[h:].as_signed() * b[h:].as_signed()),
                     lh.eq(a[:h] * b[h:].as_signed()), hl.eq(a[h:].as_signed() * b[:h]),
                     bias.eq(Mux(negative, (Const(1, 2 * W + 1) << self.shift) - 1, 0))]
        # second: the outer two side by side plus the bias; the middle two summed
        outer = Signal(signed(2 * W))
        middle = Signal(signed(W + 2))
        m.d.sync += [outer.eq(Cat(ll, hh).as_signed() + bias), middle.eq(lh + hl)]
        # third: the product (+ bias); fourth: shifted
        prod = Signal(signed(2 * W))
        m.d.sync += prod.eq(outer + (middle << h))
        shifts = [Signal.like(self.shift, name=f"shift{i}") for i in (1, 2, 3)]
        m.d.sync += [shifts[0].eq(self.shift), shifts[1].eq(shifts[0]), shifts[2].eq(shifts[1])]
        m.d.sync += self.product.eq((prod >> shifts[2])[:W])
        return m
