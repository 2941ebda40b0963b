"""S4D neurons (diagonal state-space model, Gu et al. 2022): S4d and the
activation of SigmaS4dDelta.

Spec: ``docs/processes.md``, section "S4d, SigmaS4dDelta,
SigmaS4dDeltaLayer"; the reference is lava-nc 0.10's ``lava.proc.s4d``
(floating point only). Per step, with ``x`` the input::

    state = state * a + x * b        (complex for S4d, real for SigmaS4dDelta)
    out   = c * state * 2            (S4d sends its real part)

SigmaS4dDelta replaces SigmaDelta's activation with this (``x`` = sigma;
``bias`` and ``act_mode`` unused) and delta-encodes ``out``. Pure functions.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from .sigma import delta_float_step, sigma_float_step

__all__ = ["s4d_step", "s4d_activation", "sigma_s4d_delta_float_step"]


def s4d_activation(state, x, a, b, c) -> Tuple[np.ndarray, np.ndarray]:
    """``state' = state * a + x * b``, ``out = c * state' * 2``; returns
    ``(state', out)`` in numpy's result type (complex if any input is)."""
    state = np.asarray(state) * np.asarray(a) + np.asarray(x) * np.asarray(b)
    return state, np.asarray(c) * state * 2


def s4d_step(state, x, a, b, c) -> Tuple[np.ndarray, np.ndarray]:
    """One S4d step: ``(state', real(c * state' * 2))`` (complex, float64)."""
    state, out = s4d_activation(np.asarray(state, dtype=complex), x, a, b, c)
    return state, np.real(out)


def sigma_s4d_delta_float_step(sigma, s4_state, act, residue, error, a_in, a, b, c,
                               vth: float, cum_error: bool) -> Tuple[np.ndarray, ...]:
    """One SigmaS4dDelta step (float64): ``sigma += a_in``, the S4D
    activation of ``sigma``, then SigmaDelta's delta encoding against
    ``vth``. Returns ``(sigma', s4_state', act', residue', error', s_out)``."""
    sigma, _ = sigma_float_step(sigma, a_in)
    s4_state, out = s4d_activation(np.asarray(s4_state, dtype=float), sigma, a, b, c)
    act, residue, error, s = delta_float_step(act, residue, error, out, vth, cum_error)
    return sigma, s4_state, act, residue, error, s
