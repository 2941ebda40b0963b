"""TernaryLIF steps: the LIF dynamics with two thresholds and +1 / -1 spikes.

Reference: lava-nc 0.10 ``PyTernLifModelFloat`` / ``PyTernLifModelFixed``.
The sub-threshold dynamics are exactly LIF's (:mod:`.lif`); the spike test
is ``s = (v' > vth_hi) - (v' < vth_lo)`` (fixed point: both thresholds
shifted ``<< 6``, strict comparisons) and ``v' = 0`` wherever ``s != 0``.
``u`` is never reset.

Fixed-point ranges: ``vth_hi``, ``vth_lo`` 24-bit signed (Lava's
``precision=24``) with ``vth_lo <= vth_hi``; the other parameters as LIF.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..hw.fixed_point import TERNARY_VTH, VTH_SHIFT
from .lif import _current_fixed, _voltage_fixed

__all__ = ["TERNARY_VTH_MIN", "TERNARY_VTH_MAX", "ternary_lif_fixed_step",
           "ternary_lif_float_step", "check_ternary_thresholds"]

TERNARY_VTH_MIN, TERNARY_VTH_MAX = TERNARY_VTH


def ternary_lif_fixed_step(u, v, a_in, du: int, dv: int, bias, vth_hi: int,
                           vth_lo: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One bit-exact TernaryLIF step. ``bias`` is the *effective* bias
    (``numerics.effective_bias``); ``vth_hi``/``vth_lo`` are the raw Vars
    (shifted ``<< 6`` here). Returns int64 ``(u', v', s)`` with ``s`` in
    {-1, 0, +1}."""
    u_new = _current_fixed(u, a_in, du)
    v_new = _voltage_fixed(v, u_new, dv, bias)
    s = (v_new > (int(vth_hi) << VTH_SHIFT)).astype(np.int64) \
        - (v_new < (int(vth_lo) << VTH_SHIFT)).astype(np.int64)
    v_new[s != 0] = 0
    return u_new, v_new, s


def ternary_lif_float_step(u, v, a_in, du, dv, bias_mant, vth_hi,
                           vth_lo) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One floating-point TernaryLIF step (``bias_exp`` ignored). Returns
    float64 ``(u', v', s)`` with ``s`` in {-1., 0., +1.}."""
    u_new = np.asarray(u, dtype=float) * (1 - du) + a_in
    v_new = np.asarray(v, dtype=float) * (1 - dv) + u_new + bias_mant
    s = (v_new > vth_hi).astype(float) - (v_new < vth_lo).astype(float)
    v_new[s != 0] = 0
    return u_new, v_new, s


def check_ternary_thresholds(owner: str, vth_hi, vth_lo) -> None:
    """``ValueError`` naming the parameter unless both thresholds are
    integers in 24-bit signed range with ``vth_lo <= vth_hi``."""
    for name, val in (("vth_hi", vth_hi), ("vth_lo", vth_lo)):
        arr = np.asarray(val)
        if arr.dtype.kind not in "iub" and (
                arr.dtype.kind != "f" or not np.all(np.isfinite(arr))
                or not np.all(arr == np.round(arr))):
            raise ValueError(f"{owner}: fixed-point parameter '{name}' must hold "
                             f"integers, got {val!r}")
        if arr.min() < TERNARY_VTH_MIN or arr.max() > TERNARY_VTH_MAX:
            raise ValueError(f"{owner}: fixed-point parameter '{name}' must lie in "
                             f"{TERNARY_VTH_MIN}..{TERNARY_VTH_MAX}, got {val!r}")
    if np.max(vth_lo) > np.min(vth_hi):
        raise ValueError(f"{owner}: 'vth_lo' ({vth_lo!r}) must not exceed "
                         f"'vth_hi' ({vth_hi!r})")
