"""The golden semantics of each neuron instruction, as numpy over a compartment vector.

`compile_program(words)` turns a straight-line program (the UCODE words from
a profile's entry to its `END`) into one `Step` per instruction: a function
of the register file and the execution context that does the instruction
for every compartment of a batch at once (a batch: all compartments of a
mesh that run this program, whatever their tile or profile). Decoding
happens once per distinct program (cached); a step then costs a few numpy
operations per instruction. Semantics follow `kilauea.hw.isa` and
`docs/isa.md` exactly:

- registers hold signed 32-bit values in int64 arrays; every result is
  wrapped to 32 bits, products are formed at 64 bits before their shift;
- operand B of the ALU, compare, shift and MOD instructions is
  wrap32(R[rb] + imm);
- memory indices are taken modulo the words (STATE 4, PARAM 4, PROFILE 16)
  and ACC's group modulo the core's groups;
- an undefined opcode is a NOP with one error per compartment.

The context (`Batch`, built by `kilauea.sim.golden.neuron`) gives the
gathers: `ctx.state` (flat int32 view of the STATE words, written by STS),
`ctx.sidx` (each compartment's first STATE word in it), `ctx.param_word(i)`
/ `ctx.const_word(i)` (PARAM / PROFILE word i of each compartment, int64),
`ctx.acc_read(g)` (read and clear accumulator group g), `ctx.step`,
`ctx.spike(fire, payload, full)` and `ctx.error(mask)`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ...hw import isa
from ...hw.isa import Opcode
from ...hw.fixed_point import PAYLOAD_BITS
from ...hw.neurocore import compartment_memory as ncm
from ...hw.words import to_s32, to_u32, unpack_array

__all__ = ["Step", "Program", "compile_program", "wrap32"]

_I32 = np.int32
_I64 = np.int64
_HALF_PAYLOAD = 1 << (PAYLOAD_BITS - 1)


def wrap32(x: np.ndarray) -> np.ndarray:
    """int64 array -> its low 32 bits as signed values (int64): `to_s32` for
    arrays, by a round trip through int32 (numpy's integer casts wrap)."""
    return x.astype(_I32).astype(_I64)


def _shl(x: np.ndarray, n) -> np.ndarray:
    """Low 32 bits of x << n (n in 0..63), signed."""
    return wrap32((x.astype(np.uint64) << np.asarray(n).astype(np.uint64)).view(_I64))


def _tshr(x: np.ndarray, n) -> np.ndarray:
    """trunc_shr(x, n): sign(x) * (|x| >> n)."""
    return np.sign(x) * (np.abs(x) >> n)


def _shl_const(x: np.ndarray, n: int) -> np.ndarray:
    """_shl by a constant n in 0..63: the bits that stay in the low 32, shifted."""
    if n >= 32:
        return np.zeros_like(x)
    return wrap32((x & ((1 << (32 - n)) - 1)) << n)


def _ash(A, B):
    s = np.minimum(np.maximum(B, -isa.SHIFT_MAX), isa.SHIFT_MAX)
    left = s >= 0
    if left.all():
        return _shl(A, s)
    return np.where(left, _shl(A, np.maximum(s, 0)), A >> np.maximum(-s, 0))


def _mod(A, B):
    """MOD: A mod B floored; B = 0 gives 0 (the caller counts an error)."""
    zero = B == 0
    return np.where(zero, 0, np.mod(A, np.where(zero, 1, B)))


def _clip_shift(B):
    return np.minimum(np.maximum(B, 0), isa.SHIFT_MAX)


#: shifts by a constant B (rb = r0): B clamped once, when compiled
_CONST_SHIFT: dict[Opcode, Callable] = {
    Opcode.SHL: _shl_const,
    Opcode.SHR: lambda A, n: A >> n,
    Opcode.TSHR: lambda A, n: _tshr(A, n),
}


#: ALU operations on (A = R[ra], B = wrap32(R[rb] + imm)) -> int64 result
_BINARY: dict[Opcode, Callable] = {
    Opcode.ADD: lambda A, B: wrap32(A + B),
    Opcode.SUB: lambda A, B: wrap32(A - B),
    Opcode.SHL: lambda A, B: _shl(A, _clip_shift(B)),
    Opcode.SHR: lambda A, B: A >> _clip_shift(B),
    Opcode.TSHR: lambda A, B: _tshr(A, _clip_shift(B)),
    Opcode.ASH: _ash,
    Opcode.CGT: lambda A, B: (A > B).astype(_I64),
    Opcode.CGE: lambda A, B: (A >= B).astype(_I64),
    Opcode.CEQ: lambda A, B: (A == B).astype(_I64),
    Opcode.MAX: lambda A, B: np.maximum(A, B),
    Opcode.MIN: lambda A, B: np.minimum(A, B),
    Opcode.AND: lambda A, B: np.bitwise_and(A, B),
    Opcode.OR: lambda A, B: np.bitwise_or(A, B),
    Opcode.XOR: lambda A, B: np.bitwise_xor(A, B),
}

_DEFINED = {op.value for op in Opcode}


@dataclass(frozen=True)
class Instr:
    """One decoded instruction word (fields of `isa.Instruction`)."""
    op: int
    rd: int
    ra: int
    rb: int
    rc: int
    imm: int


#: Step(R, ctx) does one instruction over a batch: R is the register file
#: (list of N_REGS int64 arrays, R[0] all zero), ctx the batch's `Batch`.
Step = Callable[[list, object], None]


@dataclass(frozen=True)
class Program:
    """A compiled straight-line program.

    steps: one function per executed instruction (END excluded).
    length: instructions executed per compartment (END included).
    static_errors: error pulses per compartment that do not depend on data
        (undefined opcodes, running past the last UCODE word without END).
    """
    steps: tuple
    length: int
    static_errors: int


def _operand_b(ins: Instr) -> Callable[[list], object]:
    """B = wrap32(R[rb] + imm) as a function of R (a scalar when rb = r0)."""
    rb, imm = ins.rb, ins.imm
    if rb == 0:
        b = _I64(int(to_s32(imm)))
        return lambda R: b
    if imm == 0:
        return lambda R: R[rb]
    return lambda R: wrap32(R[rb] + imm)


def _write(rd: int, f: Callable[[list, object], np.ndarray]) -> Step:
    """A step that writes f's result to rd (dropped for r0, as in the RTL;
    f still runs for its side effects)."""
    if rd == 0:
        def step(R, ctx):
            f(R, ctx)
    else:
        def step(R, ctx):
            R[rd] = f(R, ctx)
    return step


def _alu(ins: Instr, o: Opcode) -> Step:
    ra, rd = ins.ra, ins.rd
    B = _operand_b(ins)
    if o in _CONST_SHIFT and ins.rb == 0:
        fn, n = _CONST_SHIFT[o], min(max(int(to_s32(ins.imm)), 0), isa.SHIFT_MAX)
        return _write(rd, lambda R, ctx: fn(R[ra], n))
    if o in _BINARY:
        fn = _BINARY[o]
        return _write(rd, lambda R, ctx: fn(R[ra], B(R)))

    def mod(R, ctx):                   # MOD by zero: result 0 and an error
        b = np.broadcast_to(B(R), R[ra].shape)
        ctx.error(b == 0)
        return _mod(R[ra], b)
    return _write(rd, mod)


def _memory(ins: Instr, o: Opcode) -> Step:
    ra, rd, imm = ins.ra, ins.rd, ins.imm
    if o == Opcode.LDS:
        i = imm % ncm.STATE_WORDS
        return _write(rd, lambda R, ctx: ctx.state[ctx.sidx + i].astype(_I64))
    if o == Opcode.STS:
        i = imm % ncm.STATE_WORDS

        def sts(R, ctx):
            ctx.state[ctx.sidx + i] = R[ra]
        return sts
    if o == Opcode.LDP:
        i = imm % ncm.PARAM_WORDS
        return _write(rd, lambda R, ctx: ctx.param_word(i))
    if o == Opcode.LDC:
        i = imm % ncm.PROFILE_WORDS
        return _write(rd, lambda R, ctx: ctx.const_word(i))
    if o == Opcode.LDT:
        return _write(rd, lambda R, ctx: np.full(ctx.k, ctx.step, dtype=_I64))
    assert o == Opcode.ACC, o
    return _write(rd, lambda R, ctx: ctx.acc_read(imm))


def _wrap_sat(ins: Instr, o: Opcode) -> Step:
    """WRAP / SAT with h = 2**((w - 1) mod 32), w = the immediate's low 6 bits."""
    ra = ins.ra
    h = _I64(1 << (((ins.imm & 63) - 1) & 31))
    if o == Opcode.SAT:
        return _write(ins.rd, lambda R, ctx: np.clip(R[ra], -(h - 1), h - 1))

    def wrap(R, ctx):
        A = R[ra]
        return np.where(A > h, A - 2 * h, np.where(A <= -h, A + 2 * h, A))
    if h == 1 << 31:                    # only then can a result leave 32 bits
        return _write(ins.rd, lambda R, ctx: wrap32(wrap(R, ctx)))
    return _write(ins.rd, wrap)


def _spike(ins: Instr) -> Step:
    ra, rc, imm = ins.ra, ins.rc, ins.imm

    def spk(R, ctx):
        fire = R[rc] != 0
        if fire.any():
            full = R[ra][fire] + imm
            low = full + _HALF_PAYLOAD                  # wrap to 24 bits, signed
            ctx.spike(fire, (low & (2 * _HALF_PAYLOAD - 1)) - _HALF_PAYLOAD,
                      (low < 0) | (low >= 2 * _HALF_PAYLOAD))
        ctx.seq += 1
    return spk


def _other(ins: Instr, o: Opcode) -> Step:
    ra, rb, rc, k = ins.ra, ins.rb, ins.rc, _I64(ins.imm & 63)
    if o == Opcode.MULT:
        return _write(ins.rd, lambda R, ctx: wrap32(_tshr(R[ra] * R[rb], k)))
    if o == Opcode.MULF:
        return _write(ins.rd, lambda R, ctx: wrap32((R[ra] * R[rb]) >> k))
    if o == Opcode.SEL:
        return _write(ins.rd, lambda R, ctx: np.where(R[rc] != 0, R[ra], R[rb]))
    if o == Opcode.ABS:
        return _write(ins.rd, lambda R, ctx: wrap32(np.abs(R[ra])))
    if o in (Opcode.WRAP, Opcode.SAT):
        return _wrap_sat(ins, o)
    if o == Opcode.SPK:
        return _spike(ins)
    assert o == Opcode.NOP, o
    return lambda R, ctx: None


def _compile(ins: Instr) -> Step:
    o = Opcode(ins.op)
    if o in _BINARY or o == Opcode.MOD:
        return _alu(ins, o)
    if o in (Opcode.LDS, Opcode.STS, Opcode.LDP, Opcode.LDC, Opcode.LDT, Opcode.ACC):
        return _memory(ins, o)
    return _other(ins, o)


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
    """Compile the straight-line `words` (from `program_words`); `ends`: the
    last word is the program's END (else the program ran into the last UCODE
    word, which executes and then ends the program with an error)."""
    ins = decode(np.array(words, dtype=np.int64))
    body = ins[:-1] if ends else ins
    steps, errors = [], 0 if ends else 1
    for i in body:
        if i.op in _DEFINED:
            steps.append(_compile(i))
        else:
            errors += 1                 # undefined: a NOP with an error
    return Program(tuple(steps), len(ins), errors)
