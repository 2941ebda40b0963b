"""The chip top: the network-on-chip (mesh + host port, `noc.Noc`) with a
neurocore (`neurocore.core.Core`) in every tile slot.

Ports are the Noc's: `host_in` / `host_out` (packet streams), `stepping`,
`hang`, `status`. The host loads memories with WRITE packets (or, in
simulation, through `memories(x, y)`, the backdoor a test proves equal to
the packet path), injects input spikes, and runs a step by sending
CTRL STEP(t) to the host port, which answers DONE(t) at the barrier.
"""
from __future__ import annotations

from typing import Callable

from amaranth.lib.memory import Memory

from .memory_map import Mem
from .neurocore.core import Core
from .noc import Noc
from .params import ChipParams

__all__ = ["Chip"]


class Chip(Noc):
    """`make_engine(params)` builds each core's neuron engine (default: the
    microcode engine); `noc_kw` go to `Noc` (e.g. timeout_cycles)."""

    def __init__(self, params: ChipParams, make_engine: Callable | None = None, **noc_kw):
        super().__init__(params, make_core=lambda x, y: Core(params, x, y, make_engine), **noc_kw)

    def core(self, x: int, y: int) -> Core:
        return self.cores[x, y]

    def memories(self, x: int, y: int) -> dict[Mem, Memory]:
        """Backdoor: the Memory behind each memory-backed `Mem` of tile (x, y)."""
        return self.cores[x, y].memories()
