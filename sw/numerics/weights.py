"""Weight preparation of Dense-like connections (fixed point).

Spec: ``docs/numerics.md``, section "Weights".
The user's matrix (shape ``out x in``) is prepared once, before the first
step: its sign mode is determined, it is clipped to 8 bits of magnitude and
its low bits are truncated to ``num_weight_bits``. The result is an int32
matrix with values in ``[-256, 255]``; MIXED matrices hold even values only
(with the default ``num_weight_bits = 8``).

Works on numpy arrays and on scipy sparse matrices (only the stored entries
are touched; an implicit zero stays zero under clip and truncation).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, unique
from typing import Optional, Union

import numpy as np
from scipy import sparse

from ..hw import fixed_point as fp

#: Magnitude bits of a synaptic weight (`fixed_point.WEIGHT_BITS`).
WEIGHT_BITS = fp.WEIGHT_BITS
#: Range of the shared weight exponent of a connection (`fixed_point.WEIGHT_EXP`).
WEIGHT_EXP_MIN, WEIGHT_EXP_MAX = fp.WEIGHT_EXP

Matrix = Union[np.ndarray, sparse.spmatrix, sparse.sparray]


@unique
class SignMode(Enum):
    """Sign mode of a weight matrix (values as in lava-nc)."""
    NULL = 0
    MIXED = 1
    EXCITATORY = 2
    INHIBITORY = 3


def determine_sign_mode(weights: Matrix) -> SignMode:
    """EXCITATORY if min >= 0, else INHIBITORY if max <= 0, else MIXED.

    For sparse matrices the implicit zeros count, as they do in the dense
    matrix with the same entries.
    """
    if weights.min() >= 0:
        return SignMode.EXCITATORY
    if weights.max() <= 0:
        return SignMode.INHIBITORY
    return SignMode.MIXED


def _as_int(values: np.ndarray) -> np.ndarray:
    """Integer copy of ``values`` (floats truncate toward zero, as Lava's
    cast to int32 does)."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        values = np.trunc(values)
    return values.astype(np.int64)


def _map_values(weights: Matrix, fn) -> Matrix:
    """Apply ``fn`` to the integer values of a dense or sparse matrix."""
    if sparse.issparse(weights):
        out = sparse.csr_matrix(weights, copy=True)
        out.data = fn(_as_int(out.data)).astype(np.int32)
        return out
    return fn(_as_int(weights)).astype(np.int32)


def clip_weights(weights: Matrix, sign_mode: SignMode,
                 num_bits: int = WEIGHT_BITS) -> Matrix:
    """Clip to ``num_bits`` of magnitude.

    INHIBITORY: negate, clip to ``[0, 2**num_bits - 1]``, negate back;
    MIXED: clip to ``[-2**num_bits, 2**num_bits - 1]``;
    otherwise: clip to ``[0, 2**num_bits - 1]``.
    """
    lo = -(1 << num_bits) if sign_mode == SignMode.MIXED else 0
    hi = (1 << num_bits) - 1
    if sign_mode == SignMode.INHIBITORY:
        return _map_values(weights, lambda w: -np.clip(-w, lo, hi))
    return _map_values(weights, lambda w: np.clip(w, lo, hi))


def truncate_weights(weights: Matrix, sign_mode: SignMode,
                     num_weight_bits: int,
                     max_num_weight_bits: int = WEIGHT_BITS) -> Matrix:
    """Clear the low ``t = max_num_weight_bits - num_weight_bits + mixed``
    bits: ``w = (w >> t) << t`` (arithmetic shift, so negative MIXED
    weights round toward minus infinity); INHIBITORY weights are negated
    before and after.
    """
    t = max_num_weight_bits - num_weight_bits + int(sign_mode == SignMode.MIXED)
    if sign_mode == SignMode.INHIBITORY:
        return _map_values(weights, lambda w: -((-w >> t) << t))
    return _map_values(weights, lambda w: (w >> t) << t)


def prepare_weights(weights: Matrix, sign_mode: Optional[SignMode] = None,
                    num_weight_bits: int = WEIGHT_BITS) -> Matrix:
    """The weights a fixed-point Dense/Sparse/DelayDense computes with.

    ``sign_mode`` None means: determine it from the matrix (a given
    ``SignMode.NULL`` is used as given, like in lava-nc: clipped and
    truncated as EXCITATORY). Returns an int32 ndarray (or an int32 CSR matrix for sparse
    input) with values in ``[-256, 255]``.
    """
    if sign_mode is None:
        sign_mode = determine_sign_mode(weights)
    clipped = clip_weights(weights, sign_mode, num_bits=WEIGHT_BITS)
    return truncate_weights(clipped, sign_mode, num_weight_bits)


# ---------------------------------------------------------------------------
# Weight optimiser (Lava's ``optimize_weight_bits``)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class OptimizedWeights:
    """A weight matrix rescaled to use the synapse's bits best.

    ``weights`` (int32 ndarray, or int32 CSR for sparse input) times
    ``2**weight_exp`` equals the input (up to the bits dropped for
    ``loihi2``); ``num_weight_bits`` (0..8) is how many of the 8 magnitude
    bits the matrix needs.
    """
    weights: Matrix
    num_weight_bits: int
    weight_exp: int


def weight_range(sign_mode: SignMode) -> tuple[int, int]:
    """The (min, max) weights that ``optimize_weight_bits`` accepts:
    EXCITATORY [0, 255], INHIBITORY [-255, 0], MIXED [-256, 255],
    NULL [0, 0]."""
    lo = {SignMode.MIXED: -(1 << WEIGHT_BITS),
          SignMode.INHIBITORY: -(1 << WEIGHT_BITS) + 1}.get(sign_mode, 0)
    hi = ((1 << WEIGHT_BITS) - 1
          if sign_mode in (SignMode.MIXED, SignMode.EXCITATORY) else 0)
    return lo, hi


def validate_weights(weights: Matrix, sign_mode: SignMode) -> None:
    """Raise ValueError if a weight lies outside ``weight_range(sign_mode)``."""
    lo, hi = weight_range(sign_mode)
    w_min, w_max = weights.min(), weights.max()
    if w_min < lo or w_max > hi:
        raise ValueError(
            f"weights must lie in [{lo}, {hi}] for sign_mode={sign_mode}; "
            f"got weights in [{w_min}, {w_max}]")


def determine_weight_exp(weights: Matrix, sign_mode: SignMode) -> int:
    """Exponent that scales the largest weight to the top of the range.

    With ``wmax``/``wmin`` the largest/smallest weight (0 if all are 0):
    EXCITATORY ``s = 255 / wmax``; INHIBITORY ``s = -255 / wmin``; MIXED
    ``s = min(127 / wmax if wmax > 0 else inf, -128 / wmin if wmin < 0 else
    inf)``. Then ``weight_exp = -floor(log2(s))``, minus one more for
    MIXED (its 8 bits hold a sign). All-zero weights give 0.
    """
    w_max, w_min = float(weights.max()), float(weights.min())
    if w_max == 0 and w_min == 0:
        return 0
    if sign_mode == SignMode.MIXED:
        scale = min(127 / w_max if w_max > 0 else np.inf,
                    -128 / w_min if w_min < 0 else np.inf)
    elif sign_mode == SignMode.INHIBITORY and w_min < 0:
        scale = -255 / w_min
    elif sign_mode == SignMode.EXCITATORY and w_max > 0:
        scale = 255 / w_max
    else:
        raise ValueError(
            f"no weight exponent for sign_mode={sign_mode} with weights in "
            f"[{w_min}, {w_max}]: the mode's extreme weight is 0")
    scale_bits = int(np.floor(np.log2(scale)))
    return -(scale_bits + int(sign_mode == SignMode.MIXED))


def _values(weights: Matrix) -> np.ndarray:
    """The explicit values of a dense or sparse matrix (implicit zeros of
    a sparse matrix are left out: they are divisible by anything)."""
    if sparse.issparse(weights):
        return np.asarray(sparse.csr_matrix(weights).data)
    return np.asarray(weights)


def determine_num_weight_bits(weights: Matrix, weight_exp: int,
                              sign_mode: SignMode) -> int:
    """Magnitude bits the weights need after scaling by ``2**-weight_exp``.

    ``n`` is the largest of 8, 7, ..., 1 such that every weight is a
    multiple of ``2**n`` (0 if none is; 8 for all-zero weights), minus one
    for MIXED. Then ``num_weight_bits = 8 + weight_exp - n``.
    """
    values = _values(weights)
    n = WEIGHT_BITS
    while n > 0 and np.any(np.mod(values, 1 << n) != 0):
        n -= 1
    n -= int(sign_mode == SignMode.MIXED)
    return WEIGHT_BITS + weight_exp - n


def _trunc_shift_right(values: np.ndarray, bits: int) -> np.ndarray:
    """``values / 2**bits`` rounded toward zero (integer values)."""
    return np.sign(values) * (np.abs(values) >> bits)


def optimize_weight_bits(weights: Matrix, sign_mode: SignMode,
                         loihi2: bool = False) -> OptimizedWeights:
    """Rescale 8-bit weights to use all of the synapse's bits (Lava's rule).

    Validates the range (``validate_weights``), finds ``weight_exp``
    (``determine_weight_exp``) and ``num_weight_bits``
    (``determine_num_weight_bits``), and returns the int32 weights (floats
    truncated toward zero) shifted left by ``-weight_exp``. With
    ``loihi2`` the result is then divided by ``2**(8 - num_weight_bits)``
    and, for MIXED, by 2 more, each rounded toward zero: the mantissas
    Loihi 2 stores. Sparse input gives a new int32 CSR matrix (the input
    is left unchanged).

    Raises ValueError where the rule gives no valid result: a positive
    ``weight_exp`` (MIXED weights up to 255: lava-nc 0.10 returns zeros),
    or, with ``loihi2``, more than 8 weight bits (MIXED weights with an odd
    one while the largest is over 127 or the smallest under -128: lava-nc
    fails with NumPy's "negative shift count").
    """
    validate_weights(weights, sign_mode)
    weight_exp = determine_weight_exp(weights, sign_mode)
    num_weight_bits = determine_num_weight_bits(weights, weight_exp,
                                                sign_mode)
    if weight_exp > 0 or (loihi2 and num_weight_bits > WEIGHT_BITS):
        raise ValueError(
            f"weights in [{weights.min()}, {weights.max()}] with "
            f"sign_mode={sign_mode} need weight_exp={weight_exp} and "
            f"num_weight_bits={num_weight_bits}; at most 0 and "
            f"{WEIGHT_BITS} are possible (MIXED weights must lie in "
            f"[-256, 254], and be even if one is over 127 or under -128)")
    drop = WEIGHT_BITS - num_weight_bits
    drop += int(loihi2 and sign_mode == SignMode.MIXED)

    def scale(values: np.ndarray) -> np.ndarray:
        values = values << -weight_exp
        return _trunc_shift_right(values, drop) if loihi2 else values

    return OptimizedWeights(weights=_map_values(weights, scale),
                            num_weight_bits=num_weight_bits,
                            weight_exp=weight_exp)
