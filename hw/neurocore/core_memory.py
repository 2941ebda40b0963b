"""Word layouts of the neurocore's memories (except the neuron engine's own
STATE / PARAM / PROFILE / UCODE), defined once as Amaranth data layouts, with
numpy pack/unpack helpers for the compiler, the golden model and the tests.

Every memory word is 32 bits (the packet's data word). Field offsets are read
off the layouts, so the numpy helpers cannot drift from the RTL.

AXON (`Mem.AXON`, `n_axons` words): input axon -> range of synapse words::

    [15:0]   base     first SYNAPSE word of the axon
    [30:16]  count    number of SYNAPSE words (0..32767)
    [31]     graded   1: the spike payload multiplies the weight;
                      0: binary input, the payload is taken as 1 whatever the
                         sender put (Lava's num_message_bits = 0 rule)

SYNAPSE (`Mem.SYNAPSE`, `n_synapses` words), widths from `ChipParams`
(defaults: row 10, delay 4, weight 18 bits)::

    row          target accumulator row      unsigned(acc_row_bits)
                 (the target compartment's row base + its input group)
    delay        0 .. D-2 (synaptic delay)   unsigned(slot_bits)
    weight       signed, the remaining bits (at least 9: Dense weights
                 are in [-256, 255] after preparation)

ACCUM (`Mem.ACCUM`, D x 2^acc_row_bits words): dendritic accumulators,
signed 32 bits, wrapping. Word address = slot << acc_row_bits | row (see
`acc_addr`). A compartment with k input groups owns rows base .. base + k - 1
(base: its PARAM header, `compartment_memory.PARAM_HEADER`); ACC g reads row
(base + g) mod 2^acc_row_bits of the step's slot.

FANOUT_INDEX (`Mem.FANOUT_INDEX`, `n_compartments` words): compartment ->
range of FANOUT entries::

    [15:0]   base
    [31:16]  count

FANOUT (`Mem.FANOUT`, `n_fanout` words): one destination per word::

    [15:0]   axon     input axon at the destination tile (host: host axon)
    [19:16]  x        destination tile column
    [23:20]  y        destination tile row
    [24]     host     1: the spike goes to the host (x, y ignored)

CONFIG, COUNTERS and STATUS are register files; their word addresses are the
enums `Config`, `Counter` and `Status` below; error kinds are `ErrorFlag`.
"""
from __future__ import annotations

import enum as py_enum
import functools

import numpy as np
from amaranth.hdl import signed, unsigned
from amaranth.lib import data

from .. import packet
from ..fixed_point import SYNAPSE_WEIGHT_MIN_BITS
from ..memory_map import Mem
from ..params import ChipParams
from ..words import pack_array, unpack_array
from .interfaces import ACC_BITS

__all__ = [
    "WORD_BITS", "ACC_BITS", "AXON_LAYOUT", "synapse_layout", "FANOUT_INDEX_LAYOUT",
    "FANOUT_LAYOUT", "Config", "Counter", "Status", "ErrorFlag",
    "acc_addr", "acc_words", "acc_unaddr", "CORE_MEMS", "mem_words",
    "pack_axon", "pack_synapse", "pack_fanout_index", "pack_fanout",
    "unpack_axon", "unpack_synapse", "unpack_fanout_index", "unpack_fanout",
]

WORD_BITS = packet.DATA_BITS  # every memory word is 32 bits

AXON_LAYOUT = data.StructLayout({
    "base": unsigned(16),
    "count": unsigned(15),
    "graded": unsigned(1),
})

FANOUT_INDEX_LAYOUT = data.StructLayout({
    "base": unsigned(16),
    "count": unsigned(16),
})

FANOUT_LAYOUT = data.StructLayout({
    "axon": unsigned(packet.AXON_BITS),
    "x": unsigned(packet.COORD_BITS),
    "y": unsigned(packet.COORD_BITS),
    "host": unsigned(1),
})


@functools.lru_cache(maxsize=64)
def synapse_layout(params: ChipParams) -> data.StructLayout:
    """The SYNAPSE word layout for a chip shape (32 bits in all)."""
    fixed = params.acc_row_bits + params.slot_bits
    wbits = WORD_BITS - fixed
    if wbits < SYNAPSE_WEIGHT_MIN_BITS:
        raise ValueError(f"ChipParams: synapse word has {wbits} weight bits left after "
                         f"row/delay ({fixed} bits); at least {SYNAPSE_WEIGHT_MIN_BITS} needed")
    return data.StructLayout({
        "row": unsigned(params.acc_row_bits),
        "delay": unsigned(params.slot_bits),
        "weight": signed(wbits),
    })


class Config(py_enum.IntEnum):
    """CONFIG register word addresses."""
    N_COMPARTMENTS = 0  # compartments the neuron engine updates each step (rw, reset 0)
    TILE = 1            # this tile's x | y << 4 (read-only)


class Counter(py_enum.IntEnum):
    """COUNTERS word addresses (read-only). All are cleared when the core
    accepts CTRL STEP(t) and then count until the next STEP; so a read after
    DONE(t) sees step t (plus any host input already injected for t + 1).
    Host READ/WRITE/STATUS traffic is never counted."""
    STEP = 0         # the step of this window (= step_seen)
    CYCLES = 1       # cycles in which an engine was busy (or a STEP waited)
    SYN_EVENTS = 2   # synaptic events (accumulations done)
    UPDATES = 3      # compartment updates by the neuron engine
    PACKETS_IN = 4   # SPIKE packets received
    PACKETS_OUT = 5  # SPIKE packets sent
    STALLS = 6       # cycles an engine waited: accumulator port busy
                     # (neuron engine denied), tx back-pressure (fan-out)


class Status(py_enum.IntEnum):
    """STATUS word addresses. Reads: the values; a WRITE to any STATUS word
    clears flags and count."""
    FLAGS = 0        # sticky error flags, bit i = ErrorFlag i
    ERRORS = 1       # number of error events (saturates at 2**32 - 1)
    BUSY = 2         # bit 0 synapse, 1 neuron, 2 fan-out engine busy (read-only)


class ErrorFlag(py_enum.IntEnum):
    """Bits of STATUS.FLAGS. Each error event also adds 1 to STATUS.ERRORS;
    the offending input is dropped and changes nothing else."""
    BAD_MEM = 0      # READ/WRITE to a memory selector that does not exist, or a
                     # WRITE to a read-only word (COUNTERS, CONFIG.TILE)
    BAD_ADDR = 1     # READ/WRITE beyond a memory's words, or a CONFIG value out of range
    BAD_OPCODE = 2   # the neuron engine met a program error: an undefined opcode, mod by
                     # zero, a payload beyond 24 bits, a run past UCODE, or a bad
                     # profile index or entry (that compartment is skipped); see docs/isa.md
    BAD_AXON = 3     # spike to an axon >= n_axons, or whose synapse range leaves the memory
    BAD_SYNAPSE = 4  # synapse word: row >= n_acc_rows, delay > D-2
    BAD_FANOUT = 5   # fan-out range leaves the memory, or an entry's tile is off the mesh
    BAD_PACKET = 6   # packet kind / CTRL op a tile does not accept
    BAD_ACC_REQ = 7  # not raised: an ACC row wraps modulo 2^acc_row_bits (kept for the bit)


def acc_words(params: ChipParams) -> int:
    """Depth of the accumulator memory: D slots of 2^acc_row_bits rows (the
    rows padded to a power of two)."""
    return params.n_delay_slots << params.acc_row_bits


def acc_addr(params: ChipParams, slot, row):
    """ACCUM word address of (slot, row); numpy-broadcasting."""
    return (np.asarray(slot) << params.acc_row_bits) | np.asarray(row)


def acc_unaddr(params: ChipParams, addr):
    """(slot, row) of ACCUM word addresses."""
    addr = np.asarray(addr)
    return addr >> params.acc_row_bits, addr & ((1 << params.acc_row_bits) - 1)


# Memories the core itself owns (the rest belong to the neuron engine).
CORE_MEMS = (Mem.CONFIG, Mem.AXON, Mem.SYNAPSE, Mem.ACCUM, Mem.FANOUT_INDEX,
             Mem.FANOUT, Mem.COUNTERS, Mem.STATUS)


def mem_words(params: ChipParams) -> dict[Mem, int]:
    """Addressable words of each memory the core owns."""
    return {
        Mem.CONFIG: len(Config),
        Mem.AXON: params.n_axons,
        Mem.SYNAPSE: params.n_synapses,
        Mem.ACCUM: acc_words(params),
        Mem.FANOUT_INDEX: params.n_compartments,
        Mem.FANOUT: params.n_fanout,
        Mem.COUNTERS: len(Counter),
        Mem.STATUS: len(Status),
    }


# -- numpy pack / unpack (kilauea.hw.words over the layouts above) -------------
def pack_axon(base, count, graded=0) -> np.ndarray:
    return pack_array(AXON_LAYOUT, base=base, count=count, graded=graded)


def unpack_axon(words) -> dict[str, np.ndarray]:
    return unpack_array(AXON_LAYOUT, words)


def pack_synapse(params: ChipParams, row, weight, delay=0) -> np.ndarray:
    """SYNAPSE words: accumulator `row` (the target's row base + group),
    `weight`, `delay` (broadcasting arrays)."""
    return pack_array(synapse_layout(params), row=row, weight=weight, delay=delay)


def unpack_synapse(params: ChipParams, words) -> dict[str, np.ndarray]:
    return unpack_array(synapse_layout(params), words)


def pack_fanout_index(base, count) -> np.ndarray:
    return pack_array(FANOUT_INDEX_LAYOUT, base=base, count=count)


def unpack_fanout_index(words) -> dict[str, np.ndarray]:
    return unpack_array(FANOUT_INDEX_LAYOUT, words)


def pack_fanout(axon, x=0, y=0, host=0) -> np.ndarray:
    return pack_array(FANOUT_LAYOUT, axon=axon, x=x, y=y, host=host)


def unpack_fanout(words) -> dict[str, np.ndarray]:
    return unpack_array(FANOUT_LAYOUT, words)
