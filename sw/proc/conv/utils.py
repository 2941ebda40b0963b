"""Helpers of the Conv process under Lava's names (lava-nc 0.10
``lava.proc.conv.utils``): ``make_tuple``, ``signed_clamp``,
``output_shape``, ``conv`` and ``conv_to_sparse`` (Lava's layout only:
``TensorOrder.NWHC``). The arithmetic is in :mod:`kilauea.numerics.conv`."""
from __future__ import annotations

from enum import IntEnum, unique
from typing import Tuple, Union

import numpy as np

from ...numerics import conv as nconv

__all__ = ["TensorOrder", "make_tuple", "signed_clamp", "output_shape", "conv",
           "conv_to_sparse"]


@unique
class TensorOrder(IntEnum):
    """How images are laid out (only NWHC, Lava's, is supported here)."""
    NCHW = 1
    CHWN = 2
    HWCN = 3
    NWHC = 4


def make_tuple(value: Union[int, Tuple[int, ...]]) -> Tuple[int, int]:
    """``v -> (v, v)``, ``(v,) -> (v, v)``, ``(a, b) -> (a, b)``."""
    if np.isscalar(value):
        return int(value), int(value)
    value = tuple(value)
    if len(value) == 1:
        return int(value[0]), int(value[0])
    if len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"Expected 'value' to be an int or a pair, got {value}")


def signed_clamp(x, bits: int):
    """Wrap ``x`` into ``bits`` bits signed (Lava's name; it wraps)."""
    base = 1 << bits
    return (x + base // 2) % base - base // 2


def output_shape(input_shape, out_channels, kernel_size, stride, padding,
                 dilation) -> Tuple[int, int, int]:
    """Shape ``(X, Y, C_out)`` of the convolution's output."""
    return nconv.conv_output_shape(input_shape, out_channels, kernel_size, stride, padding,
                                   dilation)


def conv(input: np.ndarray, weight: np.ndarray, kernel_size, stride, padding, dilation,
         groups: int) -> np.ndarray:
    """The convolution (``kernel_size`` is implied by ``weight``); the result
    has ``weight``'s dtype, as in Lava."""
    out = nconv.conv2d(input, weight, tuple(stride), tuple(padding), tuple(dilation), int(groups))
    return out.astype(np.asarray(weight).dtype)


def conv_to_sparse(input_shape, output_shape, kernel, stride, padding, dilation, group,
                   order: TensorOrder = TensorOrder.NWHC):
    """The convolution as a sparse matrix: ``(dst, src, weight)`` arrays over
    the C-order flat indices of output and input (zero weights dropped)."""
    if order != TensorOrder.NWHC:
        raise ValueError(f"conv_to_sparse: only TensorOrder.NWHC is supported, got {order!r}")
    pre, post, w = nconv.conv_synapses(input_shape, kernel, make_tuple(stride),
                                       make_tuple(padding), make_tuple(dilation), int(group))
    keep = w != 0
    return post[keep], pre[keep], w[keep]
