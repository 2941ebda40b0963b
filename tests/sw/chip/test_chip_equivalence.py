"""The chip runtime's proof: networks run with ChipCfg (chip processes on
the golden model or the RTL, sources, sinks, Monitors and user processes on
the host) equal CpuSimCfg(select_tag="fixed_pt") bit for bit: every spike,
every probed u and v, every step. Random networks print their seed on
failure (rerun one with KILAUEA_SEED=<seed>)."""
import os

import numpy as np
import pytest

import chip_testlib as lib
from kilauea import ChipCfg, CpuSimCfg
from kilauea.hw.params import ChipParams

WT_KEYS = ("v1", "v2", "u1", "u2", "s1", "s2")


@pytest.fixture(scope="module")
def wt():
    return lib.walkthrough()


def _walk(wt, part, run_cfg, steps, tmp_path):
    fn = wt.part1 if part == "part1" else wt.part2
    return fn("fixed_pt", str(tmp_path), 0, run_cfg, steps)


@pytest.mark.parametrize("part", ["part1", "part2"])
def test_walkthrough_on_golden_chip_equals_cpu(wt, part, tmp_path):
    cpu = _walk(wt, part, CpuSimCfg(select_tag="fixed_pt"), 100, tmp_path)
    chip = _walk(wt, part, ChipCfg(engine="model"), 100, tmp_path)
    for k in WT_KEYS:
        assert np.array_equal(chip[k], cpu[k]), f"{part}: {k} differs"
    if part == "part2":
        assert np.array_equal(chip["input_spikes"], cpu["input_spikes"])
        assert chip["input_spikes"].sum() > 0
    assert chip["spikes1"] > 0 and chip["spikes2"] > 0
    assert "compile report" in chip["report"] and chip["cycles"] == [None] * 100


@pytest.mark.parametrize("part,steps", [("part1", 16), ("part2", 10)])
def test_walkthrough_on_rtl_equals_cpu(wt, part, steps, tmp_path):
    cpu = _walk(wt, part, CpuSimCfg(select_tag="fixed_pt"), steps, tmp_path)
    chip = _walk(wt, part, ChipCfg(engine="pysim", mesh=(1, 1)), steps, tmp_path)
    for k in WT_KEYS:
        assert np.array_equal(chip[k], cpu[k]), f"{part}: {k} differs"
    assert chip["spikes1"] > 0
    if part == "part1":
        assert chip["spikes2"] > 0
    assert all(isinstance(c, int) and c > 0 for c in chip["cycles"])


SMALL = dict(n_compartments=16, n_synapses=512, n_axons=64, n_fanout=128,
             n_acc_rows=64)               # room for multi-group compartments
MESHES = [(1, 1), (2, 2), (3, 2)]
SEEDS = ([int(os.environ["KILAUEA_SEED"])] if "KILAUEA_SEED" in os.environ
         else list(range(8)))


@pytest.mark.parametrize("mesh", MESHES, ids=lambda m: f"{m[0]}x{m[1]}")
@pytest.mark.parametrize("seed", SEEDS)
def test_random_networks_through_runtime(seed, mesh):
    """Layered (even seeds) and recurrent (odd) random networks with host
    sources and sinks, populations split over small cores: the runtime on
    the golden chip == the CPU runtime over 60 steps, run in three pieces."""
    tk = lib.compiler_testkit()
    params = ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], **SMALL)
    n, rec = 60, seed % 2 == 1
    maxn = 14 * params.n_tiles
    root, lifs = tk.random_network(seed, rec, maxn)
    want, want_sinks, _ = lib.run_recorded(root, lifs, n, CpuSimCfg(select_tag="fixed_pt"),
                                           splits=[20, 25, 15])
    root, lifs = tk.random_network(seed, rec, maxn)
    got, got_sinks, chip = lib.run_recorded(root, lifs, n, ChipCfg(params=params, engine="model"),
                                            splits=[20, 25, 15])
    where = f"seed {seed}, mesh {mesh} (rerun with KILAUEA_SEED={seed})"
    diff = lib.first_difference(got, want)
    assert diff is None, f"{where}: {diff}"
    assert got_sinks.keys() == want_sinks.keys()
    for name in want_sinks:
        assert np.array_equal(got_sinks[name], want_sinks[name]), f"{where}: sink {name}"
    assert chip is not None and chip.stats.steps == list(range(1, n + 1))
    assert sum(int(r["s_out"].sum()) for r in want.values()) > 0, f"{where}: nothing spiked"


@pytest.mark.parametrize("seed,mesh", [(1, (2, 1))])
def test_random_network_on_rtl_through_runtime(seed, mesh):
    """A small recurrent random network split over two cores, on the RTL
    (pysim) through the runtime == CPU, with per-step cycle counts."""
    tk = lib.compiler_testkit()
    params = ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], **dict(SMALL, n_compartments=8))
    n = 12
    root, lifs = tk.random_network(seed, True, 14)
    want, want_sinks, _ = lib.run_recorded(root, lifs, n, CpuSimCfg(select_tag="fixed_pt"),
                                           splits=[5, 7])
    root, lifs = tk.random_network(seed, True, 14)
    cfg = ChipCfg(params=params, engine="pysim", counters=False)
    got, got_sinks, chip = lib.run_recorded(root, lifs, n, cfg, splits=[5, 7])
    diff = lib.first_difference(got, want)
    assert diff is None, f"seed {seed}: {diff}"
    for name in want_sinks:
        assert np.array_equal(got_sinks[name], want_sinks[name]), name
    assert len(chip.report.cores) == 2
    assert all(c > 0 for c in chip.stats.cycles) and chip.stats.io_cycles > 0
    assert sum(int(r["s_out"].sum()) for r in want.values()) > 0
