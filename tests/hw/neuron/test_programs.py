"""Neuron programs: RTL == golden interpreter == numpy transcription of the
spec's equations, bit for bit, on random parameters and inputs (seeded)."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import neurons
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.words import to_s32
from kilauea.sim.testbench.neuron import run_engine
from kilauea.hw.params import ChipParams
from kilauea.sim.golden.neuron import run_neuron_phase

CASE_NAMES = ["lif", "lif_reset", "lif_refractory", "graded_vec", "graded_relu_vec",
              "sigma_delta_unit", "sigma_delta_relu", "sigma_delta_unit_cum", "sigma_delta_relu_cum"]

BIG = ChipParams(mesh_w=1, mesh_h=1, n_compartments=2048, n_delay_slots=4, n_acc_groups=2,
                 n_profiles=4, n_ucode=256, n_synapses=16, n_axons=16, n_fanout=16,
                 n_acc_rows=4096)
SMALL = ChipParams(mesh_w=1, mesh_h=1, n_compartments=8, n_delay_slots=4, n_acc_groups=2,
                   n_profiles=4, n_ucode=128, n_synapses=16, n_axons=16, n_fanout=16,
                   n_acc_rows=16)


def state_of(prog, image, n):
    st = to_s32(np.asarray(image)[:n * cm.STATE_WORDS]).reshape(n, cm.STATE_WORDS)
    return {name: st[:, d.index] for name, d in prog.state.items()}


def make_run(nref, case_name, seed, n, groups, params):
    case = {c.name: c for c in nref.CASES}[case_name]
    rng = np.random.default_rng(seed)
    prog = case.make(groups)
    values = case.values(rng, n)
    wexp = [int(e) for e in rng.integers(-8, case.max_wexp + 1, groups)]
    if rng.random() < 0.3:
        wexp = [0] * groups
    if groups > 1:      # one group with large inputs, to reach the wrap / clip edges
        wexp[-1] = int(rng.integers(max(0, case.max_wexp - 2), case.max_wexp + 1))
    values.update({f"weight_exp{g}": e for g, e in enumerate(wexp)})
    # some compartments start from random in-range state
    init = {}
    for name in case.state:
        if name == "refractory_end":
            init[name] = rng.integers(0, 4, n)
        elif name in ("u", "v"):
            init[name] = rng.integers(-(1 << 22), 1 << 22, n)
        else:
            init[name] = rng.integers(-(1 << 12), 1 << 12, n)
    values.update(init)
    images = neurons.core_images(params, [(prog, n, values)])
    return case, rng, prog, values, wexp, images


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_golden_equals_transcription_long(nref, case_name):
    """Thousands of compartments, 150 steps, two accumulator groups."""
    seed = 1000 + CASE_NAMES.index(case_name)
    n, groups, n_steps = 2000, 2, 150
    case, rng, prog, values, wexp, img = make_run(nref, case_name, seed, n, groups, BIG)
    ref_st = {k: np.asarray(values[k], dtype=np.int64).copy() for k in case.state}
    ref_p = dict(values)
    state = img.state
    spikes_total = 0
    negative_payloads = 0
    for k in nref.EDGE_HITS:
        nref.EDGE_HITS[k] = 0
    for t in range(1, n_steps + 1):
        acc = nref.random_acc(rng, case, groups, n)
        a_in = nref.group_input(acc, wexp)
        ref_st, mask, pay = case.ref(ref_st, ref_p, a_in, t)
        g = run_neuron_phase(img.ucode, img.profile, img.param, state, t, acc, n)
        state = g.state
        got = state_of(prog, state, n)
        for k in case.state:
            assert np.array_equal(got[k], ref_st[k]), f"seed {seed} step {t}: {k} differs"
        assert np.array_equal(g.spike_compartments, np.flatnonzero(mask)), f"seed {seed} step {t}"
        assert np.array_equal(g.spike_payloads, pay[mask]), f"seed {seed} step {t}"
        assert g.errors == 0 and g.updates == n
        assert g.acc_read.all()
        spikes_total += int(mask.sum())
        negative_payloads += int(np.sum(g.spike_payloads < 0))
    assert spikes_total > 0, f"seed {seed}: the run never spiked; the test would not see spikes"
    if case_name.startswith("lif"):     # the edges were exercised, not just the middle
        assert min(nref.EDGE_HITS.values()) > 0, (seed, nref.EDGE_HITS)
        assert (values["bias_exp"] < 0).any()
    if case_name in ("graded_vec", "sigma_delta_unit", "sigma_delta_unit_cum"):
        assert negative_payloads > 0, seed


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_rtl_equals_golden_and_transcription(nref, case_name):
    """Short RTL runs: 6 compartments, 5 steps, spike backpressure, slow accumulators."""
    seed = 2000 + CASE_NAMES.index(case_name)
    n, groups, n_steps = 6, 2, 5
    case, rng, prog, values, wexp, img = make_run(nref, case_name, seed, n, groups, SMALL)
    steps = [(t, nref.random_acc(rng, case, groups, n)) for t in range(1, n_steps + 1)]
    rtl = run_engine(SMALL, img.ucode, img.profile, img.param, img.state, steps, n,
                     acc_latency=1 + seed % 3, spike_stall_seed=seed, acc_stall_seed=seed)
    ref_st = {k: np.asarray(values[k], dtype=np.int64).copy() for k in case.state}
    state = img.state
    for (t, acc), r in zip(steps, rtl):
        ref_st, mask, pay = case.ref(ref_st, values, nref.group_input(acc, wexp), t)
        g = run_neuron_phase(img.ucode, img.profile, img.param, state, t, acc, n)
        state = g.state
        assert np.array_equal(r.state, to_s32(g.state)[:len(r.state)]), f"seed {seed} step {t}: RTL state"
        assert np.array_equal(r.spike_compartments, g.spike_compartments), f"seed {seed} step {t}"
        assert np.array_equal(r.spike_payloads, g.spike_payloads), f"seed {seed} step {t}"
        assert np.array_equal(r.acc_read, g.acc_read)
        assert (r.errors, r.updates) == (0, n)
        got = state_of(prog, r.state, n)
        for k in case.state:
            assert np.array_equal(got[k], ref_st[k]), f"seed {seed} step {t}: {k}"
        assert np.array_equal(r.spike_compartments, np.flatnonzero(mask))
        assert np.array_equal(r.spike_payloads, pay[mask])


def run_both(params, img, steps, n, **kw):
    """RTL and golden over the same steps; asserts equality, returns golden results."""
    rtl = run_engine(params, img.ucode, img.profile, img.param, img.state, steps, n, **kw)
    state = img.state
    out = []
    for (t, acc), r in zip(steps, rtl):
        g = run_neuron_phase(img.ucode, img.profile, img.param, state, t, acc, n)
        state = g.state
        assert np.array_equal(r.state, to_s32(g.state)[:len(r.state)]), f"step {t}"
        assert np.array_equal(r.spike_compartments, g.spike_compartments), f"step {t}"
        assert np.array_equal(r.spike_payloads, g.spike_payloads), f"step {t}"
        assert r.errors == g.errors and r.updates == g.updates
        out.append(g)
    return out


def test_spec_wrap_of_u_and_clip_of_v():
    """spec: 200 sources x 255 << 2 = 204000 into LIF(du=4095, dv=0,
    bias_mant=-4096, bias_exp=7): u = 0, then -3721216; v = -524288,
    -4769792, then -8388607."""
    prog = neurons.lif()
    vals = dict(du=4095, dv=0, vth=100000, bias_mant=-4096, bias_exp=7, weight_exp0=2)
    img = neurons.core_images(SMALL, [(prog, 1, vals)])
    steps = [(t, np.array([[0 if t == 1 else 200 * 255], [0]])) for t in range(1, 5)]
    gs = run_both(SMALL, img, steps, 1)
    us = [int(g.state[0]) for g in gs]
    vs = [int(g.state[1]) for g in gs]
    assert us == [0, -3721216, -3721216, -3721216]
    assert vs == [-524288, -4769792, -8388607, -8388607]


def test_spec_negative_exponent_two_projections():
    """spec: two Dense with weight_exp=-1 into LIF(2, du=4095, dv=0): u over
    steps 1..5 = [0,0], [-2496,8320], [704,9216], [-2496,8320], [704,9216];
    one group with the summed input floors differently."""
    w1 = np.array([[100, -78], [32, 254]])
    w2 = np.array([[0, 0], [-4, 6]])
    src = [np.array([0, 1]), np.array([1, 1])]
    vals = dict(du=4095, dv=0, vth=100000, weight_exp0=-1, weight_exp1=-1)
    img = neurons.core_images(SMALL, [(neurons.lif(2), 2, vals)])
    steps = [(1, np.zeros((2, 2), np.int64))]
    for t in range(2, 6):
        s = src[(t - 2) % 2]
        steps.append((t, np.stack([w1 @ s, w2 @ s])))
    gs = run_both(SMALL, img, steps, 2)
    u = [[int(g.state[c * cm.STATE_WORDS]) for c in range(2)] for g in gs]
    assert u == [[0, 0], [-2496, 8320], [704, 9216], [-2496, 8320], [704, 9216]]
    # spec: Dense [[1, 0]] and [[0, 1]] (two groups) vs one Dense [[1, 1]], both spiking
    two = neurons.core_images(SMALL, [(neurons.lif(2), 1, dict(vals))])
    one = neurons.core_images(SMALL, [(neurons.lif(1), 1, dict(du=4095, dv=0, vth=100000,
                                                                weight_exp0=-1))])
    g2 = run_both(SMALL, two, [(1, np.array([[1], [1]]))], 1)[0]
    g1 = run_both(SMALL, one, [(1, np.array([[2], [0]]))], 1)[0]
    assert (int(g2.state[0]), int(g1.state[0])) == (0, 64)


def test_spec_worked_example():
    """spec worked example: layer 1 LIF(3, du=0, dv=0, bias_mant=[2, 3, 4],
    bias_exp=6, vth=8) spikes (neuron 0 at 5, 10; 1 and 2 at 3, 6, 9, 12);
    layer 2 neuron 2 (du=1024, dv=512, vth=20), fed by Dense row [50, 50, -80]
    from those spikes one step later, has the spec's u and v over steps 1..12.
    Both populations share one core (two profiles of one program)."""
    lif = neurons.lif()
    img = neurons.core_images(SMALL, [
        (lif, 3, dict(du=0, dv=0, bias_mant=[2, 3, 4], bias_exp=6, vth=8)),
        (lif, 1, dict(du=1024, dv=512, vth=20))])
    spec_l1 = {0: {5, 10}, 1: {3, 6, 9, 12}, 2: {3, 6, 9, 12}}
    row = [50, 50, -80]
    steps = []
    for t in range(1, 13):
        a = sum(row[j] for j in range(3) if (t - 1) in spec_l1[j])
        steps.append((t, np.array([[0, 0, 0, a], [0, 0, 0, 0]])))
    gs = run_both(SMALL, img, steps, 4)
    l1 = {j: {t for t, g in zip(range(1, 13), gs) if j in g.spike_compartments} for j in range(3)}
    assert l1 == spec_l1
    u = [int(g.state[3 * cm.STATE_WORDS]) for g in gs]
    v = [int(g.state[3 * cm.STATE_WORDS + 1]) for g in gs]
    assert u == [0, 0, 0, -1920, -1439, 2122, -330, -247, -185, -2058, 1658, 1243]
    assert v[3:] == [-1920, -3119, -607, -861, -1000, -1060, -2985, -953, 410]


def test_threshold_equality_and_graded_negative_payloads():
    """v == vth << 6 does not spike, one more does; GradedVec sends negative
    payloads where |v| > vth, GradedReluVec never does."""
    lif = neurons.lif()
    # du=4095, dv=4095 -> v' = trunc(v/4096) + (a_in << 6); with v=0: v' = a_in << 6
    vals_l = dict(du=4095, dv=0, vth=10)
    gv, gr = neurons.graded_vec(), neurons.graded_relu_vec()
    img = neurons.core_images(SMALL, [(lif, 2, vals_l), (gv, 3, dict(vth=100)),
                                      (gr, 3, dict(vth=100))])
    acc = np.array([[10, 11, -101, 100, 101, -101, 100, 101], [0] * 8])
    gs = run_both(SMALL, img, [(1, acc)], 8)
    g = gs[0]
    assert list(g.spike_compartments) == [1, 2, 4, 7]
    assert list(g.spike_payloads) == [1, -101, 101, 101]


def test_lif_reset_interval_and_refractory():
    """LIFReset zeroes u and v exactly at steps t % 3 == 4 % 3; LIFRefractory
    holds v for refractory_period steps after a spike."""
    r = neurons.lif_reset()
    f = neurons.lif_refractory()
    img = neurons.core_images(SMALL, [
        (r, 1, dict(du=0, dv=0, vth=100000, reset_interval=3, reset_offset=4, u=1000, v=5000)),
        (f, 1, dict(du=4095, dv=0, vth=1, refractory_period=2))])
    steps = [(t, np.array([[1, 1], [0, 0]])) for t in range(1, 9)]
    gs = run_both(SMALL, img, steps, 2)
    u_r = [int(g.state[0]) for g in gs]
    # reset at t = 1, 4, 7 (t % 3 == 1): u restarts from 64 there
    assert [u_r[i] == 64 for i in range(8)] == [True, False, False, True, False, False, True, False]
    spk = [list(g.spike_compartments) for g in gs]
    # refractory neuron (compartment 1): v' = 64 > 64? no -> v grows 64/step; spikes at t=2,
    # then frozen at 0 for steps 3, 4 (refractory_end = 4), updates again from t = 5
    fired = [t for t, s in zip(range(1, 9), spk) if 1 in s]
    assert fired == [2, 6]
    v_f = [int(g.state[cm.STATE_WORDS + 1]) for g in gs]
    assert v_f == [64, 0, 0, 0, 64, 0, 0, 0]


def test_interleaved_profiles_spike_order():
    """Compartments of two profiles interleaved: spikes come out in
    compartment order, each compartment runs its own profile (golden and RTL)."""
    a, b = neurons.graded_relu_vec(), neurons.graded_vec()
    img = neurons.core_images(SMALL, [(a, 4, dict(vth=0)), (b, 4, dict(vth=0))])
    perm = np.array([0, 4, 1, 5, 2, 6, 3, 7])
    par = img.param.reshape(8, cm.PARAM_WORDS)[perm].reshape(-1)
    img.param[:len(par)] = par
    acc = np.array([[5, -6, 7, -8, 9, -10, 11, -12], [0] * 8])
    g = run_both(SMALL, img, [(1, acc)], 8)[0]
    # profile 0 (relu) at even compartments: 5, 7, 9, 11 fire; profile 1 at odd: all fire
    assert list(g.spike_compartments) == list(range(8))
    assert list(g.spike_payloads) == [5, -6, 7, -8, 9, -10, 11, -12]
    acc2 = acc * -1
    g2 = run_both(SMALL, img, [(2, acc2)], 8)[0]
    assert list(g2.spike_compartments) == [1, 3, 5, 7]


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_program_runner_cpu_model_equals_transcription(nref, case_name):
    """`ProgramRunner` (the CPU model generated from a program) on Lava-style
    summed a_in: equal to the transcription; get/set reach the state."""
    case = {c.name: c for c in nref.CASES}[case_name]
    seed = 3000 + CASE_NAMES.index(case_name)
    rng = np.random.default_rng(seed)
    n = 300
    values = case.values(rng, n)
    run = neurons.ProgramRunner(case.make(1), n, values)
    ref_st = {k: run.get(k).copy() for k in case.state}
    for t in range(1, 60):
        a_in = nref.random_acc(rng, case, 1, n)[0] << int(rng.integers(0, case.max_wexp + 1))
        ref_st, mask, pay = case.ref(ref_st, values, a_in, t)
        out = run.step(t, a_in)
        assert np.array_equal(out, np.where(mask, pay, 0)), f"seed {seed} step {t}"
        for k in case.state:
            assert np.array_equal(run.get(k), ref_st[k]), f"seed {seed} step {t}: {k}"
    k = case.state[0]
    run.set(k, np.arange(n))
    assert np.array_equal(run.get(k), np.arange(n))
