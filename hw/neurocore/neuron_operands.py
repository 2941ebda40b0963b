"""Operands of the neuron engine: the register file of a lane's slots and
the layouts the pipeline reads its operands through.

`RegisterFile` holds registers r0..r7 (signed 32-bit) of each of a lane's
`isa.LANE_SLOTS` slots in one small memory (LUT RAM: slot * 8 + register),
with two read ports (ra, rb: combinational) and one write port: a write is
registered and made in the next cycle (a slot's registers are not read
again until its next turn, 8 cycles on). rc is only tested against 0 (SEL,
SPK): a flag per register (flip-flops) says whether its value is not 0, so
it needs no read port. r0 is no register: it reads 0 and writes to it are
dropped. A register not written since its slot began its compartment
(`clear`) reads 0, so that the memory's contents at power-up do not matter:
a mask of written registers per slot (flip-flops, cleared at reset) says
which words hold a value.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, enum, memory, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..params import ChipParams
from . import compartment_memory as cm

__all__ = ["WORD", "LoadSource", "immediate_layout", "operand_layout", "AMOUNT_BITS",
           "AMOUNT_FLAGS", "amount_flags", "wrap_half",
           "RegWrite", "RegisterFile"]

WORD = signed(isa.WORD_BITS)    # a register, an operand, a result


class LoadSource(enum.Enum, shape=2):
    """The memory a load (LDS / LDP / LDC) reads its register from."""
    STATE = 0
    PARAM = 1
    PROFILE = 2


def _index_bits(words: int) -> int:
    """Bits of a word index into a block of `words` words."""
    return max(1, (words - 1).bit_length())


def immediate_layout(params: ChipParams) -> data.UnionLayout:
    """The 14-bit immediate field read by its uses (bit widths):

    value         signed(14)  operand of B = R[rb] + imm, SPK payload offset
    state_word    log2(STATE_WORDS)    LDS / STS word index
    param_word    log2(PARAM_WORDS)    LDP word index
    profile_word  log2(PROFILE_WORDS)  LDC word index
    shift         6           MULT / MULF shift amount (0..63)
    width         6           WRAP / SAT width (1..32)
    group         group_bits  ACC accumulator group
    """
    fields = {
        "value": signed(isa.IMM_BITS),
        "state_word": unsigned(_index_bits(cm.STATE_WORDS)),
        "param_word": unsigned(_index_bits(cm.PARAM_WORDS)),
        "profile_word": unsigned(_index_bits(cm.PROFILE_WORDS)),
        "shift": unsigned(isa.SHIFT_MAX.bit_length()),
        "width": unsigned(isa.WORD_BITS.bit_length()),
        "group": unsigned(params.group_bits),
    }
    for name, shape in fields.items():
        if shape.width > isa.IMM_BITS:
            raise ValueError(f"immediate field {name!r} needs {shape.width} bits; the "
                             f"instruction's immediate has {isa.IMM_BITS}")
    return data.UnionLayout(fields)


def operand_layout(params: ChipParams) -> data.StructLayout:
    """The operands of the instruction in execute: a = R[ra], b = wrap32(R[rb]
    + imm), rb = R[rb] (signed 32), rc_nz = R[rc] != 0, the immediate, `half`
    = 2**((imm.width - 1) mod 32) (unsigned 32: WRAP / SAT's bound, decoded
    a stage before with b, `wrap_half`) and `amount`, b's flags as a shift
    amount (`amount_flags`, decoded with b)."""
    return data.StructLayout({"a": WORD, "b": WORD, "rb": WORD, "rc_nz": 1,
                              "imm": immediate_layout(params), "half": unsigned(isa.WORD_BITS),
                              "amount": AMOUNT_FLAGS})


#: bits of a shift amount the shifters take: 0..31 (32..63 give 0 or the sign)
AMOUNT_BITS = (isa.WORD_BITS - 1).bit_length()

#: b's flags as a shift amount: `big`, b >= 32; `big_down`, b <= -32 (for
#: b < 0). The shifters take b's low 5 bits; these choose, after them,
#: what amounts of 32 and more give (decoded a stage early, from the full
#: 32-bit b, so the shifters' path holds no compare of b's high bits).
AMOUNT_FLAGS = data.StructLayout({"big": 1, "big_down": 1})


def amount_flags(b) -> dict:
    """`AMOUNT_FLAGS` of a signed 32-bit `b` (a dict to assign field by field)."""
    high = b[AMOUNT_BITS:]
    return {"big": ~b[-1] & (high != 0),
            "big_down": ~high.all() | (b[:AMOUNT_BITS] == 0)}



def wrap_half(width):
    """WRAP / SAT's bound 2**((width - 1) mod 32) for a 6-bit `width` value
    (1..32 in a valid program)."""
    return Const(1, isa.WORD_BITS) << (width - 1)[:5]


class RegWrite(wiring.Signature):
    """A register write: `en`, register `rd` (3 bits), `data` (signed 32)."""

    def __init__(self):
        super().__init__({"en": Out(1), "rd": Out(isa.REG_BITS), "data": Out(WORD)})


class RegisterFile(wiring.Component):
    """Registers of every slot of a lane (see the module docstring).

    ra, rb, rc  In(slot bits + 3)  registers read (combinationally), each
                               as slot * 8 + register (the lane registers
                               each port's index on its own)
    a, b        Out(signed 32) the values of ra and rb (0 for r0 and registers
                               not written)
    c_nonzero   Out(1)         rc's value is not 0 (all SEL and SPK ask of
                               it: a flag kept per register, no read port)
    write       In(RegWrite)   a register of slot `write_slot`, made in the next cycle
    write_slot  In(slot bits)
    clear       In(1)          slot `write_slot` begins a compartment: every
                               register reads 0 until written (from the next cycle)
    """

    def __init__(self, slots: int):
        self.slots = slots
        bits = max(1, (slots - 1).bit_length())
        super().__init__({
            "ra": In(isa.REG_BITS + bits), "rb": In(isa.REG_BITS + bits),
            "rc": In(isa.REG_BITS + bits),
            "a": Out(WORD), "b": Out(WORD), "c_nonzero": Out(1),
            "write": In(RegWrite()), "write_slot": In(bits), "clear": In(1),
        })

    def elaborate(self, platform):
        m = Module()
        n = isa.N_REGS
        # LUT RAM (not block RAM: those are the core's budget, and their
        # clock-to-out would lead the multiplier's path)
        m.submodules.words = words = memory.Memory(shape=WORD, depth=self.slots * n, init=[],
                                                   attrs={"ram_style": "distributed"})
        written = Signal(self.slots * n)        # bit slot * 8 + r: r holds a value
        nonzero = Signal(self.slots * n)        # ... and it is not 0
        for reg, out in ((self.ra, self.a), (self.rb, self.b)):
            rp = words.read_port(domain="comb")
            m.d.comb += [rp.addr.eq(reg), out.eq(Mux(written.bit_select(reg, 1), rp.data, 0))]
        m.d.comb += self.c_nonzero.eq(nonzero.bit_select(self.rc, 1))
        wp = words.write_port()
        w, slot, clear = RegWrite().create(), Signal.like(self.write_slot), Signal()
        m.d.sync += [w.en.eq(self.write.en & (self.write.rd != 0)), w.rd.eq(self.write.rd),
                     w.data.eq(self.write.data), slot.eq(self.write_slot), clear.eq(self.clear)]
        m.d.comb += [wp.addr.eq(Cat(w.rd, slot)), wp.data.eq(w.data), wp.en.eq(w.en)]
        data_nonzero = w.data != 0
        for s in range(self.slots):
            for r in range(1, n):
                bit, nz = written[s * n + r], nonzero[s * n + r]
                with m.If(clear & (slot == s)):
                    m.d.sync += [bit.eq(0), nz.eq(0)]
                with m.Elif(w.en & (slot == s) & (w.rd == r)):
                    m.d.sync += [bit.eq(1), nz.eq(data_nonzero)]
        return m
