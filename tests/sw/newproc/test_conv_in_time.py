"""ConvInTime: the models against a direct convolution in time (the
equations of docs/processes.md, "ConvInTime"), binary and graded input."""
import numpy as np
import pytest

from kilauea import RunSteps
from kilauea.proc.conv_in_time.process import ConvInTime
from kilauea.proc.io import sink, source

import newproc_kit as kit


def _run(weights, x, mb, cfg):
    k, n_out, _ = weights.shape
    steps = x.shape[1]
    proc = ConvInTime(weights=weights, num_message_bits=mb)
    src = source.RingBuffer(data=x)
    snk = sink.RingBuffer(shape=(n_out,), buffer=steps)
    src.s_out.connect(proc.s_in)
    proc.a_out.connect(snk.a_in)
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    try:
        return snk.data.get()
    finally:
        proc.stop()


@pytest.mark.parametrize("seed", range(4))
def test_equals_a_convolution_in_time(seed):
    rng = np.random.default_rng(seed)
    k, n_out, n_in, steps = int(rng.integers(1, 5)), 3, 4, 15
    weights = rng.integers(-128, 128, (k, n_out, n_in)).astype(float)
    mb = 8 * (seed % 2)
    x = rng.integers(-3, 4, (n_in, steps)) if mb else rng.integers(0, 2, (n_in, steps))
    cfg = kit.cpu_fixed() if seed < 2 else kit.cpu_float()
    got = _run(weights, x, mb, cfg)
    # the output at (0-based) step t sums weights[k - 1 - i] @ x[:, t - 1 - i]
    want = np.zeros((n_out, steps))
    for t in range(steps):
        for i in range(k):
            if t - 1 - i >= 0:
                want[:, t] += weights[k - 1 - i] @ x[:, t - 1 - i]
    assert np.array_equal(got, want), f"seed {seed}"


def test_binary_input_is_cast_and_weights_checked():
    w = np.ones((2, 1, 1))
    got = _run(w, np.array([[5, 0, 0, 0]]), 0, kit.cpu_float())
    assert got.tolist() == [[0, 1, 1, 0]]
    with pytest.raises(ValueError, match="3-D"):
        ConvInTime(weights=np.ones((2, 2)))
    from kilauea.lava.proc.conv_in_time.models import PyConvInTimeFloat  # noqa
    from kilauea.lava.proc.conv_in_time.process import ConvInTime as L
    assert L is ConvInTime
