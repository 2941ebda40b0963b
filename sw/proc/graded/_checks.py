"""Argument checks shared by the graded and sigma-delta Processes."""
from __future__ import annotations

import numbers

import numpy as np

from .._common import owner_of  # noqa: F401  (re-exported: its old home)


def check_shape(owner: str, shape) -> tuple:
    if isinstance(shape, (str, bytes)):     # '12' would read as (1, 2)
        raise TypeError(f"{owner} 'shape' must be a tuple of ints, got the string {shape!r}")
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{owner} 'shape' must be a tuple of ints, got {shape!r}") from None
    if not shape or min(shape) < 1:
        raise ValueError(f"{owner} 'shape' must hold positive sizes, got {shape}")
    return shape


def check_number(owner: str, name: str, value, lo, hi) -> None:
    """One finite number (a scalar or a 1-element array) in lo..hi."""
    arr = np.asarray(value)
    if arr.size != 1 or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{owner} '{name}' must be one number, got {value!r}")
    x = arr.reshape(-1)[0]
    if not np.isfinite(x) or x < lo or x > hi:
        raise ValueError(f"{owner} '{name}' must lie in {lo}..{hi}, got {value!r}")


def check_int(owner: str, name: str, value, lo: int, hi: int) -> int:
    """An integer (Python or numpy) in lo..hi; returns it as int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{owner} '{name}' must be an integer in {lo}..{hi}, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{owner} '{name}' must lie in {lo}..{hi}, got {value!r}")
    return int(value)


def check_broadcast(owner: str, name: str, value, shape: tuple) -> np.ndarray:
    """Numbers (or bools) broadcastable to shape; returns them as an array."""
    arr = np.asarray(value)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{owner} '{name}' must be numeric, got {value!r}")
    try:
        np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"{owner} '{name}' of shape {arr.shape} does not fit the process "
                         f"shape {shape}") from None
    return arr


def check_finite(owner: str, name: str, value) -> None:
    """Numbers with no NaN or infinity (a float run would silently go wrong)."""
    arr = np.asarray(value)
    if arr.dtype.kind in "fc" and arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{owner} '{name}' must be finite, got {value!r} "
                         f"(NaN or infinity)")


def check_array(owner: str, name: str, value, shape: tuple, lo, hi) -> None:
    """Finite numbers broadcastable to shape, all in lo..hi."""
    arr = check_broadcast(owner, name, value, shape)
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < lo or arr.max() > hi):
        raise ValueError(f"{owner} '{name}' must lie in {lo}..{hi}, got values in "
                         f"{arr.min()}..{arr.max()}")


def check_bool(owner: str, name: str, value) -> bool:
    """A bool (or 0 / 1); returns it as bool."""
    if not isinstance(value, (bool, np.bool_)) and value not in (0, 1):
        raise ValueError(f"{owner} '{name}' must be a bool, got {value!r}")
    return bool(value)


def fixed_ints(owner: str, **values) -> None:
    """Raise ``ValueError`` naming the parameter if a value is not integral
    (for the fixed-point models)."""
    for name, value in values.items():
        arr = np.asarray(value)
        if arr.dtype.kind in "iub" or arr.size == 0:
            continue
        if arr.dtype.kind != "f" or not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{owner}: fixed-point parameter '{name}' must hold integers, "
                             f"got {value!r}")
