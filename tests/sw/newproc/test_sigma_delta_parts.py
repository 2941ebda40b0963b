"""Sigma and Delta: hand-computed traces, Sigma -> Delta == SigmaDelta(UNIT),
chip (programs sigma / delta on the golden engine) == CPU fixed_pt."""
import numpy as np
import pytest

from kilauea import ActivationMode, Dense, SigmaDelta
from kilauea.neurons import library
from kilauea.proc.io import source
from kilauea.proc.sdn.ncmodels import NcDeltaModel, NcSigmaModel
from kilauea.proc.sdn.process import Delta, Sigma

import newproc_kit as kit

A_IN = np.array([[4, 1, 0, -2, -1]])          # Sigma: 4 5 5 3 2


def _run(proc, var_names, cfg, data=A_IN):
    src = source.RingBuffer(data=data.astype(np.int32), name="SRC")
    src.s_out.connect(proc.a_in)
    return kit.record(src, [(proc, v) for v in var_names], data.shape[1], cfg)


@pytest.mark.parametrize("cfg", [kit.cpu_fixed, kit.cpu_float])
def test_sigma_hand_values(cfg):
    s = Sigma(shape=(1,), name="S")
    rec = _run(s, ("sigma", "s_out"), cfg())
    np.testing.assert_array_equal(rec[("S", "s_out")].ravel(), [4, 5, 5, 3, 2])
    np.testing.assert_array_equal(rec[("S", "sigma")].ravel(), [4, 5, 5, 3, 2])


@pytest.mark.parametrize("kw, want, cfgs", [
    (dict(vth=2), [4, 0, 0, 0, -2], (kit.cpu_fixed, kit.cpu_float)),
    (dict(vth=2, cum_error=True), [4, 0, 1, -2, 0], (kit.cpu_fixed, kit.cpu_float)),
    # a = a_in << 2, vth 1 * 4, s_out = s >> 1
    (dict(vth=1, spike_exp=1, state_exp=1), [8, 2, 0, -4, -2], (kit.cpu_fixed,)),
])
def test_delta_hand_values(kw, want, cfgs):
    for cfg in cfgs:
        d = Delta(shape=(1,), name="D", **kw)
        rec = _run(d, ("s_out",), cfg(), data=np.array([[4, 5, 5, 3, 2]]))
        np.testing.assert_array_equal(rec[("D", "s_out")].ravel(), want, err_msg=cfg.__name__)


def test_vars_checks_and_porting_paths():
    d = Delta(shape=(3,), vth=3, spike_exp=2, state_exp=1)
    assert d.vth.init == 24 and d.shape == (3,)
    for name in ("sigma", "act", "residue", "error", "spike_exp", "state_exp", "cum_error"):
        assert hasattr(d, name)
    # as in lava-nc, the scaled vth may exceed 24 bits (held in int32)
    assert Delta(shape=(2,), vth=2 ** 22, spike_exp=2).vth.init == 2 ** 24
    with pytest.raises(ValueError, match="spike_exp"):
        Delta(shape=(2,), vth=0, spike_exp=20, state_exp=20)
    from kilauea.lava.proc.sdn.process import Delta as LD, Sigma as LS
    from kilauea.lava.proc.sdn.models import PyDeltaModelFixed, PySigmaModelFloat  # noqa: F401
    assert LD is Delta and LS is Sigma


@pytest.mark.parametrize("seed", range(2))
def test_sigma_then_delta_equals_sigma_delta_unit(seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(-30, 30, (6, 25))
    cum = bool(seed)
    for cfg in (kit.cpu_fixed, kit.cpu_float):
        src = source.RingBuffer(data=data.astype(np.int32), name="SRC")
        s, d = Sigma(shape=(6,), name="S"), Delta(shape=(6,), vth=9, cum_error=cum, name="D")
        src.s_out.connect(s.a_in)
        s.s_out.connect(d.a_in)
        got = kit.record(src, [(d, "s_out"), (d, "residue")], 25, cfg())
        src = source.RingBuffer(data=data.astype(np.int32), name="SRC")
        sd = SigmaDelta(shape=(6,), vth=9, act_mode=ActivationMode.UNIT, cum_error=cum, name="D")
        src.s_out.connect(sd.a_in)
        want = kit.record(src, [(sd, "s_out"), (sd, "residue")], 25, cfg())
        assert np.count_nonzero(want[("D", "s_out")]) > 10
        kit.assert_same(got, want, cfg.__name__)


def _network(seed):
    rng = np.random.default_rng(seed)
    n_in, n1, n2, n3 = (int(x) for x in rng.integers(4, 12, 4))
    src = source.RingBuffer(data=rng.integers(-20, 20, (n_in, 9)).astype(np.int32), name="SRC")
    sig = Sigma(shape=(n1,), name="S")
    d1 = Delta(shape=(n2,), vth=int(rng.integers(0, 30)), name="D1")
    d2 = Delta(shape=(n3,), vth=int(rng.integers(0, 4)), cum_error=True, spike_exp=1,
               state_exp=int(rng.integers(0, 3)), name="D2")
    c0 = Dense(weights=rng.integers(-9, 9, (n1, n_in)), num_message_bits=24, name="C0")
    c1 = Dense(weights=rng.integers(-9, 9, (n2, n1)), num_message_bits=24, weight_exp=-2,
               name="C1")
    c2 = Dense(weights=rng.integers(-9, 9, (n3, n2)), num_message_bits=24, weight_exp=-3,
               name="C2")
    src.s_out.connect(c0.s_in)
    c0.a_out.connect(sig.a_in)
    sig.s_out.connect(c1.s_in)
    c1.a_out.connect(d1.a_in)
    d1.s_out.connect(c2.s_in)
    c2.a_out.connect(d2.a_in)
    probes = [(sig, "sigma"), (sig, "s_out")] + [
        (d, v) for d in (d1, d2) for v in ("act", "residue", "error", "s_out")]
    return src, probes


@pytest.mark.parametrize("seed", range(3))
def test_chip_equals_cpu_fixed(seed):
    steps = 30
    root, probes = _network(seed)
    want = kit.record(root, probes, steps, kit.cpu_fixed())
    assert np.count_nonzero(want[("D2", "s_out")]) > 0
    root, probes = _network(seed)
    got = kit.record(root, probes, steps, kit.chip_cfg())
    kit.assert_same(got, want, f"seed {seed}:")


def test_chip_models():
    assert NcSigmaModel.graded_out and NcDeltaModel.graded_out
    assert "spike_exp" in NcDeltaModel.host_vars
    assert library.delta(cum_error=True).name == "delta_cum"
