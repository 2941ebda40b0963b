"""Var.set on host-only Vars of chip processes (connection weights and
delays, neuron options kept on the host) between runs and while paused: the
chip's future changes exactly as the same set changes a CpuSimCfg(fixed_pt)
run (the runtime recompiles and reloads, carrying the chip's state over)."""
from __future__ import annotations

import time

import numpy as np
import pytest
from scipy import sparse as sp

import chip_testlib as lib
from kilauea import (ChipCfg, CpuSimCfg, DelayDense, Dense, KilaueaError, LIF, LIFReset,
                     RunContinuous, RunSteps, Sparse)
from kilauea.compiler import CompileError
from kilauea.hw.params import ChipParams
from kilauea.proc.io import sink, source

CPU_CFG = CpuSimCfg(select_tag="fixed_pt")
SMALL = dict(n_compartments=16, n_synapses=512, n_axons=64, n_fanout=128,
             n_acc_rows=64)               # room for multi-group compartments


def _chip(mesh=(2, 2), engine="model", **kw):
    return ChipCfg(params=ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], **SMALL), engine=engine,
                   **kw)


def _w(rng, n_post, n_pre, dens=0.6, lo=-60, hi=160):
    return rng.integers(lo, hi, (n_post, n_pre)) * (rng.random((n_post, n_pre)) < dens)


def _net(seed, n_steps, dd_exp=0, sizes=(3, 7)):
    """src (host) -> Dense -> L0 -> DelayDense (delays 0..6) -> L1, L1 ->
    Sparse -> L1 (recurrent), L1 -> sink. Returns (root, lifs, conns)."""
    rng = np.random.default_rng(seed)
    n_in, n0, n1 = (int(v) for v in rng.integers(*sizes, 3))
    src = source.RingBuffer(data=(rng.random((n_in, 11)) < 0.5).astype(np.int32), name="src")
    l0 = LIF(shape=(n0,), du=int(rng.integers(200, 3000)), dv=int(rng.integers(200, 3000)),
             vth=int(rng.integers(20, 90)), bias_mant=rng.integers(0, 15, n0), name="L0")
    l1 = LIFReset(shape=(n1,), du=int(rng.integers(200, 3000)), dv=int(rng.integers(200, 3000)),
                  vth=int(rng.integers(20, 90)), reset_interval=8, reset_offset=3,
                  bias_mant=rng.integers(-5, 10, n1), name="L1")
    d_in = Dense(weights=_w(rng, n0, n_in, lo=0), name="d_in")
    delays = rng.integers(1, 7, (n1, n0)) if dd_exp >= 0 else rng.choice([1, 4], (n1, n0))
    dd = DelayDense(weights=_w(rng, n1, n0, dens=0.9), delays=delays, max_delay=6,
                    weight_exp=dd_exp, name="dd")
    rec = Sparse(weights=sp.csr_matrix(_w(rng, n1, n1, dens=0.3, lo=-80, hi=60)), name="rec")
    k = sink.RingBuffer(shape=(n1,), buffer=n_steps, name="sink")
    src.s_out.connect(d_in.s_in)
    d_in.a_out.connect(l0.a_in)
    l0.s_out.connect(dd.s_in)
    dd.a_out.connect(l1.a_in)
    l1.s_out.connect(rec.s_in)
    rec.a_out.connect(l1.a_in)
    l1.s_out.connect(k.a_in)
    return l0, [l0, l1], dict(d_in=d_in, dd=dd, rec=rec)


def _edits(seed, conns, k):
    """The sets applied at pause k (the same on CPU and chip)."""
    rng = np.random.default_rng(1000 + seed * 10 + k)
    d_in, dd, rec = conns["d_in"], conns["dd"], conns["rec"]
    if k == 0:      # same sparsity pattern, new values
        w = d_in.weights.get()
        d_in.weights.set(np.where(w != 0, rng.integers(1, 200, w.shape), 0))
        w = dd.weights.get()
        dd.weights.set(np.where(w != 0, rng.integers(-100, 200, w.shape), 0))
    elif k == 1:    # a changed pattern: zeros become nonzero, some go to zero; new delays
        w = d_in.weights.get()
        d_in.weights.set(np.where(w == 0, rng.integers(1, 150, w.shape),
                                  w * (rng.random(w.shape) < 0.5)))
        dd.delays.set(rng.integers(0, 7, dd.delays.shape))
        rec.weights.set(sp.csr_matrix(_w(rng, *rec.weights.shape, dens=0.4, lo=-90, hi=90)))
    else:           # partial sets (idx)
        dd.weights.set(rng.integers(-50, 250, dd.weights.shape[1]), idx=0)
        dd.delays.set(np.int32(0), idx=(dd.delays.shape[0] - 1, 0))


def _run(seed, cfg, n, splits, edits=True, dd_exp=0, sizes=(3, 7), in_place=True):
    root, lifs, conns = _net(seed, n, dd_exp, sizes)

    def between(k):
        if root.runtime.chip is not None:
            root.runtime.chip.in_place_updates = in_place
        _edits(seed, conns, k)
    return lib.run_recorded(root, lifs, n, cfg, splits=splits,
                            between=between if edits else None)


@pytest.mark.parametrize("seed", range(20))
def test_weights_delays_set_between_runs_equal_cpu(seed):
    """Seeded networks; sets at three random steps: same-pattern weights
    (rewritten in place), changed patterns and delays (full reload), idx
    sets; seeds >= 14 force the full reload for every set."""
    cut = np.sort(np.random.default_rng(seed).choice(np.arange(3, 34), 3, replace=False))
    n, splits = 36, np.diff(np.concatenate([[0], cut, [36]])).tolist()
    want, wsink, _ = _run(seed, CPU_CFG, n, splits)
    got, gsink, chip = _run(seed, _chip(), n, splits, in_place=seed < 14)
    diff = lib.first_difference(got, want)
    assert diff is None, f"seed {seed}: {diff}"
    assert np.array_equal(gsink["sink"], wsink["sink"])
    assert chip.reloads == 3 + 2 + 2
    assert any(r["in_place"] for r in chip.reload_log) == (seed < 14)
    assert not all(r["in_place"] for r in chip.reload_log)
    # the edits really changed the run, and input was in flight at the sets
    plain, _, _ = _run(seed, CPU_CFG, n, splits, edits=False)
    assert lib.first_difference(plain, want) is not None
    assert any(r["acc_words"] for r in chip.reload_log)


def test_split_populations_moving_between_cores():
    """Populations split over cores (6 compartments, 64 synapse words a
    core); changed sparsity changes the packing and the placement, so
    neurons and their in-flight input move to other tiles and compartments,
    and the set of used tiles changes."""
    cfg = ChipCfg(params=ChipParams(mesh_w=4, mesh_h=4, n_compartments=6, n_synapses=64,
                                    n_axons=64, n_fanout=128), engine="model")
    n, splits = 30, [9, 11, 10]
    moved, retiled = 0, 0
    for seed in range(6):
        want, wsink, _ = _run(seed, CPU_CFG, n, splits, sizes=(7, 14))
        got, gsink, chip = _run(seed, cfg, n, splits, sizes=(7, 14))
        diff = lib.first_difference(got, want)
        assert diff is None, f"seed {seed}: {diff}"
        assert np.array_equal(gsink["sink"], wsink["sink"])
        assert chip.stats.total_counters.shape[0] == len(chip.node.tiles)
        moved += sum(r["moved"] for r in chip.reload_log)
        retiled += len({tuple(r["tiles"]) for r in chip.reload_log}) > 1
    assert moved > 0 and retiled > 0


def test_in_flight_delayed_input_crosses_the_set():
    """A spike sent through a delay-5 synapse just before the set arrives
    after it with the old weight (as the CPU's DelayDense buffer); a host
    value sent in the last step goes through the old weights too."""
    n = 14
    def build():
        src = source.RingBuffer(data=np.array([[0, 0, 0, 0, 1, 1, 0]], dtype=np.int32),
                                name="src")
        l0 = LIF(shape=(1,), vth=1, du=4095, dv=4095, name="L0")
        l1 = LIF(shape=(2,), vth=100000, du=0, dv=4095, name="L1")
        d_in = Dense(weights=np.array([[100]]), name="d_in")
        dd = DelayDense(weights=np.array([[30], [-20]]), delays=np.array([[5], [2]]),
                        max_delay=6, name="dd")
        src.s_out.connect(d_in.s_in)
        d_in.a_out.connect(l0.a_in)
        l0.s_out.connect(dd.s_in)
        dd.a_out.connect(l1.a_in)
        return l0, [l0, l1], d_in, dd

    def edit(d_in, dd):
        d_in.weights.set(np.array([[0]]))
        dd.weights.set(np.array([[7], [9]]))
        dd.delays.set(np.array([[1], [0]]))

    res = []
    for cfg in (CPU_CFG, _chip((1, 1))):
        root, lifs, d_in, dd = build()
        res.append(lib.run_recorded(root, lifs, n, cfg, splits=[6, 8],
                                    between=lambda k: edit(d_in, dd)))
    (want, _, _), (got, _, chip) = res
    assert lib.first_difference(got, want) is None, lib.first_difference(got, want)
    assert want["L0"]["s_out"].sum() == 2          # the second spike used the old d_in
    assert chip.reload_log[0]["acc_words"] > 0 and chip.reload_log[0]["deferred"] == 1


def test_negative_weight_exp_groups_per_delay():
    """weight_exp < 0: one accumulator group per delay; sets that keep the
    delays' set carry every group; equal to the CPU."""
    n, splits = 30, [10, 10, 10]
    for seed in (3, 4):
        def edits(conns, k):
            w = conns["dd"].weights.get()
            conns["dd"].weights.set(np.where(w != 0, w + 17 * (k + 1), 0))
        res = []
        for cfg in (CPU_CFG, _chip()):
            root, lifs, conns = _net(seed, n, dd_exp=-2)
            res.append(lib.run_recorded(root, lifs, n, cfg, splits=splits,
                                        between=lambda k: edits(conns, k)))
        (want, _, _), (got, _, _) = res
        assert lib.first_difference(got, want) is None, lib.first_difference(got, want)


def test_removing_a_delay_group_with_input_in_flight_is_rejected():
    src = source.RingBuffer(data=np.ones((1, 4), dtype=np.int32), name="src")
    l0 = LIF(shape=(1,), vth=1, du=4095, dv=4095, name="L0")
    l1 = LIF(shape=(1,), vth=100000, name="L1")
    d_in = Dense(weights=np.array([[100]]), name="d_in")
    dd = DelayDense(weights=np.array([[40]]), delays=np.array([[4]]), max_delay=6,
                    weight_exp=-1, name="dd")
    src.s_out.connect(d_in.s_in)
    d_in.a_out.connect(l0.a_in)
    l0.s_out.connect(dd.s_in)
    dd.a_out.connect(l1.a_in)
    l0.run(condition=RunSteps(num_steps=5), run_cfg=_chip((1, 1)))
    with pytest.raises(KilaueaError, match="in flight"):
        dd.delays.set(np.array([[2]]))
    # nothing changed: the host copy is the old one and the run goes on
    assert dd.delays.get()[0, 0] == 4
    with pytest.raises(CompileError, match="delay"):
        dd.delays.set(np.array([[15]]))           # beyond the chip's largest delay
    assert dd.delays.get()[0, 0] == 4
    l0.run(condition=RunSteps(num_steps=2))
    with pytest.raises(KilaueaError, match="a_buff"):
        dd.a_buff.set(np.zeros(dd.a_buff.shape))
    l0.stop()


def test_set_while_paused_continuous():
    """RunContinuous on the chip, pause at step t, the CPU runs t steps, the
    same weight/delay sets on both, then both go on equal."""
    n_steps = 400
    root, lifs, conns = _net(6, n_steps)
    root.run(condition=RunContinuous(), run_cfg=_chip())
    time.sleep(0.05)
    root.pause()
    t = root.runtime.time_step
    assert t >= 1 and root.runtime.state == "paused"
    croot, clifs, cconns = _net(6, n_steps)
    croot.run(condition=RunSteps(num_steps=t), run_cfg=CPU_CFG)

    def same(where):
        for a, b in zip(lifs, clifs):
            for name in ("u", "v"):
                assert np.array_equal(getattr(a, name).get(), getattr(b, name).get()), \
                    f"{where}: {a.name}.{name} (paused at step {t})"
    same("at the pause")
    for cs in (conns, cconns):
        _edits(6, cs, 1)
    for c in ("d_in", "dd", "rec"):
        a, b = conns[c].weights.get(), cconns[c].weights.get()
        a, b = (x.toarray() if sp.issparse(x) else x for x in (a, b))
        assert np.array_equal(a, b)
    for k in range(3):
        root.run(condition=RunSteps(num_steps=4))
        croot.run(condition=RunSteps(num_steps=4))
        same(f"after {4 * (k + 1)} more steps")
    for c in ("d_in", "dd", "rec"):              # prepared by the first step after the set
        a, b = conns[c].weights.get(), cconns[c].weights.get()
        a, b = (x.toarray() if sp.issparse(x) else np.asarray(x) for x in (a, b))
        assert np.array_equal(a, b), c
    root.run(condition=RunContinuous())
    time.sleep(0.02)
    root.pause()
    croot.run(condition=RunSteps(num_steps=root.runtime.time_step - croot.runtime.time_step))
    same("at the second pause")
    _edits(6, conns, 0)
    _edits(6, cconns, 0)
    root.run(condition=RunSteps(num_steps=6))
    croot.run(condition=RunSteps(num_steps=6))
    same("after the second set")
    root.stop()
    croot.stop()


def test_weights_set_on_the_rtl():
    """One small case on the RTL (Amaranth simulator): sets between runs
    equal the CPU."""
    n, splits = 12, [5, 7]
    seed = 2

    def small(cfg):
        rng = np.random.default_rng(seed)
        src = source.RingBuffer(data=(rng.random((2, 5)) < 0.6).astype(np.int32), name="src")
        l0 = LIF(shape=(2,), vth=20, du=900, dv=1200, name="L0")
        l1 = LIF(shape=(2,), vth=30, du=500, dv=700, name="L1")
        d_in = Dense(weights=np.array([[40, 0], [0, 60]]), name="d_in")
        dd = DelayDense(weights=np.array([[50, 0], [30, 40]]), delays=np.array([[2, 0], [1, 3]]),
                        max_delay=4, name="dd")
        src.s_out.connect(d_in.s_in)
        d_in.a_out.connect(l0.a_in)
        l0.s_out.connect(dd.s_in)
        dd.a_out.connect(l1.a_in)

        def edit(k):
            d_in.weights.set(np.array([[10, 0], [0, 20]]))       # same pattern: in place
            dd.weights.set(np.array([[0, 45], [-30, 40]]))      # new pattern: full reload
            dd.delays.set(np.array([[1, 2], [1, 0]]))
        return lib.run_recorded(l0, [l0, l1], n, cfg, splits=splits, between=edit)

    want, _, _ = small(CPU_CFG)
    got, _, chip = small(ChipCfg(engine="pysim", mesh=(1, 1), counters=False))
    assert lib.first_difference(got, want) is None, lib.first_difference(got, want)
    assert chip.reloads == 3
    assert [r["in_place"] for r in chip.reload_log][:2] == [True, False]


def _sdn(seed, n_steps):
    """Graded host source -> Dense (graded) -> SigmaDelta -> Dense -> SigmaDelta
    and -> GradedVec; probes of every state Var and s_out."""
    from kilauea import GradedVec, SigmaDelta
    from kilauea.proc.sdn.process import ActivationMode
    rng = np.random.default_rng(seed)
    n_in, n1, n2 = (int(x) for x in rng.integers(3, 8, 3))
    sds = [SigmaDelta(shape=(n,), vth=int(rng.integers(1, 10)), bias=rng.integers(-6, 6, n),
                      spike_exp=int(rng.integers(0, 3)), state_exp=int(rng.integers(0, 3)),
                      act_mode=ActivationMode(int(rng.integers(0, 2))),
                      cum_error=bool(rng.integers(0, 2)), name=f"SD{i}")
           for i, n in enumerate((n1, n2))]
    gv = GradedVec(shape=(n2,), vth=3, exp=2, name="GV")
    src = source.RingBuffer(data=rng.integers(-40, 40, (n_in, 13)).astype(np.int32), name="src")
    d0 = Dense(weights=rng.integers(-50, 50, (n1, n_in)), num_message_bits=24, name="D0")
    d1 = Dense(weights=rng.integers(-30, 30, (n2, n1)), num_message_bits=24, weight_exp=-1,
               name="D1")
    d2 = Dense(weights=rng.integers(-20, 20, (n2, n1)), num_message_bits=24, name="D2")
    src.s_out.connect(d0.s_in)
    d0.a_out.connect(sds[0].a_in)
    sds[0].s_out.connect(d1.s_in)
    d1.a_out.connect(sds[1].a_in)
    sds[0].s_out.connect(d2.s_in)
    d2.a_out.connect(gv.a_in)
    mons = []
    from kilauea import Monitor
    for p, names in ((sds[0], ("sigma", "act", "residue", "error", "s_out")),
                     (sds[1], ("sigma", "act", "residue", "error", "s_out")), (gv, ("v",))):
        for v in names:
            m = Monitor()
            m.probe(getattr(p, v), n_steps)
            mons.append((p, v, m))
    return src, sds, gv, dict(d0=d0, d1=d1), mons


@pytest.mark.parametrize("seed", range(4))
def test_neuron_host_vars_set_between_runs_equal_cpu(seed):
    """SigmaDelta.cum_error (selects the program variant) and GradedVec.exp
    set between runs, with graded weights: every state word and spike equal."""
    n, splits = 30, [8, 12, 10]
    out = []
    for cfg in (CPU_CFG, _chip()):
        src, sds, gv, conns, mons = _sdn(seed, n)

        def edit(k):
            sd = sds[k % 2]
            sd.cum_error.set(np.logical_not(sd.cum_error.get()))
            gv.exp.set(np.full(gv.exp.shape, 5 + k))
            w = conns["d1"].weights.get()
            conns["d1"].weights.set(w + (k + 1) * (w != 0))
            conns["d0"].weights.set(-conns["d0"].weights.get())
        for k, m in enumerate(splits):
            src.run(condition=RunSteps(num_steps=m), run_cfg=cfg)
            if k < len(splits) - 1:
                edit(k)
        rec = {(p.name, v): np.asarray(mo.get_data()[p.name][v]).reshape(n, -1).astype(np.int64)
               for p, v, mo in mons}
        rec["exp"] = np.asarray(gv.exp.get())
        rec["cum"] = np.array([bool(np.asarray(sd.cum_error.get()).reshape(-1)[0]) for sd in sds])
        src.stop()
        out.append(rec)
    want, got = out
    for key in want:
        assert np.array_equal(got[key], want[key]), f"seed {seed}: {key}"
    assert want[("SD1", "s_out")].any()
