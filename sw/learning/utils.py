"""Small numeric helpers of fixed-point learning (docs/learning.md)."""
from __future__ import annotations

from typing import Union

import numpy as np

__all__ = ["stochastic_round", "apply_mask", "saturate", "float_to_literal"]

Number = Union[int, float, np.integer, np.floating]


def stochastic_round(values: np.ndarray, random_numbers: Union[Number, np.ndarray],
                     probabilities: np.ndarray) -> np.ndarray:
    """`values` (integers, as an int array) plus 1 wherever the random number is
    below the probability, elementwise: ``values + (random < probability)``.

    `random_numbers` and `probabilities` share a unit: a float in [0, 1) against
    a fractional part, or an integer draw against an integer threshold (the
    trace impulse fraction in 1/256, drawn from 0..127)."""
    return (values + (random_numbers < probabilities).astype(int)).astype(int)


def apply_mask(item: Union[np.ndarray, int], nb_bits: int) -> Union[np.ndarray, int]:
    """The `nb_bits` least-significant bits of `item` (two's complement)."""
    return item & ((1 << nb_bits) - 1)


def saturate(values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """`values` clipped to lo..hi (inclusive)."""
    return np.clip(values, lo, hi)


def float_to_literal(learning_parameter: float) -> str:
    """A number as a rule-string literal ``(m) * 2 ^ e``: the mantissa ``m`` is
    the integer part of the magnitude (at least 1) with the number's sign, and
    ``e`` the power of two nearest (round half to even) to the magnitude over
    that mantissa; ``"(m)"`` alone when the magnitude is that integer, ``"0"``
    for zero. ``0.25 -> "(1) * 2 ^ -2"``, ``-3 -> "(-3)"``."""
    if learning_parameter == 0:
        return "0"
    sign = int(np.sign(learning_parameter))
    magnitude = np.abs(learning_parameter)
    mantissa = max(int(magnitude), 1)
    ratio = magnitude / mantissa
    if ratio == 1:
        return f"({sign * mantissa})"
    exponent = int(np.round(np.log2(ratio)))
    return f"({sign * mantissa}) * 2 ^ {exponent}"
