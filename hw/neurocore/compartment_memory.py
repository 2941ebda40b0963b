"""Word layouts of the neuron engine's memories: STATE, PARAM, PROFILE, UCODE.

All four are arrays of 32-bit words, addressed by the host (MemBus / WRITE and
READ packets) exactly as listed here, and interpreted the same way by the RTL
(`neuron_engine.py`), the golden interpreter (`kilauea.sim.golden.neuron`) and
the compiler (`kilauea.neurons`).

STATE    n_compartments x STATE_WORDS words. Word `c * STATE_WORDS + i` is
         state word i of compartment c (LDS/STS i). Meaning per program (u, v, ...).
PARAM    n_compartments x PARAM_WORDS words. Word `c * PARAM_WORDS + 0` is the
         compartment header: bits [PROFILE_FIELD_BITS-1:0] its profile index
         (other bits 0). Words 1.. are per-compartment parameters (LDP i).
PROFILE  n_profiles x PROFILE_WORDS words. Word `p * PROFILE_WORDS + 0` is the
         profile header: bits [15:0] the program's entry address in UCODE.
         Words 1.. are shared parameters (LDC i).
UCODE    n_ucode instruction words (see `kilauea.hw.isa`).

Values are stored as 32-bit two's complement; the Python helpers take and
return signed ints (numpy int64 arrays). Convert between words and values
with `kilauea.hw.words.to_u32` / `to_s32`.
"""
from __future__ import annotations

import numpy as np
from amaranth.hdl import unsigned
from amaranth.lib import data

from ..params import ChipParams
from ..words import pack, unpack_field

__all__ = [
    "STATE_WORDS", "PARAM_WORDS", "PROFILE_WORDS", "ENTRY_BITS", "PROFILE_FIELD_BITS",
    "memory_depths", "profile_bits",
    "state_addr", "param_addr", "profile_addr",
    "PARAM_HEADER", "PROFILE_HEADER", "pack_param_header", "unpack_param_header",
    "pack_profile_header", "unpack_profile_header",
]

STATE_WORDS = 4        # state words per compartment
PARAM_WORDS = 4        # parameter words per compartment (word 0: header)
PROFILE_WORDS = 16     # words per profile (word 0: header)
ENTRY_BITS = 16        # width of the entry field of a profile header
PROFILE_FIELD_BITS = 8  # width of the profile field of a compartment header

#: Word 0 of a compartment's PARAM words (bits above the field are 0).
PARAM_HEADER = data.StructLayout({"profile": unsigned(PROFILE_FIELD_BITS)})
#: Word 0 of a profile's PROFILE words (bits above the field are 0).
PROFILE_HEADER = data.StructLayout({"entry": unsigned(ENTRY_BITS)})


def profile_bits(params: ChipParams) -> int:
    """Bits of a profile index."""
    return max(1, (params.n_profiles - 1).bit_length())


def memory_depths(params: ChipParams) -> dict[str, int]:
    """Depth in words of each memory the neuron engine owns."""
    return {
        "state": params.n_compartments * STATE_WORDS,
        "param": params.n_compartments * PARAM_WORDS,
        "profile": params.n_profiles * PROFILE_WORDS,
        "ucode": params.n_ucode,
    }


def state_addr(compartment, word: int):
    """Address of state word `word` of `compartment` (int or int array)."""
    return compartment * STATE_WORDS + word


def param_addr(compartment, word: int):
    """Address of parameter word `word` (0: the header) of `compartment`."""
    return compartment * PARAM_WORDS + word


def profile_addr(profile: int, word: int) -> int:
    """Address of word `word` (0: the header) of `profile`."""
    return profile * PROFILE_WORDS + word


def pack_param_header(profile: int) -> int:
    """The compartment header word of a compartment running `profile`."""
    return pack(PARAM_HEADER, what="compartment header field", profile=profile)


def unpack_param_header(word) -> np.ndarray:
    """The profile index of compartment header words (int64)."""
    return unpack_field(PARAM_HEADER, word, "profile")


def pack_profile_header(entry: int) -> int:
    """The profile header word of a program starting at UCODE address `entry`."""
    return pack(PROFILE_HEADER, what="profile header field", entry=entry)


def unpack_profile_header(word) -> np.ndarray:
    """The program entry address of profile header words (int64)."""
    return unpack_field(PROFILE_HEADER, word, "entry")
