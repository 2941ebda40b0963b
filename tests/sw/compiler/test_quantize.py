"""kilauea.quantize: a float LIF/Dense network becomes a fixed-point one the
compiler accepts; the reported errors and the side-by-side simulation are
checked against the CPU runtime's float and fixed_pt runs."""
import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import LIF, CpuSimCfg, Dense, DelayDense, Monitor, RunSteps
from kilauea.compiler import CompileError
from kilauea.hw.params import ChipParams
from kilauea import quantize


def _float_net(seed=0):
    rng = np.random.default_rng(seed)
    lif1 = LIF(shape=(3,), vth=10., dv=0.1, du=0.1, bias_mant=(1.1, 1.2, 1.3), name="lif1")
    dense = Dense(weights=rng.random((2, 3)) * 4 - 1, name="dense")
    lif2 = LIF(shape=(2,), vth=10., dv=0.1, du=0.1, bias_mant=0.3, name="lif2")
    dd = DelayDense(weights=rng.random((3, 2)) * 2, delays=rng.integers(0, 4, (3, 2)), name="dd")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    lif2.s_out.connect(dd.s_in)
    dd.a_out.connect(lif1.a_in)
    return lif1, dense, lif2


def _spike_counts(lifs, tag, n):
    mons = []
    for lif in lifs:
        m = Monitor()
        m.probe(lif.s_out, n)
        mons.append(m)
    lifs[0].run(condition=RunSteps(num_steps=n), run_cfg=CpuSimCfg(select_tag=tag))
    out = {l.name: int(np.count_nonzero(m.get_data()[l.name]["s_out"])) for l, m in zip(lifs, mons)}
    lifs[0].stop()
    return out


def test_float_network_is_rejected_then_quantized_and_compiles():
    lif1, dense, lif2 = _float_net()
    with pytest.raises(CompileError, match="kilauea.quantize"):
        tk.compile_procs(lif1, ChipParams())
    lif1, dense, lif2 = _float_net()
    rep = quantize(lif1, num_steps=0)
    _, cn = tk.compile_procs(lif1, ChipParams())
    assert cn.report.total_synapses == 12
    assert int(np.asarray(lif1.du.init).reshape(-1)[0]) == round(4096 * 0.1) - 1
    s = rep.scales["lif1"]
    assert s == pytest.approx(4096 * 64 / 10.0)
    assert int(np.asarray(lif1.vth.init).reshape(-1)[0]) == 4096
    # the reported weight error is what the fixed-point model really uses
    e = rep.weight_exps["dense"]
    w_fx = np.asarray(dense.weights.init)
    assert np.abs(w_fx).max() <= 256 and np.all(w_fx % 2 == 0)     # MIXED: even
    err = rep.error("dense", "weights")
    assert 0 < err.max_abs <= 2 * 2.0 ** e * 64 / rep.scales["lif2"]


def test_simulation_matches_the_cpu_runs():
    n = 150
    lif1, _, lif2 = _float_net(1)
    want_float = _spike_counts([lif1, lif2], "floating_pt", n)
    lif1, _, lif2 = _float_net(1)
    rep = quantize(lif1, num_steps=n)
    want_fixed = _spike_counts([lif1, lif2], "fixed_pt", n)
    assert rep.spikes_float == want_float
    assert rep.spikes_fixed == want_fixed
    assert sum(want_fixed.values()) > 10
    assert "simulated 150 steps" in str(rep)
    for name in ("lif1", "lif2"):
        assert abs(rep.spikes_fixed[name] - rep.spikes_float[name]) <= 0.1 * rep.spikes_float[name] + 2


def test_flat_namespace_call():
    import kilauea
    lif1, dense, lif2 = _float_net(2)
    rep = kilauea.quantize(lif1, num_steps=5)
    assert rep.num_steps == 5 and set(rep.scales) == {"lif1", "lif2"}


@pytest.mark.parametrize("param", ["bias_mant", "vth", "v", "du"])
def test_non_finite_parameter_is_rejected_naming_it(param):
    """A NaN or infinite float parameter has no fixed-point value: quantize
    raises naming the process and the parameter (instead of writing
    INT64_MIN into the Var) and changes nothing."""
    kwargs = dict(vth=10., dv=0.1, du=0.1, bias_mant=0.3)
    bad = np.inf if param == "vth" else np.nan
    with pytest.raises(ValueError, match=rf"'{param}'.*finite"):   # LIF rejects it itself
        LIF(shape=(2,), name="bad", **{**kwargs, param: bad})
    lif = LIF(shape=(2,), name="bad", **kwargs)
    getattr(lif, param).init = bad        # bypass the Var's own check: quantize's defence
    before = {name: np.array(getattr(lif, name).get()) for name in ("du", "bias_mant", "v")}
    with pytest.raises(ValueError, match=rf"'bad'.*'{param}'"):
        quantize(lif)
    for name, val in before.items():
        np.testing.assert_array_equal(getattr(lif, name).get(), val)


@pytest.mark.parametrize("param, value", [("du", 1.5), ("dv", -0.1), ("vth", 0.0),
                                          ("vth", -2.0)])
def test_out_of_range_float_parameter_is_rejected_naming_it_and_nothing_changes(param, value):
    kwargs = dict(vth=10., dv=0.1, du=0.1, bias_mant=0.3)
    kwargs[param] = value
    lif1 = LIF(shape=(2,), name="src", **kwargs)
    dense = Dense(weights=np.full((2, 2), 0.5), name="dense")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif1.a_in)
    with pytest.raises(ValueError, match=rf"'src'.*'{param}'"):
        quantize(lif1, num_steps=0)
    assert getattr(lif1, param).get() == value            # nothing changed
    assert lif1.du.get() == kwargs["du"] and lif1.vth.get() == kwargs["vth"]
    np.testing.assert_array_equal(dense.weights.get(), np.full((2, 2), 0.5))
