"""A pin-light wrapper that lets nextpnr place and route one block of the chip.

A block such as a neuron lane has hundreds of ports, more than an FPGA
package has pins, and unconstrained ports would be placed anywhere. `Harness`
gives the block registered ports instead: every input port of the block is
fed from one long shift register (one serial input pin, ``din``), and every
output bit is taken by a flip-flop of its own, whose XOR goes to one
registered output pin (``dout``). Paths into and out of the block then start
and end at flip-flops next to it, so nextpnr's critical path is one inside
the block (or between its ports and these registers, which is what the
block's neighbours would see as well: a register, not an XOR tree).

The whole 1 x 1 chip is wrapped the same way: its host port's streams are
168 bits, and pins left unconstrained would be spread around the package,
stretching the host port across the device (nextpnr's estimate after
placing the unwrapped chip: 43.77 MHz; wrapped: 57.19 MHz). On a board, the
host link (a UART, SPI or PCIe bridge) would likewise sit behind registers.

`PnrBlock` names the blocks that `kilauea.hw.synth` can place and route on
their own (``--pnr-block``); `pnr_top` builds one, wrapped.
"""
from __future__ import annotations

import enum

from amaranth.hdl import Cat, Elaboratable, Module, Signal, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import Flow

from .params import ChipParams

__all__ = ["Harness", "PnrBlock", "RegisteredEngine", "pnr_top"]


class PnrBlock(enum.Enum):
    """A block placed and routed on its own (the whole chip: ``chip``)."""
    CHIP = "chip"
    CORE = "core"
    ENGINE = "engine"       # the neuron engine with its memories
    LANE = "lane"           # one lane of the neuron engine (lane 0)
    SYNAPSE = "synapse"     # the synapse engine with AXON and SYNAPSE
    FANOUT = "fanout"       # the fan-out engine with FANOUT_INDEX and FANOUT
    ACCUM = "accum"         # the accumulator ring (ACCUM) and its read-modify-write
    CLEAR = "clear"         # the memory clear's address counter
    ROUTER = "router"       # the router of tile (0, 0)
    HOSTPORT = "hostport"   # the host port
    NOC = "noc"             # mesh (router, barrier) and host port, tile slots as ports
    GLUE = "glue"           # a core whose neuron engine is `RegisteredEngine`: the rest of it


class Harness(Elaboratable):
    """`block` (a `wiring.Component`) with its inputs fed from a shift
    register on pin ``din`` (1 bit) and its outputs registered, one
    flip-flop per bit, then XOR-reduced into the registered pin ``dout``
    (1 bit)."""

    def __init__(self, block: wiring.Component):
        self.block = block
        self.din = Signal()
        self.dout = Signal()

    def elaborate(self, platform):
        m = Module()
        m.submodules.block = self.block
        ins, outs = _ports(self.block)
        width = sum(len(v) for v in ins)
        chain = Signal(max(1, width))
        m.d.sync += chain.eq(Cat(self.din, chain[:-1]))
        at = 0
        for v in ins:
            m.d.comb += v.eq(chain[at:at + len(v)])
            at += len(v)
        taken = Signal(max(1, sum(len(v) for v in outs)))
        m.d.sync += taken.eq(Cat(*outs))
        m.d.sync += self.dout.eq(taken.xor())
        return m


def _ports(component: wiring.Component) -> tuple[list[Value], list[Value]]:
    """The input and the output ports of `component`."""
    ins, outs = [], []
    for _path, member, value in component.signature.flatten(component):
        (ins if member.flow is Flow.In else outs).append(Value.cast(value))
    return ins, outs


class RegisteredEngine(wiring.Component):
    """A stand-in for the neuron engine (`interfaces.NeuronEngineSignature`)
    that is only flip-flops: its inputs are registered as they arrive, one
    flip-flop per bit, then XOR-folded into a register that turns every
    cycle, and its outputs are slices of that register. In a core
    (`PnrBlock.GLUE`), every path into and out of the engine then ends and
    starts at a flip-flop, so nextpnr times the rest of the core. (The
    inputs are registered before the fold because the engine does so where
    it matters: the accumulators' answer goes straight into a register in
    `neuron_join.AccArbiter`; a fold right after the ports would put XOR
    levels on the core's paths that no engine has.)"""

    def __init__(self, params: ChipParams):
        from .neurocore.interfaces import NeuronEngineSignature
        super().__init__(NeuronEngineSignature(params))

    def elaborate(self, platform):
        m = Module()
        ins, outs = _ports(self)
        width = sum(len(v) for v in outs)
        state = Signal(width)
        flat = Signal(max(1, sum(len(v) for v in ins)))
        m.d.sync += flat.eq(Cat(*ins))
        folded = Cat(state[1:], state[0])
        for at in range(0, len(flat), width):
            folded = folded ^ flat[at:at + width]
        m.d.sync += state.eq(folded)
        m.d.comb += Cat(*outs).eq(state)
        return m


def _component(block: PnrBlock, params: ChipParams) -> wiring.Component:
    """The component of `block` (not `PnrBlock.CHIP`) for the chip `params`."""
    from .hostport import HostPort
    from .neurocore.accumulators import Accumulators
    from .neurocore.core import Core
    from .neurocore.fanout_engine import FanoutEngine
    from .neurocore.memory_clear import MemoryClear, clear_cycles
    from .neurocore.neuron_engine import NeuronEngine
    from .neurocore.neuron_lane import NeuronLane
    from .neurocore.synapse_engine import SynapseEngine
    from .noc import Noc
    from .router import Router
    makers = {
        PnrBlock.CORE: lambda: Core(params, 0, 0),
        PnrBlock.ENGINE: lambda: NeuronEngine(params),
        PnrBlock.LANE: lambda: NeuronLane(params, 0),
        PnrBlock.SYNAPSE: lambda: SynapseEngine(params),
        PnrBlock.FANOUT: lambda: FanoutEngine(params),
        PnrBlock.ACCUM: lambda: Accumulators(params),
        PnrBlock.CLEAR: lambda: MemoryClear(clear_cycles(params)),
        PnrBlock.ROUTER: lambda: Router(0, 0, params.fifo_depth),
        PnrBlock.HOSTPORT: lambda: HostPort(params),
        PnrBlock.NOC: lambda: Noc(params),
        PnrBlock.GLUE: lambda: Core(params, 0, 0, RegisteredEngine),
    }
    return makers[block]()


def pnr_top(block: PnrBlock, params: ChipParams) -> Elaboratable:
    """The design placed and routed for `block` of the 1 x 1 chip `params`
    (the chip itself for `PnrBlock.CHIP`), wrapped in a `Harness`."""
    from .chip import Chip
    if block is PnrBlock.CHIP:
        return Harness(Chip(params))
    return Harness(_component(block, params))
