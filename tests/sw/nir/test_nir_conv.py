"""Convolutions and pooling unrolled into Dense weights: the matrices against
a direct loop-nest convolution (PyTorch's definition: cross-correlation,
zero padding, stride, dilation, groups), and a conv network end to end
against the Euler reference."""
from __future__ import annotations

import numpy as np
import nir
import pytest

from kilauea.nir.unroll import Conv2dGeometry, conv2d_matrix, conv_map


def _direct_conv2d(x, w, stride, pad, dil, groups):
    c_in, h, wd = x.shape
    c_out, c_per, kh, kw = w.shape
    xp = np.zeros((c_in, h + 2 * pad[0], wd + 2 * pad[1]))
    xp[:, pad[0]:pad[0] + h, pad[1]:pad[1] + wd] = x
    oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((c_out, oh, ow))
    for co in range(c_out):
        g = co // (c_out // groups)
        for y in range(oh):
            for xx in range(ow):
                for cl in range(c_per):
                    for ky in range(kh):
                        for kx in range(kw):
                            out[co, y, xx] += w[co, cl, ky, kx] * xp[
                                g * c_per + cl, y * stride[0] + ky * dil[0],
                                xx * stride[1] + kx * dil[1]]
    return out


@pytest.mark.parametrize("seed", range(5))
def test_conv2d_matrix_is_the_convolution(seed):
    rng = np.random.default_rng(seed)
    groups = int(rng.choice([1, 2]))
    c_in, c_out = 2 * int(rng.integers(1, 3)), 2 * int(rng.integers(1, 3))
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    stride, pad, dil = (tuple(int(v) for v in rng.integers(lo, hi, 2))
                        for lo, hi in ((1, 3), (0, 2), (1, 3)))
    h, wd = int(rng.integers(6, 9)), int(rng.integers(6, 9))
    w = rng.normal(size=(c_out, c_in // groups) + k)
    x = rng.normal(size=(c_in, h, wd))
    m = conv2d_matrix(w, Conv2dGeometry(c_in, h, wd, k, stride, pad, dil), groups)
    want = _direct_conv2d(x, w, stride, pad, dil, groups)
    np.testing.assert_allclose(m @ x.reshape(-1), want.reshape(-1), atol=1e-12,
                               err_msg=f"seed {seed}")


def test_nir_conv_and_pool_nodes():
    rng = np.random.default_rng(7)
    w = rng.normal(size=(3, 2, 3, 3))
    conv = nir.Conv2d(input_shape=(6, 6), weight=w, stride=1, padding="same", dilation=1,
                      groups=1, bias=np.array([0.1, 0.2, 0.3]))
    m = conv_map("Conv2d", conv, (2, 6, 6))
    x = rng.normal(size=(2, 6, 6))
    want = _direct_conv2d(x, w, (1, 1), (1, 1), (1, 1), 1) + np.array([0.1, 0.2, 0.3])[:, None, None]
    assert m.shape == (3, 6, 6)
    np.testing.assert_allclose(m.weight @ x.reshape(-1) + m.bias, want.reshape(-1), atol=1e-12)
    pool = conv_map("SumPool2d", nir.SumPool2d(kernel_size=np.array([2, 2]),
                                               stride=np.array([2, 2]),
                                               padding=np.array([0, 0])), (3, 6, 6))
    y = rng.normal(size=(3, 6, 6))
    np.testing.assert_allclose(pool.weight @ y.reshape(-1),
                               y.reshape(3, 3, 2, 3, 2).sum(axis=(2, 4)).reshape(-1))
    w1 = rng.normal(size=(2, 3, 3))
    c1 = conv_map("Conv1d", nir.Conv1d(input_shape=8, weight=w1, stride=2, padding=1,
                                       dilation=1, groups=1, bias=np.zeros(2)), (3, 8))
    x1 = rng.normal(size=(3, 8))
    want1 = _direct_conv2d(x1[:, None, :], w1[:, :, None, :], (1, 2), (0, 1), (1, 1), 1)
    assert c1.shape == (2, 4)
    np.testing.assert_allclose(c1.weight @ x1.reshape(-1), want1.reshape(-1), atol=1e-12)
