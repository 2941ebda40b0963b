"""Hierarchical processes on the chip, and the demo command."""
import subprocess
import sys

import numpy as np
import pytest

import chip_testlib as lib
from kilauea import (AbstractProcess, AbstractSubProcessModel, ChipCfg, CpuSimCfg,
                     Dense, InPort, LIF, LoihiProtocol, Monitor, OutPort, RunSteps,
                     Var, implements)
from kilauea.proc.io import source


class DenseLayer(AbstractProcess):
    """Dense -> LIF as one process; its v is the LIF's."""

    def __init__(self, weights, vth, **kw):
        super().__init__(weights=weights, vth=vth, **kw)
        n_out, n_in = np.shape(weights)
        self.s_in = InPort(shape=(n_in,))
        self.s_out = OutPort(shape=(n_out,))
        self.v = Var(shape=(n_out,), init=0)


@implements(proc=DenseLayer, protocol=LoihiProtocol)
class SubDenseLayer(AbstractSubProcessModel):
    def __init__(self, proc):
        p = proc.proc_params
        self.dense = Dense(weights=p["weights"])
        self.lif = LIF(shape=(np.shape(p["weights"])[0],), du=700, dv=900, vth=p["vth"])
        proc.s_in.connect(self.dense.s_in)
        self.dense.a_out.connect(self.lif.a_in)
        self.lif.s_out.connect(proc.s_out)
        proc.v.alias(self.lif.v)


def _hier(cfg, do_set=True):
    rng = np.random.default_rng(4)
    src = source.RingBuffer(data=(rng.random((6, 7)) < 0.5).astype(np.int32))
    l1 = DenseLayer(rng.integers(0, 80, (5, 6)), 150, name="h1")
    l2 = DenseLayer(rng.integers(-30, 90, (4, 5)), 120, name="h2")
    src.s_out.connect(l1.s_in)
    l1.s_out.connect(l2.s_in)
    m = Monitor()
    m.probe(l2.s_out, 40)
    m2 = Monitor()
    m2.probe(l1.v, 40)
    l1.run(condition=RunSteps(num_steps=25), run_cfg=cfg)
    if do_set:
        l1.v.set(np.full(5, -40000))        # through the parent's alias
    l1.run(condition=RunSteps(num_steps=15))
    out = (m.get_data()["h2"]["s_out"], m2.get_data()["h1"]["v"], l2.v.get())
    chip = l1.runtime.chip
    l1.stop()
    return out, chip


def test_hierarchical_processes_on_the_chip():
    want, none = _hier(CpuSimCfg(select_tag="fixed_pt"))
    got, chip = _hier(ChipCfg(engine="model", mesh=(1, 1)))
    assert none is None and chip is not None
    assert {type(p).__name__ for p in chip.chip_processes} == {"Dense", "LIF"}
    for a, b in zip(got, want):
        assert np.array_equal(a, b)
    assert 0 < want[0].sum() < want[0].size
    plain, _ = _hier(CpuSimCfg(select_tag="fixed_pt"), do_set=False)
    assert not np.array_equal(plain[1], want[1])          # the set acted


def test_demo_command_on_the_chip(tmp_path):
    script = lib.ROOT / "docs" / "walkthrough.py"
    out = subprocess.run([sys.executable, str(script), "--chip", "--engine", "model",
                          "--steps", "30"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.count("kilauea compile report: 2 x 2 mesh") == 2
    assert "part1 (fixed_pt, chip, engine model): lif1 spikes" in text
    assert "has no clock" in text
    assert sorted(p.name for p in (tmp_path / "demo-output").iterdir()) == [
        "walkthrough_part1_v.png", "walkthrough_part2_v.png"]
    bad = subprocess.run([sys.executable, str(script), "--chip", "--tag", "floating_pt"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "fixed_pt" in bad.stderr


def test_chipcfg_trace_writes_a_vcd_of_the_chosen_steps(tmp_path):
    """ChipCfg(trace=..., trace_steps=(a, b)) records the RTL's waveform for
    steps a..b only: the VCD's time span is that of those steps' cycles
    (compared with a VCD of the whole run, whatever the time unit)."""
    import re

    from kilauea import LIF, ChipCfg, RunSteps
    from kilauea.hw.params import ChipParams

    small = ChipParams(mesh_w=1, mesh_h=1, n_compartments=8, n_synapses=64, n_axons=8,
                       n_fanout=16, n_ucode=64, n_profiles=2)

    def run(name, steps):
        lif = LIF(shape=(2,), bias_mant=[3, 5], bias_exp=6, vth=8, name="traced")
        cfg = ChipCfg(engine="pysim", params=small, trace=str(tmp_path / name),
                      trace_steps=steps, counters=False)
        lif.run(condition=RunSteps(num_steps=4), run_cfg=cfg)
        cycles = list(lif.runtime.chip.stats.cycles)
        io = lif.runtime.chip.engine.io_cycles       # loading: traced in the whole run
        edges = lif.runtime.chip.engine._step_edges
        between = edges[3][0] - edges[2][1]          # the STATUS read after step 2
        lif.stop()
        text = (tmp_path / name).read_text()
        assert "$enddefinitions" in text
        times = [int(m) for m in re.findall(r"^#(\d+)$", text, re.M)]
        return cycles, io, max(times) - min(times), between

    cycles, io, whole, _ = run("all.vcd", None)
    cycles23, _, part, between = run("steps23.vcd", (2, 3))
    assert cycles23 == cycles
    per_cycle = whole / (sum(cycles) + io)   # time units per clock (the whole run)
    assert part / per_cycle == pytest.approx(cycles[1] + cycles[2] + between, abs=3)
    with pytest.raises(ValueError, match="trace_steps"):
        ChipCfg(trace_steps=(2, 3))
