"""S4d, SigmaS4dDelta, SigmaS4dDeltaLayer: the float models against a
transcription of docs/processes.md ("S4d, ..."), and numbers obtained from
lava-nc 0.10."""
import numpy as np
import pytest

from kilauea import RunSteps
from kilauea.proc.io import sink, source
from kilauea.proc.s4d.process import S4d, SigmaS4dDelta, SigmaS4dDeltaLayer

import newproc_kit as kit


def _coefficients(rng, n):
    a = (rng.random(n) * 0.9) * np.exp(1j * rng.random(n))
    b = rng.random(n) + 1j * rng.random(n)
    c = rng.random(n) - 0.5j
    return a, b, c


def _run(proc, src_data, n_out, steps, cfg, in_port, out_port):
    src = source.RingBuffer(data=src_data)
    snk = sink.RingBuffer(shape=(n_out,), buffer=steps)
    src.s_out.connect(getattr(proc, in_port))
    getattr(proc, out_port).connect(snk.a_in)
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    try:
        return snk.data.get(), {k: proc.vars[k].get() for k in ("s4_state",)}
    finally:
        proc.stop()


def _delta(out, act, residue, error, vth, cum_error):
    delta = out - act + residue
    if cum_error:
        error = error + delta
        s = np.where(np.abs(error) >= vth, delta, 0.0)
        error = np.where(s != 0, 0.0, error)
    else:
        s = np.where(np.abs(delta) >= vth, delta, 0.0)
    return s, delta - s, error


@pytest.mark.parametrize("seed", range(4))
def test_s4d_equals_the_equations(seed):
    rng = np.random.default_rng(seed)
    n, steps = 5, 7
    a, b, c = _coefficients(rng, n)
    x = rng.normal(size=(n, steps))
    out, st = _run(S4d(shape=(n,), a=a, b=b, c=c), x, n, steps, kit.cpu_float(), "a_in", "s_out")
    state = np.zeros(n, dtype=complex)
    for t in range(steps):
        state = state * a + x[:, t] * b
        assert np.array_equal(out[:, t], np.real(c * state * 2)), f"seed {seed} step {t + 1}"
    assert np.array_equal(st["s4_state"], state), f"seed {seed}"


@pytest.mark.parametrize("seed", range(4))
def test_sigma_s4d_delta_equals_the_equations(seed):
    rng = np.random.default_rng(10 + seed)
    n, steps = 4, 8
    a, b, c = (z.real for z in _coefficients(rng, n))
    vth, cum = float(rng.choice([0.0, 0.5])), bool(seed % 2)
    x = rng.normal(size=(n, steps))
    proc = SigmaS4dDelta(shape=(n,), vth=vth, a=a, b=b, c=c)
    proc.cum_error.init = cum
    out, st = _run(proc, x, n, steps, kit.cpu_float(), "a_in", "s_out")
    sigma, state, act, residue, error = (np.zeros(n) for _ in range(5))
    for t in range(steps):
        sigma = sigma + x[:, t]
        state = state * a + sigma * b
        s, residue, error = _delta(c * state * 2, act, residue, error, vth, cum)
        act = c * state * 2
        assert np.array_equal(out[:, t], s), f"seed {seed} step {t + 1}"


# Obtained by running lava-nc 0.10 (Loihi2SimCfg; a RingBuffer source, 6
# steps; coefficients from numpy's default_rng(1) as _lava_case draws them).
_LAVA_S4D_ROW0 = [-1.026938051841888, 17.444949300917965, -4.193888799026988,
                  -6.34344802448486, 15.111736746273897, 10.42280804493953]
_LAVA_LAYER_ROW0 = [0.0, 0.0, -1.4011836138784903, 35.51529486192876, 2.4814608556972466,
                    -3.3114997642690565]


def _lava_case():
    rng = np.random.default_rng(1)
    n, d = 3, 2
    a = (rng.random(n * d) * 0.9) * np.exp(1j * rng.random(n * d))
    b = rng.random(n * d) + 1j * rng.random(n * d)
    c = rng.random(n * d) - 0.5j
    x = np.round(rng.normal(size=(n * d, 6)) * 10, 3)
    return n, d, a, b, c, x


def test_equal_to_lava_nc():
    n, d, a, b, c, x = _lava_case()
    out, _ = _run(S4d(shape=(n * d,), a=a, b=b, c=c), x, n * d, 6, kit.cpu_float(),
                  "a_in", "s_out")
    assert out[0].tolist() == _LAVA_S4D_ROW0
    layer = SigmaS4dDeltaLayer(shape=(n,), vth=1.0, a=a.real, b=b.real, c=c.real, d_states=d)
    out, _ = _run(layer, x[:n], n, 6, kit.cpu_float(), "s_in", "a_out")
    assert out[0].tolist() == _LAVA_LAYER_ROW0


def test_lava_path_and_vars():
    from kilauea.lava.proc.s4d.models import S4dModel, SubDenseLayerModel  # noqa
    from kilauea.lava.proc.s4d.process import SigmaS4dDelta as L
    assert L is SigmaS4dDelta
    layer = SigmaS4dDeltaLayer(shape=(2,), vth=1, a=np.ones(6), b=np.ones(6), c=np.ones(6),
                               d_states=3)
    assert layer.conn_weights.shape == (2, 6) and layer.a.shape == (6,)
    with pytest.raises(ValueError, match="d_states"):
        SigmaS4dDeltaLayer(shape=(2,), vth=1, a=1, b=1, c=1, d_states=0)
