"""The golden semantics of each neuron instruction, as numpy expressions with value bounds.

A straight-line program (the UCODE words from a profile's entry to its
`END`) is decoded once (`compile_program`, cached) and turned by
`kilauea.sim.golden.codegen` into one generated Python function over the
compartment vector of a batch. This module says what each ALU instruction
computes: `expr(op, ins, a, b, c)` gives a Python expression over its
operands (written ``{a}``, ``{b}``, ``{c}``: int64 arrays of signed 32-bit
values, or literal ints) and the bounds of its result. Semantics follow
`kilauea.hw.isa` and `docs/isa.md` exactly:

- registers hold signed 32-bit values (int64 arrays); every result is
  wrapped to 32 bits, products are formed at 64 bits before their shift.
  The wrap (`_w32`) is written only where the operands' bounds let the
  result leave 32 bits: a value already inside them wraps to itself;
- operand B of the ALU, compare, shift and MOD instructions is
  wrap32(R[rb] + imm) (the generator forms it);
- truncating shifts (TSHR, MULT's product >> k) whose operand's bounds
  stay below 2**53 are taken as ``trunc(x * 2**-k)`` in float64, exact
  there (`_ftrunc`), else as sign(x) * (|x| >> k);
- shifts by an operand B known when the program is generated (an
  immediate, or a profile / parameter word that is the same for the whole
  batch) are specialised to that amount, clamped as the RTL clamps it;
- compares give booleans (`Expr.boolean`): SEL and SPK take them as they
  are, any other use converts them to 0/1.

MOD (it counts an error on B = 0) and the memory, LDT, SPK instructions
are the generator's: they are not pure functions of the operands.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ...hw import isa
from ...hw.isa import Opcode
from ...hw.fixed_point import PAYLOAD_BITS
from ...hw.words import to_u32, unpack_array

__all__ = ["Expr", "Operand", "expr", "PURE", "NAMESPACE", "Instr", "Program", "compile_program",
           "program_words", "decode", "LO32", "HI32", "wrap32", "fit", "spike_payload"]

_I32 = np.int32
_I64 = np.int64
LO32, HI32 = -(1 << 31), (1 << 31) - 1
_HALF_PAYLOAD = 1 << (PAYLOAD_BITS - 1)
_EXACT_F64 = 1 << 53            # integers below this are exact in float64


def wrap32(x: np.ndarray) -> np.ndarray:
    """int64 array -> its low 32 bits as signed values (int64), by a round
    trip through int32 (numpy's integer casts wrap)."""
    return x.astype(_I32).astype(_I64)


def _shl(x: np.ndarray, n) -> np.ndarray:
    """Low 32 bits of x << n (n in 0..63, array or int), signed."""
    x = np.asarray(x, dtype=_I64)
    return wrap32((x.astype(np.uint64) << np.asarray(n).astype(np.uint64)).view(_I64))


def _shl_const(x: np.ndarray, n: int) -> np.ndarray:
    """_shl by a constant n in 1..31: the bits that stay in the low 32, shifted."""
    return wrap32((x & ((1 << (32 - n)) - 1)) << n)


def _tshr(x: np.ndarray, n) -> np.ndarray:
    """trunc_shr(x, n): sign(x) * (|x| >> n)."""
    return np.sign(x) * (np.abs(x) >> n)


def _ftrunc(x: np.ndarray, scale: float) -> np.ndarray:
    """trunc(x * scale) for a dyadic scale (c * 2**-n) where every |x * c| is
    below 2**53: the float64 product is then exact, and so is its trunc."""
    return np.trunc(x * scale).astype(_I64)


def _clip_shift(b: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(b, 0), isa.SHIFT_MAX)


def _ash(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    s = np.minimum(np.maximum(b, -isa.SHIFT_MAX), isa.SHIFT_MAX)
    left = s >= 0
    if left.all():
        return _shl(a, s)
    return np.where(left, _shl(a, np.maximum(s, 0)), a >> np.maximum(-s, 0))


def _wrapw(a: np.ndarray, h: int) -> np.ndarray:
    """WRAP with half-range h: a - 2h above h, a + 2h at or below -h (a
    itself when every value is inside, the common case: two reductions)."""
    if a.max() <= h and a.min() > -h:
        return a
    return np.where(a > h, a - 2 * h, np.where(a <= -h, a + 2 * h, a))


def _mod_e(ctx, a, b) -> np.ndarray:
    """MOD: a mod b floored; b = 0 gives 0 and one error per compartment."""
    b = np.broadcast_to(b, (ctx.k,))
    a = np.broadcast_to(a, (ctx.k,))
    zero = b == 0
    ctx.error(zero)
    return np.where(zero, 0, np.mod(a, np.where(zero, 1, b)))


def _spike(ctx, seq: int, c, a, imm: int) -> None:
    """SPK number `seq` of the program: where c != 0, a spike with payload
    the low 24 bits of a + imm (an error where that does not fit)."""
    if type(c) is not np.ndarray:           # a literal: fires everywhere (0 is never generated)
        c = np.ones(ctx.k, bool)
    fire = c if c.dtype == bool else c != 0
    if fire.any():
        full = (a[fire] if type(a) is np.ndarray else np.full(np.count_nonzero(fire), a)) + imm
        low = full + _HALF_PAYLOAD                  # wrap to 24 bits, signed
        ctx.spike(fire, seq, (low & (2 * _HALF_PAYLOAD - 1)) - _HALF_PAYLOAD,
                  (low < 0) | (low >= 2 * _HALF_PAYLOAD))


def _spike_k(ctx, seq: int, c, payload: int, bad: bool) -> None:
    """`_spike` with a payload known when the program is generated: its
    24-bit value `payload` and whether it did not fit (`bad`)."""
    if type(c) is not np.ndarray:
        c = np.ones(ctx.k, bool)
    fire = c if c.dtype == bool else c != 0
    idx = np.flatnonzero(fire)
    if len(idx):
        ctx.spikes.append((idx, seq, np.full(len(idx), payload, dtype=_I64)))
        if bad:
            ctx.error(fire)


def spike_payload(full: int) -> tuple[int, bool]:
    """The low 24 bits of a payload, signed, and whether it did not fit."""
    low = full + _HALF_PAYLOAD
    return (low & (2 * _HALF_PAYLOAD - 1)) - _HALF_PAYLOAD, not 0 <= low < 2 * _HALF_PAYLOAD


#: the names the generated code and its expressions use
NAMESPACE = {"np": np, "_I64": _I64, "_w32": wrap32, "_shl": _shl, "_shl_const": _shl_const,
             "_tshr": _tshr, "_ftrunc": _ftrunc, "_clip_shift": _clip_shift, "_ash": _ash,
             "_wrapw": _wrapw, "_mod_e": _mod_e, "_spike": _spike, "_spike_k": _spike_k}


@dataclass(frozen=True)
class Operand:
    """What the generator knows of an operand: bounds, whether it is a
    boolean (a compare's result) and its value when it is the same for
    every compartment (None otherwise)."""
    lo: int
    hi: int
    boolean: bool = False
    scalar: int | None = None


@dataclass(frozen=True)
class Expr:
    """An instruction's result: a Python expression over ``{a}`` / ``{b}`` /
    ``{c}`` and the bounds of its values."""
    text: str
    lo: int
    hi: int
    boolean: bool = False


def fit(text: str, lo: int, hi: int) -> Expr:
    """The 32-bit wrap of `text`, written only if its bounds leave 32 bits."""
    if LO32 <= lo and hi <= HI32:
        return Expr(text, lo, hi)
    return Expr(f"_w32({text})", LO32, HI32)


def _trunc(x: int, n: int) -> int:
    return -((-x) >> n) if x < 0 else x >> n


def _shift_left(a: Operand, n: int) -> Expr:
    if n == 0:
        return Expr("{a}", a.lo, a.hi)
    if n >= 32:
        return Expr("({a} & 0)", 0, 0)
    if LO32 <= a.lo << n and a.hi << n <= HI32:
        return Expr(f"({{a}} << {n})", a.lo << n, a.hi << n)
    return Expr(f"_shl_const({{a}}, {n})", LO32, HI32)


def _shift_right(a: Operand, n: int, trunc: bool) -> Expr:
    if n == 0:
        return Expr("{a}", a.lo, a.hi)
    if trunc and a.lo < 0:
        if max(-a.lo, a.hi) < _EXACT_F64:
            return Expr(f"_ftrunc({{a}}, {2.0 ** -n!r})", _trunc(a.lo, n), _trunc(a.hi, n))
        return Expr(f"_tshr({{a}}, {n})", _trunc(a.lo, n), _trunc(a.hi, n))
    return Expr(f"({{a}} >> {n})", a.lo >> n, a.hi >> n)


def _shift(o: Opcode, a: Operand, b: Operand) -> Expr:
    if b.scalar is not None:
        s = b.scalar
        if o is Opcode.ASH:
            s = min(max(s, -isa.SHIFT_MAX), isa.SHIFT_MAX)
            return _shift_left(a, s) if s >= 0 else _shift_right(a, -s, False)
        s = min(max(s, 0), isa.SHIFT_MAX)
        return _shift_left(a, s) if o is Opcode.SHL else _shift_right(a, s, o is Opcode.TSHR)
    span = (min(a.lo, 0), max(a.hi, 0))
    return {Opcode.SHL: Expr("_shl({a}, _clip_shift({b}))", LO32, HI32),
            Opcode.SHR: Expr("({a} >> _clip_shift({b}))", *span),
            Opcode.TSHR: Expr("_tshr({a}, _clip_shift({b}))", *span),
            Opcode.ASH: Expr("_ash({a}, {b})", LO32, HI32)}[o]


def _product(o: Opcode, ins, a: Operand, b: Operand) -> Expr:
    k = ins.imm & 63
    ends = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    lo, hi = min(ends), max(ends)
    if k == 0:
        return fit("({a} * {b})", lo, hi)
    if o is Opcode.MULF:
        return fit(f"(({{a}} * {{b}}) >> {k})", lo >> k, hi >> k)
    if max(-lo, hi) < _EXACT_F64:                   # trunc(a * b / 2**k) exact in float64
        if b.scalar is not None:
            return fit(f"_ftrunc({{a}}, {b.scalar * 2.0 ** -k!r})", _trunc(lo, k), _trunc(hi, k))
        return fit(f"_ftrunc({{a}} * {{b}}, {2.0 ** -k!r})", _trunc(lo, k), _trunc(hi, k))
    return fit(f"_tshr({{a}} * {{b}}, {k})", _trunc(lo, k), _trunc(hi, k))


def _bitwise(o: Opcode, a: Operand, b: Operand) -> Expr:
    sym = {Opcode.AND: "&", Opcode.OR: "|", Opcode.XOR: "^"}[o]
    if a.lo >= 0 and b.lo >= 0:
        hi = min(a.hi, b.hi) if o is Opcode.AND else (1 << max(a.hi, b.hi).bit_length()) - 1
        return Expr(f"({{a}} {sym} {{b}})", 0, hi)
    return Expr(f"({{a}} {sym} {{b}})", LO32, HI32)


def _wrap_sat(o: Opcode, ins, a: Operand) -> Expr:
    """WRAP / SAT with h = 2**((w - 1) mod 32), w = the immediate's low 6 bits."""
    h = 1 << (((ins.imm & 63) - 1) & 31)
    if o is Opcode.SAT:
        m = h - 1
        lo, hi = min(max(a.lo, -m), m), max(min(a.hi, m), -m)
        text = "{a}"
        if a.hi > m:
            text = f"np.minimum({text}, {m})"
        if a.lo < -m:
            text = f"np.maximum({text}, {-m})"
        return Expr(text, lo, hi)
    if -h < a.lo and a.hi <= h:
        return Expr("{a}", a.lo, a.hi)
    parts = [(max(a.lo, -h + 1), min(a.hi, h))]
    if a.hi > h:
        parts.append((max(a.lo, h + 1) - 2 * h, a.hi - 2 * h))
    if a.lo <= -h:
        parts.append((a.lo + 2 * h, min(a.hi, -h) + 2 * h))
    parts = [p for p in parts if p[0] <= p[1]]
    return fit(f"_wrapw({{a}}, {h})", min(p[0] for p in parts), max(p[1] for p in parts))


def _abs(a: Operand) -> Expr:
    if a.lo >= 0:
        return Expr("{a}", a.lo, a.hi)
    lo, hi = (-a.hi, -a.lo) if a.hi <= 0 else (0, max(-a.lo, a.hi))
    return fit("np.abs({a})", lo, hi)


_COMPARE = {Opcode.CGT: ">", Opcode.CGE: ">=", Opcode.CEQ: "=="}

#: opcodes whose result is a pure function of the operands (foldable)
PURE = frozenset({Opcode.ADD, Opcode.SUB, Opcode.MULT, Opcode.MULF, Opcode.SHL, Opcode.SHR,
                  Opcode.TSHR, Opcode.ASH, Opcode.CGT, Opcode.CGE, Opcode.CEQ, Opcode.ABS,
                  Opcode.SEL, Opcode.MAX, Opcode.MIN, Opcode.AND, Opcode.OR, Opcode.XOR,
                  Opcode.WRAP, Opcode.SAT})


def expr(o: Opcode, ins, a: Operand, b: Operand, c: Operand) -> Expr:
    """What ALU instruction `ins` (opcode o, in PURE) computes from A = R[ra],
    B (operand B, or R[rb] for MULT / MULF / SEL) and C = R[rc] (SEL).
    A and B are never booleans; C may be."""
    if o is Opcode.ADD:
        return fit("({a} + {b})", a.lo + b.lo, a.hi + b.hi)
    if o is Opcode.SUB:
        return fit("({a} - {b})", a.lo - b.hi, a.hi - b.lo)
    if o in (Opcode.MULT, Opcode.MULF):
        return _product(o, ins, a, b)
    if o in (Opcode.SHL, Opcode.SHR, Opcode.TSHR, Opcode.ASH):
        return _shift(o, a, b)
    if o in _COMPARE:
        return Expr(f"({{a}} {_COMPARE[o]} {{b}})", 0, 1, boolean=True)
    if o is Opcode.MAX:
        return Expr("np.maximum({a}, {b})", max(a.lo, b.lo), max(a.hi, b.hi))
    if o is Opcode.MIN:
        return Expr("np.minimum({a}, {b})", min(a.lo, b.lo), min(a.hi, b.hi))
    if o in (Opcode.AND, Opcode.OR, Opcode.XOR):
        return _bitwise(o, a, b)
    if o is Opcode.ABS:
        return _abs(a)
    if o is Opcode.SEL:
        cond = "{c}" if c.boolean else "({c} != 0)"
        return Expr(f"np.where({cond}, {{a}}, {{b}})", min(a.lo, b.lo), max(a.hi, b.hi))
    assert o in (Opcode.WRAP, Opcode.SAT), o
    return _wrap_sat(o, ins, a)


@dataclass(frozen=True)
class Instr:
    """One decoded instruction word (fields of `isa.Instruction`)."""
    op: int
    rd: int
    ra: int
    rb: int
    rc: int
    imm: int


_DEFINED = {op.value for op in Opcode}


@dataclass(frozen=True)
class Program:
    """A decoded straight-line program.

    body: the instructions executed before END (undefined opcodes left out).
    length: instructions executed per compartment (END included).
    static_errors: error pulses per compartment that do not depend on data
        (undefined opcodes, running past the last UCODE word without END).
    """
    body: tuple
    length: int
    static_errors: int


def decode(words: np.ndarray) -> list[Instr]:
    """UCODE words (any integer dtype) -> their fields."""
    f = unpack_array(isa.Instruction, to_u32(np.asarray(words, dtype=np.int64)))
    cols = [f[k].tolist() for k in ("op", "rd", "ra", "rb", "rc", "imm")]
    return [Instr(*c) for c in zip(*cols)]


def program_words(ucode: np.ndarray, entry: int) -> tuple[int, ...]:
    """The words a compartment entering at `entry` runs: up to and including
    the first END, or to the last UCODE word. `entry` < len(ucode)."""
    ops = ucode[entry:] & ((1 << isa.OP_BITS) - 1)
    ends = np.flatnonzero(ops == Opcode.END.value)
    stop = entry + (int(ends[0]) + 1 if ends.size else len(ops))
    return tuple(int(w) for w in ucode[entry:stop])


@functools.lru_cache(maxsize=256)
def compile_program(words: tuple[int, ...], ends: bool) -> Program:
    """Decode the straight-line `words` (from `program_words`); `ends`: the
    last word is the program's END (else the program ran into the last UCODE
    word, which executes and then ends the program with an error)."""
    ins = decode(np.array(words, dtype=np.int64))
    body = ins[:-1] if ends else ins
    defined = tuple(i for i in body if i.op in _DEFINED)
    errors = (0 if ends else 1) + len(body) - len(defined)
    return Program(defined, len(ins), errors)
