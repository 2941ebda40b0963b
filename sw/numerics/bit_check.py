"""BitCheck's overflow test (lava-nc 0.10's ``lava.proc.bit_check``).

Spec: ``docs/processes.md``, section "BitCheck". A value overflows ``bits``
bits (1..31) when, taken as int32 (``s32``: wrapped; a float truncated
toward zero), it is not a ``bits``-bit signed number: ``(x << (32 - bits)) >>
(32 - bits) != x`` in int32, i.e. ``x`` outside ``-2**(bits-1) ..
2**(bits-1) - 1``. Pure functions.
"""
from __future__ import annotations

import numpy as np

from ..hw.words import to_s32, wrap_signed

__all__ = ["BITS_MIN", "BITS_MAX", "overflows", "signed_range"]

#: ``bits`` of a BitCheck lies in BITS_MIN..BITS_MAX.
BITS_MIN, BITS_MAX = 1, 31


def overflows(value, bits: int) -> bool:
    """Whether any element of ``value`` (as int32) leaves ``bits`` bits signed."""
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        arr = np.trunc(arr)
    v32 = to_s32(arr.astype(np.int64))
    return bool(np.any(wrap_signed(v32, int(bits)) != v32))


def signed_range(bits: int) -> tuple:
    """``(-2**(bits-1), 2**(bits-1) - 1)``."""
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
