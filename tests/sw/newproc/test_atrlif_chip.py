"""ATRLIF on the chip (program ``atrlif``, ``NcATRLIFModel``) against the CPU
fixed-point model: random networks (a spiking source -> Dense -> ATRLIF,
random float decays, lava-nc's defaults among them, thresholds, biases,
weights and initial state), every spike and every Var (i, v, theta, r, s)
equal at every step, on one core and split over a small 2x2 mesh, and every
Var read (theta_0, theta_step included) equal after the run. The processes
the program cannot hold run on the host beside the chip (a warning), unless
the run config demands the chip: then a ChipRefusal names parameter, value
and limit."""
import numpy as np
import pytest

from kilauea import ChipCfg, Dense, RunSteps
from kilauea.compiler.errors import ChipRefusal
from kilauea.proc.atrlif.ncmodels import NcATRLIFModel
from kilauea.proc.atrlif.process import ATRLIF
from kilauea.proc.io import source

import newproc_kit as kit

N_STEPS = 60
_VARS = ("i", "v", "theta", "r", "s", "s_out")
_READS = ("i", "v", "theta", "r", "s", "bias_mant", "bias_exp", "delta_i", "delta_v",
          "delta_theta", "delta_r", "theta_0", "theta_step")


def _network(seed: int, n_steps: int = N_STEPS, **over):
    rng = np.random.default_rng(seed)
    n_in, n = 10, 13
    data = (rng.random((n_in, n_steps)) < 0.3).astype(np.int32)
    src = source.RingBuffer(data=data, name="src")
    w = rng.integers(-40, 120, (n, n_in))
    kw = dict(delta_i=float(rng.uniform(0, 1)),
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


def _reads(seed, cfg, n_steps=20, **over):
    src, neu = _network(seed, n_steps, **over)
    src.run(condition=RunSteps(num_steps=n_steps), run_cfg=cfg)
    try:
        return {k: np.asarray(getattr(neu, k).get()) for k in _READS}
    finally:
        src.stop()


_DEFAULTS = dict(delta_i=0.4, delta_v=0.4, delta_theta=0.2, delta_r=0.2, theta_0=5,
                 theta_step=3.75)


@pytest.mark.parametrize("seed, over", [(11, {}), (12, {}), (13, {}), (14, {}), (15, {}),
                                        (16, _DEFAULTS), (17, dict(delta_i=0.4))])
def test_chip_equals_the_cpu_fixed_point_model(seed, over):
    print(f"seed {seed}")
    cpu = _record(seed, kit.cpu_fixed(), **over)
    spikes = cpu[("neu", "s_out")]
    assert 0 < spikes.sum() < spikes.size, f"seed {seed}: the network must spike, not always"
    assert np.any(np.diff(cpu[("neu", "theta")], axis=0) > 0), "theta must adapt"
    for what, cfg in (("one core", ChipCfg(engine="model")), ("2x2 mesh", kit.chip_cfg())):
        kit.assert_same(_record(seed, cfg, **over), cpu, f"seed {seed}, {what}:")


@pytest.mark.parametrize("seed", [21, 22])
def test_every_var_reads_the_same_after_a_run(seed):
    print(f"seed {seed}")
    cpu, chip = _reads(seed, kit.cpu_fixed()), _reads(seed, kit.chip_cfg())
    for k in _READS:
        np.testing.assert_array_equal(chip[k].reshape(-1), cpu[k].reshape(-1),
                                      err_msg=f"seed {seed}: {k}")
    assert cpu["theta_0"].reshape(-1)[0] != _network(seed)[1].theta_0.init, "theta_0 scaled"


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


_REFUSED = [
    (dict(delta_i=0), r"parameter delta_i: delta_i=0 is an integer.*int32 and wraps"),
    (dict(delta_i=-0.5), r"parameter delta_i: delta_i=-0.5 gives the current's factor .*= "
                         r"6143.0; the chip's limit is -4096 < factor < 4096"),
    (dict(delta_r=-1e7), r"parameter delta_r: delta_r=-10000000.0 gives the factor .*; the "
                         r"chip's limit is 32 bits"),
    (dict(v=np.full(13, 2**30)), r"parameter v: v=1073741824 \(neuron 0\); the chip's limit "
                                 r"is -2\*\*30 .. 2\*\*30 - 1"),
    (dict(bias_mant=np.full(13, 5000)), r"parameter 'bias_mant'=5000 is outside the chip's "
                                        r"fixed-point range"),
]


@pytest.mark.parametrize("over, match", _REFUSED, ids=[m[:24] for _, m in _REFUSED])
def test_what_the_chip_cannot_hold_runs_on_the_host(over, match):
    """A warning names the refusal; the results equal the CPU model's."""
    cpu = _record(3, kit.cpu_fixed(), 20, **over)
    with pytest.warns(UserWarning, match=r"process 'neu' \(ATRLIF\) runs on the host CPU "
                                         r"beside the chip with 'dense'.*" + match):
        chip = _record(3, kit.chip_cfg(), 20, **over)
    kit.assert_same(chip, cpu, f"{over}:")


@pytest.mark.parametrize("over, match", _REFUSED[:3], ids=[m[:24] for _, m in _REFUSED[:3]])
def test_demanding_the_chip_makes_the_refusal_an_error(over, match):
    src, neu = _network(1, **over)
    cfg = ChipCfg(engine="model", exception_proc_model_map={ATRLIF: NcATRLIFModel})
    with pytest.raises(ChipRefusal, match=r"process 'neu' \(ATRLIF\), " + match):
        src.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    src.stop()


def _host_fed(cfg):
    neu = ATRLIF(shape=(3,), name="A", bias_mant=[5, 9, 20], bias_exp=6)
    src = source.RingBuffer(data=np.arange(12).reshape(3, 4) * 300)
    src.s_out.connect(neu.a_in)
    return kit.record(neu, [(neu, k) for k in _VARS], 4, cfg)


def test_input_straight_from_the_host_runs_on_the_host():
    cpu = _host_fed(kit.cpu_fixed())
    with pytest.warns(UserWarning, match=r"process 'A' \(ATRLIF\) runs on the host CPU beside "
                                         r"the chip: .*cannot take input straight from a host"):
        chip = _host_fed(kit.chip_cfg())
    assert cpu[("A", "s_out")].sum() > 0
    kit.assert_same(chip, cpu, "host-fed ATRLIF:")


def test_the_program_on_the_compiled_rtl():
    """The atrlif program on the compiled RTL (cached per chip shape), a few
    steps with lava-nc's default decays."""
    from kilauea.sim.engines import compiled_available
    ok, why = compiled_available()
    if not ok:
        pytest.skip(why)
    seed = 16
    cpu = _record(seed, kit.cpu_fixed(), 10, **_DEFAULTS)
    rtl = _record(seed, ChipCfg(engine="compiled", mesh=(1, 1)), 10, **_DEFAULTS)
    assert cpu[("neu", "s_out")].sum() > 0
    kit.assert_same(rtl, cpu, f"seed {seed}, compiled rtl:")


def test_vars_set_between_runs_stay_equal():
    """Var sets between two runs (the chip keeps theta; it is not reset to
    theta_0 again; a set theta_0 is taken as already scaled, as by the CPU
    model) agree with the CPU model."""
    out = []
    for cfg in (kit.cpu_fixed(), kit.chip_cfg()):
        src, neu = _network(12, 40)
        src.run(condition=RunSteps(num_steps=10), run_cfg=cfg)
        got = [neu.theta.get(), neu.r.get(), neu.s.get()]
        neu.v.set(np.full(13, 1000))
        neu.bias_mant.set(np.full(13, 7))
        neu.theta_0.set(np.array([900]))
        neu.delta_v.set(np.array([0.125]))
        src.run(condition=RunSteps(num_steps=15), run_cfg=cfg)
        got += [neu.i.get(), neu.v.get(), neu.theta.get(), neu.r.get(), neu.s.get(),
                neu.theta_0.get(), neu.theta_step.get()]
        src.stop()
        out.append(got)
    names = ("theta", "r", "s", "i", "v", "theta", "r", "s", "theta_0", "theta_step")
    for name, c, h in zip(names, *out):
        np.testing.assert_array_equal(np.asarray(h).reshape(-1), np.asarray(c).reshape(-1),
                                      err_msg=name)
