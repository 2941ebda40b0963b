"""ATRLIF on the chip (program ``atrlif``, ``NcATRLIFModel``) against the CPU
fixed-point model: random networks (a spiking source -> Dense -> ATRLIF,
random decays, thresholds, biases, weights and initial state), every spike
and every state Var (i, v, theta, r) equal at every step, on one core and
split over a small 2x2 mesh; the cases the chip cannot reproduce are a
CompileError naming the process, the parameter and the reason."""
import numpy as np
import pytest

from kilauea import ChipCfg, Dense, RunSteps
from kilauea.compiler.errors import CompileError
from kilauea.proc.atrlif.process import ATRLIF
from kilauea.proc.io import source

import newproc_kit as kit

N_STEPS = 60
_VARS = ("i", "v", "theta", "r", "s_out")


def _network(seed: int, n_steps: int = N_STEPS, **over):
    rng = np.random.default_rng(seed)
    n_in, n = 10, 13
    data = (rng.random((n_in, n_steps)) < 0.3).astype(np.int32)
    src = source.RingBuffer(data=data, name="src")
    w = rng.integers(-40, 120, (n, n_in))
    kw = dict(delta_i=int(rng.integers(0, 4097)) / 4096,
              delta_v=float(rng.uniform(0, 0.6)), delta_theta=float(rng.uniform(0, 0.5)),
              delta_r=float(rng.uniform(0, 0.5)), theta_0=float(rng.uniform(20, 300)),
              theta_step=float(rng.uniform(0, 80)),
              bias_mant=rng.integers(-300, 600, n), bias_exp=rng.integers(-2, 4, n),
              i=rng.integers(-5000, 5000, n), v=rng.integers(-5000, 5000, n),
              r=rng.integers(0, 3000, n), theta=rng.integers(0, 100, n))
    kw.update(over)
    neu = ATRLIF(shape=(n,), name="neu", **kw)
    dense = Dense(weights=w, name="dense")
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(neu.a_in)
    return src, neu


def _record(seed, cfg, n_steps=N_STEPS, **over):
    src, neu = _network(seed, n_steps, **over)
    return kit.record(src, [(neu, k) for k in _VARS], n_steps, cfg)


@pytest.mark.parametrize("seed", [11, 12, 13, 14, 15, 16])
def test_chip_equals_the_cpu_fixed_point_model(seed):
    print(f"seed {seed}")
    cpu = _record(seed, kit.cpu_fixed())
    spikes = cpu[("neu", "s_out")]
    assert 0 < spikes.sum() < spikes.size, f"seed {seed}: the network must spike, not always"
    assert np.any(np.diff(cpu[("neu", "theta")], axis=0) > 0), "theta must adapt"
    for what, cfg in (("one core", ChipCfg(engine="model")), ("2x2 mesh", kit.chip_cfg())):
        kit.assert_same(_record(seed, cfg), cpu, f"seed {seed}, {what}:")


def test_the_threshold_test_is_inclusive():
    """v - r == theta spikes (lava-nc's ``>=``): with no input, delta_v = 1 and
    bias = theta_0 * 64 the first step lands exactly on the threshold."""
    got = []
    for cfg in (kit.cpu_fixed(), kit.chip_cfg()):
        src = source.RingBuffer(data=np.zeros((2, 4), dtype=np.int32), name="src")
        neu = ATRLIF(shape=(3,), name="neu", delta_i=0.5, delta_v=1.0, theta_0=20.0,
                     bias_mant=[20, 19, 21], bias_exp=6)
        dense = Dense(weights=np.ones((3, 2), dtype=int), name="dense")
        src.s_out.connect(dense.s_in)
        dense.a_out.connect(neu.a_in)
        got.append(kit.record(src, [(neu, k) for k in _VARS], 4, cfg))
    np.testing.assert_array_equal(got[0][("neu", "s_out")][0], [1, 0, 1])
    kit.assert_same(got[1], got[0], "threshold equality:")


def _compile_error(match, **over):
    src, neu = _network(1, **over)
    with pytest.raises(CompileError, match=match):
        src.run(condition=RunSteps(num_steps=2), run_cfg=kit.chip_cfg())
    src.stop()


def test_an_integer_delta_i_is_a_compile_error():
    _compile_error(r"process 'neu' \(ATRLIF\), parameter delta_i: delta_i=0 is an integer.*"
                   r"int32 and wraps", delta_i=0)


def test_a_delta_i_the_chip_cannot_multiply_exactly_is_a_compile_error():
    _compile_error(r"process 'neu' \(ATRLIF\), parameter delta_i: delta_i=0.4 gives .*float64",
                   delta_i=0.4)


def test_a_decay_leaving_32_bits_is_a_compile_error():
    _compile_error(r"process 'neu' \(ATRLIF\), parameter delta_r: .*outside 32 bits",
                   delta_r=-1e7)


def test_input_straight_from_the_host_is_a_compile_error():
    neu = ATRLIF(shape=(3,), name="A", delta_i=0.25)
    src = source.RingBuffer(data=np.arange(12.0).reshape(3, 4))
    src.s_out.connect(neu.a_in)
    with pytest.raises(CompileError, match=r"process 'A' \(ATRLIF\) cannot take input straight "
                                           r"from a host process"):
        neu.run(condition=RunSteps(num_steps=2), run_cfg=kit.chip_cfg())
    neu.stop()


def test_the_program_on_the_rtl():
    """The atrlif program on the RTL (Amaranth's simulator), a few steps."""
    seed = 11
    cpu = _record(seed, kit.cpu_fixed(), 8)
    rtl = _record(seed, ChipCfg(engine="pysim", mesh=(1, 1)), 8)
    assert cpu[("neu", "s_out")].sum() > 0
    kit.assert_same(rtl, cpu, f"seed {seed}, rtl:")


def test_vars_set_between_runs_stay_equal():
    """Var sets between two runs (the chip keeps theta; it is not reset to
    theta_0 again) agree with the CPU model."""
    out = []
    for cfg in (kit.cpu_fixed(), kit.chip_cfg()):
        src, neu = _network(12, 40)
        src.run(condition=RunSteps(num_steps=10), run_cfg=cfg)
        got = [neu.theta.get(), neu.r.get()]
        neu.v.set(np.full(13, 1000))
        neu.bias_mant.set(np.full(13, 7))
        src.run(condition=RunSteps(num_steps=15), run_cfg=cfg)
        got += [neu.i.get(), neu.v.get(), neu.theta.get(), neu.r.get()]
        src.stop()
        out.append(got)
    for name, c, h in zip(("theta", "r", "i", "v", "theta", "r"), *out):
        np.testing.assert_array_equal(h, c, err_msg=name)
