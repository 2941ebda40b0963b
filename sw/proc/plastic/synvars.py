"""The end of an epoch for a synaptic variable (weights, tag_1, tag_2), pure numpy.

Fixed point (lava-nc 0.10's bit-approximate model), for a variable of ``b`` bits of
magnitude (8 for all three) and the 15-bit learning accumulator:

1. the value moves into the accumulator: ``acc = v << (16 - (b + 1))`` (7 bits);
2. the rule's products are added (the applier, which saturates to the accumulator);
3. the sign is enforced: weights by their sign mode (EXCITATORY ``max(0, acc)``,
   INHIBITORY ``min(0, acc)``), tag_2 ``max(0, acc)``, tag_1 unchanged;
4. stochastic rounding to the variable's ``b`` bits: with ``m = 2**(15 - b)``,
   ``acc / m`` is floored, plus 1 when the epoch's random float is below its
   fractional part, and multiplied back by ``m``;
5. back to the variable: ``v = acc >> 7``, saturated: weights by
   :func:`kilauea.numerics.clip_weights` (8 bits, sign mode), tag_2 to 0..255, tag_1
   to -257..255 (lava-nc's bounds).

Float: ``v + products``, then only the sign rule of step 3.
"""
from __future__ import annotations

import numpy as np

from ... import numerics as nx
from ...learning import (W_ACCUMULATOR_S, W_ACCUMULATOR_U, W_SYN_VAR_S, W_SYN_VAR_U,
                         W_TAG_1_U, W_TAG_2_U, W_WEIGHTS_U, stochastic_round)
from ...numerics import SignMode

#: The synaptic variables a rule may change, by their Var names.
SYN_VARS = ("weights", "tag_1", "tag_2")


def _check(name: str) -> None:
    if name not in SYN_VARS:
        raise ValueError(f"synaptic variable must be one of {SYN_VARS}, got {name!r}")


def accumulator_shift(name: str) -> int:
    """Left shift from a synaptic variable into the 16-bit signed accumulator."""
    _check(name)
    return W_ACCUMULATOR_S - W_SYN_VAR_S[name]


def enforce_sign(name: str, values: np.ndarray, sign_mode) -> np.ndarray:
    """Step 3: weights follow their sign mode, tag_2 is non-negative."""
    _check(name)
    if name == "weights":
        if sign_mode == SignMode.EXCITATORY:
            return np.maximum(0, values)
        if sign_mode == SignMode.INHIBITORY:
            return np.minimum(0, values)
        return values
    if name == "tag_2":
        return np.maximum(0, values)
    return values


def round_to_variable(name: str, acc: np.ndarray, random: float) -> np.ndarray:
    """Step 4: stochastic rounding of the accumulator to the variable's precision
    (the result keeps ``acc``'s dtype)."""
    m = 2 ** (W_ACCUMULATOR_U - W_SYN_VAR_U[name])
    acc = np.asarray(acc)
    if acc.dtype.kind not in "iu":          # a float accumulator: the float form
        scaled = acc / m
        rounded = stochastic_round(np.floor(scaled), random, scaled % 1)
        return (rounded * m).astype(acc.dtype)
    # Integers: floor(acc / m) and the fraction (acc mod m) / m are exact, and
    # random < rem / m  <=>  random * m < rem (m is a power of two): the same
    # comparison as the float form, without its float arrays. With m = 2**s, the
    # floor is an arithmetic shift right by s and rem the low s bits; for the integer
    # rem, ``r < rem`` <=> ``floor(r) < rem`` (r = random * m, one float per epoch).
    if np.ndim(random) == 0:
        bits = m.bit_length() - 1
        whole = acc >> bits
        rem = acc & (m - 1)
        return ((whole + (rem > int(np.floor(random * m)))) << bits).astype(acc.dtype)
    whole = acc // m
    rem = acc - whole * m
    return ((whole + (random * m < rem)) * m).astype(acc.dtype)


def saturate_variable(name: str, values: np.ndarray, sign_mode) -> np.ndarray:
    """Step 5's saturation of the variable's value."""
    _check(name)
    if name == "weights":
        return nx.clip_weights(values, sign_mode, num_bits=W_WEIGHTS_U)
    if name == "tag_2":
        return np.clip(values, 0, 2 ** W_TAG_2_U - 1)
    return np.clip(values, -(2 ** W_TAG_1_U) - 1, 2 ** W_TAG_1_U - 1)


def update_fixed(name: str, values: np.ndarray, applier, args: dict, sign_mode,
                 random: float) -> np.ndarray:
    """Steps 1-5 for one synaptic variable (``values`` dense, ``(n_post, n_pre)``)."""
    shift = accumulator_shift(name)
    acc = applier.apply(values << shift, **args)
    acc = enforce_sign(name, acc, sign_mode)
    acc = round_to_variable(name, np.asarray(acc), random)
    return saturate_variable(name, acc >> shift, sign_mode)


def update_float(name: str, values: np.ndarray, applier, args: dict,
                 sign_mode) -> np.ndarray:
    """The float update: ``values + products``, with the sign rule."""
    return enforce_sign(name, applier.apply(values, **args), sign_mode)
