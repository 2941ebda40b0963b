"""The process library's fixed-point models through the whole runtime:
the spec's worked example and edge cases, exact to the last bit."""
import numpy as np
import pytest

from kilauea import LIF, Dense, DelayDense, Sparse, Monitor, LIFReset, \
    LIFRefractory, SignMode
from kilauea.core.run_conditions import RunSteps
from kilauea.core.run_configs import CpuSimCfg
from kilauea.proc.io.source import RingBuffer as Source

FIXED = CpuSimCfg(select_tag="fixed_pt")
WORKED_W = np.array([[100, 0, 0], [0, 60, 0], [50, 50, -80]])


def probe(target, steps):
    m = Monitor()
    m.probe(target, steps)
    return m


def data(monitor):
    (proc,), = [monitor.get_data().keys()]
    (arr,), = [monitor.get_data()[proc].values()]
    return np.asarray(arr)


def run(proc, steps, cfg=FIXED):
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)


def test_worked_example(spec_ref):
    l1 = LIF(shape=(3,), du=0, dv=0, bias_mant=[2, 3, 4], bias_exp=6, vth=8,
             name="l1")
    dense = Dense(weights=WORKED_W)
    l2 = LIF(shape=(3,), du=1024, dv=512, vth=20, name="l2")
    l1.s_out.connect(dense.s_in)
    dense.a_out.connect(l2.a_in)
    ms = probe(l1.s_out, 12)
    mu, mv = probe(l2.u, 12), probe(l2.v, 12)
    mu1, mv1 = probe(l1.u, 12), probe(l1.v, 12)
    run(l2, 12)
    s1 = data(ms)
    assert (np.flatnonzero(s1[:, 0]) + 1).tolist() == [5, 10]
    assert (np.flatnonzero(s1[:, 1]) + 1).tolist() == [3, 6, 9, 12]
    assert (np.flatnonzero(s1[:, 2]) + 1).tolist() == [3, 6, 9, 12]
    u, v = data(mu), data(mv)
    assert u[:, 2].tolist() == [0, 0, 0, -1920, -1439, 2122, -330, -247, -185,
                                -2058, 1658, 1243]
    assert v[3:, 2].tolist() == [-1920, -3119, -607, -861, -1000, -1060,
                                 -2985, -953, 410]
    # every neuron, every step, against the independent transcription
    pops = {"l1": spec_ref.Lif(3, du=0, dv=0, bias_mant=[2, 3, 4],
                               bias_exp=[6] * 3, vth=8),
            "l2": spec_ref.Lif(3, du=1024, dv=512, vth=20)}
    ref = spec_ref.run_network(pops, [spec_ref.Conn("l1", "l2",
                                                    WORKED_W.tolist())], 12)
    assert u.tolist() == ref["l2"]["u"] and v.tolist() == ref["l2"]["v"]
    assert data(mu1).tolist() == ref["l1"]["u"]
    assert data(mv1).tolist() == ref["l1"]["v"]
    # the Var holds the state of the last step
    assert l2.v.get().tolist() == ref["l2"]["v"][-1]
    l2.stop()


def test_worked_example_in_two_runs_continues():
    l1 = LIF(shape=(3,), du=0, dv=0, bias_mant=[2, 3, 4], bias_exp=6, vth=8)
    dense = Dense(weights=WORKED_W)
    l2 = LIF(shape=(3,), du=1024, dv=512, vth=20)
    l1.s_out.connect(dense.s_in)
    dense.a_out.connect(l2.a_in)
    run(l2, 5)
    assert l2.u.get()[2] == -1439
    run(l2, 7)
    assert l2.u.get()[2] == 1243 and l2.v.get()[2] == 410
    l2.stop()


@pytest.mark.parametrize("w,expected", [
    ([[101, -77], [33, 255]], [[100, -78], [32, 254]]),
    ([[1, 1], [-3, 7]], [[0, 0], [-4, 6]]),
])
def test_mixed_truncation_prepared_weights(w, expected):
    src = LIF(shape=(2,))
    dense = Dense(weights=np.array(w))
    tgt = LIF(shape=(2,))
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(tgt.a_in)
    assert dense.weights.get().tolist() == w        # before a run: as given
    run(tgt, 1)
    assert dense.weights.get().tolist() == expected
    tgt.stop()


def test_negative_exponent_two_projections():
    src = LIF(shape=(2,), du=0, dv=0, bias_mant=[3, 5], bias_exp=6, vth=4)
    d1 = Dense(weights=np.array([[101, -77], [33, 255]]), weight_exp=-1)
    d2 = Dense(weights=np.array([[1, 1], [-3, 7]]), weight_exp=-1)
    tgt = LIF(shape=(2,), du=4095, dv=0, vth=100000)
    for d in (d1, d2):
        src.s_out.connect(d.s_in)
        d.a_out.connect(tgt.a_in)
    ms, mu = probe(src.s_out, 5), probe(tgt.u, 5)
    run(tgt, 5)
    assert data(ms)[:4].tolist() == [[0, 1], [1, 1], [0, 1], [1, 1]]
    assert data(mu).tolist() == [[0, 0], [-2496, 8320], [704, 9216],
                                 [-2496, 8320], [704, 9216]]
    tgt.stop()


@pytest.mark.parametrize("mats,u2", [([[[1, 1]]], 64),
                                     ([[[1, 0]], [[0, 1]]], 0)])
def test_flooring_per_projection(mats, u2):
    src = LIF(shape=(2,), bias_mant=100, bias_exp=6, vth=8)   # spike at step 1
    tgt = LIF(shape=(1,), du=4095, dv=0, vth=100000)
    for m in mats:
        d = Dense(weights=np.array(m), weight_exp=-1)
        src.s_out.connect(d.s_in)
        d.a_out.connect(tgt.a_in)
    mu = probe(tgt.u, 2)
    run(tgt, 2)
    assert data(mu)[:, 0].tolist() == [0, u2]
    tgt.stop()


def test_wrap_of_u_and_clip_of_v():
    src = LIF(shape=(200,), bias_mant=100, bias_exp=6, vth=8)
    dense = Dense(weights=np.full((1, 200), 255), weight_exp=2)
    tgt = LIF(shape=(1,), du=4095, dv=0, bias_mant=-4096, bias_exp=7,
              vth=100000)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(tgt.a_in)
    mu, mv = probe(tgt.u, 6), probe(tgt.v, 6)
    run(tgt, 6)
    assert data(mu)[:, 0].tolist() == [0] + [-3721216] * 5
    assert data(mv)[:, 0].tolist() == [-524288, -4769792] + [-8388607] * 4
    tgt.stop()


def _source(spikes):
    """A RingBuffer sending ``spikes[t - 1]`` at step t."""
    return Source(data=np.array(spikes).T)


def test_delay_dense_arrival_steps():
    src = _source([[1, 0, 0]] + [[0, 0, 0]] * 9)          # spike at step 1
    dd = DelayDense(weights=np.array([[10, 0, 0], [20, 0, 0], [30, 0, 0]]),
                    delays=np.array([[0, 0, 0], [3, 0, 0], [7, 0, 0]]))
    tgt = LIF(shape=(3,), du=4095, dv=0, vth=100000)
    src.s_out.connect(dd.s_in)
    dd.a_out.connect(tgt.a_in)
    mu = probe(tgt.u, 10)
    run(tgt, 10)
    u = data(mu) / 64
    # t + 1 + d with t = 1
    assert (np.flatnonzero(u[:, 0]) + 1).tolist() == [2]
    assert (np.flatnonzero(u[:, 1]) + 1).tolist() == [5]
    assert (np.flatnonzero(u[:, 2]) + 1).tolist() == [9]
    assert (u[1, 0], u[4, 1], u[8, 2]) == (10, 20, 30)
    assert dd.a_buff.get().shape == (3, 8)
    tgt.stop()


@pytest.mark.parametrize("weight_exp,u3", [(-1, 0), (0, 128)])
def test_delay_dense_flooring_per_source_step(weight_exp, u3):
    """Spec: source 0 at step 1 through delay 1, source 1 at step 2 through
    delay 0, weights [[1, 1]], weight_exp -1: both land at step 3, u = 0."""
    src = _source([[1, 0], [0, 1], [0, 0], [0, 0]])
    dd = DelayDense(weights=np.array([[1, 1]]), delays=np.array([[1, 0]]),
                    weight_exp=weight_exp)
    tgt = LIF(shape=(1,), du=4095, dv=0, vth=100000)
    src.s_out.connect(dd.s_in)
    dd.a_out.connect(tgt.a_in)
    mu = probe(tgt.u, 4)
    run(tgt, 4)
    assert data(mu)[:, 0].tolist() == [0, 0, u3, 0]
    tgt.stop()


@pytest.mark.parametrize("make", [
    lambda **kw: Dense(**kw), lambda **kw: Sparse(**kw),
    lambda **kw: DelayDense(delays=0, **kw)], ids=["Dense", "Sparse",
                                                    "DelayDense"])
def test_graded_and_binary_input(make):
    w = np.array([[3, -2, 5], [1, 1, 1]])
    s = [[2, 0, -3], [7, 1, 0], [0, 0, 0]]
    results = {}
    for nmb in (0, 24):
        src = _source(s)
        d = make(weights=w, num_message_bits=nmb, sign_mode=SignMode.MIXED)
        tgt = LIF(shape=(2,), du=4095, dv=0, vth=100000)
        src.s_out.connect(d.s_in)
        d.a_out.connect(tgt.a_in)
        mu = probe(tgt.u, 3)
        run(tgt, 3)
        results[nmb] = (data(mu) / 64).astype(int).tolist()
        tgt.stop()
    # MIXED prepared weights: [[2, -2, 4], [0, 0, 0]]
    assert results[0] == [[0, 0], [6, 0], [0, 0]]          # s cast to bool
    assert results[24] == [[0, 0], [4 - 12, 0], [14 - 2, 0]]  # W @ s


def test_sparse_equals_dense_fixed():
    rng = np.random.default_rng(3)
    w = rng.integers(-200, 200, (6, 5)) * (rng.random((6, 5)) < 0.5)
    outs = []
    for cls in (Dense, Sparse):
        src = LIF(shape=(5,), bias_mant=[20, 30, 40, 50, 60],
                  bias_exp=4, vth=30, du=100, dv=200)
        conn = cls(weights=w, weight_exp=-2, num_weight_bits=6)
        tgt = LIF(shape=(6,), du=300, dv=500, vth=50)
        src.s_out.connect(conn.s_in)
        conn.a_out.connect(tgt.a_in)
        mu, mv = probe(tgt.u, 30), probe(tgt.v, 30)
        run(tgt, 30)
        outs.append((data(mu), data(mv)))
        prepared = conn.weights.get()
        outs[-1] += (prepared.toarray() if hasattr(prepared, "toarray")
                     else prepared,)
        tgt.stop()
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
    assert np.abs(outs[0][0]).max() > 0


def test_lif_reset_and_refractory(spec_ref):
    a = LIFReset(shape=(2,), du=100, dv=50, bias_mant=[7, 9], bias_exp=5,
                 vth=50, reset_interval=4, reset_offset=1)
    b = LIFRefractory(shape=(2,), du=100, dv=50, bias_mant=[7, 9], bias_exp=5,
                      vth=20, refractory_period=3)
    mua, mva, msb, mvb = probe(a.u, 12), probe(a.v, 12), probe(b.s_out, 12), \
        probe(b.v, 12)
    run(a, 12)
    # run() of one process runs its network only: b is separate
    run(b, 12)
    ra = spec_ref.run_network({"a": spec_ref.Lif(2, du=100, dv=50,
                                                 bias_mant=[7, 9],
                                                 bias_exp=[5, 5], vth=50,
                                                 reset_interval=4,
                                                 reset_offset=1)}, [], 12)
    rb = spec_ref.run_network({"b": spec_ref.Lif(2, du=100, dv=50,
                                                 bias_mant=[7, 9],
                                                 bias_exp=[5, 5], vth=20,
                                                 refractory_period=3)}, [], 12)
    assert data(mua).tolist() == ra["a"]["u"]
    assert data(mva).tolist() == ra["a"]["v"]
    assert data(msb).tolist() == rb["b"]["s"]
    assert data(mvb).tolist() == rb["b"]["v"]
    # the reset happened: u is 0 at steps 1, 5, 9 before the update -> equal
    u = data(mua)
    assert u[0].tolist() == u[4].tolist() == u[8].tolist()
    # refractory: after each spike v stays 0 for 3 steps
    s = data(msb)[:, 0]
    first = int(np.flatnonzero(s)[0])
    assert s[first + 1:first + 4].sum() == 0
    assert data(mvb)[first:first + 4, 0].tolist() == [0, 0, 0, 0]
    assert b.refractory_period_end.get()[0] > 0
    a.stop()
    b.stop()


# The graded source of fuzz network ``random_net(3, 10)`` (bench/fuzz.py):
# 4 sources x 9 steps of 24-bit payloads, repeated by the RingBuffer.
_GRADED_SRC = [
    [6747570, -340847, -1917749, -5933521, -4822072, 3329041, 5019120, -3490019, 2159404],
    [6226681, -5899410, -3768592, 404856, 1036995, -1707266, -1683489, -6225128, 1894307],
    [7240610, -5089549, 4988842, -5363885, -7650378, 4141630, -5345687, 4231607, -2837824],
    [1123702, 7388994, 7064544, -394954, -4936275, -4181472, 5887144, 1489913, -5553471]]
# Measured with lava-nc 0.10 (RingBuffer -> DelayDense(weights below, delays
# 7, weight_exp=1, num_message_bits=24) -> LIF(du=3282, dv=0, vth=0,
# bias_mant=4095, bias_exp=7), Loihi2SimCfg(select_tag="fixed_pt"), u and v
# probed with Monitor), steps 9 and 10; steps 1..8 are all 0. The input of
# step 9 is [1610385176, 1337718130]: its ``<< 6`` and the sum with the
# decayed u wrap at int32 *before* u's single 24-bit wrap.
_LAVA_U = [[2213376, -268608512], [1656794524, 1330539987]]
_LAVA_V = [[0, -8388607], [0, 0]]


@pytest.mark.parametrize("cfg", ["cpu", "chip"])
def test_input_beyond_int32_after_shift_wraps_like_lava(cfg):
    from kilauea import ChipCfg
    src = Source(data=np.array(_GRADED_SRC, dtype=np.int32))
    conn = DelayDense(weights=np.array([[0, 34, 77, 32], [20, 76, 0, 54]]),
                      delays=7, weight_exp=1, num_message_bits=24)
    lif = LIF(shape=(2,), du=3282, dv=0, vth=0, bias_mant=4095, bias_exp=7)
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(lif.a_in)
    mu, mv = probe(lif.u, 10), probe(lif.v, 10)
    run(lif, 10, FIXED if cfg == "cpu" else ChipCfg(engine="model"))
    u, v = data(mu).reshape(10, 2), data(mv).reshape(10, 2)
    lif.stop()
    assert not u[:8].any() and not v[:8].any()
    assert u[8:].tolist() == _LAVA_U
    assert v[8:].tolist() == _LAVA_V
