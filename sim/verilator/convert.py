"""Amaranth's RTLIL back end, with memory initialisers written fast.

`amaranth.back.rtlil` writes a memory's initialiser (``$meminit_v2``, its
``DATA`` the words of the memory, lowest word and bit last) by making one
netlist net per bit and joining them one by one: the chip's core holds
memories of about 3.2 million bits in all (all zero), and writing them was
over half of the Python time of a chip's Verilog. `to_rtlil` is
``rtlil.convert(..., emit_src=False)`` with that one step replaced by string
formatting of the words: the RTLIL text is the same, character for
character (the tests compare the two). The Verilator build generates its
designs inside `fast_meminit`.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

from amaranth.back import rtlil
from amaranth.hdl import _nir

__all__ = ["to_rtlil", "fast_meminit"]

_LOCK = threading.Lock()


def meminit_bits(init: tuple[int, ...], width: int) -> str:
    """The constant bits of a memory's words as RTLIL writes them: most
    significant bit of the last word first (``width`` bits a word; a negative
    word in two's complement)."""
    if not any(init):
        return "0" * (width * len(init))
    mask, fmt = (1 << width) - 1, f"0{width}b"
    return "".join(format(word & mask, fmt) for word in reversed(init))


def _emit_memory(self, cell_idx: int, cell: _nir.Memory) -> None:
    """`rtlil.ModuleEmitter.emit_memory`, the ``DATA`` constant formatted
    from the words at once."""
    bits = meminit_bits(cell.init, cell.width)
    self.builder.cell("$meminit_v2", ports={
        "ADDR": self.sigspec(),
        "DATA": f"{len(bits)}'{bits}" if bits else self.sigspec(),
        "EN": self.sigspec(_nir.Value.ones(cell.width)),
    }, parameters={
        "MEMID": self.memories[cell_idx].memid,
        "ABITS": 0,
        "WIDTH": cell.width,
        "WORDS": cell.depth,
        "PRIORITY": 0,
    }, src_loc=cell.src_loc)


@contextmanager
def fast_meminit() -> Iterator[None]:
    """Within the block, `rtlil.ModuleEmitter` writes memory initialisers
    with `_emit_memory` (one conversion at a time: the class is patched and
    restored under a lock)."""
    with _LOCK:
        original = rtlil.ModuleEmitter.emit_memory
        rtlil.ModuleEmitter.emit_memory = _emit_memory
        try:
            yield
        finally:
            rtlil.ModuleEmitter.emit_memory = original


def to_rtlil(elaboratable, name: str) -> str:
    """``amaranth.back.rtlil.convert(elaboratable, name=name, emit_src=False)``,
    the same text, memory initialisers written fast."""
    with fast_meminit():
        return rtlil.convert(elaboratable, name=name, emit_src=False)
