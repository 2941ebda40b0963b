"""RFZero, a resonate-and-fire neuron on two inputs (lava-nc 0.10's
``lava.proc.resfire``).

Spec: ``docs/processes.md``, section "RFZero". Constants per neuron, in
units of ``2**-15``: ``lct = int32(2**15 exp(-dt / tau) cos(2 pi f dt))``,
``lst = int32(2**15 exp(-dt / tau) sin(2 pi f dt))`` (truncated toward
zero). Per step, inputs ``xu``, ``xv``, every product, quotient and sum in
int32 (``s32``; ``//`` floors)::

    u' = s32(s32(s32(u lct) // 2**15 - s32(v lst) // 2**15) + xu)
    v' = s32(s32(s32(v lct) // 2**15 + s32(u lst) // 2**15) + xv)
    s_out = u' where (u' > uth and v' >= 0 and v < 0) else 0

Pure functions (int64 arrays in and out).
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..hw.words import to_s32

__all__ = ["rfzero_constants", "rfzero_step", "RFZERO_SHIFT"]

#: lct, lst are fractions of 2**RFZERO_SHIFT.
RFZERO_SHIFT = 15
_I64 = np.int64


def rfzero_constants(freqs, decay_tau, dt: float) -> Tuple[np.ndarray, np.ndarray]:
    """``(lct, lst)`` as int32 arrays (module docstring)."""
    decay = np.exp(dt * (-1 / np.asarray(decay_tau)))
    phase = dt * np.asarray(freqs) * np.pi * 2
    lct = np.array(decay * np.cos(phase))
    lst = np.array(decay * np.sin(phase))
    scale = 2 ** RFZERO_SHIFT
    return (lct * scale).astype(np.int32), (lst * scale).astype(np.int32)


def rfzero_step(u, v, xu, xv, lct, lst, uth) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step; returns ``(u', v', s_out)`` (int64)."""
    u, v = np.asarray(u, dtype=_I64), np.asarray(v, dtype=_I64)
    lct, lst = np.asarray(lct, dtype=_I64), np.asarray(lst, dtype=_I64)
    k = RFZERO_SHIFT
    new_u = to_s32(to_s32((to_s32(u * lct) >> k) - (to_s32(v * lst) >> k))
                   + np.asarray(xu, dtype=_I64))
    new_v = to_s32(to_s32((to_s32(v * lct) >> k) + (to_s32(u * lst) >> k))
                   + np.asarray(xv, dtype=_I64))
    fire = (new_u > np.asarray(uth).reshape(-1)[0]) & (new_v >= 0) & (v < 0)
    return new_u, new_v, np.where(fire, new_u, 0)
