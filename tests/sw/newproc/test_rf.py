"""RF and RF_IZ: the models against a loop transcription of
docs/processes.md ("RF, RF_IZ"), numbers obtained from lava-nc 0.10, and
the fixed-point model's need for decay_bits > 0."""
import math

import numpy as np
import pytest

from kilauea import RunSteps
from kilauea.core.exceptions import ProcessModelError
from kilauea.proc.io import sink, source
from kilauea.proc.rf.process import RF
from kilauea.proc.rf_iz.process import RF_IZ

import newproc_kit as kit

LIMIT = 2 ** 23 - 1


def _run(proc, xr, xi, cfg):
    n, steps = xr.shape
    s1, s2 = source.RingBuffer(data=xr), source.RingBuffer(data=xi)
    s1.s_out.connect(proc.a_real_in)
    s2.s_out.connect(proc.a_imag_in)
    snk = sink.RingBuffer(shape=(n,), buffer=steps)
    proc.s_out.connect(snk.a_in)
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    try:
        return snk.data.get(), proc.real.get(), proc.imag.get()
    finally:
        proc.stop()


def _trs(y, k):
    return (1 if y > 0 else -1) * (abs(y) >> k)


def _fixed_reference(xr, xi, period, alpha, state_exp, decay_bits, vth, iz):
    """docs/processes.md, RF / RF_IZ fixed point, in Python ints."""
    sin_d = int((1 - alpha) * math.sin(2 * math.pi / period) * 2 ** decay_bits)
    cos_d = int((1 - alpha) * math.cos(2 * math.pi / period) * 2 ** decay_bits)
    vth = int(vth * 2 ** state_exp) if state_exp > 0 else int(vth)
    n, steps = xr.shape
    real, imag, spikes = [0] * n, [0] * n, np.zeros((n, steps), dtype=int)
    for t in range(steps):
        for i in range(n):
            a, b = int(xr[i, t]) << state_exp, int(xi[i, t]) << state_exp
            r = _trs(cos_d * real[i], decay_bits) - _trs(sin_d * imag[i], decay_bits) + a
            m = _trs(sin_d * real[i], decay_bits) + _trs(cos_d * imag[i], decay_bits) + b
            r, m = max(-LIMIT, min(LIMIT, r)), max(-LIMIT, min(LIMIT, m))
            if iz:
                s = m >= vth
                if s:
                    r, m = 0, vth - 1
            else:
                s = r >= vth and m >= 0 and imag[i] < 0
            spikes[i, t] = int(s)
            real[i], imag[i] = r, m
    return spikes, real, imag


@pytest.mark.parametrize("seed", range(6))
def test_fixed_models_equal_the_transcription(seed):
    rng = np.random.default_rng(seed)
    iz = bool(seed % 2)
    xr, xi = (rng.integers(-2 ** 12, 2 ** 12, (4, 20)) for _ in range(2))
    kw = dict(period=float(rng.integers(3, 20)), alpha=float(rng.random() * 0.3),
              state_exp=int(rng.integers(0, 8)), decay_bits=int(rng.integers(1, 13)),
              vth=float(rng.integers(1, 300)) + 0.5)
    s, real, imag = _run((RF_IZ if iz else RF)(shape=(4,), **kw), xr, xi, kit.cpu_fixed())
    want_s, want_real, want_imag = _fixed_reference(xr, xi, iz=iz, **kw)
    assert np.array_equal(s, want_s), f"seed {seed}"
    assert real.tolist() == want_real and imag.tolist() == want_imag, f"seed {seed}"


@pytest.mark.parametrize("seed", range(4))
def test_float_models_equal_the_equations(seed):
    rng = np.random.default_rng(50 + seed)
    iz = bool(seed % 2)
    xr, xi = rng.normal(size=(3, 25)), rng.normal(size=(3, 25))
    period, alpha, vth = float(rng.integers(3, 12)), 0.1 * rng.random(), 0.5 + rng.random()
    s, real, imag = _run((RF_IZ if iz else RF)(shape=(3,), period=period, alpha=alpha, vth=vth),
                         xr, xi, kit.cpu_float())
    sin_d = (1 - alpha) * np.sin(np.pi * 2 / period)
    cos_d = (1 - alpha) * np.cos(np.pi * 2 / period)
    re, im = np.zeros(3), np.zeros(3)
    for t in range(25):
        nr = cos_d * re - sin_d * im + xr[:, t]
        ni = sin_d * re + cos_d * im + xi[:, t]
        if iz:
            spk = ni >= vth
            nr, ni = np.where(spk, 0.0, nr), np.where(spk, vth - 1e-5, ni)
        else:
            spk = (nr >= vth) & (ni >= 0) & (im < 0)
        assert np.array_equal(s[:, t], spk), f"seed {seed} step {t + 1}"
        re, im = nr, ni
    assert np.array_equal(real, re) and np.array_equal(imag, im), f"seed {seed}"


def test_fixed_model_needs_decay_bits_and_lava_path():
    with pytest.raises(ProcessModelError, match="decay_bits > 0"):
        _run(RF(shape=(1,), period=10, alpha=0.1), np.ones((1, 2), int), np.ones((1, 2), int),
             kit.cpu_fixed())
    rf = RF(shape=(2,), period=8, alpha=0.25, state_exp=3, decay_bits=10, vth=2.5)
    assert rf.vth.init == 20 and rf.sin_decay.init == int(0.75 * np.sin(np.pi / 4) * 1024)
    from kilauea.lava.proc.rf.models import PyRFModelFixed  # noqa
    from kilauea.lava.proc.rf_iz.models import PyRF_IZModelFixed  # noqa
    from kilauea.lava.proc.rf_iz.process import RF_IZ as L
    assert L is RF_IZ


# Obtained by running lava-nc 0.10 (Loihi2SimCfg, RingBuffer inputs: 100 on
# both ports in fixed point, 1.5 in floating point, 5 steps).
@pytest.mark.parametrize("cls, cfg, spikes, real, imag", [
    (RF, kit.cpu_fixed(), [0, 0, 0, 0, 0], -450, 1438),
    (RF_IZ, kit.cpu_fixed(), [1, 1, 1, 1, 1], 0, 13),
    (RF_IZ, kit.cpu_float(), [0, 0, 1, 1, 1], 0.0, 3.49999),
])
def test_equal_to_lava_nc(cls, cfg, spikes, real, imag):
    fixed = cfg.select_tag == "fixed_pt"
    proc = cls(shape=(2,), period=10.0, alpha=0.1, state_exp=2 if fixed else 0,
               decay_bits=8 if fixed else 0, vth=3.5)
    x = np.full((2, 5), 100) if fixed else np.full((2, 5), 1.5)
    s, re, im = _run(proc, x, x, cfg)
    assert s[0].tolist() == spikes and re.tolist() == [real] * 2 and im.tolist() == [imag] * 2


def test_fixed_edges_threshold_equality_and_clipping():
    # period 4, alpha 0: sin_decay = 256, cos_decay = 0 (decay_bits 8); one step
    # of input reaches imag = vth exactly (RF_IZ spikes: >=) and -2**23 (clipped)
    xr, xi = np.array([[3], [-2 ** 15]]), np.array([[10], [-2 ** 15]])
    proc = RF_IZ(shape=(2,), period=4.0, alpha=0.0, state_exp=0, decay_bits=8, vth=10)
    s, re, im = _run(proc, xr, xi, kit.cpu_fixed())
    assert s[:, 0].tolist() == [1, 0] and re.tolist() == [0, -2 ** 15] and im.tolist() == [9, -2 ** 15]
    proc = RF(shape=(1,), period=4.0, alpha=0.0, state_exp=8, decay_bits=8, vth=10)
    _, re, im = _run(proc, np.array([[-2 ** 15]]), np.array([[2 ** 15]]), kit.cpu_fixed())
    assert re.tolist() == [-(2 ** 23 - 1)] and im.tolist() == [2 ** 23 - 1]
