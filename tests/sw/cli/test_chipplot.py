"""kilauea.tools.chipplot: the utilisation heat map's numbers and the cycles plot."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from kilauea import LIF, ChipCfg, compile_network
from kilauea.hw.params import ChipParams
from kilauea.runtime.builder import build_network
from kilauea.runtime.chip.stats import ChipStats
from kilauea.tools.chipplot import plot_cycles, plot_utilisation, save_chip_png, utilisation


def _report(n, params):
    return compile_network(build_network(LIF(shape=(n,), vth=10), ChipCfg(params=params)),
                           params, balance=False).report


def test_utilisation_per_tile():
    params = ChipParams().with_(mesh_w=3, mesh_h=2, n_compartments=256)
    rep = _report(600, params)                      # 256 + 256 + 88 compartments
    u = utilisation(rep)
    assert u.fraction.shape == (2, 3)
    by_tile = {c.tile: c for c in rep.cores}
    for (x, y), core in by_tile.items():
        expect = max(core.compartments / 256, core.ucode / params.n_ucode,
                     core.profiles / params.n_profiles)
        assert np.isclose(u.fraction[y, x], expect)
    assert sorted(u.fraction.ravel())[-2:] == [1.0, 1.0]
    assert (u.resource == "").sum() == 3 and (u.fraction == 0).sum() == 3
    fig = Figure()
    ax = fig.subplots()
    plot_utilisation(ax, rep)
    assert sum(t.get_text() == "unused" for t in ax.texts) == 3


def test_cycles_plot_and_png(tmp_path):
    stats = ChipStats(steps=[1, 2, 3, 4], cycles=[100, 120, None, 110])
    ax = Figure().subplots()
    assert plot_cycles(ax, stats)
    line = ax.get_lines()[0]
    assert line.get_xdata().tolist() == [1, 2, 4] and line.get_ydata().tolist() == [100, 120, 110]
    assert not plot_cycles(Figure().subplots(), ChipStats(steps=[1], cycles=[None]))
    rep = _report(5, ChipParams())
    out = save_chip_png(rep, tmp_path / "r.png")
    assert out.read_bytes()[:4] == b"\x89PNG"
