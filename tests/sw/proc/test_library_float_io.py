"""Floating-point models, io ring buffers, Monitor, Var get/set between runs."""
import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import sparse

from kilauea import LIF, Dense, DelayDense, Sparse, Monitor, LIFReset, \
    LIFRefractory
from kilauea.core.run_conditions import RunSteps
from kilauea.core.run_configs import CpuSimCfg
from kilauea.proc.io.sink import RingBuffer as Sink
from kilauea.proc.io.source import RingBuffer as Source

FLOAT = CpuSimCfg(select_tag="floating_pt")


def run(proc, steps, cfg=FLOAT):
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)


def float_lif_loop(steps, n, du, dv, bias, vth, a_in_fn):
    u = np.zeros(n)
    v = np.zeros(n)
    us, vs, ss = [], [], []
    for t in range(1, steps + 1):
        u = u * (1 - du) + a_in_fn(t)
        v = v * (1 - dv) + u + bias
        s = v > vth
        v = np.where(s, 0, v)
        us.append(u)
        vs.append(v)
        ss.append(s)
    return np.array(us), np.array(vs), np.array(ss)


def test_float_lif_dense_lif_matches_loop():
    rng = np.random.default_rng(1)
    w = rng.uniform(-1, 3, (2, 3))
    l1 = LIF(shape=(3,), vth=10., dv=0.1, du=0.1, bias_mant=(1.1, 1.2, 1.3),
             bias_exp=5)                        # bias_exp ignored in float
    dense = Dense(weights=w)
    l2 = LIF(shape=(2,), vth=2., dv=0.2, du=0.3)
    l1.s_out.connect(dense.s_in)
    dense.a_out.connect(l2.a_in)
    m1, m2, mu2 = Monitor(), Monitor(), Monitor()
    m1.probe(l1.s_out, 60)
    m2.probe(l2.v, 60)
    mu2.probe(l2.u, 60)
    run(l2, 60)
    _, _, s1 = float_lif_loop(60, 3, 0.1, 0.1, np.array([1.1, 1.2, 1.3]), 10.,
                              lambda t: 0)
    a2 = [np.zeros(2)] + [w[:, s].sum(axis=1) for s in s1[:-1]]
    u2, v2, _ = float_lif_loop(60, 2, 0.3, 0.2, 0, 2., lambda t: a2[t - 1])
    assert m1.get_data()[l1.name]["s_out"].tolist() == s1.astype(float).tolist()
    np.testing.assert_allclose(m2.get_data()[l2.name]["v"], v2, rtol=1e-12)
    np.testing.assert_allclose(mu2.get_data()[l2.name]["u"], u2, rtol=1e-12)
    assert s1.sum() > 5 and np.abs(u2).max() > 1
    # float Dense keeps its weights unprepared
    np.testing.assert_array_equal(dense.weights.get(), w)
    l2.stop()


def test_float_reset_refractory_delaydense_sparse():
    src = Source(data=np.array([[1, 0, 0, 1, 0, 0, 0, 0],
                                [0, 1, 0, 0, 0, 0, 0, 0]], float))
    dd = DelayDense(weights=np.array([[0.5, 2.0]]), delays=np.array([[2, 0]]))
    sp = Sparse(weights=sparse.csr_matrix(np.array([[0.25, 0.0]])))
    tgt = LIF(shape=(1,), du=1.0, dv=1.0, vth=100.)
    src.s_out.connect(dd.s_in)
    src.s_out.connect(sp.s_in)
    dd.a_out.connect(tgt.a_in)
    sp.a_out.connect(tgt.a_in)
    mu = Monitor()
    mu.probe(tgt.u, 8)
    run(tgt, 8)
    u = mu.get_data()[tgt.name]["u"][:, 0]
    # du = 1: u shows the input of each step. Source 0 at steps 1 and 4
    # (delay 2 -> steps 4, 7; sparse delay 0 -> steps 2, 5), source 1 at
    # step 2 (delay 0 -> step 3).
    np.testing.assert_allclose(u, [0, 0.25, 2.0, 0.5, 0.25, 0, 0.5, 0])
    tgt.stop()

    r = LIFReset(shape=(1,), du=0., dv=0., bias_mant=1., vth=100.,
                 reset_interval=3)
    f = LIFRefractory(shape=(1,), du=0., dv=0., bias_mant=1., vth=1.5,
                      refractory_period=2)
    mr, mf = Monitor(), Monitor()
    mr.probe(r.v, 7)
    mf.probe(f.v, 7)
    run(r, 7)
    run(f, 7)
    # reset at t % 3 == 0: v restarts from 0 before steps 3 and 6
    assert mr.get_data()[r.name]["v"][:, 0].tolist() == [1, 2, 1, 2, 3, 1, 2]
    # spike when v = 2 > 1.5 (step 2), frozen at 0 on steps 3, 4
    assert mf.get_data()[f.name]["v"][:, 0].tolist() == [1, 0, 0, 0, 1, 0, 0]
    r.stop()
    f.stop()


def test_monitor_get_data_and_plot():
    lif = LIF(shape=(2,), du=0, dv=0, bias_mant=[3, 5], bias_exp=6, vth=4,
              name="src")
    mon = Monitor(name="mon")
    mon.probe(lif.v, 4)
    mon.probe(lif.s_out, 4)
    mon.probe(lif.u, 4)
    run(lif, 6, CpuSimCfg(select_tag="fixed_pt"))    # longer than recorded
    d = mon.get_data()
    assert set(d) == {"src"} and set(d["src"]) == {"v", "s_out", "u"}
    assert d["src"]["s_out"].tolist() == [[0, 1], [1, 1], [0, 1], [1, 1]]
    assert d["src"]["v"].tolist() == [[192, 0], [0, 0], [192, 0], [0, 0]]
    assert d["src"]["u"].shape == (4, 2)
    fig, ax = plt.subplots()
    mon.plot(ax, lif.v)
    lines = ax.get_lines()
    assert len(lines) == 3                                  # 2 neurons + the threshold
    assert lines[0].get_ydata().tolist() == [192, 0, 192, 0]
    assert lines[2].get_linestyle() == "--" and lines[2].get_ydata()[0] == 4 << 6
    assert ax.get_ylabel() == "v (fixed-point integer units)"
    assert ax.get_title() == "src.v (CPU fixed_pt)"
    plt.close(fig)
    with pytest.raises(TypeError, match="Var or an OutPort"):
        mon.probe(lif.a_in, 3)
    lif.stop()


def test_source_wraps_and_sink_records():
    data = np.arange(12, dtype=float).reshape(3, 4)     # 3 channels, T = 4
    src = Source(data=data)
    sink = Sink(shape=(3,), buffer=6)
    src.s_out.connect(sink.a_in)
    run(src, 6)
    got = sink.data.get()
    # steps 1..6 send columns 0, 1, 2, 3, 0, 1
    np.testing.assert_array_equal(got, data[:, [0, 1, 2, 3, 0, 1]])
    run(src, 2)                      # steps 7, 8 overwrite slots 0, 1
    np.testing.assert_array_equal(sink.data.get()[:, :2], data[:, [2, 3]])
    src.stop()


def test_sink_get_1000x1000_is_fast():
    src = LIF(shape=(1000,), bias_mant=np.linspace(1.0, 3.0, 1000), vth=10.,
              dv=0.1)
    sink = Sink(shape=(1000,), buffer=1000)
    src.s_out.connect(sink.a_in)
    run(src, 1000)
    elapsed = []
    for _ in range(3):                  # best of 3: the machine is shared
        t0 = time.perf_counter()
        got = sink.data.get()
        elapsed.append(time.perf_counter() - t0)
    assert got.shape == (1000, 1000) and got.sum() > 1000
    assert min(elapsed) < 0.05, f"get() of 1000 x 1000 took {min(elapsed):.3f} s"
    src.stop()


def test_set_between_runs_takes_effect():
    """bias and weights set between two fixed-point runs are used (and the
    new weights prepared) from the next step on."""
    cfg = CpuSimCfg(select_tag="fixed_pt")
    src = LIF(shape=(1,), bias_mant=100, bias_exp=6, vth=8)   # always spikes
    dense = Dense(weights=np.array([[10]]))
    tgt = LIF(shape=(1,), du=4095, dv=0, vth=100000)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(tgt.a_in)
    run(tgt, 3, cfg)
    assert tgt.u.get().tolist() == [640]
    dense.weights.set(np.array([[301]]))                     # clips to 255
    run(tgt, 2, cfg)       # step 4 sends step 3's sum; step 5 the new one
    assert tgt.u.get().tolist() == [255 * 64]
    assert dense.weights.get().tolist() == [[255]]
    src.bias_mant.set(np.array([0]))
    run(tgt, 2, cfg)       # src stops spiking at step 6: u = 0 at step 7
    assert tgt.u.get().tolist() == [0]
    tgt.stop()


def test_sparse_equals_dense_float():
    rng = np.random.default_rng(8)
    w = rng.uniform(-1, 2, (4, 6)) * (rng.random((4, 6)) < 0.5)
    vs = []
    for conn in (Dense(weights=w), Sparse(weights=sparse.csr_matrix(w))):
        src = LIF(shape=(6,), bias_mant=np.linspace(1.1, 2.0, 6), vth=5.,
                  dv=0.1)
        tgt = LIF(shape=(4,), du=0.2, dv=0.3, vth=3.)
        src.s_out.connect(conn.s_in)
        conn.a_out.connect(tgt.a_in)
        m = Monitor()
        m.probe(tgt.v, 40)
        run(tgt, 40)
        vs.append(m.get_data()[tgt.name]["v"])
        tgt.stop()
    np.testing.assert_allclose(vs[0], vs[1], rtol=1e-12, atol=1e-12)
    assert np.abs(vs[0]).max() > 0.5
