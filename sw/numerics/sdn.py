"""Sigma-delta neurons: the SigmaDelta step.

Spec: ``docs/processes.md``, "Other neuron models"; the
reference is lava-nc 0.10's ``lava.proc.sdn`` (``PySigmaDeltaModelFixed``)::

    sigma  += a_in
    act     = sigma + bias                (UNIT)  |  max(0, sigma + bias)  (RELU)
    delta   = act - act_prev + residue
    without cum_error: s = delta where |delta| >= vth else 0
    with cum_error:    error += delta; s = delta where |error| >= vth else 0;
                       error = 0 where s != 0
    residue = delta - s ; act_prev = act
    s_out   = shr(s, state_exp)           (fixed point; floating point: s_out = s)

``vth`` and ``bias`` are the Process's Vars, already multiplied by
``2**(spike_exp + state_exp)``. Fixed point: every state (``sigma``,
``act``, ``residue``, ``error``) is int32 and every sum wraps to 32 bits as
in Lava's int32 arrays (and the chip's registers); ``shr`` floors. The
payload ``s_out`` must fit 24 bits signed (``graded.check_payloads``).
Ranges the Process accepts: ``vth`` 0..2**24 - 1, ``bias`` 24-bit signed
(both after scaling), ``spike_exp`` and ``state_exp`` 0..31.

Pure, vectorised functions (int64 arrays in and out for fixed point).
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..hw.fixed_point import SDN_BIAS, SDN_EXP, SDN_VTH
from ..hw.words import to_s32
from .graded import abs32

__all__ = ["SDN_VTH_MAX", "SDN_BIAS_MIN", "SDN_BIAS_MAX", "SDN_EXP_MAX",
           "sigma_delta_fixed_step", "sigma_delta_float_step"]

SDN_VTH_MAX = SDN_VTH.hi
SDN_BIAS_MIN, SDN_BIAS_MAX = SDN_BIAS
#: spike_exp and state_exp lie in 0..SDN_EXP_MAX.
SDN_EXP_MAX = SDN_EXP.hi

_I64 = np.int64


def sigma_delta_fixed_step(sigma, act, residue, error, a_in, bias, vth: int,
                           state_exp: int, relu: bool, cum_error: bool
                           ) -> Tuple[np.ndarray, ...]:
    """One fixed-point SigmaDelta step. Returns ``(sigma', act', residue',
    error', s_out)`` (int64; ``error'`` is ``error`` unchanged without
    ``cum_error``)."""
    sigma = to_s32(np.asarray(sigma, dtype=_I64) + np.asarray(a_in, dtype=_I64))
    a = to_s32(sigma + np.asarray(bias, dtype=_I64))
    if relu:
        a = np.maximum(a, 0)
    delta = to_s32(a - np.asarray(act, dtype=_I64) + np.asarray(residue, dtype=_I64))
    error = np.asarray(error, dtype=_I64)
    if cum_error:
        error = to_s32(error + delta)
        s = np.where(abs32(error) >= int(vth), delta, 0).astype(_I64)
        error = np.where(s != 0, 0, error).astype(_I64)
    else:
        s = np.where(abs32(delta) >= int(vth), delta, 0).astype(_I64)
    residue = to_s32(delta - s)
    s_out = s >> int(state_exp)
    return sigma, a, residue, error.copy(), s_out


def sigma_delta_float_step(sigma, act, residue, error, a_in, bias, vth: float,
                           relu: bool, cum_error: bool) -> Tuple[np.ndarray, ...]:
    """The same step in floating point (no ``state_exp`` shift). Returns
    ``(sigma', act', residue', error', s_out)`` (float64)."""
    f = np.float64
    sigma = np.asarray(sigma, dtype=f) + np.asarray(a_in, dtype=f)
    a = sigma + np.asarray(bias, dtype=f)
    if relu:
        a = np.maximum(a, 0.0)
    delta = a - np.asarray(act, dtype=f) + np.asarray(residue, dtype=f)
    error = np.asarray(error, dtype=f)
    if cum_error:
        error = error + delta
        s = np.where(np.abs(error) >= vth, delta, 0.0)
        error = np.where(s != 0, 0.0, error)
    else:
        s = np.where(np.abs(delta) >= vth, delta, 0.0)
    return sigma, a, delta - s, error.copy(), s
