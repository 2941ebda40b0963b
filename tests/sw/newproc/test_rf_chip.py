"""RF and RF_IZ on the chip (programs ``rf``, ``rf_iz``; ``NcRFModel``,
``NcRF_IZModel``) against the CPU fixed-point models: random networks (two
spiking sources -> Dense -> a_real_in and a_imag_in, random periods,
decays, decay_bits, state_exp, thresholds, weight exponents; one Dense into
both ports), every spike and the state (real, imag) equal at every step, on
one core and split over a small 2x2 mesh, and every Var read equal after
the run. What the programs cannot hold runs on the host (a warning), unless
the run config demands the chip."""
import numpy as np
import pytest

from kilauea import ChipCfg, Dense, RunSteps
from kilauea.compiler.errors import ChipRefusal
from kilauea.proc.io import source
from kilauea.proc.rf.ncmodels import NcRFModel
from kilauea.proc.rf.process import RF
from kilauea.proc.rf_iz.process import RF_IZ

import newproc_kit as kit

N_STEPS = 50
_VARS = ("real", "imag", "s_out")
_READS = ("real", "imag", "sin_decay", "cos_decay", "state_exp", "decay_bits", "vth")


def _network(cls, seed: int, n_steps: int = N_STEPS, shared: bool = False, **over):
    rng = np.random.default_rng(seed)
    n_in, n = 8, 11
    src = [source.RingBuffer(data=(rng.random((n_in, n_steps)) < 0.3).astype(np.int32),
                             name=f"src{k}") for k in (0, 1)]
    state_exp = int(rng.integers(0, 4))
    kw = dict(period=float(rng.uniform(4, 20)), alpha=float(rng.uniform(0.0, 0.15)),
              decay_bits=int(rng.integers(6, 14)), state_exp=state_exp,
              vth=float(rng.integers(20, 400)) / (1 if state_exp == 0 else 4))
    kw.update(over)
    neu = cls(shape=(n,), name="neu", **kw)
    dense = [Dense(weights=rng.integers(-60, 90, (n, n_in)), name=f"dense{k}",
                   weight_exp=int(rng.integers(-2, 2))) for k in (0, 1)]
    for k, port in enumerate((neu.a_real_in, neu.a_imag_in)):
        src[k].s_out.connect(dense[k].s_in)
        dense[0 if shared else k].a_out.connect(port)
    return src[0], neu


def _record(cls, seed, cfg, n_steps=N_STEPS, **over):
    root, neu = _network(cls, seed, n_steps, **over)
    return kit.record(root, [(neu, k) for k in _VARS], n_steps, cfg)


@pytest.mark.parametrize("cls", [RF, RF_IZ], ids=["RF", "RF_IZ"])
@pytest.mark.parametrize("seed, shared", [(1, False), (2, False), (3, False), (4, True)])
def test_chip_equals_the_cpu_fixed_point_model(cls, seed, shared):
    print(f"seed {seed}")
    cpu = _record(cls, seed, kit.cpu_fixed(), shared=shared)
    spikes = cpu[("neu", "s_out")]
    assert 0 < spikes.sum() < spikes.size, f"seed {seed}: the network must spike, not always"
    for what, cfg in (("one core", ChipCfg(engine="model")), ("2x2 mesh", kit.chip_cfg())):
        kit.assert_same(_record(cls, seed, cfg, shared=shared), cpu, f"seed {seed}, {what}:")


@pytest.mark.parametrize("cls", [RF, RF_IZ], ids=["RF", "RF_IZ"])
def test_every_var_reads_the_same_after_a_run(cls):
    got = []
    for cfg in (kit.cpu_fixed(), kit.chip_cfg()):
        root, neu = _network(cls, 5, 20)
        root.run(condition=RunSteps(num_steps=20), run_cfg=cfg)
        got.append({k: np.asarray(getattr(neu, k).get()).reshape(-1) for k in _READS})
        root.stop()
    for k in _READS:
        np.testing.assert_array_equal(got[1][k], got[0][k], err_msg=k)
    assert np.any(got[0]["imag"] != 0)


_REFUSED = [
    (dict(decay_bits=0), r"parameter decay_bits: decay_bits=0; the chip's limit is 1..31"),
    (dict(alpha=-200.0, decay_bits=6), r"parameter sin_decay: sin_decay=-?\d+ with "
                                       r"decay_bits=6; the chip's limit is \|sin_decay\| < "
                                       r"2\*\*\(decay_bits \+ 6\) = 4096"),
    (dict(vth=3.5, state_exp=0), r"parameter 'vth' must hold integers"),
]


@pytest.mark.parametrize("over, match", _REFUSED, ids=[m[:22] for _, m in _REFUSED])
def test_what_the_chip_cannot_hold_runs_on_the_host(over, match):
    kw = dict(period=10.0, alpha=0.1, decay_bits=8, state_exp=0, vth=30)
    kw.update(over)
    try:
        cpu = _record(RF, 6, kit.cpu_fixed(), 12, **kw)
    except Exception as e:        # noqa: BLE001 - decay_bits 0: the CPU model refuses too
        cpu = e
    with pytest.warns(UserWarning, match=r"process 'neu' \(RF\) runs on the host CPU beside "
                                         r"the chip with 'dense0', 'dense1'.*" + match):
        try:
            chip = _record(RF, 6, kit.chip_cfg(), 12, **kw)
        except Exception as e:    # noqa: BLE001
            chip = e
    if isinstance(cpu, Exception):
        assert type(chip) is type(cpu) and str(chip) == str(cpu)
    else:
        kit.assert_same(chip, cpu, f"{over}:")


def test_demanding_the_chip_makes_the_refusal_an_error():
    root, neu = _network(RF, 7, decay_bits=0)
    cfg = ChipCfg(engine="model", exception_proc_model_map={RF: NcRFModel})
    with pytest.raises(ChipRefusal, match=r"process 'neu' \(RF\), parameter decay_bits: "
                                          r"decay_bits=0; the chip's limit is 1..31"):
        root.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    root.stop()


def test_the_programs_on_the_compiled_rtl():
    """Both programs on the compiled RTL (cached per chip shape), a few steps."""
    from kilauea.sim.engines import compiled_available
    ok, why = compiled_available()
    if not ok:
        pytest.skip(why)
    for cls in (RF, RF_IZ):
        cpu = _record(cls, 1, kit.cpu_fixed(), 30)
        rtl = _record(cls, 1, ChipCfg(engine="compiled", mesh=(1, 1)), 30)
        assert cpu[("neu", "s_out")].sum() > 0
        kit.assert_same(rtl, cpu, f"{cls.__name__}, compiled rtl:")
