"""kilauea.numerics against the spec's worked example, its edge cases, and
an independent loop-style transcription (spec_ref.py) on random networks."""
import numpy as np
import pytest
from scipy import sparse

from kilauea import numerics as nx
from kilauea.numerics import SignMode

WORKED_W = [[100, 0, 0], [0, 60, 0], [50, 50, -80]]


def run_numerics(pops, conns, num_steps):
    """Vectorised network driver built on kilauea.numerics only.

    pops: name -> dict(n, du, dv, bias_mant, bias_exp, vth, [reset_interval,
    reset_offset], [refractory_period]); conns: dicts(src, dst, w,
    weight_exp, nwb, sign_mode, delays). Same timing as the runtime: each
    connection sends what it accumulated in the previous step.
    """
    state = {}
    for name, p in pops.items():
        n = p["n"]
        state[name] = dict(u=np.zeros(n, np.int64), v=np.zeros(n, np.int64),
                           end=np.zeros(n, np.int64),
                           bias=nx.effective_bias(
                               np.broadcast_to(p.get("bias_mant", 0), n),
                               np.broadcast_to(p.get("bias_exp", 0), n)),
                           vth=nx.effective_vth(p.get("vth", 10)))
    cstate = []
    for c in conns:
        w = nx.prepare_weights(np.asarray(c["w"]), c.get("sign_mode"),
                               c.get("nwb", 8))
        if c.get("sparse"):
            w = sparse.csr_matrix(w)
        d = c.get("delays")
        if d is not None:
            slots = int(np.max(d)) + 1
            cstate.append(dict(stack=nx.delay_weight_stack(w, d, slots),
                               slots=slots,
                               buff=np.zeros((w.shape[0], slots), np.int64)))
        else:
            cstate.append(dict(w=w, buff=np.zeros(w.shape[0], np.int64)))
    spikes = {name: np.zeros(p["n"], bool) for name, p in pops.items()}
    rec = {name: {"u": [], "v": [], "s": []} for name in pops}
    for t in range(1, num_steps + 1):
        a_in = {name: np.zeros(p["n"], np.int64) for name, p in pops.items()}
        # connections send what they accumulated in the previous step
        for c, cs in zip(conns, cstate):
            buff = cs["buff"]
            a_in[c["dst"]] += buff[:, 0] if "stack" in cs else buff
        for name, p in pops.items():
            st = state[name]
            if p.get("reset_interval") and nx.is_reset_step(
                    t, p["reset_interval"], p.get("reset_offset", 0)):
                st["u"][:] = 0
                st["v"][:] = 0
            if p.get("refractory_period"):
                st["u"], st["v"], st["end"], s = nx.lif_refractory_fixed_step(
                    st["u"], st["v"], st["end"], a_in[name], p.get("du", 0),
                    p.get("dv", 0), st["bias"], st["vth"], t,
                    p["refractory_period"])
            else:
                st["u"], st["v"], s = nx.lif_fixed_step(
                    st["u"], st["v"], a_in[name], p.get("du", 0),
                    p.get("dv", 0), st["bias"], st["vth"])
            spikes[name] = s
            rec[name]["u"].append(st["u"].tolist())
            rec[name]["v"].append(st["v"].tolist())
            rec[name]["s"].append(s.astype(int).tolist())
        # then accumulate this step's spikes
        for c, cs in zip(conns, cstate):
            we = c.get("weight_exp", 0)
            s_in = spikes[c["src"]]
            if "stack" in cs:
                acc = nx.accumulate_delayed(cs["stack"], s_in, cs["slots"])
                cs["buff"] = nx.delay_dense_step(cs["buff"],
                                                 nx.scale_accum(acc, we))
            else:
                cs["buff"] = nx.scale_accum(nx.accumulate(cs["w"], s_in), we)
    return rec


def worked_pops():
    return {"l1": dict(n=3, du=0, dv=0, bias_mant=[2, 3, 4], bias_exp=6, vth=8),
            "l2": dict(n=3, du=1024, dv=512, vth=20)}


# ------------------------------------------------------------ worked example
def test_worked_example_exact():
    rec = run_numerics(worked_pops(), [dict(src="l1", dst="l2", w=WORKED_W)], 12)
    s1 = np.array(rec["l1"]["s"])
    assert [t + 1 for t in np.flatnonzero(s1[:, 0])] == [5, 10]
    for i in (1, 2):
        assert [t + 1 for t in np.flatnonzero(s1[:, i])] == [3, 6, 9, 12]
    u = [x[2] for x in rec["l2"]["u"]]
    v = [x[2] for x in rec["l2"]["v"]]
    assert u == [0, 0, 0, -1920, -1439, 2122, -330, -247, -185, -2058, 1658, 1243]
    assert v[3:] == [-1920, -3119, -607, -861, -1000, -1060, -2985, -953, 410]


def test_worked_example_matches_transcription(spec_ref):
    rec = run_numerics(worked_pops(), [dict(src="l1", dst="l2", w=WORKED_W)], 12)
    pops = {"l1": spec_ref.Lif(3, du=0, dv=0, bias_mant=[2, 3, 4],
                               bias_exp=[6] * 3, vth=8),
            "l2": spec_ref.Lif(3, du=1024, dv=512, vth=20)}
    ref = spec_ref.run_network(pops, [spec_ref.Conn("l1", "l2", WORKED_W)], 12)
    assert rec == ref


# ------------------------------------------------------------------ weights
def test_mixed_truncation():
    np.testing.assert_array_equal(
        nx.prepare_weights(np.array([[101, -77], [33, 255]])),
        [[100, -78], [32, 254]])
    np.testing.assert_array_equal(
        nx.prepare_weights(np.array([[1, 1], [-3, 7]])), [[0, 0], [-4, 6]])


def test_sign_modes_clip_and_truncate():
    w = np.array([[300, 7], [1, 0]])
    assert nx.determine_sign_mode(w) == SignMode.EXCITATORY
    np.testing.assert_array_equal(nx.prepare_weights(w), [[255, 7], [1, 0]])
    wi = -w
    assert nx.determine_sign_mode(wi) == SignMode.INHIBITORY
    np.testing.assert_array_equal(nx.prepare_weights(wi), [[-255, -7], [-1, 0]])
    # num_weight_bits = 6: two low bits cleared (three for MIXED)
    np.testing.assert_array_equal(nx.prepare_weights(w, num_weight_bits=6),
                                  [[252, 4], [0, 0]])
    np.testing.assert_array_equal(nx.prepare_weights(wi, num_weight_bits=6),
                                  [[-252, -4], [0, 0]])
    np.testing.assert_array_equal(
        nx.prepare_weights(np.array([[-300, 13], [-9, 300]]),
                           num_weight_bits=6), [[-256, 8], [-16, 248]])
    # a given sign mode wins over the matrix: MIXED on an excitatory matrix
    np.testing.assert_array_equal(
        nx.prepare_weights(np.array([[7, 300]]), SignMode.MIXED), [[6, 254]])
    # EXCITATORY on a mixed matrix clips negatives to 0
    np.testing.assert_array_equal(
        nx.prepare_weights(np.array([[-7, 9]]), SignMode.EXCITATORY), [[0, 9]])
    # float weights truncate toward zero first
    np.testing.assert_array_equal(nx.prepare_weights(np.array([[3.9, 2.2]])),
                                  [[3, 2]])


def test_prepare_sparse_equals_dense():
    rng = np.random.default_rng(5)
    w = rng.integers(-400, 400, (7, 9)) * (rng.random((7, 9)) < 0.4)
    for nwb in (8, 5):
        d = nx.prepare_weights(w, num_weight_bits=nwb)
        s = nx.prepare_weights(sparse.csr_matrix(w), num_weight_bits=nwb)
        np.testing.assert_array_equal(s.toarray(), d)


def test_prepare_matches_transcription(spec_ref):
    rng = np.random.default_rng(11)
    for trial in range(200):
        shape = tuple(rng.integers(1, 6, 2))
        lo = int(rng.choice([-600, -100, 0]))
        w = rng.integers(lo, 600, shape)
        nwb = int(rng.integers(1, 9))
        got = nx.prepare_weights(w, num_weight_bits=nwb)
        ref = spec_ref.prepare_weights(w.tolist(), nwb=nwb)
        assert got.tolist() == ref, f"trial {trial}: w={w.tolist()} nwb={nwb}"


# ------------------------------------------------------------- accumulation
def test_accumulate_binary_graded_sparse():
    w = np.array([[1, 2, 3], [4, 5, -6]], np.int32)
    s = np.array([0, 7, 1])                   # binary: 7 counts as a spike
    np.testing.assert_array_equal(nx.accumulate(w, s), [5, -1])
    np.testing.assert_array_equal(nx.accumulate(w, s, 8), [17, 29])
    ws = sparse.csr_matrix(w)
    np.testing.assert_array_equal(nx.accumulate(ws, s), [5, -1])
    np.testing.assert_array_equal(nx.accumulate(ws, s, 8), [17, 29])


def test_scale_accum_floors():
    a = np.array([3, -3, 1, -1, 0])
    np.testing.assert_array_equal(nx.scale_accum(a, -1), [1, -2, 0, -1, 0])
    np.testing.assert_array_equal(nx.scale_accum(a, 2), [12, -12, 4, -4, 0])
    np.testing.assert_array_equal(nx.scale_accum(a, 0), a)


def test_one_vs_two_projections_flooring():
    """Spec table: one Dense [[1, 1]] gives u = 64, two Dense give 0."""
    src = dict(n=2, bias_mant=[100, 100], bias_exp=6, vth=8)   # spike at step 1
    tgt = dict(n=1, du=4095, dv=0, vth=100000)
    one = run_numerics({"s": src, "t": tgt},
                       [dict(src="s", dst="t", w=[[1, 1]], weight_exp=-1)], 2)
    two = run_numerics({"s": src, "t": tgt},
                       [dict(src="s", dst="t", w=[[1, 0]], weight_exp=-1),
                        dict(src="s", dst="t", w=[[0, 1]], weight_exp=-1)], 2)
    assert one["s"]["s"][0] == [1, 1]
    assert one["t"]["u"][1] == [64]
    assert two["t"]["u"][1] == [0]


def test_negative_exponent_two_projections():
    pops = {"s": dict(n=2, du=0, dv=0, bias_mant=[3, 5], bias_exp=6, vth=4),
            "t": dict(n=2, du=4095, dv=0, vth=100000)}
    conns = [dict(src="s", dst="t", w=[[101, -77], [33, 255]], weight_exp=-1),
             dict(src="s", dst="t", w=[[1, 1], [-3, 7]], weight_exp=-1)]
    rec = run_numerics(pops, conns, 5)
    assert rec["s"]["s"][:4] == [[0, 1], [1, 1], [0, 1], [1, 1]]
    assert rec["t"]["u"] == [[0, 0], [-2496, 8320], [704, 9216],
                             [-2496, 8320], [704, 9216]]


def test_wrap_of_u_and_clip_of_v():
    pops = {"s": dict(n=200, bias_mant=100, bias_exp=6, vth=8),
            "t": dict(n=1, du=4095, dv=0, bias_mant=-4096, bias_exp=7,
                      vth=100000)}
    rec = run_numerics(pops, [dict(src="s", dst="t", w=np.full((1, 200), 255),
                                   weight_exp=2)], 6)
    assert [x[0] for x in rec["t"]["u"]] == [0] + [-3721216] * 5
    assert [x[0] for x in rec["t"]["v"]] == [-524288, -4769792] + [-8388607] * 4


def test_u_wrap_boundaries():
    """The single wrap: 2**23 stays, 2**23 + 1 wraps; -2**23 wraps up; a value
    beyond 3 * 2**23 stays outside 24 bits."""
    u0 = np.zeros(4, np.int64)
    a = np.array([2 ** 17, 2 ** 17 + 1, -(2 ** 17), 2 ** 19])  # << 6
    u, _, _ = nx.lif_fixed_step(u0, u0, a, 4095, 0, 0, 1 << 40)
    assert u.tolist() == [2 ** 23, 2 ** 23 + 64 - 2 ** 24, 2 ** 23,
                          2 ** 25 - 2 ** 24]


# -------------------------------------------------------------------- delays
def test_delay_dense_timing():
    """A spike at step t through delay d arrives at step t + 1 + d."""
    src = dict(n=1, bias_mant=100, bias_exp=6, vth=8,
               refractory_period=100)          # spikes once, at step 1
    tgt = dict(n=3, du=4095, dv=0, vth=100000)
    rec = run_numerics({"s": src, "t": tgt},
                       [dict(src="s", dst="t", w=[[10], [20], [30]],
                             delays=np.array([[0], [2], [5]]))], 9)
    assert [x[0] for x in rec["s"]["s"]] == [1] + [0] * 8
    u = np.array(rec["t"]["u"]) >> 6
    assert np.flatnonzero(u[:, 0]).tolist() == [1]      # step 2
    assert np.flatnonzero(u[:, 1]).tolist() == [3]      # step 4
    assert np.flatnonzero(u[:, 2]).tolist() == [6]      # step 7
    assert u[1, 0] == 10 and u[3, 1] == 20 and u[6, 2] == 30


def test_delay_dense_flooring_per_source_step():
    """Spec: source 0 spikes at step 1 through delay 1, source 1 at step 2
    through delay 0, weights [[1, 1]], weight_exp -1: u = 0 at step 3."""
    buff = np.zeros((1, 2), np.int64)
    stack = nx.delay_weight_stack(np.array([[1, 1]]), np.array([[1, 0]]), 2)
    sent = []
    for s in ([1, 0], [0, 1], [0, 0]):
        sent.append(int(buff[0, 0]))
        acc = nx.accumulate_delayed(stack, np.array(s), 2)
        buff = nx.delay_dense_step(buff, nx.scale_accum(acc, -1))
    assert sent == [0, 0, 0]
    # without the shift both land at step 3 together
    buff = np.zeros((1, 2), np.int64)
    sent = []
    for s in ([1, 0], [0, 1], [0, 0]):
        sent.append(int(buff[0, 0]))
        buff = nx.delay_dense_step(buff, nx.accumulate_delayed(stack,
                                                               np.array(s), 2))
    assert sent == [0, 0, 2]


# -------------------------------------------------------------- LIF details
def test_trunc_shr_and_bias():
    np.testing.assert_array_equal(nx.trunc_shr(np.array([7, -7, 4095, -4097]), 12),
                                  [0, 0, 0, -1])
    np.testing.assert_array_equal(
        nx.effective_bias([3, -3, 5, -4096], [2, -1, -8, 7]),
        [12, -2, 0, -524288])


def test_lif_float_step():
    u, v, s = nx.lif_float_step(np.array([1.0, 2.0]), np.array([0.5, 12.0]),
                                np.array([0.25, 0.0]), 0.5, 0.25, 1.0, 10.0)
    np.testing.assert_allclose(u, [0.75, 1.0])
    np.testing.assert_allclose(v, [0.375 + 0.75 + 1.0, 0.0])
    assert s.tolist() == [False, True]


def test_refractory_and_reset_steps():
    # refractory: v frozen while refractory_end >= t, u keeps integrating
    u = np.zeros(1, np.int64)
    v = np.zeros(1, np.int64)
    end = np.zeros(1, np.int64)
    spikes, vs = [], []
    for t in range(1, 9):
        u, v, end, s = nx.lif_refractory_fixed_step(
            u, v, end, np.zeros(1), 0, 0, nx.effective_bias(5, 6),
            nx.effective_vth(8), t, 2)
        spikes.append(int(s[0]))
        vs.append(int(v[0]))
    # plain LIF would spike every 2nd step; 2 steps frozen after each spike
    assert spikes == [0, 1, 0, 0, 0, 1, 0, 0]
    assert vs == [320, 0, 0, 0, 320, 0, 0, 0]
    assert nx.is_reset_step(6, 3, 0) and not nx.is_reset_step(7, 3, 0)
    assert nx.is_reset_step(7, 3, 4)


def test_check_lif_fixed_params():
    nx.check_lif_fixed_params("lif", du=4095, dv=0, bias_mant=[-4096, 4095],
                              bias_exp=[-8, 7], vth=131071)
    # the chip's ranges are the compiler's: lava-nc's CPU models run these
    nx.check_lif_fixed_params("lif", du=4096, dv=-1, bias_mant=[-32768, 32767],
                              bias_exp=[8, -9], vth=1 << 17)
    for key, bad in (("bias_mant", [1 << 15]), ("bias_exp", [-(1 << 15) - 1]),
                     ("vth", 0.5), ("du", 0.5)):
        with pytest.raises(ValueError, match=f"'{key}'"):
            nx.check_lif_fixed_params("lif", **{key: bad})


# ----------------------------------------------------------- randomised
def _random_network(rng, spec_ref, sparse_conns=False):
    n_pops = int(rng.integers(2, 4))
    pops, ref_pops = {}, {}
    for k in range(n_pops):
        n = int(rng.integers(1, 6))
        p = dict(n=n, du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
                 bias_mant=rng.integers(-4096, 4096, n).tolist(),
                 bias_exp=rng.integers(-8, 8, n).tolist(),
                 vth=int(rng.integers(0, 2000)))
        kind = rng.integers(0, 3)
        if kind == 1:
            p["reset_interval"] = int(rng.integers(1, 6))
            p["reset_offset"] = int(rng.integers(0, 6))
        elif kind == 2:
            p["refractory_period"] = int(rng.integers(1, 5))
        pops[f"p{k}"] = p
        ref_pops[f"p{k}"] = spec_ref.Lif(
            n, du=p["du"], dv=p["dv"], bias_mant=p["bias_mant"],
            bias_exp=p["bias_exp"], vth=p["vth"],
            reset_interval=p.get("reset_interval", 0),
            reset_offset=p.get("reset_offset", 0),
            refractory_period=p.get("refractory_period", 0))
    conns, ref_conns = [], []
    for _ in range(int(rng.integers(1, 5))):
        src, dst = (f"p{i}" for i in rng.integers(0, n_pops, 2))
        shape = (pops[dst]["n"], pops[src]["n"])
        w = rng.integers(-300, 300, shape) * (rng.random(shape) < 0.7)
        c = dict(src=src, dst=dst, w=w, weight_exp=int(rng.integers(-8, 8)),
                 nwb=int(rng.integers(1, 9)), sparse=sparse_conns)
        if rng.random() < 0.4:
            c["delays"] = rng.integers(0, 4, shape)
        conns.append(c)
        ref_conns.append(spec_ref.Conn(src, dst, w.tolist(), c["weight_exp"],
                                       c["nwb"], None,
                                       c.get("delays", None) if "delays" not in c
                                       else c["delays"].tolist()))
    return pops, conns, ref_pops, ref_conns


@pytest.mark.parametrize("sparse_conns", [False, True])
def test_random_networks_match_transcription(spec_ref, sparse_conns):
    for trial in range(40):
        seed = 1000 * int(sparse_conns) + trial
        rng = np.random.default_rng(seed)
        pops, conns, ref_pops, ref_conns = _random_network(rng, spec_ref,
                                                           sparse_conns)
        got = run_numerics(pops, conns, 25)
        ref = spec_ref.run_network(ref_pops, ref_conns, 25)
        assert got == ref, f"seed {seed}: numerics differ from the spec"
