"""GradedVec, GradedReluVec and SigmaDelta Processes (lava-nc 0.10's Vars,
ports and defaults; bad arguments rejected naming the parameter) and their
CPU models, fixed_pt (== the numerics and the spec's hand-worked values) and
floating_pt, also through the porting namespace."""
import numpy as np
import pytest

from kilauea import (ActivationMode, CpuSimCfg, GradedReluVec, GradedVec, Monitor, RunSteps,
                     SigmaDelta)
from kilauea import numerics as nx
from kilauea.core.exceptions import ProcessModelError
from kilauea.proc.io import source


def _run(proc, inputs, tag, probes=("s_out",)):
    """Drive proc.a_in from a RingBuffer with inputs [n, T]; return the
    probed values [T, n] per name."""
    T = inputs.shape[1]
    src = source.RingBuffer(data=inputs)
    src.s_out.connect(proc.a_in)
    mons = {}
    for p in probes:
        m = Monitor()
        m.probe(getattr(proc, p), T)
        mons[p] = m
    cfg = CpuSimCfg(select_tag=tag) if tag else CpuSimCfg()
    src.run(condition=RunSteps(num_steps=T), run_cfg=cfg)
    out = {p: np.asarray(m.get_data()[proc.name][p]).reshape(T, -1) for p, m in mons.items()}
    src.stop()
    return out


# ----------------------------------------------------------------- processes
def test_graded_vars_ports_defaults():
    for cls in (GradedVec, GradedReluVec):
        p = cls((2, 3))
        assert p.shape == (2, 3) and tuple(p.a_in.shape) == (2, 3) and tuple(p.s_out.shape) == (2, 3)
        assert sorted(v.name for v in p.vars) == ["exp", "v", "vth"]
        assert np.all(p.v.init == 0) and p.vth.init == 1 and p.exp.init == 0
        assert tuple(p.vth.shape) == (1,) and tuple(p.exp.shape) == (1,)


def test_sigma_delta_vars_ports_defaults_and_scaling():
    p = SigmaDelta(shape=(4,), vth=3)
    assert p.proc_params["act_mode"] == ActivationMode.RELU
    assert sorted(v.name for v in p.vars) == ["act", "bias", "cum_error", "error", "residue",
                                              "sigma", "spike_exp", "state_exp", "vth"]
    assert p.vth.init == 3 and p.bias.init == 0 and p.cum_error.init is False
    q = SigmaDelta(shape=(2,), vth=3, bias=[1, -2], spike_exp=2, state_exp=3,
                   act_mode=ActivationMode.UNIT, cum_error=True)
    assert q.vth.init == 3 * 32 and list(q.bias.init) == [32, -64]
    assert q.spike_exp.init == 2 and q.state_exp.init == 3 and q.cum_error.init is True
    with pytest.raises(TypeError):
        SigmaDelta((2,), vth=1)                 # shape is keyword-only, as in Lava


@pytest.mark.parametrize("kwargs,param", [
    (dict(shape=(0,)), "shape"), (dict(shape=(2,), vth=-1), "vth"),
    (dict(shape=(2,), vth=1 << 24), "vth"), (dict(shape=(2,), vth=[1, 2]), "vth"),
    (dict(shape=(2,), vth=np.nan), "vth"), (dict(shape=(2,), exp=1.5), "exp"),
    (dict(shape=(2,), exp=1 << 23), "exp"),
])
@pytest.mark.parametrize("cls", [GradedVec, GradedReluVec])
def test_graded_bad_arguments(cls, kwargs, param):
    with pytest.raises((ValueError, TypeError), match=param):
        cls(**kwargs)


@pytest.mark.parametrize("kwargs,param", [
    (dict(shape=(-1,), vth=1), "shape"), (dict(shape=(2,), vth=-1), "vth"),
    (dict(shape=(2,), vth=1, bias=[1, 2, 3]), "bias"),
    (dict(shape=(2,), vth=1, act_mode=2), "act_mode"),
    (dict(shape=(2,), vth=1, cum_error="yes"), "cum_error"),
    (dict(shape=(2,), vth=1, spike_exp=-1), "spike_exp"),
    (dict(shape=(2,), vth=1, state_exp=32), "state_exp"),
    (dict(shape=(2,), vth=1, state_exp=1.0), "state_exp"),
])
def test_sigma_delta_bad_arguments(kwargs, param):
    with pytest.raises((ValueError, TypeError), match=param):
        SigmaDelta(**kwargs)


@pytest.mark.parametrize("kwargs", [
    dict(shape=(2,), vth=1 << 24), dict(shape=(2,), vth=1 << 20, state_exp=4),
    dict(shape=(2,), vth=1, bias=1 << 23), dict(shape=(2,), vth=1, bias=[1, -(1 << 21)], spike_exp=3),
])
def test_sigma_delta_accepts_scaled_values_beyond_24_bits(kwargs):
    """As lava-nc: the scaled vth and bias are not limited to 24 bits (the
    fixed-point model holds them in int32; the chip compiler checks what the
    chip's program declares)."""
    sd = SigmaDelta(**kwargs)
    scale = 1 << (kwargs.get("spike_exp", 0) + kwargs.get("state_exp", 0))
    assert sd.vth.init == kwargs["vth"] * scale
    assert np.array_equal(sd.bias.init, np.asarray(kwargs.get("bias", 0)) * scale)


def test_porting_namespace():
    from kilauea.lava.proc.graded import models as lgm
    from kilauea.lava.proc.graded.process import GradedReluVec as LGR
    from kilauea.lava.proc.graded.process import GradedVec as LG
    from kilauea.lava.proc.sdn import models as lsm
    from kilauea.lava.proc.sdn.process import ActivationMode as LA
    from kilauea.lava.proc.sdn.process import SigmaDelta as LS
    assert (LG, LGR, LS, LA) == (GradedVec, GradedReluVec, SigmaDelta, ActivationMode)
    assert lgm.PyGradedVecModelFixed.tags == ["fixed_pt"]
    assert "PySigmaDeltaModelFixed" in lsm.__all__ and "PySigmaDeltaModelFloat" in lsm.__all__


# ---------------------------------------------------------------- CPU models
def test_graded_fixed_hand_values():
    a = np.array([[5, -5, 6, -6, 0]]).T.repeat(2, axis=1).astype(np.int32)     # [5, 2]
    got = _run(GradedVec((5,), vth=5), a, "fixed_pt", ("s_out", "v"))
    assert got["s_out"].tolist() == [[0, 0, 6, -6, 0]] * 2
    assert np.all(got["v"] == 0)                # v is cleared every step
    got = _run(GradedReluVec((5,), vth=5), a, "fixed_pt")
    assert got["s_out"].tolist() == [[0, 0, 6, 0, 0]] * 2


@pytest.mark.parametrize("relu", [False, True])
def test_graded_fixed_model_equals_numerics(relu):
    seed = 7 + relu
    rng = np.random.default_rng(seed)
    a = rng.integers(-500, 500, (9, 40)).astype(np.int32)
    cls = GradedReluVec if relu else GradedVec
    got = _run(cls((9,), vth=120), a, "fixed_pt")["s_out"]
    want = np.array([nx.graded_fixed_step(np.zeros(9), a[:, t], 120, relu)[1] for t in range(40)])
    assert np.array_equal(got, want), f"seed {seed}"
    assert np.count_nonzero(want) > 20


def test_graded_float_model():
    a = np.array([[0.5, -2.5, 2.25]]).T.repeat(3, axis=1)
    got = _run(GradedVec((3,), vth=1.5), a, None)["s_out"]
    assert got.tolist() == [[0.0, -2.5, 2.25]] * 3
    got = _run(GradedReluVec((3,), vth=1.5), a, "floating_pt")["s_out"]
    assert got.tolist() == [[0.0, 0.0, 2.25]] * 3


def test_graded_fixed_rejects_fractional_vth_and_oversized_payloads():
    with pytest.raises(ProcessModelError, match="'vth' must hold integers"):
        _run(GradedVec((2,), vth=1.5), np.ones((2, 2), np.int32), "fixed_pt")
    a = np.array([[1 << 22, 3 << 22], [0, 0]], dtype=np.int32)       # [2, 2]
    with pytest.raises(ProcessModelError, match="graded payload 12582912 of element 0 at step 2"):
        _run(GradedVec((2,), vth=0), a, "fixed_pt")


SDN_CASES = [(m, c) for m in (ActivationMode.UNIT, ActivationMode.RELU) for c in (False, True)]


@pytest.mark.parametrize("mode,cum", SDN_CASES)
def test_sigma_delta_fixed_model_equals_numerics(mode, cum):
    seed = 20 + 2 * int(mode) + cum
    rng = np.random.default_rng(seed)
    n, T = 8, 50
    bias = rng.integers(-20, 20, n)
    a = (rng.integers(-300, 300, (n, T)) * (rng.random((n, T)) < 0.6)).astype(np.int32)
    p = SigmaDelta(shape=(n,), vth=5, bias=bias, act_mode=mode, cum_error=cum, spike_exp=1,
                   state_exp=3)
    names = ("s_out", "sigma", "act", "residue", "error")
    got = _run(p, a, "fixed_pt", names)
    st = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    for t in range(T):
        *st, s = nx.sigma_delta_fixed_step(*st, a[:, t], bias * 16, 5 * 16, 3,
                                           mode == ActivationMode.RELU, cum)
        for k, name in enumerate(names):
            want = s if k == 0 else st[k - 1]
            assert np.array_equal(got[name][t], want), f"seed {seed} step {t + 1} {name}"
    assert np.count_nonzero(got["s_out"]) > 20


def test_sigma_delta_hand_values():
    """UNIT, vth 4, state_exp 1, inputs 3, 3, -10, 0 (one neuron):
    sigma 3, 6, -4, -4; delta 3 (< 4: residue 3), 6 (sent: s_out 3),
    -10 (sent: -5), 0 (nothing)."""
    a = np.array([[3, 3, -10, 0]], dtype=np.int32)
    got = _run(SigmaDelta(shape=(1,), vth=2, state_exp=1, act_mode=ActivationMode.UNIT),
               a, "fixed_pt", ("s_out", "sigma", "residue"))
    assert got["sigma"][:, 0].tolist() == [3, 6, -4, -4]
    assert got["residue"][:, 0].tolist() == [3, 0, 0, 0]
    assert got["s_out"][:, 0].tolist() == [0, 3, -5, 0]
    # floating point: no state_exp shift; RELU clips the negative activation
    got = _run(SigmaDelta(shape=(1,), vth=2, state_exp=1), a.astype(float), "floating_pt",
               ("s_out", "act"))
    assert got["act"][:, 0].tolist() == [3, 6, 0, 0]
    assert got["s_out"][:, 0].tolist() == [0, 6, -6, 0]


def test_sigma_delta_fixed_rejects_fractional_vth():
    with pytest.raises(ProcessModelError, match="'vth' must hold integers"):
        _run(SigmaDelta(shape=(2,), vth=0.5), np.ones((2, 2), np.int32), "fixed_pt")
    with pytest.raises(ProcessModelError, match="'bias' must hold integers"):
        _run(SigmaDelta(shape=(2,), vth=1, bias=0.25, state_exp=1), np.ones((2, 2), np.int32),
             "fixed_pt")
