"""Convolutions and sum pooling as explicit weight matrices.

NIR's ``Conv1d``, ``Conv2d``, ``SumPool2d`` and ``AvgPool2d`` are linear
maps; kilauea runs them as the ``Dense`` weights they amount to (on flat
C-order vectors, as NIR's shapes ``(C, H, W)`` / ``(C, L)`` flatten in
PyTorch). The matrices are built per kernel tap, vectorised over the output
positions; zero padding drops the taps that fall outside the input.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .linear import LinearMap

__all__ = ["Conv2dGeometry", "conv2d_matrix", "sum_pool2d_matrix", "conv_map", "pair"]


def pair(x, name: str) -> tuple[int, int]:
    """An int or a pair of ints as a pair (``name`` for the error)."""
    a = np.atleast_1d(np.asarray(x)).astype(np.int64).reshape(-1)
    if a.size == 1:
        return int(a[0]), int(a[0])
    if a.size == 2:
        return int(a[0]), int(a[1])
    raise ValueError(f"{name} = {x!r} must be an int or a pair of ints")


@dataclass(frozen=True)
class Conv2dGeometry:
    """Input ``(c_in, h, w)``, kernel ``(kh, kw)``, stride, padding and
    dilation (pairs); the output size follows PyTorch's rule."""
    c_in: int
    h: int
    w: int
    kernel: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)

    def out_hw(self) -> tuple[int, int]:
        return tuple(int((n + 2 * p - d * (k - 1) - 1) // s + 1) for n, k, s, p, d in
                     zip((self.h, self.w), self.kernel, self.stride, self.padding, self.dilation))

    def taps(self, ky: int, kx: int):
        """For kernel tap (ky, kx): flat output positions and the flat input
        positions they read (only those inside the input)."""
        oh, ow = self.out_hw()
        oy, ox = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
        iy = oy * self.stride[0] - self.padding[0] + ky * self.dilation[0]
        ix = ox * self.stride[1] - self.padding[1] + kx * self.dilation[1]
        ok = (iy >= 0) & (iy < self.h) & (ix >= 0) & (ix < self.w)
        return (oy * ow + ox)[ok], (iy * self.w + ix)[ok]


def conv2d_matrix(weight: np.ndarray, geo: Conv2dGeometry, groups: int = 1) -> np.ndarray:
    """The ``(c_out*oh*ow, c_in*h*w)`` matrix of a 2-D convolution with
    ``weight`` ``(c_out, c_in / groups, kh, kw)``."""
    c_out, c_per, kh, kw = weight.shape
    if geo.c_in != c_per * groups or c_out % groups:
        raise ValueError(f"weight {weight.shape} with groups={groups} does not fit "
                         f"{geo.c_in} input channels")
    oh, ow = geo.out_hw()
    if oh < 1 or ow < 1:
        raise ValueError(f"the kernel {geo.kernel} does not fit the input {geo.h}x{geo.w}")
    m = np.zeros((c_out * oh * ow, geo.c_in * geo.h * geo.w))
    out_per_group = c_out // groups
    for ky in range(kh):
        for kx in range(kw):
            o, i = geo.taps(ky, kx)
            for co in range(c_out):
                g = co // out_per_group
                for cl in range(c_per):
                    ci = g * c_per + cl
                    m[co * oh * ow + o, ci * geo.h * geo.w + i] += weight[co, cl, ky, kx]
    return m


def sum_pool2d_matrix(geo: Conv2dGeometry) -> np.ndarray:
    """Sum pooling per channel: a grouped convolution with a kernel of ones."""
    ones = np.ones((geo.c_in, 1) + geo.kernel)
    return conv2d_matrix(ones, geo, groups=geo.c_in)


def _padding(pad, kernel: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    if isinstance(pad, str):
        if pad == "valid":
            return 0, 0
        span = [d * (k - 1) for k, d in zip(kernel, dilation)]
        if pad != "same" or any(s % 2 for s in span):
            raise ValueError(f"padding {pad!r} with kernel {kernel}: only 'valid' and a "
                             f"symmetric 'same' map")
        return span[0] // 2, span[1] // 2
    return pair(pad, "padding")


def _chw(in_shape, kind: str, dims: int) -> tuple[int, int, int]:
    shape = tuple(int(x) for x in in_shape)
    if len(shape) != dims + 1:
        raise ValueError(f"{kind} needs a ({'C, H, W' if dims == 2 else 'C, L'}) input, its "
                         f"source gives shape {shape}")
    return shape if dims == 2 else (shape[0], 1, shape[1])


def conv_map(kind: str, obj, in_shape):
    """The ``LinearMap`` of a NIR convolution or pooling node on input
    ``in_shape``; ``ValueError`` for what does not map."""
    if kind in ("Conv1d", "Conv2d"):
        dims = 1 if kind == "Conv1d" else 2
        c, h, w = _chw(in_shape, kind, dims)
        weight = np.asarray(obj.weight, dtype=np.float64)
        if dims == 1:
            weight = weight[:, :, None, :]
            lift = lambda x, name: (1, pair(x, name)[0])          # noqa: E731
        else:
            lift = pair
        kernel = weight.shape[2:]
        dil = lift(obj.dilation, "dilation")
        geo = Conv2dGeometry(c, h, w, kernel, lift(obj.stride, "stride"),
                             (0, _padding(obj.padding, (1, kernel[1]), dil)[1]) if dims == 1
                             else _padding(obj.padding, kernel, dil), dil)
        m = conv2d_matrix(weight, geo, int(obj.groups))
        oh, ow = geo.out_hw()
        bias = np.repeat(np.broadcast_to(np.asarray(obj.bias, dtype=np.float64).reshape(-1),
                                         (weight.shape[0],)), oh * ow)
        shape = (weight.shape[0], oh, ow) if dims == 2 else (weight.shape[0], ow)
        return LinearMap(m, bias, shape)
    c, h, w = _chw(in_shape, kind, 2)
    kernel = pair(obj.kernel_size, "kernel_size")
    geo = Conv2dGeometry(c, h, w, kernel, pair(obj.stride, "stride"),
                         pair(obj.padding, "padding"))
    m = sum_pool2d_matrix(geo)
    if kind == "AvgPool2d":
        m = m / (kernel[0] * kernel[1])
    oh, ow = geo.out_hw()
    return LinearMap(m, np.zeros(m.shape[0]), (c, oh, ow))
