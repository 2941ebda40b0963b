"""RFZero on the chip (program ``rfzero``, ``NcRFZeroModel``) against the CPU
fixed-point model (equal to lava-nc's): random networks (two graded
sources -> Dense -> u_in and v_in, random frequencies, decay times,
thresholds, weight exponents; one Dense into both ports; two Dense into
one port), every spike payload and the state (u, v) equal at every step, on
one core and split over a small 2x2 mesh; states near 2**31, where lava-nc's
int32 products and sums wrap; every Var read equal after the run. What the
program cannot hold runs on the host (a warning), unless the run config
demands the chip. The full-width arithmetic is held equal in
``test_resfire_program.py``."""
import warnings

import numpy as np
import pytest

from kilauea import ChipCfg, Dense, RunSteps
from kilauea.compiler.errors import ChipRefusal
from kilauea.proc.io import source
from kilauea.proc.resfire.ncmodels import NcRFZeroModel
from kilauea.proc.resfire.process import RFZero
from kilauea.runtime.chip import ChipStatusError

import newproc_kit as kit

N_STEPS = 60
_VARS = ("u", "v", "s_out")
_READS = ("u", "v", "lct", "lst", "uth")


def _network(seed: int, n_steps: int = N_STEPS, wiring: str = "apart", **over):
    """Sources -> Dense -> RFZero ``neu``; ``wiring``: "apart" (a Dense per
    port), "shared" (one Dense into both), "two" (two Dense into u_in)."""
    rng = np.random.default_rng(seed)
    n_in, n = 6, 11
    src = [source.RingBuffer(data=np.where(rng.random((n_in, n_steps)) < 0.2,
                                           rng.integers(-400, 400, (n_in, n_steps)), 0),
                             name=f"src{k}") for k in (0, 1)]
    kw = dict(freqs=rng.uniform(5, 60, n), decay_tau=rng.uniform(0.01, 0.2, n),
              uth=int(rng.integers(0, 200)))
    kw.update(over)
    neu = RFZero(shape=(n,), name="neu", **kw)
    dense = [Dense(weights=rng.integers(-60, 60, (n, n_in)), num_message_bits=24,
                   weight_exp=int(rng.integers(-3, 2)), name=f"dense{k}") for k in (0, 1, 2)]
    for k in (0, 1):
        src[k].s_out.connect(dense[k].s_in)
    targets = {"apart": [(0, neu.u_in), (1, neu.v_in)],
               "shared": [(0, neu.u_in), (0, neu.v_in)],
               "two": [(0, neu.u_in), (1, neu.u_in), (2, neu.v_in)]}[wiring]
    if wiring == "two":
        src[1].s_out.connect(dense[2].s_in)
    for k, port in targets:
        dense[k].a_out.connect(port)
    return src[0], neu


def _record(seed, cfg, n_steps=N_STEPS, **over):
    root, neu = _network(seed, n_steps, **over)
    return kit.record(root, [(neu, k) for k in _VARS], n_steps, cfg)


@pytest.mark.parametrize("seed, wiring", [(1, "apart"), (2, "apart"), (3, "shared"),
                                          (4, "two")])
def test_chip_equals_the_cpu_fixed_point_model(seed, wiring):
    print(f"seed {seed}")
    cpu = _record(seed, kit.cpu_fixed(), wiring=wiring)
    spikes = cpu[("neu", "s_out")]
    assert 0 < np.count_nonzero(spikes) < spikes.size, f"seed {seed}: must spike, not always"
    for what, cfg in (("one core", ChipCfg(engine="model")), ("2x2 mesh", kit.chip_cfg())):
        kit.assert_same(_record(seed, cfg, wiring=wiring), cpu, f"seed {seed}, {what}:")


def test_the_int32_wraps_equal_lava_nc():
    """States near 2**31 (set before the run): the products u lct, v lst
    wrap in int32 as in lava-nc; no spike (uth at the int32 maximum)."""
    got = []
    for cfg in (kit.cpu_fixed(), kit.chip_cfg()):
        root, neu = _network(5, 30, uth=2**31 - 1)
        rng = np.random.default_rng(5)
        neu.u.init = rng.integers(-2**31, 2**31, 11)
        neu.v.init = rng.integers(-2**31, 2**31, 11)
        got.append(kit.record(root, [(neu, "u"), (neu, "v")], 30, cfg))
    # without the wraps |u'| would stay near |u| (> 2**30 for some)
    assert np.abs(got[0][("neu", "u")][0]).max() < 2**20
    kit.assert_same(got[1], got[0], "wrapping states:")


def _reads_after_a_run(cfg) -> dict:
    root, neu = _network(6, 20)
    try:
        root.run(condition=RunSteps(num_steps=20), run_cfg=cfg)
        return {k: np.asarray(getattr(neu, k).get()).reshape(-1) for k in _READS}
    finally:
        root.stop()


def test_every_var_reads_the_same_after_a_run():
    cpu, chip = _reads_after_a_run(kit.cpu_fixed()), _reads_after_a_run(kit.chip_cfg())
    assert np.any(cpu["v"] != 0)
    for k in _READS:
        np.testing.assert_array_equal(chip[k], cpu[k], err_msg=k)


def test_what_the_chip_cannot_hold_runs_on_the_host():
    """A non-integer threshold: the CPU model casts it to int32 as lava-nc
    does; the chip's fixed-point check refuses it."""
    cpu = _record(7, kit.cpu_fixed(), 20, uth=30.5)
    with pytest.warns(UserWarning, match=r"process 'neu' \(RFZero\) runs on the host CPU "
                                         r"beside the chip with 'dense0', 'dense1'.*'uth'"):
        chip = _record(7, kit.chip_cfg(), 20, uth=30.5)
    kit.assert_same(chip, cpu, "uth=30.5:")


def test_demanding_the_chip_makes_the_refusal_an_error():
    root, neu = _network(7, uth=30.5)
    cfg = ChipCfg(engine="model", exception_proc_model_map={RFZero: NcRFZeroModel})
    with pytest.raises(ChipRefusal, match=r"process 'neu'.*'uth'"):
        root.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    root.stop()


def _big_payload(cfg):
    """lct = lst = 0 (a tiny decay_tau), so u' = xu, v' = xv: v' = -100 at
    step 3, then v' = 0 and u' = 100 * 2**17 at step 4 (a spike)."""
    data = np.zeros((2, 8), dtype=np.int64)
    data[0, 2], data[1, 1] = 2**17, -1
    src = source.RingBuffer(data=data, name="src")
    neu = RFZero(shape=(1,), freqs=10.0, decay_tau=1e-6, uth=0, name="neu")
    for k, port in enumerate((neu.u_in, neu.v_in)):
        dense = Dense(weights=np.eye(2, dtype=int)[k:k + 1] * 100, num_message_bits=24)
        src.s_out.connect(dense.s_in)
        dense.a_out.connect(port)
    return kit.record(src, [(neu, "s_out")], 6, cfg)


def test_a_payload_beyond_24_bits_stops_the_chip():
    """u' of 2**23 or more at a spike: the CPU sends it, the chip flags it."""
    cpu = _big_payload(kit.cpu_fixed())
    assert cpu[("neu", "s_out")][:, 0].tolist() == [0, 0, 0, 100 * 2**17, 0, 0]
    with pytest.raises(ChipStatusError):
        _big_payload(kit.chip_cfg())


def test_the_program_on_the_compiled_rtl():
    """The program on the compiled RTL (cached per chip shape), a few steps."""
    from kilauea.sim.engines import compiled_available
    ok, why = compiled_available()
    if not ok:
        pytest.skip(why)
    cpu = _record(1, kit.cpu_fixed(), 30)
    rtl = _record(1, ChipCfg(engine="compiled", mesh=(1, 1)), 30)
    assert np.count_nonzero(cpu[("neu", "s_out")]) > 0
    kit.assert_same(rtl, cpu, "compiled rtl:")


def test_fed_from_the_host_it_runs_on_the_host():
    """A host process straight into u_in: the chip refuses it (the reason is
    in the warning) and RFZero runs on the host, equal to CpuSimCfg."""
    got = []
    for cfg in (kit.cpu_fixed(), kit.chip_cfg()):
        neu = RFZero(shape=(3,), freqs=20.0, decay_tau=0.1, uth=1, name="A")
        src = source.RingBuffer(data=np.arange(12).reshape(3, 4) * 40)
        src.s_out.connect(neu.u_in)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            got.append(kit.record(neu, [(neu, "u"), (neu, "v"), (neu, "s_out")], 4, cfg))
        said = [str(w.message) for w in seen if "runs on the host CPU" in str(w.message)]
        assert len(said) == (len(got) - 1), said
        assert all("process 'A' (RFZero)" in m and "feed it through a Dense" in m for m in said)
    assert np.any(got[0][("A", "u")] != 0)
    kit.assert_same(got[1], got[0], "RFZero on the host under ChipCfg vs CpuSimCfg")
