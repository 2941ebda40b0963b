"""A pin-light wrapper that lets nextpnr place and route one block of the chip.

A block such as a neuron lane has hundreds of ports, more than an FPGA
package has pins, and unconstrained ports would be placed anywhere. `Harness`
gives the block registered ports instead: every input port of the block is
fed from one long shift register (one serial input pin, ``din``), and every
output port is XOR-reduced into one registered output pin (``dout``). Paths
into and out of the block then start and end at flip-flops next to it, so
nextpnr's critical path is one inside the block (or between its ports and
these registers, which is what the block's neighbours would see as well).

`PnrBlock` names the blocks that `kilauea.hw.synth` can place and route on
their own (``--pnr-block``); `pnr_top` builds one, wrapped.
"""
from __future__ import annotations

import enum

from amaranth.hdl import Cat, Elaboratable, Module, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import Flow

from .params import ChipParams

__all__ = ["Harness", "PnrBlock", "pnr_top"]


class PnrBlock(enum.Enum):
    """A block placed and routed on its own (the whole chip: ``chip``)."""
    CHIP = "chip"
    CORE = "core"
    ENGINE = "engine"       # the neuron engine with its memories
    LANE = "lane"           # one lane of the neuron engine (lane 0)


class Harness(Elaboratable):
    """`block` (a `wiring.Component`) with its inputs fed from a shift
    register on pin ``din`` (1 bit) and its outputs XOR-reduced into the
    registered pin ``dout`` (1 bit)."""

    def __init__(self, block: wiring.Component):
        self.block = block
        self.din = Signal()
        self.dout = Signal()

    def elaborate(self, platform):
        m = Module()
        m.submodules.block = self.block
        ins, outs = [], []
        for _path, member, value in self.block.signature.flatten(self.block):
            (ins if member.flow is Flow.In else outs).append(Value.cast(value))
        width = sum(len(v) for v in ins)
        chain = Signal(max(1, width))
        m.d.sync += chain.eq(Cat(self.din, chain[:-1]))
        at = 0
        for v in ins:
            m.d.comb += v.eq(chain[at:at + len(v)])
            at += len(v)
        folded = Signal()
        m.d.comb += folded.eq(Cat(*outs).xor() if outs else 0)
        m.d.sync += self.dout.eq(folded)
        return m


def pnr_top(block: PnrBlock, params: ChipParams) -> Elaboratable:
    """The design placed and routed for `block` of the 1 x 1 chip `params`:
    the chip itself, or the block wrapped in a `Harness`."""
    from .chip import Chip
    from .neurocore.core import Core
    from .neurocore.neuron_engine import NeuronEngine
    from .neurocore.neuron_lane import NeuronLane
    if block is PnrBlock.CHIP:
        return Chip(params)
    if block is PnrBlock.CORE:
        return Harness(Core(params, 0, 0))
    if block is PnrBlock.ENGINE:
        return Harness(NeuronEngine(params))
    return Harness(NeuronLane(params, 0))
