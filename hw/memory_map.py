"""The neurocore's host-visible memory map.

A WRITE or READ packet names a memory with its 4-bit `mem` field (values of
`Mem`) and a word with its 16-bit `addr`. Every memory of the core is reachable
this way (configuration, `Var.get`/`set`, probes, counters). The word layout of
each memory is defined beside the RTL that owns it and documented in
`docs/neurocore.md`.

`MemBus` is the signature the core's packet decoder uses to reach one memory:
a simple synchronous port with a fixed read latency of one cycle. Host
accesses are served only while the core's engines are idle (between steps),
so a memory's host port never competes with its engine.
"""
from __future__ import annotations

from amaranth.lib import enum, wiring
from amaranth.lib.wiring import In, Out

from . import packet

__all__ = ["Mem", "MemBus"]


class Mem(enum.Enum, shape=packet.MEM_BITS):
    """Memory selector of WRITE / READ packets."""
    CONFIG = 0       # core configuration registers
    AXON = 1         # input axon table: axon -> (base, count) into SYNAPSE
    SYNAPSE = 2      # synapse words: (target compartment, weight, delay, group)
    ACCUM = 3        # dendritic accumulators: (slot, group, compartment)
    STATE = 4        # compartment state words (u, v, ...)
    PARAM = 5        # per-compartment parameters (bias, profile index, ...)
    PROFILE = 6      # neuron profiles: program entry + shared parameters
    UCODE = 7        # microcode words
    FANOUT = 8       # fan-out table: compartment -> destinations
    COUNTERS = 9     # per-step counters (read-only)
    STATUS = 10      # error flags and counts (read; write clears)
    FANOUT_INDEX = 11  # fan-out index: compartment -> (base, count) into FANOUT


class MemBus(wiring.Signature):
    """Word access to one memory, seen from the initiator (the core's packet
    decoder). `re` or `we` for one cycle; `rdata` is valid the cycle after a
    read. Addresses are `addr_bits` wide, data 32 bits."""

    def __init__(self, addr_bits: int = packet.ADDR_BITS, data_bits: int = packet.DATA_BITS):
        super().__init__({
            "addr": Out(addr_bits),
            "wdata": Out(data_bits),
            "we": Out(1),
            "re": Out(1),
            "rdata": In(data_bits),
        })
