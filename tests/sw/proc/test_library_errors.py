"""Bad parameters: rejected at construction when invalid for every model,
at model build when invalid for the fixed-point models (non-integers);
errors name the parameter. Integers outside the chip's widths run on the
CPU as in lava-nc; the chip compiler rejects them (tests/sw/compiler)."""
import numpy as np
import pytest

from kilauea import LIF, Dense, DelayDense, Sparse, LIFReset, LIFRefractory
from kilauea.core.run_conditions import RunSteps
from kilauea.core.run_configs import CpuSimCfg
from kilauea.proc.io.sink import RingBuffer as Sink
from kilauea.proc.io.source import RingBuffer as Source

W = np.ones((2, 3), int)


@pytest.mark.parametrize("cls", [Dense, Sparse])
@pytest.mark.parametrize("kwargs,param", [
    (dict(weight_exp=1.5), "weight_exp"),
    (dict(num_weight_bits=1.5), "num_weight_bits"),
    (dict(num_message_bits=2.5), "num_message_bits"),
    (dict(sign_mode="MIXED"), "sign_mode"),
])
def test_connection_params_rejected(cls, kwargs, param):
    with pytest.raises((ValueError, TypeError), match=param):
        cls(weights=W, **kwargs)


def test_connection_edges_accepted():
    Dense(weights=W, weight_exp=-8, num_weight_bits=1, num_message_bits=24)
    Dense(weights=W, weight_exp=7)
    Dense(weights=W, weight_exp=-10)        # any integer, as lava-nc (the chip: -8..7)
    Sparse(weights=W, weight_exp=12, num_weight_bits=9, num_message_bits=32)
    DelayDense(weights=W, delays=63)


@pytest.mark.parametrize("weights", [np.ones(3), np.ones((2, 2, 2)),
                                     np.array([[1, np.nan]])])
def test_bad_weights(weights):
    with pytest.raises(ValueError, match="weights"):
        Dense(weights=weights)


@pytest.mark.parametrize("kwargs", [
    dict(delays=64), dict(delays=-1), dict(delays=np.full((2, 3), 1.5)),
    dict(delays=np.zeros((3, 2), int)), dict(delays=0, max_delay=64),
    dict(delays=np.array([[0, 0, 64], [0, 0, 0]])),
])
def test_delay_dense_delays_rejected(kwargs):
    with pytest.raises(ValueError, match="delay"):
        DelayDense(weights=W, **kwargs)


@pytest.mark.parametrize("cls,kwargs,param", [
    (LIF, dict(shape=(0,)), "shape"),
    (LIF, dict(shape=(3,), vth=[1, 2]), "vth"),
    (LIF, dict(shape=(3,), du=[0.1, 0.2]), "du"),
    (LIF, dict(shape=(3,), bias_mant=[1, 2]), "bias_mant"),
    (LIFReset, dict(shape=(3,), reset_interval=0), "reset_interval"),
    (LIFReset, dict(shape=(3,), reset_offset=-1), "reset_offset"),
    (LIFRefractory, dict(shape=(3,), refractory_period=0), "refractory_period"),
    (Sink, dict(shape=(3,), buffer=0), "buffer"),
    (Source, dict(data=np.ones(4)), "data"),
])
def test_process_params_rejected(cls, kwargs, param):
    with pytest.raises(ValueError, match=param):
        cls(**kwargs)


@pytest.mark.parametrize("kwargs,param", [
    (dict(du=0.1), "du"), (dict(vth=10.5), "vth"), (dict(bias_mant=[1, 2.5]), "bias_mant"),
    (dict(bias_mant=[1, -40000]), "bias_mant"), (dict(bias_exp=1 << 15), "bias_exp"),
])
def test_fixed_point_models_reject_non_integers_at_build(kwargs, param):
    """Fractions (and, for bias_mant / bias_exp, values outside lava-nc's
    int16) are refused by the fixed-point models, naming the process."""
    lif = LIF(shape=(2,), name="bad_lif", **kwargs)     # fine for float models
    lif.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg())
    lif.stop()
    lif = LIF(shape=(2,), name="bad_lif", **kwargs)
    with pytest.raises(Exception, match=param) as info:
        lif.run(condition=RunSteps(num_steps=1),
                run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    text = str(info.value) + str(info.value.__cause__)
    assert "bad_lif" in text
    lif.stop()


@pytest.mark.parametrize("kwargs", [
    dict(du=4096), dict(dv=-1), dict(du=-1), dict(bias_mant=4096), dict(bias_mant=[1, -4097]),
    dict(bias_exp=8), dict(bias_exp=[0, -9]), dict(vth=1 << 17), dict(vth=-1),
])
def test_fixed_point_models_run_what_lava_runs(kwargs):
    """Integers outside the chip's widths run on the CPU, as in lava-nc (the
    chip compiler rejects them: tests/sw/compiler/test_fixcheck.py)."""
    lif = LIF(shape=(2,), name="wide_lif", **kwargs)
    lif.run(condition=RunSteps(num_steps=2), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    lif.stop()


@pytest.mark.parametrize("target", [3, "v", LIF(shape=(2,)).a_in])
def test_monitor_probe_of_a_non_target_names_the_rule(target):
    """Only a Var or an OutPort can be probed; anything else is a TypeError
    saying so (not an AttributeError from inside probe)."""
    from kilauea import Monitor
    with pytest.raises(TypeError, match="Var or an OutPort"):
        Monitor().probe(target, 5)


_NON_FINITE_PARAMS = ["vth", "u", "v", "bias_mant", "bias_exp", "du", "dv"]


@pytest.mark.parametrize("cls", [LIF, LIFReset, LIFRefractory])
@pytest.mark.parametrize("param", _NON_FINITE_PARAMS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_lif_parameter_rejected_at_construction(cls, param, bad):
    """A NaN threshold (or state, bias, decay) would make a float run
    silently never spike: rejected naming the parameter."""
    value = np.array([0.0, bad]) if param in ("u", "v", "bias_mant", "bias_exp") else bad
    with pytest.raises(ValueError, match=rf"'{param}'.*finite"):
        cls(shape=(2,), **{param: value})


@pytest.mark.parametrize("param", ["vth_hi", "vth_lo", "u", "du"])
def test_non_finite_ternary_lif_parameter_rejected(param):
    from kilauea.proc.lif.process import TernaryLIF
    with pytest.raises(ValueError, match=rf"'{param}'.*finite"):
        TernaryLIF(shape=(2,), **{param: np.nan})


@pytest.mark.parametrize("param", _NON_FINITE_PARAMS)
def test_non_finite_lif_var_set_rejected_before_and_during_a_run(param):
    lif = LIF(shape=(2,), du=0.1, dv=0.1, vth=10.0, name="lifnan")
    with pytest.raises(ValueError, match=rf"lifnan\.{param}.*finite"):
        getattr(lif, param).set(np.nan)                        # before the run: on init
    lif.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg())
    try:
        before = np.array(getattr(lif, param).get())
        with pytest.raises(ValueError, match=rf"lifnan\.{param}.*finite"):
            getattr(lif, param).set(np.inf)                    # on the CPU runtime
        with pytest.raises(ValueError, match=rf"lifnan\.{param}.*finite"):
            getattr(lif, param).set(np.nan, idx=0)
        np.testing.assert_array_equal(getattr(lif, param).get(), before)
        getattr(lif, param).set(before)                        # finite values still work
    finally:
        lif.stop()


def test_finite_values_still_accepted_by_var_set():
    lif = LIF(shape=(2,), du=0.1, dv=0.1, vth=10.0)
    lif.vth.set(5.0)
    lif.u.set(np.array([1.0, 2.0]))
    assert lif.vth.get() == 5.0
