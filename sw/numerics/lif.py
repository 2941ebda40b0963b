"""LIF neuron steps: fixed point (bit-exact) and floating point.

Spec: ``docs/numerics.md``, "The LIF step (fixed point)" (and its
floating-point paragraph); LIFReset and LIFRefractory in ``docs/processes.md``.

Fixed-point widths (Loihi / lava-nc 0.10 ``PyLifModelBitAcc``; the chip
holds these, its compiler rejects other values; the CPU models, like
lava-nc's, compute with any integers, see below):

====================  ======================================================
``u``, ``v``          24-bit signed state, computed here in int64 (the caller
                      may store int32; ``u`` can leave 24 bits after its
                      single wrap, see the spec's note)
``du``, ``dv``        12-bit unsigned decays, 0..4095 (``u`` decays by
                      ``du + 1``: the hidden +1)
``bias_mant``         13-bit signed, -4096..4095
``bias_exp``          -8..7 (negative exponents shift right, flooring)
``vth``               17-bit unsigned, 0..131071, compared as ``vth << 6``
``a_in``              signed synaptic input of this step, shifted ``<< 6``
====================  ======================================================

Lava computes in numpy int32 arrays, so the sums and the ``<< 6`` of the
fixed-point step wrap modulo ``2**32`` exactly where lava-nc's do
(``kilauea.hw.words.to_s32``): ``a_in << 6`` and ``decayed u + (a_in << 6)``, both
before the single 24-bit wrap of ``u``; the decayed ``v``, and
``decayed v + u + bias`` before ``v``'s clip; the effective bias
(``bias_mant << bias_exp`` in int32). With parameters outside the widths
above (which lava-nc's CPU models accept: ``vth = 2**17``, ``du = -1``, ...)
these wraps are reached, and they happen as in lava-nc. ``du``, ``dv`` and
``vth`` are Python integers there (no wrap); ``bias_mant`` and ``bias_exp``
are int16 arrays, so the models refuse values outside int16 rather than wrap
them silently (``LAVA_INT16``).

All functions are pure: they return new arrays and never modify inputs.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..hw import fixed_point as fp
from ..hw.words import to_s32

# The constants of kilauea.hw.fixed_point under this module's names.
UV_BITS = fp.STATE_BITS
#: ``2**23``: the wrap bound of ``u``.
UV_MAX = fp.STATE_WRAP
#: ``v`` is clipped to ``[-V_LIMIT, V_LIMIT]``.
V_LIMIT = fp.V_LIMIT
DECAY_SHIFT = fp.DECAY_BITS
DECAY_UNITY = fp.DECAY_ONE
#: Synaptic input and threshold are MSB-aligned by 6 bits.
ACT_SHIFT = fp.ACT_SHIFT
VTH_SHIFT = fp.VTH_SHIFT
#: The 1-bit offset added to ``du`` (``ds_offset`` of Loihi 1).
DU_OFFSET = fp.DU_OFFSET

#: lava-nc stores ``bias_mant`` and ``bias_exp`` as int16 (and wraps values
#: outside; kilauea's CPU models refuse them instead).
LAVA_INT16 = fp.IntRange.signed(16)

_I64 = np.int64


def trunc_shr(x: np.ndarray, k: int) -> np.ndarray:
    """``sign(x) * (|x| >> k)``: a right shift that truncates toward zero."""
    return np.sign(x) * (np.abs(x) >> k)


def effective_bias(bias_mant, bias_exp) -> np.ndarray:
    """``bias_mant << bias_exp`` for ``bias_exp >= 0``, else
    ``bias_mant >> -bias_exp`` (arithmetic, flooring), wrapped to int32 as
    lava-nc's int32 shift does (a shift by 32 bits or more leaves 0, or -1
    for a negative mantissa shifted right). int64."""
    mant = np.asarray(bias_mant, dtype=_I64)
    exp = np.asarray(bias_exp, dtype=_I64)
    left = to_s32(mant << np.clip(exp, 0, 63))
    right = mant >> np.clip(-exp, 0, 63)
    return np.where(exp >= 0, left, right)


def effective_vth(vth) -> np.ndarray:
    """``vth << 6``, int64."""
    return np.asarray(vth, dtype=_I64) << VTH_SHIFT


def _current_fixed(u, a_in, du) -> np.ndarray:
    """``u' = trunc_shr(u * (4096 - (du + 1)), 12) + (a_in << 6)``, then a
    single wrap into ``(-2**23, 2**23]``.

    As in lava-nc (int32 arrays), ``a_in << 6`` and the sum wrap at int32
    *before* the single wrap; the decay product is exact (int64 there too).
    """
    decayed = np.asarray(u, dtype=_I64) * (DECAY_UNITY - (int(du) + DU_OFFSET))
    u_new = to_s32(trunc_shr(decayed, DECAY_SHIFT))     # lava-nc: np.int32(...)
    u_new = to_s32(u_new + (np.asarray(a_in, dtype=_I64) << ACT_SHIFT))
    # A single wrap, not a modulo: values above 2**23 lose 2**24, then values
    # at or below -2**23 gain 2**24 (a value just wrapped down is > -2**23).
    u_new -= (u_new > UV_MAX) * (2 * UV_MAX)
    u_new += (u_new <= -UV_MAX) * (2 * UV_MAX)
    return u_new


def _voltage_fixed(v, u_new, dv, bias) -> np.ndarray:
    """``clip(trunc_shr(v * (4096 - dv), 12) + u' + bias, +-(2**23 - 1))``.

    As in lava-nc, the decayed ``v`` is cast to int32 and the sum is an
    int32 sum (both wrap); within the chip's widths neither wraps (after its
    single wrap ``|u'| <= 2**31 - 2**24`` and ``|v| + |bias| < 2**24``)."""
    decayed = np.asarray(v, dtype=_I64) * (DECAY_UNITY - int(dv))
    v_new = to_s32(trunc_shr(decayed, DECAY_SHIFT))
    v_new += u_new
    v_new += bias
    v_new = to_s32(v_new)
    np.maximum(v_new, -V_LIMIT, out=v_new)       # clip (in place, no
    np.minimum(v_new, V_LIMIT, out=v_new)        # np.clip dispatch cost)
    return v_new


def lif_fixed_step(u, v, a_in, du: int, dv: int, bias,
                   vth_eff) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One bit-exact LIF step.

    Parameters: ``u``, ``v`` (state before the step), ``a_in`` (summed input
    of this step), ``du``, ``dv`` (scalars 0..4095), ``bias`` (the
    *effective* bias, see :func:`effective_bias`), ``vth_eff`` (the
    *effective* threshold ``vth << 6``, see :func:`effective_vth`).

    Returns ``(u', v', spikes)``: int64 state after the step (``v'`` already
    reset to 0 where the neuron spiked) and the bool spike vector
    (``v' > vth_eff``, strict). ``u`` is never reset by a spike.
    """
    u_new = _current_fixed(u, a_in, du)
    v_new = _voltage_fixed(v, u_new, dv, bias)
    spikes = v_new > vth_eff
    v_new[spikes] = 0
    return u_new, v_new, spikes


def lif_refractory_fixed_step(u, v, refractory_end, a_in, du: int, dv: int,
                              bias, vth_eff, time_step: int,
                              refractory_period: int):
    """LIFRefractory step with the fixed-point LIF arithmetic.

    ``u`` updates every step; ``v`` updates only where
    ``refractory_end < time_step`` (frozen otherwise); a spike
    (``v' > vth_eff``, over all neurons) sets
    ``refractory_end = time_step + refractory_period`` and ``v' = 0``.

    Returns ``(u', v', refractory_end', spikes)``.
    """
    u_new = _current_fixed(u, a_in, du)
    active = np.asarray(refractory_end) < time_step
    v_new = np.where(active, _voltage_fixed(v, u_new, dv, bias),
                     np.asarray(v, dtype=_I64))
    spikes = v_new > vth_eff
    v_new[spikes] = 0
    end_new = np.where(spikes, time_step + refractory_period, refractory_end)
    return u_new, v_new, end_new, spikes


def lif_float_step(u, v, a_in, du, dv, bias_mant,
                   vth) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One floating-point LIF step (``bias_exp`` is ignored).

    ``u' = u * (1 - du) + a_in``; ``v' = v * (1 - dv) + u' + bias_mant``;
    ``spikes = v' > vth``; ``v' = 0`` where spiking.
    Returns ``(u', v', spikes)`` as float64 arrays and a bool vector.
    """
    u_new = u * (1 - du)
    u_new += a_in
    v_new = v * (1 - dv)
    v_new += u_new
    v_new += bias_mant
    spikes = v_new > vth
    v_new[spikes] = 0
    return u_new, v_new, spikes


def lif_refractory_float_step(u, v, refractory_end, a_in, du, dv, bias_mant,
                              vth, time_step: int, refractory_period: int):
    """Floating-point LIFRefractory step (lava-nc 0.10
    ``PyLifRefractoryModelFloat``): ``v`` frozen while
    ``refractory_end >= time_step``. Returns ``(u', v', refractory_end',
    spikes)``."""
    u_new = u * (1 - du) + a_in
    active = np.asarray(refractory_end) < time_step
    v_new = np.where(active, v * (1 - dv) + u_new + bias_mant, v)
    spikes = v_new > vth
    v_new[spikes] = 0
    end_new = np.where(spikes, time_step + refractory_period, refractory_end)
    return u_new, v_new, end_new, spikes


def is_reset_step(time_step: int, reset_interval: int,
                  reset_offset: int) -> bool:
    """LIFReset: ``u = v = 0`` before the step where
    ``time_step % reset_interval == reset_offset % reset_interval``."""
    return time_step % reset_interval == reset_offset % reset_interval


def check_lif_fixed_params(owner: str, **params) -> None:
    """Raise ``ValueError`` naming the parameter (and ``owner``, e.g. the
    process name) if a fixed-point LIF parameter is not an integer, or, for
    ``bias_mant`` and ``bias_exp``, lies outside int16 (lava-nc's storage,
    ``LAVA_INT16``). The chip's narrower ranges are its compiler's to check."""
    for key, value in params.items():
        arr = np.asarray(value)
        if arr.size == 0:
            continue
        if arr.dtype.kind not in "iub":
            if arr.dtype.kind != "f" or not np.all(np.isfinite(arr)) \
                    or not np.all(arr == np.round(arr)):
                raise ValueError(
                    f"{owner}: fixed-point parameter '{key}' must hold "
                    f"integers, got {value!r}")
        if key in ("bias_mant", "bias_exp") and (arr.min() < LAVA_INT16.lo
                                                 or arr.max() > LAVA_INT16.hi):
            raise ValueError(
                f"{owner}: fixed-point parameter '{key}' must lie in {LAVA_INT16} "
                f"(lava-nc holds it as int16), got values in {arr.min()}..{arr.max()}")
