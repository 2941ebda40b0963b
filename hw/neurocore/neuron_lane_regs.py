"""The registers of a neuron-engine lane (`neuron_lane.NeuronLane`): each
slot's state, the token that moves down the pipeline with each turn, and the
registers between its stages (named after the stage they feed: `RRegs` are
written in D and read in R, and so on). Widths follow `ChipParams`: a
compartment index is `compartment_bits` wide, a program counter
`ucode_addr_bits`, a register value signed 32 (`WORD`).
"""
from __future__ import annotations

from dataclasses import dataclass

from amaranth.hdl import Array, Signal, unsigned
from amaranth.lib import data, enum

from .. import isa
from ..params import ChipParams
from . import compartment_memory as cm
from .neuron_operands import AMOUNT_FLAGS, WORD, LoadSource

__all__ = ["SlotMode", "token_layout", "SlotRegs", "Result", "PlanRegs", "DivState", "RRegs",
           "X1Regs", "X2Regs", "HeaderChecks"]

K = isa.LANE_SLOTS


class SlotMode(enum.Enum, shape=2):
    """What a slot's next turn does."""
    DONE = 0        # no compartment left this step: the turn is empty
    HEAD = 1        # read the compartment's PARAM header (first of the step)
    PROFILE = 2     # read its profile's PROFILE header (the program's entry)
    RUN = 3         # run the instruction at the program counter


def token_layout() -> data.StructLayout:
    """What moves down the pipeline with each turn besides the word: the
    slot, its mode and whether its compartment ends whatever the word."""
    return data.StructLayout({"slot": unsigned(max(1, (K - 1).bit_length())),
                              "mode": unsigned(2), "forced": 1})     # mode: SlotMode


class SlotRegs:
    """Each slot's registers: mode, program counter, compartment, profile,
    accumulator row base, and the flags `forced` (the compartment ends
    whatever the word: skipped, or its program ran past the last UCODE word)
    and `bad` (its profile index is >= n_profiles)."""

    def __init__(self, params: ChipParams):
        def regs(shape, name):
            return Array(Signal(shape, name=f"{name}{j}") for j in range(K))
        self.mode = regs(2, "mode")          # SlotMode
        self.forced = regs(1, "forced")
        self.bad = regs(1, "bad")
        self.pc = regs(params.ucode_addr_bits, "pc")
        self.comp = regs(params.compartment_bits, "comp")
        self.prof = regs(cm.profile_bits(params), "prof")
        self.row = regs(params.acc_row_bits, "row")


class Result(enum.Enum, shape=3):
    """Where W takes the value it writes to rd."""
    VALUE = 0       # the ALU's result or the read data (X4's value)
    PRODUCT = 1
    REMAINDER = 2
    ACC = 3
    STEP = 4


class PlanRegs:
    """Registers between X4 and W (see `neuron_lane.NeuronLane._plan`)."""

    def __init__(self, params: ChipParams):
        self.ends, self.spk, self.acc, self.mod, self.live, self.write = (
            Signal(name=f"w_{n}") for n in ("ends", "spk", "acc", "mod", "live", "write"))
        self.source = Signal(Result)
        self.error = Signal()
        self.pc_next = Signal(params.ucode_addr_bits)
        self.at_end = Signal()
        self.comp_next = Signal(params.compartment_bits)
        self.more = Signal()


class DivState:
    """The divider's owner (a MOD accepted and not yet retired, and its
    slot) and its answer, registered when it comes."""

    def __init__(self):
        self.busy, self.have, self.by_zero = Signal(), Signal(), Signal()
        self.slot = Signal(max(1, (K - 1).bit_length()))
        self.remainder = Signal(WORD)


class RRegs:
    """Registers between D and R: the slot's state R uses."""

    def __init__(self, params: ChipParams):
        self.comp = Signal(params.compartment_bits)
        self.comp_next = Signal(params.compartment_bits)
        self.prof = Signal(cm.profile_bits(params))
        index = isa.REG_BITS + max(1, (K - 1).bit_length())     # slot * 8 + register
        self.ra, self.rb, self.rc = (Signal(index, name=f"rf_{n}") for n in ("ra", "rb", "rc"))


class X1Regs:
    """Registers between R and X1."""

    def __init__(self, params: ChipParams):
        depths = cm.memory_depths(params)
        self.a, self.rb, self.rc_nz = Signal(WORD), Signal(WORD), Signal()
        self.mul_a, self.mul_b = Signal(WORD), Signal(WORD)
        self.state_addr = Signal(range(depths["state"]))
        self.param_addr = Signal(range(depths["param"]))
        self.profile_addr = Signal(range(depths["profile"]))
        self.source = Signal(LoadSource)
        self.sts, self.mod = Signal(), Signal()


class X2Regs:
    """Registers between X1 and X2."""

    def __init__(self):
        self.a, self.b, self.rb = Signal(WORD), Signal(WORD), Signal(WORD)
        self.half = Signal(isa.WORD_BITS)       # WRAP / SAT's bound (`wrap_half`)
        self.amount = Signal(AMOUNT_FLAGS)      # b as a shift amount (`amount_flags`)
        self.source = Signal(LoadSource)
        self.rc_nz = Signal()


@dataclass(frozen=True)
class HeaderChecks:
    """X4's checks of a header read (registers, for W): `profile`, the PARAM
    header's profile index is >= n_profiles; `entry`, the PROFILE header's
    entry is >= n_ucode (1 bit each)."""
    profile: Signal
    entry: Signal
