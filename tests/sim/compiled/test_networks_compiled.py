"""Compiled networks (kilauea.compiler) on the compiled engine, the pysim
engine and the golden model: the walkthrough network and a population split
over every core of the SMALL chip, with recurrent and host-bound traffic."""
import numpy as np
import pytest

from kilauea import ChipCfg, Dense, LIF, compile_network
from kilauea.proc.io.sink import RingBuffer as Sink
from kilauea.runtime.builder import build_network
from kilauea.sim.engines import GoldenEngine
from kilauea.sim.engines.compiled import CompiledEngine
from kilauea.sim.engines.pysim import PysimEngine

from sim_chip_images import SMALL


def walkthrough(seed):
    rng = np.random.default_rng(seed)
    lif1 = LIF(shape=(3,), vth=10, dv=410, du=410, bias_mant=(110, 120, 130))
    dense = Dense(weights=rng.integers(1, 16, (2, 3)))
    lif2 = LIF(shape=(2,), vth=100, dv=410, du=410, bias_mant=0)
    sink = Sink(shape=(2,), buffer=100)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    lif2.s_out.connect(sink.a_in)
    return lif1, [lif1, lif2]


def split(seed, n=24, m=24):
    """A recurrent population of n LIF neurons feeding m more (together more
    than three cores hold): sparse random weights, the second population's
    spikes to the host."""
    rng = np.random.default_rng(seed)
    w = rng.integers(-20, 40, (n, n))
    w[rng.random((n, n)) >= 0.2] = 0
    a = LIF(shape=(n,), vth=30, dv=300, du=700, bias_mant=rng.integers(20, 60, n), bias_exp=2)
    rec = Dense(weights=w)
    wf = rng.integers(-10, 30, (m, n))
    wf[rng.random((m, n)) >= 0.25] = 0
    ff = Dense(weights=wf)
    b = LIF(shape=(m,), vth=8, dv=500, du=500, bias_mant=rng.integers(0, 30, m), bias_exp=2)
    sink = Sink(shape=(m,), buffer=100)
    a.s_out.connect(rec.s_in)
    rec.a_out.connect(a.a_in)
    a.s_out.connect(ff.s_in)
    ff.a_out.connect(b.a_in)
    b.s_out.connect(sink.a_in)
    return a, [a, b]


def read_uv(eng, cn, procs):
    out = []
    for p in procs:
        for name in ("u", "v"):
            for c in cn.var_slot(p, name).copies:
                for tw in c.by_tile:
                    out.append(eng.read_words(tw.tile, tw.mem, tw.addr).tolist())
    return out


@pytest.mark.parametrize("make, seed, min_spikes", [(walkthrough, 1, 3), (split, 2, 30),
                                                     (split, 3, 30)])
def test_compiled_network(chip_model, make, seed, min_spikes):
    root, procs = make(seed)
    cn = compile_network(build_network(root, ChipCfg(engine="model", params=SMALL)), SMALL)
    if make is split:
        assert len(cn.images) >= 3, "the network should be split over several cores"
    gold = GoldenEngine(SMALL)
    gold.load_images(cn.images)
    empty = np.zeros(0, np.uint64)
    n_spikes = 0
    with CompiledEngine(SMALL) as ce, PysimEngine(SMALL) as pe:
        ce.load_images(cn.images)
        pe.load_images(cn.images)
        for t in range(1, 21):
            c, g = ce.step(t, empty), gold.step(t, empty)
            got = sorted(zip(c.host_axon.tolist(), c.host_payload.tolist()))
            assert got == sorted(zip(g.host_axon.tolist(), g.host_payload.tolist())), \
                f"seed {seed} step {t}"
            n_spikes += len(got)
            if t <= 2:
                p = pe.step(t, empty)
                assert (p.cycles, p.host_axon.tolist(), p.host_payload.tolist()) == \
                    (c.cycles, c.host_axon.tolist(), c.host_payload.tolist()), f"step {t}"
                if t == 2:
                    assert read_uv(ce, cn, procs) == read_uv(pe, cn, procs)
        assert read_uv(ce, cn, procs) == read_uv(gold, cn, procs), f"seed {seed}"
    assert n_spikes >= min_spikes
