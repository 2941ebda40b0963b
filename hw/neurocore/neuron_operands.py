"""Operands of the neuron engine: the register file of a lane's slots and
the layouts the pipeline reads its operands through.

`RegisterFile` holds registers r0..r7 (signed 32-bit) of each of a lane's
`isa.LANE_SLOTS` slots in one small memory (LUT RAM: slot * 8 + register),
with three read ports (ra, rb, rc: combinational) and one write port: a
write is registered and made in the next cycle (a slot's registers are not
read again until its next turn, 8 cycles on). r0 is no register: it reads 0 and writes
to it are dropped. A register not written since its slot began its
compartment (`clear`) reads 0, so that the memory's contents at power-up do
not matter: a mask of written registers per slot (flip-flops, cleared at
reset) says which words hold a value.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, enum, memory, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..params import ChipParams
from . import compartment_memory as cm

__all__ = ["WORD", "LoadSource", "immediate_layout", "operand_layout", "wrap_half",
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
    + imm), rb = R[rb], rc = R[rc] (signed 32), the immediate, and `half`
    = 2**((imm.width - 1) mod 32) (unsigned 32: WRAP / SAT's bound, decoded
    a stage before with b, `wrap_half`)."""
    return data.StructLayout({"a": WORD, "b": WORD, "rb": WORD, "rc": WORD,
                              "imm": immediate_layout(params), "half": unsigned(isa.WORD_BITS)})


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

    slot        In(slot bits)  the slot whose registers are read
    ra, rb, rc  In(3)          registers read (combinationally)
    a, b, c     Out(signed 32) their values (0 for r0 and registers not written)
    write       In(RegWrite)   a register of slot `write_slot`, made in the next cycle
    write_slot  In(slot bits)
    clear       In(1)          slot `write_slot` begins a compartment: every
                               register reads 0 until written (from the next cycle)
    """

    def __init__(self, slots: int):
        self.slots = slots
        bits = max(1, (slots - 1).bit_length())
        super().__init__({
            "slot": In(bits), "ra": In(isa.REG_BITS), "rb": In(isa.REG_BITS),
            "rc": In(isa.REG_BITS),
            "a": Out(WORD), "b": Out(WORD), "c": Out(WORD),
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
        for reg, out in ((self.ra, self.a), (self.rb, self.b), (self.rc, self.c)):
            rp = words.read_port(domain="comb")
            index = Cat(reg, self.slot)
            m.d.comb += [rp.addr.eq(index), out.eq(Mux(written.bit_select(index, 1), rp.data, 0))]
        wp = words.write_port()
        w, slot, clear = RegWrite().create(), Signal.like(self.write_slot), Signal()
        m.d.sync += [w.en.eq(self.write.en & (self.write.rd != 0)), w.rd.eq(self.write.rd),
                     w.data.eq(self.write.data), slot.eq(self.write_slot), clear.eq(self.clear)]
        m.d.comb += [wp.addr.eq(Cat(w.rd, slot)), wp.data.eq(w.data), wp.en.eq(w.en)]
        for s in range(self.slots):
            for r in range(1, n):
                bit = written[s * n + r]
                with m.If(clear & (slot == s)):
                    m.d.sync += bit.eq(0)
                with m.Elif(w.en & (slot == s) & (w.rd == r)):
                    m.d.sync += bit.eq(1)
        return m
