"""The weight optimiser (``kilauea.numerics.weights.optimize_weight_bits``)
against a scalar transcription of the rule in its docstrings, in exact
rational arithmetic; seeded, the seed is printed on failure."""
from fractions import Fraction
from typing import Optional

import numpy as np
import pytest
from scipy import sparse

from kilauea.numerics.weights import (SignMode, determine_num_weight_bits,
                                      determine_weight_exp,
                                      optimize_weight_bits)

_RANGE = {SignMode.EXCITATORY: (0, 255), SignMode.INHIBITORY: (-255, 0),
          SignMode.MIXED: (-256, 255)}


def _floor_log2(q: Fraction) -> int:
    """The largest k with 2**k <= q (q > 0)."""
    k = 0
    while Fraction(2) ** (k + 1) <= q:
        k += 1
    while Fraction(2) ** k > q:
        k -= 1
    return k


def _ref_exp(ws: list[int], mode: SignMode) -> int:
    w_max, w_min = max(ws), min(ws)
    if w_max == 0 and w_min == 0:
        return 0
    if mode == SignMode.MIXED:
        scales = ([Fraction(127, w_max)] if w_max > 0 else []) + \
                 ([Fraction(-128, w_min)] if w_min < 0 else [])
        return -(_floor_log2(min(scales)) + 1)
    if mode == SignMode.INHIBITORY:
        return -_floor_log2(Fraction(-255, w_min))
    return -_floor_log2(Fraction(255, w_max))


def _ref_bits(ws: list[int], exp: int, mode: SignMode) -> int:
    n = 8
    while n > 0 and any(w % 2 ** n for w in ws):
        n -= 1
    return 8 + exp - (n - int(mode == SignMode.MIXED))


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // b
    return q if a >= 0 else -q


def _ref_weights(ws: list[int], exp: int, bits: int, mode: SignMode,
                 loihi2: bool) -> Optional[list[int]]:
    if exp > 0 or (loihi2 and bits > 8):
        return None                          # the optimiser raises
    out = [w * 2 ** -exp for w in ws]
    if loihi2:
        out = [_trunc_div(w, 2 ** (8 - bits)) for w in out]
        if mode == SignMode.MIXED:
            out = [_trunc_div(w, 2) for w in out]
    return out


def _random_weights(rng: np.random.Generator, mode: SignMode) -> np.ndarray:
    lo, hi = _RANGE[mode]
    shape = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    if rng.random() < 0.1:
        return np.zeros(shape, dtype=int)
    top = int(rng.integers(1, 9))          # weights of a few bits
    lo, hi = max(lo, -2 ** top), min(hi, 2 ** top - 1)
    ws = rng.integers(lo, hi + 1, size=shape)
    step = 2 ** int(rng.integers(0, 4))    # and some with low zero bits
    ws = np.clip((ws // step) * step, *_RANGE[mode])
    ws[rng.random(shape) < 0.3] = 0
    return ws


@pytest.mark.parametrize("mode", list(_RANGE))
def test_optimiser_follows_the_rule(mode: SignMode) -> None:
    for trial in range(300):
        seed = 100 * mode.value + trial
        rng = np.random.default_rng(seed)
        ws = _random_weights(rng, mode)
        flat = [int(w) for w in ws.ravel()]
        exp = _ref_exp(flat, mode)
        bits = _ref_bits(flat, exp, mode)
        assert determine_weight_exp(ws, mode) == exp, f"seed {seed}"
        assert determine_num_weight_bits(ws, exp, mode) == bits, \
            f"seed {seed}"
        for loihi2 in (False, True):
            ref = _ref_weights(flat, exp, bits, mode, loihi2)
            for given in (ws, sparse.csr_matrix(ws)):
                if ref is None:
                    with pytest.raises(ValueError):
                        optimize_weight_bits(given, mode, loihi2=loihi2)
                    continue
                got = optimize_weight_bits(given, mode, loihi2=loihi2)
                dense = (got.weights.toarray() if sparse.issparse(got.weights)
                         else got.weights)
                assert (got.weight_exp, got.num_weight_bits) == (exp, bits), \
                    f"seed {seed}"
                assert dense.ravel().tolist() == ref, f"seed {seed}"
                assert dense.dtype == np.int32, f"seed {seed}"


@pytest.mark.parametrize("mode, weights", [
    (SignMode.EXCITATORY, [256]), (SignMode.EXCITATORY, [-1]),
    (SignMode.INHIBITORY, [-256]), (SignMode.INHIBITORY, [1]),
    (SignMode.MIXED, [-257]), (SignMode.MIXED, [256])])
def test_optimiser_rejects_weights_outside_the_mode(mode, weights) -> None:
    with pytest.raises(ValueError, match="sign_mode"):
        optimize_weight_bits(np.array(weights), mode)


def test_optimiser_leaves_sparse_input_unchanged() -> None:
    given = sparse.csr_matrix(np.array([[0, 3], [1, 0]]))
    optimize_weight_bits(given, SignMode.EXCITATORY)
    assert given.toarray().tolist() == [[0, 3], [1, 0]]
