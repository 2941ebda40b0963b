"""Resonate-and-fire neurons: RF and RF_IZ (lava-nc 0.10's ``lava.proc.rf``
and ``lava.proc.rf_iz``).

Spec: ``docs/processes.md``, section "RF, RF_IZ". A neuron is a damped
rotation of ``(real, imag)`` by ``2 pi / period`` per step with decay
``alpha``: ``sin_decay = (1 - alpha) sin(2 pi / period)``, ``cos_decay =
(1 - alpha) cos(2 pi / period)``. Per step, inputs ``xr``, ``xi``::

    real' = S(cos_decay * real) - S(sin_decay * imag) + xr
    imag' = S(sin_decay * real) + S(cos_decay * imag) + xi

Floating point: ``S`` is the identity. Fixed point: ``sin_decay``,
``cos_decay`` are ``trunc(value * 2**decay_bits)``, ``S(y) = sign(y) (|y| >>
decay_bits)`` (truncation toward zero, int64 products), the inputs are
``s32(x << state_exp)`` and ``real'``, ``imag'`` are clipped to
``+-(2**23 - 1)``.

RF spikes where ``real' >= vth`` and the phase crosses zero
(``imag' >= 0`` and ``imag < 0``). RF_IZ spikes where ``imag' >= vth`` and
then sets ``real' = 0``, ``imag' = vth - 1e-5`` (fixed point: ``vth - 1``).
Pure functions.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..hw import fixed_point as fp
from ..hw.words import to_s32
from .lif import trunc_shr

__all__ = ["rf_decays", "rf_fixed_decays", "resonator_float", "resonator_fixed",
           "rf_spikes", "rf_iz_reset", "RF_LIMIT"]

#: ``real`` and ``imag`` are clipped to +-RF_LIMIT in fixed point.
RF_LIMIT = fp.V_LIMIT
_I64 = np.int64


def rf_decays(period: float, alpha: float) -> Tuple[float, float]:
    """``(sin_decay, cos_decay)`` of a period (steps) and a decay."""
    phase = np.pi * 2 * 1 / period
    return (1 - alpha) * np.sin(phase), (1 - alpha) * np.cos(phase)


def rf_fixed_decays(sin_decay: float, cos_decay: float, decay_bits: int) -> Tuple[int, int]:
    """The decays as ``decay_bits``-bit fractions, truncated toward zero."""
    scale = 1 << int(decay_bits)
    return int(np.int32(sin_decay * scale)), int(np.int32(cos_decay * scale))


def resonator_float(real, imag, xr, xi, sin_decay: float,
                    cos_decay: float) -> Tuple[np.ndarray, np.ndarray]:
    """The rotation in floating point; returns ``(real', imag')``."""
    real, imag = np.asarray(real, dtype=float), np.asarray(imag, dtype=float)
    new_real = cos_decay * real - sin_decay * imag + xr
    new_imag = sin_decay * real + cos_decay * imag + xi
    return new_real, new_imag


def resonator_fixed(real, imag, xr, xi, sin_decay: int, cos_decay: int, decay_bits: int,
                    state_exp: int) -> Tuple[np.ndarray, np.ndarray]:
    """The rotation in fixed point (int64 out, clipped to 24 bits signed);
    ``xr``, ``xi`` integer inputs before their ``<< state_exp``."""
    real, imag = np.asarray(real, dtype=_I64), np.asarray(imag, dtype=_I64)
    xr = to_s32(np.asarray(xr, dtype=_I64) << int(state_exp))
    xi = to_s32(np.asarray(xi, dtype=_I64) << int(state_exp))
    k = int(decay_bits)
    new_real = trunc_shr(cos_decay * real, k) - trunc_shr(sin_decay * imag, k) + xr
    new_imag = trunc_shr(sin_decay * real, k) + trunc_shr(cos_decay * imag, k) + xi
    return np.clip(new_real, -RF_LIMIT, RF_LIMIT), np.clip(new_imag, -RF_LIMIT, RF_LIMIT)


def rf_spikes(new_real, new_imag, old_imag, vth) -> np.ndarray:
    """RF's spikes: ``real' >= vth`` at a zero crossing of the phase."""
    return (np.asarray(new_real) >= vth) & (np.asarray(new_imag) >= 0) & (np.asarray(old_imag) < 0)


def rf_iz_reset(new_real, new_imag, vth, offset) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RF_IZ's spike and reset: ``s = imag' >= vth``; where ``s``:
    ``real' = 0``, ``imag' = vth - offset``. Returns ``(real', imag', s)``."""
    s = np.asarray(new_imag) >= vth
    return (np.where(s, 0, new_real), np.where(s, vth - offset, new_imag), s)
