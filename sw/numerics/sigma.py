"""Sigma and Delta: the two halves of the sigma-delta neuron as separate
processes (lava-nc 0.10 ``lava.proc.sdn.models`` ``PySigmaModel*`` and
``PyDeltaModel*``)::

    Sigma:  sigma += a_in ; s_out = sigma
    Delta:  a = a_in << (spike_exp + state_exp)        (fixed point only)
            delta = a - act + residue
            without cum_error: s = delta where |delta| >= vth else 0
            with cum_error:    error += delta; s = delta where |error| >= vth
                               else 0; error = 0 where s != 0
            residue = delta - s ; act = a
            s_out = s >> state_exp                     (fixed point; float: s)

Fixed point: int32 states, every sum wrapping to 32 bits (Lava's int32
arrays, the chip's registers); ``>>`` floors. ``vth`` is the Process's Var,
already scaled by ``2**(spike_exp + state_exp)``. Pure functions.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..hw.words import to_s32
from .graded import abs32

__all__ = ["sigma_fixed_step", "sigma_float_step", "delta_fixed_step", "delta_float_step",
           "DELTA_SHIFT_MAX"]

#: ``spike_exp + state_exp`` of a Delta lies in 0..DELTA_SHIFT_MAX.
DELTA_SHIFT_MAX = 31

_I64 = np.int64


def sigma_fixed_step(sigma, a_in) -> Tuple[np.ndarray, np.ndarray]:
    """``sigma' = to_s32(sigma + a_in)``; returns ``(sigma', s_out = sigma')``."""
    s = to_s32(np.asarray(sigma, dtype=_I64) + np.asarray(a_in, dtype=_I64))
    return s, s.copy()


def sigma_float_step(sigma, a_in) -> Tuple[np.ndarray, np.ndarray]:
    s = np.asarray(sigma, dtype=float) + np.asarray(a_in, dtype=float)
    return s, s.copy()


def _delta(a, act, residue, error, vth, cum_error: bool, wrap):
    delta = wrap(a - act + residue)
    if cum_error:
        error = wrap(error + delta)
        s = np.where(np.abs(error) >= vth if wrap is _id else abs32(error) >= vth, delta, 0)
        error = np.where(s != 0, 0, error)
    else:
        s = np.where(np.abs(delta) >= vth if wrap is _id else abs32(delta) >= vth, delta, 0)
    return s, wrap(delta - s), error


def _id(x):
    return x


def delta_fixed_step(act, residue, error, a_in, vth: int, spike_exp: int, state_exp: int,
                     cum_error: bool) -> Tuple[np.ndarray, ...]:
    """One fixed-point Delta step. Returns ``(act', residue', error', s_out)``
    (int64; ``error'`` unchanged without ``cum_error``)."""
    a = to_s32(np.asarray(a_in, dtype=_I64) << int(spike_exp + state_exp))
    s, residue, error = _delta(a, np.asarray(act, dtype=_I64), np.asarray(residue, dtype=_I64),
                               np.asarray(error, dtype=_I64), int(vth), cum_error, to_s32)
    return a, residue, np.asarray(error, dtype=_I64).copy(), s.astype(_I64) >> int(state_exp)


def delta_float_step(act, residue, error, a_in, vth: float,
                     cum_error: bool) -> Tuple[np.ndarray, ...]:
    """The same step in floating point (no shifts). Returns ``(act',
    residue', error', s_out)`` (float64)."""
    f = float
    a = np.asarray(a_in, dtype=f)
    s, residue, error = _delta(a, np.asarray(act, dtype=f), np.asarray(residue, dtype=f),
                               np.asarray(error, dtype=f), vth, cum_error, _id)
    return a, residue, np.asarray(error, dtype=f).copy(), s.astype(f)
