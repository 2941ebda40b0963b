"""The neurocore's memory clear: after reset, zero every word of the memories
whose content the core reads before the host has written it.

Simulators and FPGA block RAMs start at zero; SRAM on silicon does not. The
core's correctness needs zeros in

ACCUM, the dendritic accumulator ring: synaptic events add to words the
host never writes, and the neuron engine reads (and clears) a slot only when
its step comes.

The other memories are read only where the host has written them first: an
axon is used only when a spike for it arrives (the compiler routes spikes
only to axons it wrote), a synapse or fan-out word only inside the range its
axon or index word names, FANOUT_INDEX and the neuron engine's STATE and
PARAM only for compartments below CONFIG.N_COMPARTMENTS (reset 0; the
compiler writes every one of them, a count of 0 included), PROFILE and UCODE
only where those words point. The test that fills every memory with
garbage before reset (tests/hw/core/test_clear_garbage.py) holds this list to
account.

`MemoryClear` is a counter that starts busy at reset and walks address
0, 1, ..., `words` - 1, one per cycle; the core drives each cleared memory's
host port with (address, 0, write enable while address < that memory's
words), all memories in parallel, so the clear takes `words` cycles, the
largest cleared memory's depth (`clear_cycles`: D x 2**acc_row_bits,
16384 cycles for a default core, 0.16 ms at 100 MHz). While it is busy the core
is not idle and takes no packet: the host port's traffic and every engine's
first job wait for it.

Simulators start every memory at zero, the state the clear leaves, so the
simulation engines build the chip with the clear off at reset
(`clear_at_reset(top, False)`: it would cost `clear_cycles` simulated cycles,
65536 for a default core, before the first job); the garbage test turns it on.
"""
from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import Out

from ..memory_map import Mem
from ..params import ChipParams
from . import core_memory as cm

__all__ = ["CLEARED_MEMS", "MemoryClear", "clear_cycles", "clear_at_reset"]

#: the memories zeroed after reset (see the module docstring)
CLEARED_MEMS = (Mem.ACCUM,)


def clear_cycles(params: ChipParams) -> int:
    """Cycles from reset until the clear is done: the deepest cleared memory
    (ACCUM: D x 2**acc_row_bits words)."""
    words = cm.mem_words(params)
    return max(words[m] for m in CLEARED_MEMS)


class MemoryClear(wiring.Component):
    """Members
    -------
    busy : ``Out(1)``, high from reset until address `words` - 1 has been
        written (with `at_reset`; never without).
    addr : ``Out(range(words))``, the address written this cycle while busy.

    `at_reset` (attribute, default True; read at elaboration): the clear
    runs after reset. False: it never runs (simulation, see the module
    docstring).
    """

    def __init__(self, words: int):
        if words < 1:
            raise ValueError(f"MemoryClear: words={words}, must be at least 1")
        self.words = words
        self.at_reset = True
        super().__init__({"busy": Out(1), "addr": Out(range(words))})

    def elaborate(self, platform):
        m = Module()
        running = Signal(init=int(self.at_reset))
        m.d.comb += self.busy.eq(running)
        with m.If(running):
            m.d.sync += self.addr.eq(self.addr + 1)
            with m.If(self.addr == self.words - 1):
                m.d.sync += [running.eq(0), self.addr.eq(0)]
        return m


def clear_at_reset(top, on: bool):
    """Set `MemoryClear.at_reset` of every core of `top` (a `Chip`: its
    ``cores``, {(x, y): core}) before it is elaborated; returns `top`."""
    for core in getattr(top, "cores", {}).values():
        clear = getattr(core, "clear", None)
        if isinstance(clear, MemoryClear):
            clear.at_reset = on
    return top
