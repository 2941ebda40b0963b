"""Graded vector operations of lava-nc 0.10's ``lava.proc.graded``:
NormVecDelay, InvSqrt (and its fixed-point Newton iteration), ProdNeuron,
and Loihi 2's rounding.

Spec: ``docs/processes.md``, sections "NormVecDelay, InvSqrt" and
"ProdNeuron".

- ``loihi2round(x) = fix(x + (x > 0) - 0.5)``: to the nearest integer,
  halves away from zero.
- NormVecDelay, per step, inputs ``x1``, ``x2``: ``s2_out = x1 * x1``;
  ``out = v * x2`` with ``v`` the previous step's ``x1`` (0 at first);
  ``s_out = out where |out| > vth else 0``; ``v = x1``.
- ProdNeuron: ``v = (x1 * x2) >> exp`` (flooring);
  ``s_out = v where |v| > vth else 0``.
- Fixed-point ``inv_sqrt(s)``, ``1 / sqrt(s)`` with ``s`` and the result in
  units of ``2**-f`` (``f = 12``): a table guess ``Y[m]`` indexed by the
  leading zeros ``m = 24 - (trunc(log2 s) + 1)`` of a 24-bit ``s``
  (``Y[23 - k] = 2 trunc(2**f / (2**((k - f) / 2) * 1.238982962))``), then
  five Newton steps on ``b = s``, ``y = Y[m] // 2``::

      b = (((b * Y) >> (f + 1)) * Y) >> (f + 1)
      Y = (3 << f) - b
      y = (y * Y) >> (f + 1)

Products are taken in the inputs' own integer width (int32 arrays from
Dense): they wrap as lava-nc's numpy arrays do. Pure functions.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

__all__ = ["loihi2round", "make_fpinv_table", "clz", "inv_sqrt", "wrapping_product",
           "norm_vec_delay_step", "prod_neuron_step", "INV_SQRT_ADJ", "INV_SQRT_BITS"]

#: the table's normalisation constant and the width of ``s``.
INV_SQRT_ADJ = 1.238982962
INV_SQRT_BITS = 24


def loihi2round(vv) -> np.ndarray:
    """Round to the nearest integer, halves away from zero (int64)."""
    vv = np.asarray(vv)
    return np.fix(vv + (vv > 0) - 0.5).astype(np.int64)


def make_fpinv_table(fp_base: int) -> np.ndarray:
    """The 24 initial guesses of :func:`inv_sqrt` (int64), index = leading
    zeros of ``s`` in 24 bits."""
    table = np.zeros(INV_SQRT_BITS, dtype=np.int64)
    base = 2 ** fp_base
    for k in range(INV_SQRT_BITS):
        table[INV_SQRT_BITS - k - 1] = 2 * int(base / (2 ** ((k - fp_base) / 2) * INV_SQRT_ADJ))
    return table


def clz(val):
    """Leading zeros of ``val`` (> 0) in 24 bits, ``24 - (trunc(log2 val) +
    1)`` (negative above 24 bits). An int for a scalar, else int64."""
    out = INV_SQRT_BITS - (np.trunc(np.log2(np.asarray(val, dtype=np.float64))).astype(np.int64) + 1)
    return int(out) if np.ndim(out) == 0 else out


def inv_sqrt(s_fp, n_iters: int = 5, b_fraction: int = 12):
    """Fixed-point ``1 / sqrt(s_fp)`` (module docstring); ``s_fp`` > 0, in
    units of ``2**-b_fraction``, result in the same units. A scalar gives an
    int, an array an int64 array. ``s_fp`` of 2**24 or more indexes the
    table from its end (Python's negative indices, as lava-nc), up to 2**48."""
    arr = np.asarray(s_fp)
    if np.any(arr <= 0):
        raise ValueError(f"inv_sqrt: the input must be > 0, got {s_fp!r}")
    m = np.asarray(clz(arr))
    if np.any(m < -INV_SQRT_BITS):
        raise ValueError(f"inv_sqrt: input {s_fp!r} is beyond 48 bits")
    big_y = make_fpinv_table(b_fraction)[m]
    b = np.trunc(arr).astype(np.int64)
    y = big_y // 2
    sh = b_fraction + 1
    with np.errstate(over="ignore"):        # int64 wraps, as in lava-nc
        for _ in range(n_iters):
            b = (((b * big_y) >> sh) * big_y) >> sh
            big_y = (3 << b_fraction) - b
            y = (y * big_y) >> sh
    return int(y) if np.ndim(y) == 0 else y


def wrapping_product(x, y) -> np.ndarray:
    """``x * y`` in numpy's result type of the two arrays (an integer
    product wraps in that width, as numpy arrays do)."""
    x, y = np.asarray(x), np.asarray(y)
    dtype = np.result_type(x, y)
    if dtype.kind in "iu" and dtype.itemsize <= 4:
        # the exact int64 product, wrapped by the cast (two's complement)
        return (x.astype(np.int64) * y.astype(np.int64)).astype(dtype)
    return x * y


def norm_vec_delay_step(v, x1, x2, vth) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One NormVecDelay step: returns ``(v' = x1, s_out, s2_out)``."""
    s2 = wrapping_product(x1, x1)
    out = wrapping_product(v, x2)
    s = np.where(np.abs(out) > np.asarray(vth).reshape(-1)[0], out, 0).astype(out.dtype)
    return np.asarray(x1).copy(), s, s2


def prod_neuron_step(x1, x2, vth, exp) -> Tuple[np.ndarray, np.ndarray]:
    """One ProdNeuron step: returns ``(v, s_out)``."""
    v = wrapping_product(x1, x2)
    v = v >> np.asarray(exp).reshape(-1)[0] if v.dtype.kind in "iu" else v
    s = np.where(np.abs(v) > np.asarray(vth).reshape(-1)[0], v, 0).astype(v.dtype)
    return v, s
