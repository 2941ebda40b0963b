"""Spiker and Spiker32bit: the counter and payloads against the equations
of docs/processes.md ("Spiker") and lava-nc 0.10's numbers."""
import numpy as np
import pytest

from kilauea import RunSteps
from kilauea.proc.io import sink
from kilauea.proc.spiker.process import Spiker, Spiker32bit

import newproc_kit as kit


@pytest.mark.parametrize("seed", range(4))
def test_equals_the_equations(seed):
    rng = np.random.default_rng(seed)
    n, steps = 5, 30
    period = rng.integers(1, 9, n)
    payload = rng.integers(-1000, 1000, n)
    sp = Spiker(shape=(n,), period=period, payload=payload)
    snk = sink.RingBuffer(shape=(n,), buffer=steps)
    sp.s_out.connect(snk.a_in)
    sp.run(condition=RunSteps(num_steps=steps), run_cfg=kit.cpu_fixed())
    got, counter = snk.data.get(), sp.counter.get()
    sp.stop()
    c = np.zeros(n, dtype=int)
    for t in range(steps):
        fire = c == period
        assert np.array_equal(got[:, t], np.where(fire, payload, 0)), f"seed {seed} step {t + 1}"
        c = np.where(fire, 1, c + 1)
    assert np.array_equal(counter, c), f"seed {seed}"


def test_lava_nc_counter_and_32bit_checks():
    # lava-nc 0.10: period 5 gives the counter 1, 2, 3, 4, 5, 1, ... step by step
    sp = Spiker(shape=(2,), period=5)
    seen = []
    for _ in range(12):
        sp.run(condition=RunSteps(num_steps=1), run_cfg=kit.cpu_fixed())
        seen.append(sp.counter.get()[1])
    sp.stop()
    assert seen == [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]
    s32 = Spiker32bit(shape=(2,), period=3, payload=np.array([-5, 7]))
    assert s32.proc_params["signed"] and s32.counter.init.tolist() == [1, 1]
    assert not Spiker32bit(payload=2 ** 32 - 1).proc_params["signed"]
    with pytest.raises(ValueError, match="<= 2147483647"):
        Spiker32bit(payload=np.array([-1, 2 ** 31]))
    with pytest.raises(ValueError, match=">= -2"):
        Spiker32bit(payload=-2 ** 31 - 1)
    from kilauea.lava.proc.spiker.models import SpikerModel  # noqa
    from kilauea.lava.proc.spiker.process import Spiker as L
    assert L is Spiker
