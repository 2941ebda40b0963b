"""The neuron microcode instruction set, defined once.

Every user of the ISA imports this module: the neuron engine RTL (through
`Opcode` and the `Instruction` layout), the assembler and disassembler (below),
the golden interpreter (`kilauea.sim.golden.neuron`), the neuron program
builder (`kilauea.neurons`) and the tests. `docs/isa.md` is the
human-readable version.

Machine model
-------------
Eight 32-bit two's-complement registers r0..r7; r0 always reads 0 (writes to
it are dropped). A program runs once per compartment per step, straight-line
from its profile's entry address to `END` (no branches: conditions are 0/1
values combined with `SEL` and predicated `SPK`). Every result is wrapped to
32 bits.

Instruction word (32 bits, LSB first)::

    [5:0]    op    Opcode
    [8:6]    rd    destination register
    [11:9]   ra    source register A
    [14:12]  rb    source register B
    [17:15]  rc    condition register (SEL, SPK)
    [31:18]  imm   14-bit signed immediate (-8192..8191)

Operand B of the arithmetic, logic, compare, shift and MOD instructions is
``B = wrap32(R[rb] + imm)``: with rb = r0 it is the immediate alone, with
imm = 0 the register alone. `MULT`/`MULF` use imm as the shift amount,
`WRAP`/`SAT` as the width, the memory instructions as the word index and
`ACC` as the accumulator group.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from amaranth.hdl import signed, unsigned
from amaranth.lib import data, enum

from .words import pack, to_u32, unpack

__all__ = [
    "WORD_BITS", "OP_BITS", "REG_BITS", "IMM_BITS", "N_REGS", "IMM_MIN", "IMM_MAX",
    "Opcode", "Instruction", "OPINFO", "OpInfo", "Instr",
    "encode", "decode", "assemble", "disassemble", "AsmError",
    "REGISTERS", "MOD_TURNS", "SHIFT_MAX", "LANE_SLOTS", "MUL_LATENCY",
]

WORD_BITS = 32
OP_BITS = 6
REG_BITS = 3
IMM_BITS = 14
N_REGS = 1 << REG_BITS
IMM_MIN = -(1 << (IMM_BITS - 1))
IMM_MAX = (1 << (IMM_BITS - 1)) - 1
SHIFT_MAX = 63          # shift amounts are clamped to 0..63 (ASH: -63..63)
LANE_SLOTS = 8          # slots of a neuron-engine lane; each has a turn every LANE_SLOTS cycles
MUL_LATENCY = 4         # MULT / MULF in the lane's multiplier: operands to product, in cycles
MOD_TURNS = 5           # MOD, worst case: the divider's answer (35 cycles for a 32-bit |ra|)
                        # is taken in the instruction's 5th turn
REGISTERS = tuple(f"r{i}" for i in range(N_REGS))


class Opcode(enum.Enum, shape=OP_BITS):
    """Opcodes. Values not listed are undefined: the engine pulses `error`
    and treats the word as a NOP."""
    END = 0     # end of this compartment's program
    NOP = 1
    LDS = 2     # rd = STATE[c][imm]
    STS = 3     # STATE[c][imm] = ra
    LDP = 4     # rd = PARAM[c][imm]
    LDC = 5     # rd = PROFILE[p][imm]
    LDT = 6     # rd = time step
    ACC = 7     # rd = read-and-clear accumulator (this step's slot, group imm, c)
    ADD = 8     # rd = ra + B
    SUB = 9     # rd = ra - B
    MULT = 10   # rd = trunc_shr(ra * rb, imm)  (64-bit product, toward zero)
    MULF = 11   # rd = shr(ra * rb, imm)        (64-bit product, floor)
    SHL = 12    # rd = ra << clamp(B, 0, 63)
    SHR = 13    # rd = shr(ra, clamp(B, 0, 63))        (floor)
    TSHR = 14   # rd = trunc_shr(ra, clamp(B, 0, 63))  (toward zero)
    ASH = 15    # rd = ra << B if B >= 0 else shr(ra, -B)  (B clamped to -63..63)
    CGT = 16    # rd = ra > B
    CGE = 17    # rd = ra >= B
    CEQ = 18    # rd = ra == B
    ABS = 19    # rd = |ra|
    SEL = 20    # rd = ra if rc != 0 else rb
    MAX = 21    # rd = max(ra, B)
    MIN = 22    # rd = min(ra, B)
    AND = 23    # rd = ra & B
    OR = 24     # rd = ra | B
    XOR = 25    # rd = ra ^ B
    WRAP = 26   # rd = ra - 2**imm if ra > 2**(imm-1); ra + 2**imm if ra <= -2**(imm-1)
    SAT = 27    # rd = clip(ra, -(2**(imm-1) - 1), 2**(imm-1) - 1)
    MOD = 28    # rd = ra mod B (floored, sign of B); B == 0: rd = 0 and error
    SPK = 29    # if rc != 0: emit spike, payload = low 24 bits of (ra + imm); error if it does not fit


Instruction = data.StructLayout({
    "op": Opcode,
    "rd": unsigned(REG_BITS),
    "ra": unsigned(REG_BITS),
    "rb": unsigned(REG_BITS),
    "rc": unsigned(REG_BITS),
    "imm": signed(IMM_BITS),
})
assert Instruction.size == WORD_BITS

@dataclass(frozen=True)
class OpInfo:
    """Assembly syntax of one opcode: the operand fields in written order
    (`imm` may be omitted in source when it is 0 and optional) and the turns
    of its lane slot it takes when nothing else waits (MOD: its worst case;
    see docs/isa.md)."""
    operands: tuple[str, ...]
    turns: int
    writes_rd: bool
    imm_optional: bool = False
    imm_kind: str = "operand"   # operand | shift | width | state | param | profile | group | payload


OPINFO: dict[Opcode, OpInfo] = {
    Opcode.END: OpInfo((), 1, False),
    Opcode.NOP: OpInfo((), 1, False),
    Opcode.LDS: OpInfo(("rd", "imm"), 1, True, imm_kind="state"),
    Opcode.STS: OpInfo(("ra", "imm"), 1, False, imm_kind="state"),
    Opcode.LDP: OpInfo(("rd", "imm"), 1, True, imm_kind="param"),
    Opcode.LDC: OpInfo(("rd", "imm"), 1, True, imm_kind="profile"),
    Opcode.LDT: OpInfo(("rd",), 1, True),
    Opcode.ACC: OpInfo(("rd", "imm"), 1, True, imm_kind="group"),
    Opcode.ADD: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.SUB: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.MULT: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True, "shift"),
    Opcode.MULF: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True, "shift"),
    Opcode.SHL: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.SHR: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.TSHR: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.ASH: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.CGT: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.CGE: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.CEQ: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.ABS: OpInfo(("rd", "ra"), 1, True),
    Opcode.SEL: OpInfo(("rd", "rc", "ra", "rb"), 1, True),
    Opcode.MAX: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.MIN: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.AND: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.OR: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.XOR: OpInfo(("rd", "ra", "rb", "imm"), 1, True, True),
    Opcode.WRAP: OpInfo(("rd", "ra", "imm"), 1, True, imm_kind="width"),
    Opcode.SAT: OpInfo(("rd", "ra", "imm"), 1, True, imm_kind="width"),
    Opcode.MOD: OpInfo(("rd", "ra", "rb", "imm"), MOD_TURNS, True, True),
    Opcode.SPK: OpInfo(("rc", "ra", "imm"), 1, False, True, "payload"),
}
assert set(OPINFO) == set(Opcode)


class AsmError(ValueError):
    """A source line or instruction that cannot be encoded."""


@dataclass(frozen=True)
class Instr:
    """One decoded instruction (fields as plain ints; `op` an `Opcode`)."""
    op: Opcode
    rd: int = 0
    ra: int = 0
    rb: int = 0
    rc: int = 0
    imm: int = 0

    def __str__(self) -> str:
        return disassemble_one(self)


assert tuple(f.name for f in fields(Instr)) == tuple(name for name, _ in Instruction), \
    "Instr and Instruction disagree"


def _check_imm(op: Opcode, imm: int) -> None:
    kind = OPINFO[op].imm_kind
    if not IMM_MIN <= imm <= IMM_MAX:
        raise AsmError(f"{op.name}: immediate {imm} outside {IMM_MIN}..{IMM_MAX}")
    if kind == "width" and not 1 <= imm <= 32:
        raise AsmError(f"{op.name}: width {imm} outside 1..32")
    if kind == "shift" and not 0 <= imm <= SHIFT_MAX:
        raise AsmError(f"{op.name}: shift {imm} outside 0..{SHIFT_MAX}")
    if kind in ("state", "param", "profile", "group") and imm < 0:
        raise AsmError(f"{op.name}: {kind} index {imm} is negative")


def encode(ins: Instr) -> int:
    """Encode one instruction into its 32-bit word (unsigned int)."""
    op = Opcode(ins.op)
    for name in ("rd", "ra", "rb", "rc"):
        v = getattr(ins, name)
        if not 0 <= v < N_REGS:
            raise AsmError(f"{op.name}: register {name}=r{v} outside r0..r{N_REGS - 1}")
    _check_imm(op, ins.imm)
    return pack(Instruction, op=op, rd=ins.rd, ra=ins.ra, rb=ins.rb, rc=ins.rc, imm=ins.imm)


def decode(word: int) -> Instr | int:
    """Decode a 32-bit word; returns `Instr`, or the raw opcode number (int)
    when the opcode is undefined."""
    f = unpack(Instruction, word)
    raw_op = f.pop("op")
    try:
        op = Opcode(raw_op)
    except ValueError:
        return raw_op
    return Instr(op, **f)


def disassemble_one(ins: Instr) -> str:
    info = OPINFO[ins.op]
    parts = []
    for name in info.operands:
        if name == "imm":
            if info.imm_optional and ins.imm == 0:
                continue
            parts.append(str(ins.imm))
        else:
            parts.append(f"r{getattr(ins, name)}")
    text = ins.op.name.lower()
    return f"{text} {', '.join(parts)}" if parts else text


def disassemble(words) -> list[str]:
    """One line of assembly per word; undefined opcodes as `.word 0x...`.
    The fields an opcode does not use must be 0 for a word to round-trip."""
    out = []
    for w in words:
        w = to_u32(int(w))
        ins = decode(w)
        if isinstance(ins, int) or encode(ins) != w:
            out.append(f".word 0x{w:08x}")
        else:
            out.append(disassemble_one(ins))
    return out


_REG = re.compile(r"^r([0-7])$")


def _parse_line(line: str, lineno: int) -> int | None:
    text = line.split(";", 1)[0].split("#", 1)[0].strip()
    if not text:
        return None
    mnem, _, rest = text.partition(" ")
    args = [a.strip() for a in rest.split(",")] if rest.strip() else []
    if mnem.lower() == ".word":
        if len(args) != 1:
            raise AsmError(f"line {lineno}: .word takes one value: {line!r}")
        return to_u32(int(args[0], 0))
    try:
        op = Opcode[mnem.upper()]
    except KeyError:
        raise AsmError(f"line {lineno}: unknown mnemonic {mnem!r}") from None
    info = OPINFO[op]
    names = list(info.operands)
    if info.imm_optional and len(args) == len(names) - 1:
        names.remove("imm")
    if len(args) != len(names):
        raise AsmError(f"line {lineno}: {op.name} takes operands {', '.join(info.operands)}; "
                       f"got {len(args)}: {line!r}")
    fields = {}
    for name, arg in zip(names, args):
        if name == "imm":
            try:
                fields["imm"] = int(arg, 0)
            except ValueError:
                raise AsmError(f"line {lineno}: immediate {arg!r} is not an integer") from None
        else:
            m = _REG.match(arg.lower())
            if not m:
                raise AsmError(f"line {lineno}: operand {name} must be a register r0..r7, got {arg!r}")
            fields[name] = int(m.group(1))
    try:
        return encode(Instr(op, **fields))
    except AsmError as e:
        raise AsmError(f"line {lineno}: {e}") from None


def assemble(source: str) -> list[int]:
    """Assemble source text (one instruction per line, `;` or `#` comments,
    operands separated by commas, e.g. ``mult r1, r1, r2, 12``) into words."""
    words = []
    for lineno, line in enumerate(source.splitlines(), 1):
        w = _parse_line(line, lineno)
        if w is not None:
            words.append(w)
    return words
