"""Word layouts of the neuron engine's memories: STATE, PARAM, PROFILE, UCODE.

All four are arrays of 32-bit words, addressed by the host (MemBus / WRITE and
READ packets) exactly as listed here, and interpreted the same way by the RTL
(`neuron_engine.py`), the golden interpreter (`kilauea.sim.golden.neuron`) and
the compiler (`kilauea.neurons`).

STATE    n_compartments x STATE_WORDS words. Word `c * STATE_WORDS + i` is
         state word i of compartment c (LDS/STS i). Meaning per program (u, v, ...).
         Stored in n_lanes banks (`Banked`): compartment c's words in bank
         (c // LANE_SLOTS) mod n_lanes, the bank of the lane that runs it.
PARAM    n_compartments x PARAM_WORDS words. Word `c * PARAM_WORDS + 0` is the
         compartment header (`PARAM_HEADER`): bits [7:0] its profile index,
         bits [23:8] its accumulator row base (ACC g reads row base + g,
         modulo 2^acc_row_bits), other bits 0. Words 1.. are per-compartment
         parameters (LDP i).
         Banked as STATE.
PROFILE  n_profiles x PROFILE_WORDS words. Word `p * PROFILE_WORDS + 0` is the
         profile header: bits [15:0] the program's entry address in UCODE.
         Words 1.. are shared parameters (LDC i).
UCODE    n_ucode instruction words (see `kilauea.hw.isa`).

The host addresses STATE and PARAM as one flat array of words whatever their
banks (the engine selects the bank from the address); only the RTL and the
simulators' backdoor see the banks (`Banked.split` / `Banked.join`).

Values are stored as 32-bit two's complement; the Python helpers take and
return signed ints (numpy int64 arrays). Convert between words and values
with `kilauea.hw.words.to_u32` / `to_s32`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from amaranth.hdl import unsigned
from amaranth.lib import data

from ..isa import LANE_SLOTS
from ..params import ChipParams
from ..words import pack, pack_array, unpack_field

__all__ = [
    "STATE_WORDS", "PARAM_WORDS", "PROFILE_WORDS", "ENTRY_BITS", "PROFILE_FIELD_BITS",
    "ACC_ROW_FIELD_BITS", "unpack_param_acc_row", "pack_param_headers",
    "memory_depths", "profile_bits", "bank_rows", "Banked", "banks_of", "bank_images",
    "state_addr", "param_addr", "profile_addr",
    "PARAM_HEADER", "PROFILE_HEADER", "pack_param_header", "unpack_param_header",
    "pack_profile_header", "unpack_profile_header",
]

STATE_WORDS = 4        # state words per compartment
PARAM_WORDS = 4        # parameter words per compartment (word 0: header)
PROFILE_WORDS = 16     # words per profile (word 0: header)
ENTRY_BITS = 16        # width of the entry field of a profile header
PROFILE_FIELD_BITS = 8  # width of the profile field of a compartment header
ACC_ROW_FIELD_BITS = 16  # width of the accumulator row base of a compartment header

#: Word 0 of a compartment's PARAM words (bits above the fields are 0).
PARAM_HEADER = data.StructLayout({"profile": unsigned(PROFILE_FIELD_BITS),
                                  "acc_row": unsigned(ACC_ROW_FIELD_BITS)})
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


def bank_rows(params: ChipParams) -> int:
    """Compartments per bank of STATE and PARAM: those of bank 0, which has
    the most (runs of `isa.LANE_SLOTS` compartments go to the banks in turn)."""
    run = LANE_SLOTS
    full, rest = divmod(params.n_compartments, run * params.n_lanes)
    return full * run + min(run, rest)


B = TypeVar("B")


@dataclass(frozen=True)
class Banked(Generic[B]):
    """A flat memory of `depth` words stored in `len(banks)` banks of rows of
    `row_words` words (a power of two), runs of `run` rows (a power of two)
    to each bank in turn: flat word a is in row r = a // row_words, bank
    (r // run) mod len(banks), bank row (r // (run len(banks))) run + r mod
    run, at bank address (bank row) row_words + a mod row_words. So
    compartment c (row c) lives in bank (c // LANE_SLOTS) mod n_lanes with
    run = LANE_SLOTS. `banks` are anything per bank (an Amaranth `Memory`, a
    simulator's memory name); `split` / `join` move images between the flat
    and the banked form."""
    banks: tuple[B, ...]
    row_words: int
    depth: int
    run: int = 1

    def __post_init__(self) -> None:
        for what, n in (("row_words", self.row_words), ("banks", len(self.banks)),
                        ("run", self.run)):
            if n < 1 or n & (n - 1):
                raise ValueError(f"Banked: {what} = {n} must be a power of two")

    def bank_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(bank, bank row) of flat rows (int arrays)."""
        n, run = len(self.banks), self.run
        return (rows // run) % n, (rows // (run * n)) * run + rows % run

    def split(self, words) -> list[np.ndarray]:
        """The images of the banks (each from bank address 0) of a flat image
        `words` from address 0 (at most `depth` words)."""
        words = np.asarray(words).reshape(-1)
        if words.size > self.depth:
            raise ValueError(f"Banked.split: image of {words.size} words does not fit "
                             f"{self.depth} words")
        w = self.row_words
        rows = -(-words.size // w)
        padded = np.zeros(rows * w, dtype=words.dtype)
        padded[:words.size] = words
        flat = padded.reshape(rows, w)
        bank, _ = self.bank_of_rows(np.arange(rows))
        # a bank's rows of a prefix image are a prefix of its bank rows, in
        # order; the last row may be partial: keep exactly the words the image has
        out = []
        for b in range(len(self.banks)):
            mine = flat[bank == b].reshape(-1)
            if rows and bank[-1] == b and words.size % w:
                mine = mine[:mine.size - (w - words.size % w)]
            out.append(mine)
        return out

    def join(self, bank_words: list) -> np.ndarray:
        """The flat image (`depth` words) of the banks' images (each from
        bank address 0, at least as deep as `split` gives for `depth`)."""
        w = self.row_words
        rows = -(-self.depth // w)
        flat = np.zeros((rows, w), dtype=np.asarray(bank_words[0]).dtype)
        bank, bank_row = self.bank_of_rows(np.arange(rows))
        for b, words in enumerate(bank_words):
            sel = bank == b
            words = np.asarray(words).reshape(-1)
            need = (int(bank_row[sel].max()) + 1) * w if sel.any() else 0
            padded = np.zeros(max(need, words.size), dtype=flat.dtype)
            padded[:words.size] = words
            flat[sel] = padded[:need].reshape(-1, w)[bank_row[sel]]
        return flat.reshape(-1)[:self.depth]


def banks_of(memory) -> tuple:
    """The memories a host memory is stored in: a `Banked`'s banks, or itself."""
    return memory.banks if isinstance(memory, Banked) else (memory,)


def bank_images(memory, words) -> list[tuple[object, np.ndarray]]:
    """(bank, image from bank address 0) pairs that hold a flat image `words`
    (from address 0) of `memory`, a `Banked` or a plain memory (itself)."""
    if isinstance(memory, Banked):
        return list(zip(memory.banks, memory.split(words)))
    return [(memory, np.asarray(words).reshape(-1))]


def state_addr(compartment, word: int):
    """Address of state word `word` of `compartment` (int or int array)."""
    return compartment * STATE_WORDS + word


def param_addr(compartment, word: int):
    """Address of parameter word `word` (0: the header) of `compartment`."""
    return compartment * PARAM_WORDS + word


def profile_addr(profile: int, word: int) -> int:
    """Address of word `word` (0: the header) of `profile`."""
    return profile * PROFILE_WORDS + word


def pack_param_header(profile: int, acc_row: int = 0) -> int:
    """The compartment header word of a compartment running `profile` whose
    accumulator rows start at `acc_row`."""
    return pack(PARAM_HEADER, what="compartment header field", profile=profile,
                acc_row=acc_row)


def pack_param_headers(profile, acc_row) -> np.ndarray:
    """Compartment header words (uint32 array) of broadcasting `profile` and
    `acc_row` arrays."""
    return pack_array(PARAM_HEADER, profile=profile, acc_row=acc_row)


def unpack_param_header(word) -> np.ndarray:
    """The profile index of compartment header words (int64)."""
    return unpack_field(PARAM_HEADER, word, "profile")


def unpack_param_acc_row(word) -> np.ndarray:
    """The accumulator row base of compartment header words (int64)."""
    return unpack_field(PARAM_HEADER, word, "acc_row")


def pack_profile_header(entry: int) -> int:
    """The profile header word of a program starting at UCODE address `entry`."""
    return pack(PROFILE_HEADER, what="profile header field", entry=entry)


def unpack_profile_header(word) -> np.ndarray:
    """The program entry address of profile header words (int64)."""
    return unpack_field(PROFILE_HEADER, word, "entry")
