"""RFZero: the fixed-point model against a transcription of
docs/processes.md ("RFZero") and lava-nc 0.10's numbers."""
import math

import numpy as np
import pytest

from kilauea import Dense, RunSteps
from kilauea.proc.io import sink, source
from kilauea.proc.resfire.process import RFZero

import newproc_kit as kit


def _s32(x):
    return (x + 2 ** 31) % 2 ** 32 - 2 ** 31


def _run(proc, wr, wi, data, steps):
    n = wr.shape[0]
    g1, g2 = source.RingBuffer(data=data), source.RingBuffer(data=data)
    d1 = Dense(weights=wr, num_message_bits=24)
    d2 = Dense(weights=wi, num_message_bits=24)
    g1.s_out.connect(d1.s_in)
    g2.s_out.connect(d2.s_in)
    d1.a_out.connect(proc.u_in)
    d2.a_out.connect(proc.v_in)
    snk = sink.RingBuffer(shape=(n,), buffer=steps)
    proc.s_out.connect(snk.a_in)
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=kit.cpu_fixed())
    try:
        return snk.data.get().astype(np.int64), proc.lct.get(), proc.lst.get()
    finally:
        proc.stop()


@pytest.mark.parametrize("seed", range(4))
def test_equals_the_transcription(seed):
    rng = np.random.default_rng(seed)
    n, steps = 4, 40
    freqs, tau = rng.random(n) * 40, 0.01 + rng.random(n) * 0.2
    uth = int(rng.integers(0, 100))
    data = np.zeros((1, steps), dtype=int)
    data[0, 2], data[0, 9] = rng.integers(1, 2 ** 15), rng.integers(-2 ** 15, 0)
    wr, wi = (2 * rng.integers(-64, 64, (n, 1)) for _ in range(2))   # even: Dense keeps them
    out, lct, lst = _run(RFZero(shape=(n,), freqs=freqs, decay_tau=tau, uth=uth), wr, wi, data,
                         steps)
    for i in range(n):
        decay = math.exp(0.001 * (-1 / tau[i]))
        assert lct[i] == int(decay * math.cos(0.001 * freqs[i] * math.pi * 2) * 2 ** 15)
        assert lst[i] == int(decay * math.sin(0.001 * freqs[i] * math.pi * 2) * 2 ** 15)
        u = v = 0
        for t in range(steps):
            x = int(data[0, t - 1]) if t else 0          # Dense: one step late
            nu = _s32(_s32((_s32(u * int(lct[i])) >> 15) - (_s32(v * int(lst[i])) >> 15))
                      + _s32(int(wr[i, 0]) * x))
            nv = _s32(_s32((_s32(v * int(lct[i])) >> 15) + (_s32(u * int(lst[i])) >> 15))
                      + _s32(int(wi[i, 0]) * x))
            want = nu if (nu > uth and nv >= 0 and v < 0) else 0
            assert out[i, t] == want, f"seed {seed} neuron {i} step {t + 1}"
            u, v = nu, nv


def test_equal_to_lava_nc():
    # lava-nc 0.10's own impulse case: these four outputs at these steps
    wr = np.array([[50], [-70], [-90], [110]])
    wi = np.array([[-50], [-70], [90], [110]])
    data = np.zeros((1, 50), dtype=int)
    data[:, 3] = 10
    out, _, _ = _run(RFZero(shape=(4,), uth=1, decay_tau=0.1, freqs=20), wr, wi, data, 50)
    assert out[[0, 1, 2, 3], [11, 23, 36, 48]].tolist() == [661, 833, 932, 1007]
    from kilauea.lava.proc.resfire.models import PyRFZeroModelFixed  # noqa
    from kilauea.lava.proc.resfire.process import RFZero as L
    assert L is RFZero
