"""ConvInTime (lava-nc 0.10's ``lava.proc.conv_in_time``): a convolution
along time.

Spec: ``docs/processes.md``, section "ConvInTime". ``weights`` has shape
``(k, n_out, n_in)``; the buffer ``a_buff`` ``(n_out, k)`` holds the sums
due at the next ``k`` steps. Each step the model sends ``a_buff[:, 0]``,
shifts the buffer one column left (the last column becomes 0) and, for the
input ``s`` of this step, adds ``weights[k - 1 - i] @ s`` to column ``i``.
(lava-nc rolls the flattened buffer after zeroing column 0, which is the
same.) Pure function (float64).
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

__all__ = ["conv_in_time_step"]


def conv_in_time_step(a_buff, weights, s_in) -> Tuple[np.ndarray, np.ndarray]:
    """Returns ``(a_buff', a_out)``: ``a_out`` the buffer's column 0 before
    the step."""
    a_buff = np.asarray(a_buff, dtype=float)
    weights = np.asarray(weights, dtype=float)
    out = a_buff[:, 0].copy()
    shifted = np.zeros_like(a_buff)
    shifted[:, :-1] = a_buff[:, 1:]
    # elementwise products summed per row, as lava-nc sums them (k, n_out)
    contrib = np.sum(weights[::-1] * np.asarray(s_in, dtype=float), axis=-1)
    return shifted + contrib.T, out
