"""Probed chip runs in batches (docs/chip-runtime.md, "Batches of steps"):
Monitors probing chip Vars read the words the engine recorded after every
step of a batch (``run_steps(watch=...)``) and record exactly what the
step-by-step path records. Random networks, seeded (the seed is in the
test id), and the walkthrough network; CPU-vs-chip on the walkthrough."""
import numpy as np
import pytest

import chip_testlib as lib
from test_chip_vars_errors import Clamp     # a model whose management phase writes
from kilauea import ChipCfg, CpuSimCfg, LIF, RunSteps
from kilauea.hw.memory_map import Mem
from kilauea.runtime.chip import executor as chip_executor
from kilauea.runtime.chip.node import ChipNode
from kilauea.sim.engine import WatchWords
from kilauea.sim.engines.golden import GoldenEngine

kit = lib.compiler_testkit()
STEPS = 30
WT_KEYS = ("v1", "v2", "u1", "u2", "s1", "s2")


@pytest.fixture
def batch_sizes(monkeypatch):
    """Records the step count of every ChipNode.run_batch call."""
    sizes = []
    orig = ChipNode.run_batch

    def spy(self, t_first, n, *args):
        sizes.append(n)
        return orig(self, t_first, n, *args)
    monkeypatch.setattr(ChipNode, "run_batch", spy)
    return sizes


def _probed_run(seed, batch, pieces, engine="model", mesh=(2, 2)):
    """(Monitor recordings, sinks, per-step figures, plan reason) of a
    seeded random network with every LIF's u, v, s_out probed, run in
    `pieces` with batches of at most `batch` steps from the second piece on."""
    root, lifs = kit.random_network(seed, recurrent=bool(seed % 2), max_neurons=30)
    steps = sum(pieces)
    mons = lib.probe_all(lifs, steps)
    for k, n in enumerate(pieces):
        root.run(condition=RunSteps(num_steps=n), run_cfg=ChipCfg(engine=engine, mesh=mesh))
        if k == 0:
            root.runtime.chip.batch_steps = batch
    chip = root.runtime.chip
    rec = lib.recordings(mons, steps)
    sinks = {name: p.data.get() for name, p in lib.sinks_of(root).items()}
    st = chip.stats
    figures = (st.steps, st.cycles, st.packets_in, st.spikes_out, st.io_cycles)
    reason = chip.batch_plan.reason
    root.stop()
    return rec, sinks, figures, reason


def _assert_same(got, want, what):
    diff = lib.first_difference(got[0], want[0])
    assert diff is None, f"{what}: {diff}"
    for k in want[1]:
        assert np.array_equal(got[1][k], want[1][k]), f"{what}: sink {k} differs"
    assert got[2] == want[2], f"{what}: per-step figures differ"


@pytest.mark.parametrize("seed", range(5))
def test_probed_random_networks_batched_equal_step_by_step(seed, batch_sizes):
    want = _probed_run(seed, 1, (1, STEPS - 1))
    assert max(batch_sizes) == 1
    batch_sizes.clear()
    got = _probed_run(seed, 64, (1, STEPS - 1))
    assert got[3] is None, f"seed {seed}: not batched ({got[3]})"
    assert max(batch_sizes) == STEPS - 1, f"seed {seed}: batches {batch_sizes}"
    _assert_same(got, want, f"seed {seed}, batches of 64")
    odd = _probed_run(seed, 7, (1, 12, STEPS - 13))
    _assert_same(odd, want, f"seed {seed}, batches of 7 in runs of 1, 12, {STEPS - 13}")
    assert any(np.asarray(r["v"]).any() for r in want[0].values())


def test_probed_run_on_the_rtl_batched_equals_step_by_step():
    """pysim: the probes' READs happen inside the engine call; cycles and
    the probes' I/O cycles match the step-by-step path's."""
    pytest.importorskip("amaranth")
    want = _probed_run(3, 1, (1, 5), engine="pysim", mesh=(2, 1))
    got = _probed_run(3, 64, (1, 5), engine="pysim", mesh=(2, 1))
    assert got[3] is None
    _assert_same(got, want, "pysim")
    assert got[2][4] and all(c > 0 for c in got[2][1])


@pytest.mark.parametrize("part", ["part1", "part2"])
def test_walkthrough_batched_equals_step_by_step_and_cpu(part, tmp_path, monkeypatch,
                                                         batch_sizes):
    wt = lib.walkthrough()
    fn = wt.part1 if part == "part1" else wt.part2
    cpu = fn("fixed_pt", str(tmp_path), 0, CpuSimCfg(select_tag="fixed_pt"), 100)
    batched = fn("fixed_pt", str(tmp_path), 0, ChipCfg(engine="model"), 100)
    assert max(batch_sizes) > 1, "the probed walkthrough did not run in batches"
    monkeypatch.setattr(chip_executor, "MAX_BATCH", 1)
    batch_sizes.clear()
    lockstep = fn("fixed_pt", str(tmp_path), 0, ChipCfg(engine="model"), 100)
    assert max(batch_sizes) == 1
    for k in WT_KEYS:
        assert np.array_equal(batched[k], lockstep[k]), f"{part}: {k} batched != step by step"
        assert np.array_equal(batched[k], cpu[k]), f"{part}: {k} chip != cpu"
    assert batched["spikes1"] > 0 and batched["spikes2"] > 0


# ------------------------------------------------------------ what stays step by step
def test_a_management_phase_that_may_write_runs_step_by_step():
    def net():
        lif = LIF(shape=(4,), vth=40, du=300, dv=200, bias_mant=7, name="lif")
        return lif, Clamp(lif.v, period=5, lo=-40, hi=40)
    lif, _ = net()
    lif.run(condition=RunSteps(num_steps=20), run_cfg=ChipCfg(engine="model"))
    reason = lif.runtime.chip.batch_plan.reason
    got = lif.v.get()
    lif.stop()
    assert reason is not None and "PyClamp" in reason
    lif2, _ = net()
    lif2.run(condition=RunSteps(num_steps=20), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    assert np.array_equal(got, lif2.v.get())
    lif2.stop()


def test_golden_engine_records_watched_words_as_reads_after_each_step():
    """`run_steps(watch=...)` on the golden model: each row equals a
    `read_words` after that step (the step-by-step path)."""
    root, lifs = kit.random_network(4, recurrent=False, max_neurons=20)
    root.run(condition=RunSteps(num_steps=1), run_cfg=ChipCfg(engine="model"))
    chip = root.runtime.chip
    slot = chip.compiled.var_slot(lifs[0], "v")
    watch = tuple(WatchWords(tw.tile, tw.mem, tw.addr) for tw in slot.copies[0].by_tile)
    eng = chip.engine
    assert isinstance(eng, GoldenEngine)
    t0 = chip.node.steps_done + 1
    empty = [np.zeros(0, np.uint64)] * 6
    out = eng.run_steps(t0, empty, [], None, watch)
    assert len(out.watched) == 6
    assert np.array_equal(out.watched[-1], eng.read_watch(watch))
    one = eng.run_steps(t0 + 6, empty[:1], [], None, watch)    # the default path
    assert np.array_equal(one.watched[0], eng.read_watch(watch))
    bad = WatchWords((0, 0), Mem.STATUS, np.array([0, 1]))      # word-by-word reads
    assert eng.read_watch((bad,)).tolist() == [0, 0]
    root.stop()


def test_an_interrupt_in_a_probed_batch_stops_at_its_end_with_the_monitor_in_step():
    """A Ctrl-C (a host model's KeyboardInterrupt in step 7) in a batch of
    steps 7..10: runtime, chip and Monitor agree on step 10; the rest of
    the run records what an uninterrupted run records."""
    from test_chip_batching import Stopper
    from kilauea import Dense, Monitor
    from kilauea.runtime.executor import StepInterrupted

    def net(at):
        a = LIF(shape=(3,), bias_mant=[3, 5, 7], vth=20, name="a")
        d = Dense(weights=np.array([[9, 4, 0], [0, 8, 11]]))
        b = LIF(shape=(2,), du=400, dv=300, vth=30, name="b")
        a.s_out.connect(d.s_in)
        d.a_out.connect(b.a_in)
        b.s_out.connect(Stopper(shape=(2,), at=at).a_in)
        mon = Monitor()
        mon.probe(a.v, 30)
        return a, mon
    a, mon = net(at=-1)
    a.run(condition=RunSteps(num_steps=30), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    want = mon.get_data()["a"]["v"]
    a.stop()
    a, mon = net(at=7)
    a.run(condition=RunSteps(num_steps=2), run_cfg=ChipCfg(engine="model", mesh=(1, 1)))
    a.runtime.chip.batch_steps = 4
    with pytest.raises(StepInterrupted) as e:
        a.run(condition=RunSteps(num_steps=28))
    assert e.value.time_step == 10 == a.runtime.time_step == a.runtime.chip.node.time_step
    rec = mon.get_data()["a"]["v"]
    assert np.array_equal(rec[:10], want[:10]) and not rec[10:].any()
    a.run(condition=RunSteps(num_steps=20))
    assert np.array_equal(mon.get_data()["a"]["v"], want) and want[9:].any()
    a.stop()
