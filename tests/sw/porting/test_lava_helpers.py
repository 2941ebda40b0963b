"""Lava helpers a ported program may call: DelayDense's weight/delay matrix
and Conv's pair Vars (tuples, as Lava's)."""
import numpy as np
import pytest

from kilauea.lava.proc.conv.process import Conv
from kilauea.lava.proc.dense.models import AbstractPyDelayDenseModel


@pytest.mark.parametrize("seed", range(6))
def test_delay_weight_matrix_stacks_the_weights_of_each_delay(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 6, 2))
    weights = rng.integers(-5, 6, shape)
    delays = rng.integers(0, 4, shape)
    max_delay = int(delays.max()) + int(rng.integers(0, 2))
    got = AbstractPyDelayDenseModel.get_delay_wgts_mat(weights, delays, max_delay)
    assert got.shape == ((max_delay + 1) * shape[0], shape[1]), f"seed {seed}"
    for k in range(max_delay + 1):
        for i in range(shape[0]):
            for j in range(shape[1]):
                want = weights[i, j] if delays[i, j] == k else 0
                assert got[k * shape[0] + i, j] == want, f"seed {seed}: block {k} ({i}, {j})"


def test_conv_pairs_are_tuples():
    conv = Conv(weight=np.ones((2, 3, 3, 1), int), input_shape=(8, 8, 1), padding=(1, 2), stride=1)
    assert conv.padding.init == (1, 2) and conv.stride.init == (1, 1)
    assert conv.dilation.init == (1, 1) and conv.kernel_size.init == (3, 3)
    assert np.asarray(conv.padding.get()).tolist() == [1, 2]
