"""Operand fetch of the neuron engine: the register file, load write-back and
forwarding, and the layouts the execute stage reads its operands through.

`OperandFetch` holds registers r0..r7 (signed 32-bit; r0 reads 0) and
presents the operands of the instruction word in execute, combinationally
(latency 0):

* ``a = R[ra]``, ``rb = R[rb]``, ``rc = R[rc]``, ``b = wrap32(R[rb] + imm)``
  and the immediate as `immediate_layout` fields;
* a load issued in cycle t (`load`) reads its memory in t + 1; the read
  data (`load_data`) is registered here at the end of t + 1 (nothing else
  follows a block RAM's output in that cycle), forwarded from that register
  to the reads of t + 2 and written at the end of t + 2
  (`isa.LOAD_LATENCY`); the instruction in t + 1 must not read or write the
  loaded register (the sequencer stalls it a cycle); a load still in flight
  when a compartment begins (`clear`) is dropped;
* the answer of an outstanding ACC (`acc`, valid in the cycle it arrives) is
  written at the end of that cycle and forwarded to its reads.

r0 is no register: it reads 0, and loads and ACC answers for it are
dropped, so no read needs a zero override.

Writes of one cycle, lowest priority first: load, ACC answer, the execute
result (`write`), `clear` (r1..r7 to 0, at the start of a compartment).
"""
from __future__ import annotations

from amaranth.hdl import Array, Const, Module, Signal, signed, unsigned
from amaranth.lib import data, enum, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..params import ChipParams
from . import compartment_memory as cm

__all__ = ["WORD", "LoadSource", "immediate_layout", "operand_layout", "RegWrite",
           "OperandFetch"]

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
    """The operands of the instruction in execute (see the module docstring)."""
    return data.StructLayout({"a": WORD, "b": WORD, "rb": WORD, "rc": WORD,
                              "imm": immediate_layout(params)})


class RegWrite(wiring.Signature):
    """A register write: `en`, register `rd` (3 bits), `data` (signed 32)."""

    def __init__(self):
        super().__init__({"en": Out(1), "rd": Out(isa.REG_BITS), "data": Out(WORD)})


class LoadIssue(wiring.Signature):
    """A load issued in execute: `valid`, its register `rd`, its `source`."""

    def __init__(self):
        super().__init__({"valid": Out(1), "rd": Out(isa.REG_BITS), "source": Out(LoadSource)})


class OperandFetch(wiring.Component):
    """Register file with load and ACC forwarding (see the module docstring).

    instr      In(Instruction)  the word in execute (ra, rb, rc, imm are read)
    operands   Out(operand_layout)
    load       In(LoadIssue)    a load issued this cycle (its register written 2 cycles on)
    load_data  In(3 x signed 32)  read data of STATE, PARAM and PROFILE
    acc        In(RegWrite)     the ACC answer arriving this cycle
    write      In(RegWrite)     the execute result (`en` only when it retires)
    clear      In(1)            r1..r7 := 0 at the end of this cycle
    """

    def __init__(self, params: ChipParams):
        super().__init__({
            "instr": In(isa.Instruction),
            "operands": Out(operand_layout(params)),
            "load": In(LoadIssue()),
            "load_data": In(data.StructLayout({s.name.lower(): WORD for s in LoadSource})),
            "acc": In(RegWrite()),
            "write": In(RegWrite()),
            "clear": In(1),
        })

    def elaborate(self, platform):
        m = Module()
        written = [Signal(WORD, name=f"r{i}") for i in range(1, isa.N_REGS)]
        regs = Array([Const(0, WORD), *written])     # r0 is no register: it reads 0
        pl_valid = Signal()                 # a load reads its memory this cycle
        pl_rd = Signal(isa.REG_BITS)
        pl_src = Signal(LoadSource)
        m.d.sync += [pl_valid.eq(self.load.valid), pl_rd.eq(self.load.rd),
                     pl_src.eq(self.load.source)]
        wb_valid = Signal()                 # a load writes back this cycle
        wb_rd = Signal(isa.REG_BITS)
        loaded = Signal(WORD)               # its data (registered read data)
        m.d.sync += [wb_valid.eq(pl_valid & ~self.clear & (pl_rd != 0)), wb_rd.eq(pl_rd)]
        with m.Switch(pl_src):
            with m.Case(LoadSource.STATE):
                m.d.sync += loaded.eq(self.load_data.state)
            with m.Case(LoadSource.PARAM):
                m.d.sync += loaded.eq(self.load_data.param)
            with m.Default():
                m.d.sync += loaded.eq(self.load_data.profile)

        acc_en = Signal()                   # an ACC answer for r1..r7 arrives
        m.d.comb += acc_en.eq(self.acc.en & (self.acc.rd != 0))

        def read(idx, name: str) -> Signal:
            v = Signal(WORD, name=name)
            m.d.comb += v.eq(regs[idx])
            with m.If(wb_valid & (wb_rd == idx)):      # wb_rd and acc_rd are never r0
                m.d.comb += v.eq(loaded)
            with m.If(acc_en & (self.acc.rd == idx)):
                m.d.comb += v.eq(self.acc.data)
            return v

        ins, ops = self.instr, self.operands
        a, rb, rc = read(ins.ra, "opa"), read(ins.rb, "opr"), read(ins.rc, "opc")
        m.d.comb += [ops.a.eq(a), ops.rb.eq(rb), ops.rc.eq(rc),
                     ops.b.eq((rb + ins.imm)[:isa.WORD_BITS]), ops.imm.value.eq(ins.imm)]

        for i, r in enumerate(written, start=1):
            with m.If(wb_valid & (wb_rd == i)):
                m.d.sync += r.eq(loaded)
            with m.If(acc_en & (self.acc.rd == i)):
                m.d.sync += r.eq(self.acc.data)
            with m.If(self.write.en & (self.write.rd == i)):
                m.d.sync += r.eq(self.write.data)
            with m.If(self.clear):
                m.d.sync += r.eq(0)
        return m
