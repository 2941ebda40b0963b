"""Monitor.plot: traces with neuron legend and dashed threshold, rasters for
OutPorts, titles naming where the process ran, units on the y axis."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from kilauea import LIF, ChipCfg, CpuSimCfg, Dense, Monitor, RunSteps  # noqa: E402
from kilauea.proc.monitor.plot import MAX_LEGEND  # noqa: E402

STEPS = 24


def _net(n=3, float_model=False, seed=0):
    rng = np.random.default_rng(seed)
    if float_model:
        lif1 = LIF(shape=(n,), vth=3.0, dv=0.1, du=0.1, bias_mant=rng.uniform(0.3, 0.9, n),
                   name="lif1")
    else:
        lif1 = LIF(shape=(n,), du=0, dv=0, bias_mant=rng.integers(2, 6, n), bias_exp=6, vth=8,
                   name="lif1")
    dense = Dense(weights=np.eye(n) * 40, name="dense")
    lif2 = LIF(shape=(n,), du=1024, dv=512, vth=20, name="lif2")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    mon = Monitor()
    mon.probe(lif1.v, STEPS)
    mon.probe(lif1.s_out, STEPS)
    return lif1, lif2, mon


def _draw(mon, target, **kw):
    fig, ax = plt.subplots()
    mon.plot(ax, target, **kw)
    return fig, ax


@pytest.mark.parametrize("cfg, title, units, vth", [
    (CpuSimCfg(select_tag="fixed_pt"), "lif1.v (CPU fixed_pt)", "fixed-point integer units",
     8 << 6),
    (ChipCfg(engine="model", mesh=(1, 1)), "lif1.v (chip (model, 1x1))",
     "fixed-point integer units", 8 << 6),
])
def test_trace_fixed_point(cfg, title, units, vth):
    lif1, _, mon = _net()
    lif1.run(condition=RunSteps(num_steps=STEPS), run_cfg=cfg)
    v = mon.get_data()["lif1"]["v"]
    fig, ax = _draw(mon, lif1.v)
    assert ax.get_title() == title and ax.get_ylabel() == f"v ({units})"
    assert ax.get_xlabel() == "time step"
    traces, thr = ax.get_lines()[:3], ax.get_lines()[3]
    for i, line in enumerate(traces):
        np.testing.assert_array_equal(line.get_ydata(), v[:, i])
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, STEPS + 1))
    assert thr.get_linestyle() == "--" and set(thr.get_ydata()) == {vth}
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["neuron 0", "neuron 1", "neuron 2", f"threshold ({vth})"]
    plt.close(fig)
    fig, ax = _draw(mon, lif1.v, float_equivalent=True)         # vth's scale
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), v[:, 0] / 64)
    assert set(ax.get_lines()[3].get_ydata()) == {8} and "/ 64" in ax.get_ylabel()
    plt.close(fig)
    lif1.stop()


def test_trace_float_and_threshold_choices():
    lif1, _, mon = _net(float_model=True)
    lif1.run(condition=RunSteps(num_steps=STEPS), run_cfg=CpuSimCfg())
    fig, ax = _draw(mon, lif1.v)
    assert ax.get_title() == "lif1.v (CPU floating_pt)"
    assert ax.get_ylabel() == "v (float model units)" and set(ax.get_lines()[3].get_ydata()) == {3}
    plt.close(fig)
    fig, ax = _draw(mon, lif1.v, threshold=None)
    assert len(ax.get_lines()) == 3
    plt.close(fig)
    fig, ax = _draw(mon, lif1.v, threshold=1.5)
    assert set(ax.get_lines()[3].get_ydata()) == {1.5}
    plt.close(fig)
    lif1.stop()


def test_raster_marks_every_spike():
    lif1, _, mon = _net(n=4, seed=5)
    lif1.run(condition=RunSteps(num_steps=STEPS), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    s = mon.get_data()["lif1"]["s_out"]
    assert 0 < s.sum() < s.size, "the test needs some spikes and some silences"
    fig, ax = _draw(mon, lif1.s_out)
    rows = ax.collections
    assert len(rows) == 4 and ax.get_title() == "lif1.s_out (CPU fixed_pt)"
    for i, row in enumerate(rows):
        np.testing.assert_array_equal(np.sort(row.get_positions()), np.flatnonzero(s[:, i]) + 1)
        assert row.get_lineoffset() == i
    assert "neuron" in ax.get_ylabel()
    plt.close(fig)
    fig, ax = _draw(mon, lif1.s_out, raster=False)              # lines, as Lava draws them
    assert len(ax.get_lines()) == 4 and not ax.collections
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), s[:, 1])
    plt.close(fig)
    fig, ax = plt.subplots()
    mon.plot(ax, lif1.s_out, "o")                               # a format string: lines too
    assert len(ax.get_lines()) == 4 and ax.get_lines()[0].get_marker() == "o"
    plt.close(fig)
    lif1.stop()


def test_many_neurons_have_no_legend():
    lif1, _, mon = _net(n=MAX_LEGEND + 1)
    lif1.run(condition=RunSteps(num_steps=4), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    fig, ax = _draw(mon, lif1.v)
    assert ax.get_legend() is None
    plt.close(fig)
    lif1.stop()
