"""LIFSubtract (reset by subtraction): the float model against a numpy
transcription of snnTorch's subtractive reset, and the fixed-point CPU model
against the chip (golden model), spike for spike and state for state."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import ChipCfg, CpuSimCfg, Dense, Monitor, RunSteps
from kilauea.proc.io.source import RingBuffer
from kilauea.proc.lifsub.process import LIFSubtract


def _network(seed: int, n_steps: int, fixed: bool):
    rng = np.random.default_rng(seed)
    n_in, n = 8, 6
    data = (rng.random((n_in, n_steps)) < 0.4).astype(np.int32)
    src = RingBuffer(data=data, name="src")
    if fixed:
        w = rng.integers(-20, 120, (n, n_in))
        neu = LIFSubtract(shape=(n,), du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 600)),
                          bias_mant=rng.integers(-50, 200, n), bias_exp=2,
                          vth=int(rng.integers(60, 200)), name="neu")
    else:
        w = rng.uniform(-0.3, 1.0, (n, n_in))
        neu = LIFSubtract(shape=(n,), du=float(rng.uniform(0.2, 1.0)),
                          dv=float(rng.uniform(0, 0.3)), bias_mant=rng.uniform(-0.1, 0.3, n),
                          vth=float(rng.uniform(0.8, 2.0)), name="neu")
    dense = Dense(weights=w, name="dense")
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(neu.a_in)
    mon = Monitor()
    for target in (neu.u, neu.v, neu.s_out):
        mon.probe(target, n_steps)
    return src, neu, mon, data, w


def _run(seed, n_steps, fixed, cfg):
    src, neu, mon, data, w = _network(seed, n_steps, fixed)
    src.run(condition=RunSteps(num_steps=n_steps), run_cfg=cfg)
    try:
        got = mon.get_data()["neu"]
        return {k: np.asarray(got[k]).reshape(n_steps, -1) for k in ("u", "v", "s_out")}, neu, data, w
    finally:
        src.stop()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_float_model_is_snntorch_subtractive_reset(seed):
    n_steps = 40
    got, neu, data, w = _run(seed, n_steps, False, CpuSimCfg(select_tag="floating_pt"))
    du, dv = float(neu.du.init), float(neu.dv.init)
    vth, bias = float(neu.vth.init), np.asarray(neu.bias_mant.init, float)
    u, v = np.zeros(6), np.zeros(6)
    spikes = []
    for t in range(n_steps):
        a_in = w @ data[:, t - 1] if t >= 1 else np.zeros(6)
        reset = v > vth                     # snnTorch: the reset from the previous step's v
        u = u * (1 - du) + a_in
        v = v * (1 - dv) + u + bias - vth * reset
        spikes.append(v > vth)
        np.testing.assert_allclose(got["v"][t], v, rtol=1e-12, atol=1e-12,
                                   err_msg=f"seed {seed} step {t}")
    assert np.sum(spikes) > 5, "the test network must spike"
    np.testing.assert_array_equal(got["s_out"], np.array(spikes, float), err_msg=f"seed {seed}")


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_fixed_model_matches_the_chip(seed):
    n_steps = 40
    cpu, *_ = _run(seed, n_steps, True, CpuSimCfg(select_tag="fixed_pt"))
    chip, *_ = _run(seed, n_steps, True, ChipCfg(engine="model", mesh=(1, 1)))
    assert cpu["s_out"].sum() > 5, "the test network must spike"
    assert np.any(cpu["v"] > 0) and np.any(np.diff(cpu["s_out"], axis=0) != 0)
    for k in ("u", "v", "s_out"):
        np.testing.assert_array_equal(chip[k], cpu[k], err_msg=f"seed {seed}: {k}")


def test_chip_program_on_the_rtl():
    """The lif_subtract program on the RTL (Amaranth's simulator), a few steps."""
    n_steps = 8
    cpu, *_ = _run(7, n_steps, True, CpuSimCfg(select_tag="fixed_pt"))
    rtl, *_ = _run(7, n_steps, True, ChipCfg(engine="pysim", mesh=(1, 1)))
    assert cpu["s_out"][:-1].sum() > 0, "a spike must be followed by its subtraction"
    for k in ("u", "v", "s_out"):
        np.testing.assert_array_equal(rtl[k], cpu[k], err_msg=f"rtl {k}")
