"""Synaptic accumulation of Dense, Sparse and DelayDense.

Spec: ``docs/numerics.md``, "The synaptic sum" and "Where values
overflow"; ``docs/processes.md``, "Dense" and "DelayDense". Each step a connection first sends what it accumulated in the
previous step (``a_buff``), then accumulates this step's input:

- binary input (``num_message_bits == 0``): ``a_accum = W[:, s_in].sum(1)``
  with ``s_in`` cast to bool (a spike is 0 or 1 whatever its value);
- graded input (``num_message_bits > 0``): ``a_accum = W @ s_in``;

and, in fixed point, shifts it by the shared ``weight_exp`` (left for
``weight_exp > 0``, arithmetic right, i.e. flooring, otherwise). The shift
floors each connection's own per-step sum, before it is added to any other
connection's (per-projection flooring).

Widths: prepared weights are int32 in ``[-256, 255]``; sums are int64 (no
16-bit wrap); ``weight_exp`` any integer, as in lava-nc (the chip holds
-8..7); delays in 0..63. Exception: the
fixed-point graded sum of Dense and Sparse wraps to int32 before (and after)
the shift (:func:`scale_graded_accum`), as lava-nc's int32 ``W @ s_in`` does
(spec, the note on ``u``); DelayDense's ``np.sum`` in lava-nc does not wrap.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from ..hw.words import to_s32

#: Largest synaptic delay (6 bits, as Loihi 2).
MAX_DELAY = 63


def accumulate(weights, s_in, num_message_bits: int = 0,
               weights_t=None) -> np.ndarray:
    """This step's synaptic sum per target, shape ``(n_out,)``.

    ``weights`` is ``(n_out, n_in)``, dense ndarray or scipy sparse.
    Binary input sums the columns of the spiking sources; graded input is a
    matrix-vector product. ``weights_t``, optional, is a C-contiguous copy
    of ``weights.T``: the binary gather then reads contiguous rows
    (``weights_t[s].sum(0)``, the same integers, 2-4x faster for large
    matrices).
    """
    if num_message_bits > 0:
        # graded payloads up to 24 bits: integer weights multiply in int64
        kind = weights.dtype.kind
        out = weights @ np.asarray(s_in, dtype=np.int64 if kind in "iub"
                                   else np.result_type(weights.dtype, float))
    elif sparse.issparse(weights):
        out = weights @ np.asarray(s_in, dtype=bool).astype(weights.dtype)
    elif weights_t is not None:
        return weights_t[np.asarray(s_in, dtype=bool)].sum(axis=0)
    else:
        return weights[:, np.asarray(s_in, dtype=bool)].sum(axis=1)
    return np.asarray(out).reshape(-1)


def scale_accum(a_accum: np.ndarray, weight_exp: int) -> np.ndarray:
    """``a_accum << weight_exp`` if ``weight_exp > 0`` else
    ``a_accum >> -weight_exp`` (arithmetic: floors toward minus infinity)."""
    if weight_exp > 0:
        return np.left_shift(a_accum, weight_exp)
    if weight_exp < 0:
        return np.right_shift(a_accum, -weight_exp)
    return a_accum


def scale_graded_accum(a_accum: np.ndarray, weight_exp: int) -> np.ndarray:
    """Dense / Sparse, fixed point, graded input: lava-nc's ``W @ s_in`` in
    int32 (the sum wraps to 32 bits signed, before the shift), then
    :func:`scale_accum` in int32 (a left shift wraps too). int64 out."""
    return to_s32(scale_accum(to_s32(np.asarray(a_accum, dtype=np.int64)), weight_exp))


def scale_sum(a_accum: np.ndarray, weight_exp: int, wraps: bool) -> np.ndarray:
    """A connection's fixed-point step sum after its ``weight_exp`` shift:
    :func:`scale_graded_accum` where lava-nc's sum wraps to int32 first
    (`wraps`: graded input into Dense, Sparse, DelaySparse), else
    :func:`scale_accum`."""
    return scale_graded_accum(a_accum, weight_exp) if wraps else scale_accum(a_accum, weight_exp)


def delay_weight_stack(weights, delays, num_slots: int):
    """Weights split by delay: a ``(num_slots * n_out, n_in)`` matrix whose
    block ``k`` holds the weights of the synapses with delay ``k`` (zero
    elsewhere). Dense or CSR like ``weights``."""
    if sparse.issparse(delays):      # a sparse delay matrix: missing entries are delay 0
        delays = delays.toarray()
    delays = np.broadcast_to(np.asarray(delays), weights.shape)
    if sparse.issparse(weights):
        dense_w = weights.toarray()
        blocks = [np.where(delays == k, dense_w, 0) for k in range(num_slots)]
        return sparse.csr_matrix(np.vstack(blocks))
    return np.vstack([np.where(delays == k, weights, 0)
                      for k in range(num_slots)])


def accumulate_delayed(stack, s_in, num_slots: int,
                       num_message_bits: int = 0) -> np.ndarray:
    """This step's synaptic sums split by delay, shape ``(n_out, num_slots)``
    (column ``k``: the input that lands ``k + 1`` steps later). ``stack``
    comes from :func:`delay_weight_stack`."""
    flat = accumulate(stack, s_in, num_message_bits)
    return flat.reshape(num_slots, -1).T


def delay_dense_step(a_buff: np.ndarray, a_accum: np.ndarray) -> np.ndarray:
    """Advance a DelayDense buffer by one step, after ``a_buff[:, 0]`` was sent.

    ``a_buff`` is ``(n_out, max_delay + 1)``; column ``k`` holds what will be
    sent ``k + 1`` steps from now. The columns shift down by one (the sent
    column is dropped, the last one starts at zero) and this step's (already
    shifted) sums ``a_accum`` (same shape) are added. Returns the new buffer.
    A spike at step t through delay d is therefore sent at step t + 1 + d.
    """
    new = np.empty_like(a_buff, dtype=np.result_type(a_buff, a_accum))
    new[:, :-1] = a_buff[:, 1:]
    new[:, -1] = 0
    new += a_accum
    return new
