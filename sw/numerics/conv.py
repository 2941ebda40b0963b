"""2-D convolution of the Conv connection (lava-nc 0.10 ``lava.proc.conv``).

Layout as Lava's (Loihi's conv feature): input and output are ``(X, Y, C)``
(``W, H, C``), the kernel is ``(C_out, KX, KY, C_in / groups)``. The
operation is a true convolution (the kernel is flipped), with zero padding,
stride and dilation per axis, and ``groups`` channel groups::

    out[xo, yo, k] = sum_{i, j, c} w[k, i, j, c]
                     * x_pad[xo * sx + (KX - 1 - i) * dx,
                             yo * sy + (KY - 1 - j) * dy,
                             g * C_in/groups + c]        (g = k // (C_out/groups))

Fixed point (``PyConvModelBinaryFixed``): integer sums (int64), then
wrapped into 24 bits signed (Lava's ``signed_clamp(x, 24)``; the models call
``kilauea.hw.words.wrap_signed(sum, fixed_point.CONV_SUM_BITS)``). Binary input
(``use_graded_spike`` False) is cast to 0/1 first.

:func:`conv_synapses` lists the same operation as synapses (pre, post,
weight) over the C-order flat indices of input and output, which is what
the chip model gives the compiler. Pure numpy.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

__all__ = ["conv_output_shape", "conv2d", "conv_synapses"]


def conv_output_shape(input_shape, out_channels: int, kernel_size, stride, padding,
                      dilation) -> Tuple[int, int, int]:
    """``(X_out, Y_out, C_out)``; ``ValueError`` if a spatial size is < 1."""
    out = []
    for a in range(2):
        n = (int(input_shape[a]) + 2 * int(padding[a]) - int(dilation[a]) * (int(kernel_size[a]) - 1)
             - 1) // int(stride[a]) + 1
        if n < 1:
            raise ValueError(f"Conv: output size along axis {a} is {n} (< 1); check input_shape "
                             f"{tuple(input_shape)}, kernel {tuple(kernel_size)}, stride, padding "
                             "and dilation")
        out.append(n)
    return out[0], out[1], int(out_channels)


def _taps(input_shape, weight_shape, stride, padding, dilation):
    """For each kernel tap (i, j): the padded-input offsets; yields
    (i, j, x index array (X_out,), y index array (Y_out,))."""
    c_out, kx, ky, _ = weight_shape
    xo, yo, _ = conv_output_shape(input_shape, c_out, (kx, ky), stride, padding, dilation)
    for i in range(kx):
        xs = np.arange(xo) * stride[0] + (kx - 1 - i) * dilation[0] - padding[0]
        for j in range(ky):
            ys = np.arange(yo) * stride[1] + (ky - 1 - j) * dilation[1] - padding[1]
            yield i, j, xs, ys


def conv2d(x: np.ndarray, weight: np.ndarray, stride=(1, 1), padding=(0, 0), dilation=(1, 1),
           groups: int = 1) -> np.ndarray:
    """The convolution of ``x`` ``(X, Y, C_in)`` with ``weight``
    ``(C_out, KX, KY, C_in/groups)`` (see the module docstring). Integer
    inputs give int64, else float64."""
    x = np.asarray(x)
    weight = np.asarray(weight)
    integer = x.dtype.kind in "iub" and weight.dtype.kind in "iub"
    dt = np.int64 if integer else np.float64
    x = x.astype(dt)
    weight = weight.astype(dt)
    c_out, kx, ky, cg_in = weight.shape
    c_in = x.shape[2]
    if c_in % groups or c_out % groups or cg_in != c_in // groups:
        raise ValueError(f"Conv: channels (in {c_in}, out {c_out}, kernel in {cg_in}) do not "
                         f"fit groups={groups}")
    shape = conv_output_shape(x.shape, c_out, (kx, ky), stride, padding, dilation)
    out = np.zeros(shape, dtype=dt)
    kg = c_out // groups
    for i, j, xs, ys in _taps(x.shape, weight.shape, stride, padding, dilation):
        vx = (xs >= 0) & (xs < x.shape[0])
        vy = (ys >= 0) & (ys < x.shape[1])
        if not vx.any() or not vy.any():
            continue
        patch = x[np.ix_(xs[vx], ys[vy])]                     # (nx, ny, C_in)
        for g in range(groups):
            w = weight[g * kg:(g + 1) * kg, i, j, :]          # (kg, cg_in)
            part = patch[:, :, g * cg_in:(g + 1) * cg_in] @ w.T
            out[np.ix_(np.flatnonzero(vx), np.flatnonzero(vy),
                       np.arange(g * kg, (g + 1) * kg))] += part
    return out


def conv_synapses(input_shape, weight: np.ndarray, stride=(1, 1), padding=(0, 0),
                  dilation=(1, 1), groups: int = 1):
    """The convolution as a synapse list: ``(pre, post, w)`` int64 arrays
    over the C-order flat indices of the input ``(X, Y, C_in)`` and the output
    ``(X_out, Y_out, C_out)``, one entry per (tap, position, channel pair)
    that reads a real (unpadded) input; ``sum_pre w * x[pre]`` accumulated
    per post equals :func:`conv2d`. Zero weights are kept (the caller drops
    them)."""
    weight = np.asarray(weight)
    c_out, kx, ky, cg_in = weight.shape
    X, Y, C = (int(s) for s in input_shape)
    xo_n, yo_n, _ = conv_output_shape(input_shape, c_out, (kx, ky), stride, padding, dilation)
    kg = c_out // groups
    pres, posts, ws = [], [], []
    for i, j, xs, ys in _taps(input_shape, weight.shape, stride, padding, dilation):
        vx, vy = np.flatnonzero((xs >= 0) & (xs < X)), np.flatnonzero((ys >= 0) & (ys < Y))
        if not vx.size or not vy.size:
            continue
        ox, oy = np.meshgrid(vx, vy, indexing="ij")               # output positions
        ix, iy = xs[ox], ys[oy]                                   # their input positions
        for g in range(groups):
            k = np.arange(g * kg, (g + 1) * kg)
            c = np.arange(g * cg_in, (g + 1) * cg_in)
            post = (ox[..., None, None] * yo_n + oy[..., None, None]) * c_out + k[:, None]
            pre = (ix[..., None, None] * Y + iy[..., None, None]) * C + c[None, :]
            w = np.broadcast_to(weight[g * kg:(g + 1) * kg, i, j, :], ox.shape + (kg, cg_in))
            post, pre = np.broadcast_arrays(post, pre)
            pres.append(pre.reshape(-1))
            posts.append(post.reshape(-1))
            ws.append(np.asarray(w).reshape(-1))
    if not pres:
        z = np.zeros(0, dtype=np.int64)
        return z, z, z
    return (np.concatenate(pres).astype(np.int64), np.concatenate(posts).astype(np.int64),
            np.concatenate(ws))

