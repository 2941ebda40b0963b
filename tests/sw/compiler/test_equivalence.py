"""The real proof: compiled networks on the golden chip model equal the CPU
fixed_pt models bit for bit (every spike that reaches the host, every u and
v, every step), for seeded random layered and recurrent networks on several
meshes with populations split over cores, the spec's worked example and edge
cases, and the walkthrough network."""
import importlib.util
import pathlib

import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import LIF, Dense, DelayDense
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.params import ChipParams
from kilauea.proc.io import sink, source

SMALL = dict(n_compartments=16, n_synapses=512, n_axons=64, n_fanout=128,
             n_acc_rows=64)               # room for multi-group compartments
MESHES = [(1, 1), (2, 2), (3, 2)]


@pytest.mark.parametrize("mesh", MESHES, ids=lambda m: f"{m[0]}x{m[1]}")
@pytest.mark.parametrize("seed", range(6))
def test_random_networks_equal_cpu(seed, mesh):
    params = ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], **SMALL)
    cn, ref = tk.compare(seed, recurrent=seed % 2 == 1, params=params, n_steps=50,
                         max_neurons=14 * params.n_tiles)
    assert sum(int(r["s_out"].sum()) for r in ref.values()) > 0, f"seed {seed}: nothing spiked"


def test_random_networks_exercise_splitting_and_all_features():
    """The seeds above split populations over cores and use every feature."""
    kinds, splits, graded, direct = set(), 0, 0, 0
    for seed in range(6):
        for mesh in MESHES[1:]:
            params = ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], **SMALL)
            root, lifs = tk.random_network(seed, seed % 2 == 1, 14 * params.n_tiles)
            _, cn = tk.compile_procs(root, params)
            kinds |= {type(p).__name__ for p in cn.chip_processes}
            names = [p.split("[")[0] for c in cn.report.cores for p in c.processes]
            splits += len(names) - len(set(names))
            graded += sum(hi.graded and hi.step_offset == 0 for hi in cn.inputs)
            direct += sum(hi.step_offset == -1 for hi in cn.inputs)
    assert {"LIF", "LIFReset", "LIFRefractory", "Dense", "Sparse", "DelayDense"} <= kinds
    assert splits >= 5 and graded >= 2 and direct >= 2


def test_a_corrupted_synapse_is_detected():
    """Negative control: the comparison fails when one weight is off by 2."""
    root, lifs = tk.random_network(3, False, 20)
    ref = tk.run_cpu(root, 40, lifs)
    root, lifs = tk.random_network(3, False, 20)
    _, cn = tk.compile_procs(root, ChipParams(mesh_w=1, mesh_h=1, **SMALL))
    images = {t: dict(m) for t, m in cn.images.items()}
    syn = images[(0, 0)][Mem.SYNAPSE].copy()
    f = cm.unpack_synapse(cn.params, syn)
    f["weight"][: len(syn)] += 2
    images[(0, 0)][Mem.SYNAPSE] = cm.pack_synapse(cn.params, f["row"], f["weight"], f["delay"])
    rec, _, _ = tk.run_chip(cn, 40, [(l, "u") for l in lifs], images=images)
    assert any(not np.array_equal(rec[(id(l), "u")].reshape(40, -1), ref[l.name]["u"])
               for l in lifs)


def _worked_example():
    l1 = LIF(shape=(3,), du=0, dv=0, bias_mant=[2, 3, 4], bias_exp=6, vth=8, name="layer1")
    d = Dense(weights=np.array([[100, 0, 0], [0, 60, 0], [50, 50, -80]]), name="dense")
    l2 = LIF(shape=(3,), du=1024, dv=512, vth=20, name="layer2")
    l1.s_out.connect(d.s_in)
    d.a_out.connect(l2.a_in)
    l1.s_out.connect(sink.RingBuffer(shape=(3,), buffer=12).a_in)
    return l1, l2


@pytest.mark.parametrize("mesh,n_comp", [((1, 1), 16), ((2, 1), 3), ((3, 2), 2)])
def test_spec_worked_example(mesh, n_comp):
    l1, l2 = _worked_example()
    _, cn = tk.compile_procs(l1, ChipParams(mesh_w=mesh[0], mesh_h=mesh[1],
                                            **dict(SMALL, n_compartments=n_comp)))
    rec, spikes, _ = tk.run_chip(cn, 12, [(l2, "u"), (l2, "v")])
    s = spikes[id(l1.s_out)]
    assert (np.flatnonzero(s[:, 0]) + 1).tolist() == [5, 10]
    assert (np.flatnonzero(s[:, 1]) + 1).tolist() == [3, 6, 9, 12]
    assert (np.flatnonzero(s[:, 2]) + 1).tolist() == [3, 6, 9, 12]
    u, v = rec[(id(l2), "u")][:, 2], rec[(id(l2), "v")][:, 2]
    assert u.tolist() == [0, 0, 0, -1920, -1439, 2122, -330, -247, -185, -2058, 1658, 1243]
    assert v[3:].tolist() == [-1920, -3119, -607, -861, -1000, -1060, -2985, -953, 410]


def test_spec_two_projections_with_negative_exponent():
    src = LIF(shape=(2,), du=0, dv=0, bias_mant=[3, 5], bias_exp=6, vth=4, name="src")
    tgt = LIF(shape=(2,), du=4095, dv=0, vth=100000, name="tgt")
    for w in ([[101, -77], [33, 255]], [[1, 1], [-3, 7]]):
        d = Dense(weights=np.array(w), weight_exp=-1)
        src.s_out.connect(d.s_in)
        d.a_out.connect(tgt.a_in)
    _, cn = tk.compile_procs(src, ChipParams(mesh_w=1, mesh_h=1, **SMALL))
    rec, _, _ = tk.run_chip(cn, 5, [(tgt, "u")])
    assert rec[(id(tgt), "u")].tolist() == [[0, 0], [-2496, 8320], [704, 9216], [-2496, 8320],
                                            [704, 9216]]


def test_spec_delay_dense_floors_per_source_step():
    src = source.RingBuffer(data=np.array([[1, 0, 0, 0], [0, 1, 0, 0]]), name="src")
    d = DelayDense(weights=np.array([[1, 1]]), delays=np.array([[1, 0]]), weight_exp=-1)
    tgt = LIF(shape=(1,), du=4095, dv=0, vth=100000, name="tgt")
    src.s_out.connect(d.s_in)
    d.a_out.connect(tgt.a_in)
    ref = tk.run_cpu(tgt, 4, [tgt])
    src = source.RingBuffer(data=np.array([[1, 0, 0, 0], [0, 1, 0, 0]]), name="src")
    d = DelayDense(weights=np.array([[1, 1]]), delays=np.array([[1, 0]]), weight_exp=-1)
    tgt = LIF(shape=(1,), du=4095, dv=0, vth=100000, name="tgt")
    src.s_out.connect(d.s_in)
    d.a_out.connect(tgt.a_in)
    _, cn = tk.compile_procs(tgt, ChipParams(mesh_w=1, mesh_h=1, **SMALL))
    rec, _, _ = tk.run_chip(cn, 4, [(tgt, "u")])
    assert rec[(id(tgt), "u")][:, 0].tolist() == ref["tgt"]["u"][:, 0].tolist() == [0, 0, 0, 0]


def test_spec_wrap_of_u_and_clip_of_v():
    src = LIF(shape=(200,), bias_mant=100, bias_exp=6, vth=8, name="src")
    d = Dense(weights=np.full((1, 200), 255), weight_exp=2)
    tgt = LIF(shape=(1,), du=4095, dv=0, bias_mant=-4096, bias_exp=7, vth=100000, name="tgt")
    src.s_out.connect(d.s_in)
    d.a_out.connect(tgt.a_in)
    _, cn = tk.compile_procs(src, ChipParams(mesh_w=1, mesh_h=1))
    rec, _, _ = tk.run_chip(cn, 5, [(tgt, "u"), (tgt, "v")])
    assert rec[(id(tgt), "u")][:, 0].tolist() == [0] + [-3721216] * 4
    assert rec[(id(tgt), "v")][:, 0].tolist() == [-524288, -4769792] + [-8388607] * 3


def _walkthrough():
    path = pathlib.Path(__file__).parents[3] / "docs" / "walkthrough.py"
    spec = importlib.util.spec_from_file_location("kilauea_docs_walkthrough", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _walkthrough_net(wt, part, seed=0):
    p = wt.PARAMS["fixed_pt"]
    rng = np.random.default_rng(seed)
    lif1 = LIF(shape=(3,), name="lif1", **(p["lif1"] if part == 1 else dict(p["lif1"], bias_mant=0)))
    dense = Dense(weights=p["weights"](rng), name="dense")
    lif2 = LIF(shape=(2,), name="lif2", **p["lif2"])
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    if part == 2:
        gen = wt.SpikeGenerator(shape=(3,), spike_prob=p["spike_prob"], seed=seed)
        dense_input = Dense(weights=np.eye(3) * p["input_weight"], name="dense_input")
        gen.s_out.connect(dense_input.s_in)
        dense_input.a_out.connect(lif1.a_in)
    for lif in (lif1, lif2):
        lif.s_out.connect(sink.RingBuffer(shape=lif.s_out.shape, buffer=2).a_in)
    return lif1, lif2


@pytest.mark.parametrize("part", [1, 2])
def test_walkthrough_fixed_point(part):
    wt = _walkthrough()
    n = 100
    lif1, lif2 = _walkthrough_net(wt, part)
    ref = tk.run_cpu(lif2, n, [lif1, lif2])
    lif1, lif2 = _walkthrough_net(wt, part)
    _, cn = tk.compile_procs(lif2, ChipParams())
    rngs = {}

    def host_values(proc, t):               # the SpikeGenerator's model, step by step
        if proc not in rngs:
            rngs[proc] = np.random.default_rng(proc.proc_params["seed"])
        prob = int(np.asarray(proc.spike_prob.init).reshape(-1)[0])
        return rngs[proc].random(tuple(proc.s_out.shape)) < prob / 100

    rec, spikes, _ = tk.run_chip(cn, n, [(l, v) for l in (lif1, lif2) for v in "uv"], host_values)
    for lif in (lif1, lif2):
        for v in "uv":
            assert np.array_equal(rec[(id(lif), v)], ref[lif.name][v]), (lif.name, v)
        assert np.array_equal(spikes[id(lif.s_out)], ref[lif.name]["s_out"]), lif.name
        assert ref[lif.name]["s_out"].sum() > 0, f"{lif.name} never spiked"


def test_var_writes_through_slots_change_the_future_as_on_cpu():
    """Vars written mid-run through their VarSlots (a split population: du
    has one copy per core) change the chip run exactly as Var.set between
    two CPU runs."""
    params = ChipParams(mesh_w=2, mesh_h=2, **SMALL)
    new = dict(du=3000, vth=40, bias_mant=lambda n: np.arange(n) % 7 - 2)

    def setv(lifs, write):
        for lif in lifs:
            n = lif.s_out.size
            for name, val in new.items():
                write(lif, name, val(n) if callable(val) else val)

    root, lifs = tk.random_network(4, True, 56)
    ref = tk.run_cpu(root, 50, lifs, pause_at=20,
                     on_pause=lambda: setv(lifs, lambda l, k, v: getattr(l, k).set(
                         np.broadcast_to(np.asarray(v), getattr(l, k).shape).copy())))
    root, lifs = tk.random_network(4, True, 56)
    _, cn = tk.compile_procs(root, params)
    assert any(len(cn.var_slot(l, "du").copies) > 1 for l in lifs)

    def before(t, eng):
        if t == 21:
            setv(lifs, lambda l, k, v: tk.write_var(eng, cn.var_slot(l, k), v))

    rec, _, _ = tk.run_chip(cn, 50, [(l, v) for l in lifs for v in "uv"], before_step=before)
    for lif in lifs:
        for v in "uv":
            assert np.array_equal(rec[(id(lif), v)].reshape(50, -1), ref[lif.name][v]), \
                (lif.name, v)


def test_rtl_engine_runs_the_same_images():
    """A smaller set on the RTL (Amaranth simulator): a recurrent network
    split over both cores of a 2 x 1 mesh equals the CPU for 8 steps."""
    from kilauea.sim.engines.pysim import PysimEngine
    p = ChipParams(mesh_w=2, mesh_h=1, n_compartments=16, n_synapses=256, n_axons=32,
                   n_fanout=64, n_ucode=128, n_profiles=4, n_acc_rows=64)
    n = 8
    root, lifs = tk.random_network(7, True, 26)
    ref = tk.run_cpu(root, n, lifs)
    root, lifs = tk.random_network(7, True, 26)
    _, cn = tk.compile_procs(root, p)
    assert len(cn.report.cores) == 2
    rec, spikes, eng = tk.run_chip(cn, n, [(l, v) for l in lifs for v in "uv"], engine=PysimEngine)
    eng.close()
    for lif in lifs:
        for v in "uv":
            assert np.array_equal(rec[(id(lif), v)].reshape(n, -1), ref[lif.name][v]), (lif.name, v)
        if id(lif.s_out) in spikes:
            assert np.array_equal(spikes[id(lif.s_out)], ref[lif.name]["s_out"]), lif.name
    assert sum(int(r["s_out"].sum()) for r in ref.values()) > 0


def _ported_net():
    rng = np.random.default_rng(11)
    a = LIF(shape=(2, 3), bias_mant=rng.integers(10, 40, (2, 3)), bias_exp=6, vth=60, name="pa")
    b = LIF(shape=(4,), bias_mant=rng.integers(10, 40, 4), bias_exp=6, vth=80, name="pb")
    d = Dense(weights=rng.integers(-60, 120, (5, 10)), name="cat")
    c = LIF(shape=(5,), du=900, dv=400, vth=30, name="pc")
    d2 = Dense(weights=rng.integers(0, 90, (6, 5)), name="back")
    a.s_out.flatten().concat_with([b.s_out], axis=0).connect(d.s_in)
    d.a_out.connect(c.a_in)
    c.s_out.connect(d2.s_in)
    d2.a_out.reshape((3, 2)).transpose().connect(a.a_in)
    c.s_out.connect(sink.RingBuffer(shape=(5,), buffer=2).a_in)
    return c, [a, b, c]


def test_reshaped_transposed_and_concatenated_ports():
    root, lifs = _ported_net()
    ref = tk.run_cpu(root, 40, lifs)
    root, lifs = _ported_net()
    _, cn = tk.compile_procs(root, ChipParams(mesh_w=2, mesh_h=2, **dict(SMALL, n_compartments=6)))
    rec, spikes, _ = tk.run_chip(cn, 40, [(l, v) for l in lifs for v in "uv"])
    for lif in lifs:
        for v in "uv":
            assert np.array_equal(rec[(id(lif), v)].reshape(40, -1), ref[lif.name][v]), (lif.name, v)
    assert np.array_equal(spikes[id(lifs[2].s_out)], ref["pc"]["s_out"])
    assert ref["pc"]["s_out"].sum() > 0 and ref["pa"]["u"].any()
