"""Weight preparation of Dense-like connections (fixed point).

Spec: ``/work/shared/spec/fixed-point.md``, section "Dense, fixed point".
The user's matrix (shape ``out x in``) is prepared once, before the first
step: its sign mode is determined, it is clipped to 8 bits of magnitude and
its low bits are truncated to ``num_weight_bits``. The result is an int32
matrix with values in ``[-256, 255]``; MIXED matrices hold even values only
(with the default ``num_weight_bits = 8``).

Works on numpy arrays and on scipy sparse matrices (only the stored entries
are touched; an implicit zero stays zero under clip and truncation).
"""
from __future__ import annotations

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
