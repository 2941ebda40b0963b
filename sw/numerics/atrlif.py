"""ATRLIF (adaptive threshold and refractoriness LIF) steps.

Spec: ``docs/processes.md``, section "ATRLIF"; the reference is lava-nc
0.10's ``lava.proc.atrlif`` (``PyATRLIFModelFloat``, ``PyATRLIFModelFixed``).

Floating point, per step (``x`` the input)::

    i     = (1 - delta_i) * i + x
    v     = (1 - delta_v) * v + i + bias_mant
    theta = (1 - delta_theta) * (theta - theta_0) + theta_0
    r     = (1 - delta_r) * r
    s     = (v - r) >= theta
    where s: r += 2 * theta ; theta += theta_step

Fixed point (lava-nc's int32 arrays; every sum below wraps to 32 bits as
theirs does): the decays are *fractions* (as in the float model) turned into
12-bit factors, ``trs(x) = sign(x) * (|x| >> 12)`` truncates toward zero::

    i     = wrap24(s32(trs(i * (4096 - (delta_i * 4096 + 1))) + x * 64))
    v     = clip(s32(trs(v * F(delta_v)) + i + bias), -(2**23 - 1), 2**23 - 1)
    theta = s32(s32(trs(s32(theta - theta_0) * F(delta_theta))) + theta_0)
    r     = s32(trs(r * F(delta_r)))
    s     = s32(v - r) >= theta
    where s: r = s32(r + s32(2 * theta)) ; theta = s32(theta + theta_step)

with ``F(d) = trunc(4096 - d * 4096)``, ``bias = s32(bias_mant << bias_exp)``
(``bias_mant >> -bias_exp`` for negative exponents, flooring), and
``theta_0``, ``theta_step`` the user's values times 64, truncated (done once,
before the first step, which also sets every ``theta`` to ``theta_0``).
``wrap24`` is LIF's single wrap: above ``2**23`` loses ``2**24``, at or below
``-2**23`` gains ``2**24``. Two places follow numpy's types in lava-nc:

- ``x * 64`` is computed in the dtype the input port delivers (int16 from an
  int16 sender, int32 from Dense, float64 from a float sender) and wraps in
  that width; a float sum is truncated toward zero.
- ``i * (4096 - ...)``: with ``delta_i`` a Python or numpy integer scalar the
  product is int32 and wraps (:attr:`ProductArith.INT32`), otherwise (a float,
  or an array) it is exact (float64 then truncated, or int64:
  :attr:`ProductArith.EXACT`).

Pure, vectorised functions: int64 arrays in and out.
"""
from __future__ import annotations

import numbers
import typing as ty
from dataclasses import dataclass
from enum import Enum

import numpy as np

from ..hw import fixed_point as fp
from ..hw.words import to_s32, wrap_signed, wrap_unsigned
from .lif import trunc_shr

__all__ = ["ProductArith", "AtrlifState", "AtrlifFixedParams", "product_arith",
           "atrlif_float_step", "atrlif_fixed_step", "atrlif_fixed_params",
           "atrlif_bias", "scale_in_dtype", "scale_threshold"]

_I64 = np.int64
_F64 = np.float64
#: 12-bit decay factors, 6-bit MSB alignment of input and threshold.
_UNITY = fp.DECAY_ONE
_SHIFT = fp.DECAY_BITS
_ACT = 1 << fp.ACT_SHIFT
_WRAP = fp.STATE_WRAP
_V_LIMIT = fp.V_LIMIT


class ProductArith(Enum):
    """How lava-nc's numpy computes the current's decay product."""
    INT32 = "int32"      # an integer scalar delta_i: the product wraps
    EXACT = "exact"      # a float or array delta_i: float64 / int64, exact


def product_arith(delta_i) -> ProductArith:
    """The arithmetic lava-nc's ``i * (4096 - ...)`` gets for this ``delta_i``
    (its raw value: lava-nc keeps a scalar Var's value as given)."""
    if isinstance(delta_i, (numbers.Integral, np.integer)) and not isinstance(delta_i, bool):
        return ProductArith.INT32
    return ProductArith.EXACT


@dataclass(frozen=True)
class AtrlifState:
    """The state of ATRLIF neurons (arrays of one shape)."""
    i: np.ndarray
    v: np.ndarray
    theta: np.ndarray
    r: np.ndarray
    s: np.ndarray


@dataclass(frozen=True)
class AtrlifFixedParams:
    """Fixed-point parameters, already scaled. ``delta_*`` are the user's
    fractions; ``theta_0``, ``theta_step`` are ``trunc(value * 64)`` (int64);
    ``bias`` the effective bias (int64 array)."""
    delta_i: float
    delta_v: float
    delta_theta: float
    delta_r: float
    theta_0: np.ndarray
    theta_step: np.ndarray
    bias: np.ndarray
    arith: ProductArith


def scale_threshold(value) -> np.ndarray:
    """``np.int32(value * 64)``: times 64, truncated toward zero, 32-bit wrap
    (``theta_0`` and ``theta_step`` before the first fixed-point step). int64."""
    return to_s32(np.trunc(np.asarray(value, dtype=_F64) * _ACT).astype(_I64))


def atrlif_bias(bias_mant, bias_exp) -> np.ndarray:
    """``bias_mant << bias_exp`` (``>> -bias_exp`` when negative, flooring),
    in int32 as lava-nc (``bias_mant`` an int16 Var widened to int32). int64."""
    mant = np.asarray(bias_mant, dtype=_I64)
    exp = np.asarray(bias_exp, dtype=_I64)
    return to_s32(np.where(exp >= 0, mant << np.clip(exp, 0, 63),
                           mant >> np.clip(-exp, 0, 63)))


def atrlif_fixed_params(delta_i, delta_v, delta_theta, delta_r, theta_0, theta_step,
                        bias_mant, bias_exp, arith: ty.Optional[ProductArith] = None
                        ) -> AtrlifFixedParams:
    """The parameters of :func:`atrlif_fixed_step` from the Vars' values
    (``theta_0``, ``theta_step`` already scaled by :func:`scale_threshold`;
    ``arith``: default ``product_arith(delta_i)``)."""
    return AtrlifFixedParams(
        float(np.asarray(delta_i).reshape(-1)[0]), float(np.asarray(delta_v).reshape(-1)[0]),
        float(np.asarray(delta_theta).reshape(-1)[0]), float(np.asarray(delta_r).reshape(-1)[0]),
        np.asarray(theta_0, dtype=_I64), np.asarray(theta_step, dtype=_I64),
        atrlif_bias(bias_mant, bias_exp),
        product_arith(delta_i) if arith is None else arith)


def scale_in_dtype(x: np.ndarray, factor: int) -> np.ndarray:
    """``x * factor`` computed in ``x``'s own dtype (wrapping in an integer
    dtype's width); int64 for integers, float64 for floats."""
    x = np.asarray(x)
    if x.dtype.kind == "f":
        return x.astype(_F64) * factor
    prod = x.astype(_I64) * factor
    bits = 8 * x.dtype.itemsize
    if x.dtype.kind == "u":
        return wrap_unsigned(prod, bits)
    return wrap_signed(prod, bits) if bits < 64 else prod


def _decay_factor(delta: float) -> int:
    """``trunc(4096 - delta * 4096)`` (lava-nc's ``np.int64(...)`` of it)."""
    return int(_UNITY - delta * _UNITY)


def _current(i, a_in, p: AtrlifFixedParams) -> np.ndarray:
    factor = _UNITY - (p.delta_i * _UNITY + 1)
    i64 = np.asarray(i, dtype=_I64)
    if p.arith is ProductArith.INT32 and -2**31 <= factor < 2**31:
        prod = to_s32(i64 * int(factor))
    else:
        prod = np.trunc(i64.astype(_F64) * factor).astype(_I64)
    decayed = trunc_shr(prod, _SHIFT)
    act = scale_in_dtype(a_in, _ACT)
    total = decayed + act
    if total.dtype.kind == "f":
        total = np.trunc(total).astype(_I64)
    new = to_s32(total)
    new = np.where(new > _WRAP, new - 2 * _WRAP, new)
    return np.where(new <= -_WRAP, new + 2 * _WRAP, new)


def atrlif_fixed_step(st: AtrlifState, a_in, p: AtrlifFixedParams) -> AtrlifState:
    """One fixed-point ATRLIF step (module docstring). int64 arrays; ``s``
    bool."""
    i = _current(st.i, a_in, p)
    v = trunc_shr(np.asarray(st.v, dtype=_I64) * _decay_factor(p.delta_v), _SHIFT)
    v = np.clip(to_s32(v + i + p.bias), -_V_LIMIT, _V_LIMIT)
    diff = to_s32(np.asarray(st.theta, dtype=_I64) - p.theta_0)
    theta = to_s32(to_s32(trunc_shr(diff * _decay_factor(p.delta_theta), _SHIFT)) + p.theta_0)
    theta = np.broadcast_to(theta, np.shape(st.theta)).copy()
    r = to_s32(trunc_shr(np.asarray(st.r, dtype=_I64) * _decay_factor(p.delta_r), _SHIFT))
    s = to_s32(v - r) >= theta
    r = np.where(s, to_s32(r + to_s32(2 * theta)), r)
    theta = np.where(s, to_s32(theta + p.theta_step), theta)
    return AtrlifState(i, v, theta, r, s)


def atrlif_float_step(st: AtrlifState, a_in, delta_i: float, delta_v: float,
                      delta_theta: float, delta_r: float, theta_0: float,
                      theta_step: float, bias) -> AtrlifState:
    """One floating-point ATRLIF step (``bias_exp`` is not used). float64."""
    f = _F64
    i = (1 - delta_i) * np.asarray(st.i, dtype=f) + np.asarray(a_in, dtype=f)
    v = (1 - delta_v) * np.asarray(st.v, dtype=f) + i + np.asarray(bias, dtype=f)
    theta = (1 - delta_theta) * (np.asarray(st.theta, dtype=f) - theta_0) + theta_0
    r = (1 - delta_r) * np.asarray(st.r, dtype=f)
    s = (v - r) >= theta
    r = np.where(s, r + 2 * theta, r)
    theta = np.where(s, theta + theta_step, theta)
    return AtrlifState(i, v, theta, r, s)
