"""Parameter ranges (issue 10, item 3): the fixed-point CPU models run the
integers lava-nc's CPU models run, beyond the chip's widths, and wrap where
lava-nc's int32 arithmetic wraps; the chip compiler rejects what the chip
cannot hold, naming the parameter, the value and the limit."""
import numpy as np
import pytest

from kilauea import LIF, Dense, SigmaDelta
from kilauea import numerics as nx
from kilauea.core.run_conditions import RunSteps
from kilauea.core.run_configs import CpuSimCfg
from kilauea.proc.io.source import RingBuffer as Source


def _lava_int32_step(u, v, a_in, du, dv, bias_mant, bias_exp, vth):
    """lava-nc 0.10's bit-accurate LIF step written out with numpy's int32
    storage (the equations of docs/processes.md, "LIF, fixed point", with
    every int32 cast where lava-nc casts): returns (u', v', spikes)."""
    i32 = np.int32
    mant = bias_mant.astype(i32)
    with np.errstate(over="ignore"):
        bias = np.where(bias_exp >= 0, np.left_shift(mant, np.maximum(bias_exp, 0).astype(i32)),
                        np.right_shift(mant, np.maximum(-bias_exp, 0).astype(i32)))
        du_ = np.int64(u) * (4096 - (du + 1))
        cur = (np.sign(du_) * (np.abs(du_) >> 12)).astype(i32)
        cur = cur + np.left_shift(a_in.astype(i32), 6)
        wrapped = np.where(cur > 2 ** 23, cur - 2 ** 24, cur)
        wrapped = np.where(wrapped <= -2 ** 23, cur + 2 ** 24, wrapped).astype(i32)
        dv_ = np.int64(v) * (4096 - dv)
        vol = (np.sign(dv_) * (np.abs(dv_) >> 12)).astype(i32)
        vol = (vol + wrapped + bias.astype(i32)).astype(i32)
    vol = np.clip(vol, -(2 ** 23) + 1, 2 ** 23 - 1).astype(i32)
    spikes = vol > (np.int64(vth) << 6)
    vol[spikes] = 0
    return wrapped, vol, spikes


@pytest.mark.parametrize("seed", range(20))
def test_lif_fixed_step_wraps_like_lava_beyond_the_chip_widths(seed):
    rng = np.random.default_rng(seed)
    n = 64
    du = int(rng.integers(-70000, 70000))
    dv = int(rng.integers(-70000, 70000))
    vth = int(rng.integers(-(1 << 20), 1 << 26))
    bias_mant = rng.integers(-(1 << 15), 1 << 15, n)
    bias_exp = rng.integers(-20, 40, n)
    u = rng.integers(-(1 << 23) + 1, 1 << 23, n).astype(np.int32)
    v = rng.integers(-(1 << 23) + 1, 1 << 23, n).astype(np.int32)
    for step in range(5):
        a_in = rng.integers(-(1 << 26), 1 << 26, n)
        want = _lava_int32_step(u, v, a_in, du, dv, bias_mant, bias_exp, vth)
        got = nx.lif_fixed_step(u, v, a_in, du, dv, nx.effective_bias(bias_mant, bias_exp),
                                nx.effective_vth(vth))
        for name, w, g in zip(("u", "v", "spikes"), want, got):
            assert np.array_equal(np.asarray(w, np.int64), np.asarray(g, np.int64)), \
                f"seed {seed}, step {step}: {name} differs"
        u, v = got[0].astype(np.int32), got[1].astype(np.int32)


def test_graded_overflow_into_lif_gives_lavas_u():
    """The issue's example: 2**23 - 1 sent through Dense([[255, 255]],
    weight_exp=-8, num_message_bits=24) into LIF(du=4095, dv=4095,
    vth=100000) gives u = -4194432 from step 2 on in lava-nc."""
    src = Source(data=np.full((2, 4), 2 ** 23 - 1))
    d = Dense(weights=np.array([[255, 255]]), weight_exp=-8, num_message_bits=24)
    lif = LIF(shape=(1,), du=4095, dv=4095, vth=100000)
    src.s_out.connect(d.s_in)
    d.a_out.connect(lif.a_in)
    us = []
    for _ in range(4):
        lif.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
        us.append(int(lif.u.get()[0]))
    lif.stop()
    assert us == [0, -4194432, -4194432, -4194432]


def test_lif_with_lava_wide_parameters_runs_on_the_cpu():
    """vth = 2**17 (lava-nc's test of bias scaling) and du = -1 run."""
    lif = LIF(shape=(2,), vth=1 << 17, du=-1, dv=0, bias_mant=[3, -3], bias_exp=[16, 16])
    lif.run(condition=RunSteps(num_steps=3), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    assert lif.v.get().tolist() == [3 * 3 << 16, -3 * 3 << 16]
    lif.stop()


def test_sigma_delta_scaled_threshold_beyond_24_bits_runs_on_the_cpu():
    """lava-nc's SigmaDelta holds vth * 2**(spike_exp + state_exp) in int32:
    10 * 2**24 is accepted, on the CPU as there."""
    sd = SigmaDelta(shape=(2,), vth=10, spike_exp=6, state_exp=18)
    assert sd.vth.init == 10 << 24
    src = Source(data=np.array([[1 << 28, 0], [-(1 << 28), 0]]))
    src.s_out.connect(sd.a_in)
    sd.run(condition=RunSteps(num_steps=2), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    assert sd.sigma.get().tolist() == [1 << 28, -(1 << 28)]
    sd.stop()
