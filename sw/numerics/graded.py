"""Graded-spike vector neurons: GradedVec and GradedReluVec steps.

Spec: ``docs/processes.md``, "Other neuron models"; the
reference is lava-nc 0.10's ``lava.proc.graded`` (``PyGradedVecModelFixed``)::

    v += a_in
    spike where |v| > vth          (GradedReluVec: v > vth; strict)
    s_out = v where spiking else 0 (a graded payload: the value itself)
    v = 0

Fixed-point widths: ``v`` and ``a_in`` are int32 as in Lava (the sum wraps
to 32 bits, as the chip's registers do); ``vth`` is 24-bit unsigned
(0..2**24 - 1); the payload ``s_out`` travels in the spike packet's 24-bit
signed field, so a payload outside -2**23..2**23 - 1 cannot be sent
(``check_payloads`` raises; the chip sends it truncated and counts an error).

All functions are pure and vectorised (int64 arrays in and out).
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..hw.fixed_point import GRADED_VTH, PAYLOAD_BITS, PAYLOAD_MAX, PAYLOAD_MIN
from ..hw.words import to_s32

__all__ = ["PAYLOAD_BITS", "PAYLOAD_MIN", "PAYLOAD_MAX", "GRADED_VTH_MAX",
           "abs32", "graded_fixed_step", "graded_float_step", "check_payloads"]

#: ``vth`` of GradedVec / GradedReluVec: 24-bit unsigned (`fixed_point.GRADED_VTH`).
GRADED_VTH_MAX = GRADED_VTH.hi


def abs32(x) -> np.ndarray:
    """``|x|`` in int32 arithmetic: ``|-2**31|`` stays ``-2**31``. int64."""
    return to_s32(np.abs(np.asarray(x, dtype=np.int64)))


def graded_fixed_step(v, a_in, vth: int, relu: bool) -> Tuple[np.ndarray, np.ndarray]:
    """One fixed-point step of GradedVec (``relu=False``: ``|v| > vth``) or
    GradedReluVec (``relu=True``: ``v > vth``). Returns ``(v', s_out)``:
    ``v'`` is all zeros, ``s_out`` the payloads (0 where no spike). int64."""
    v = to_s32(np.asarray(v, dtype=np.int64) + np.asarray(a_in, dtype=np.int64))
    test = v if relu else abs32(v)
    s_out = np.where(test > int(vth), v, 0).astype(np.int64)
    return np.zeros_like(v), s_out


def graded_float_step(v, a_in, vth: float, relu: bool) -> Tuple[np.ndarray, np.ndarray]:
    """The same step in floating point. Returns ``(v', s_out)`` (float64)."""
    v = np.asarray(v, dtype=np.float64) + np.asarray(a_in, dtype=np.float64)
    test = v if relu else np.abs(v)
    return np.zeros_like(v), np.where(test > vth, v, 0.0)


def check_payloads(owner: str, s_out, time_step: int) -> None:
    """Raise ``ValueError`` (naming ``owner``, the element and the step) if a
    graded payload does not fit the packet's 24-bit signed field."""
    s = np.asarray(s_out, dtype=np.int64).reshape(-1)
    bad = np.flatnonzero((s < PAYLOAD_MIN) | (s > PAYLOAD_MAX))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{owner}: graded payload {int(s[i])} of element {i} at step "
                         f"{time_step} does not fit {PAYLOAD_BITS} bits signed ({PAYLOAD_MIN}..{PAYLOAD_MAX}); "
                         "the chip could not send it")
