"""Passes 4-7: split across cores, placement, allocation (axons, synapse
words, delays, fan-out with host entries), images, VarSlots, the report,
and the capacity errors (resource, core, shortfall)."""
import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import LIF, Dense, DelayDense
from kilauea.compiler import CompileError
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import compartment_memory as ncm
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.neurocore.neuron_engine import update_cycles
from kilauea.neurons import library
from kilauea.hw.params import ChipParams
from kilauea.proc.io import sink, source

SMALL = dict(n_compartments=16, n_synapses=512, n_axons=64, n_fanout=128,
             n_acc_rows=64)               # room for multi-group compartments


def _chain(n1, n2, w=None, **kw):
    a = LIF(shape=(n1,), vth=3, bias_mant=5, bias_exp=6, name="A")
    d = Dense(weights=np.ones((n2, n1), dtype=int) if w is None else w, name="D", **kw)
    b = LIF(shape=(n2,), name="B")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    return a, d, b


def test_population_larger_than_a_core_is_split():
    a, d, b = _chain(40, 5)
    _, cn = tk.compile_procs(a, ChipParams(mesh_w=2, mesh_h=2, **SMALL))
    pieces = [p for c in cn.report.cores for p in c.processes]
    assert pieces == ["A[0:16]", "A[16:32]", "A[32:40]", "B[0:5]"]
    assert all(c.compartments <= 16 for c in cn.report.cores)
    assert cn.report.total_synapses == 200
    # each of the 40 sources has one fan-out entry per core holding B
    n_b_cores = sum(any(p.startswith("B") for p in c.processes) for c in cn.report.cores)
    assert cn.report.total_fanout == 40 * n_b_cores
    slot = cn.var_slot(a, "u")
    assert len(slot.copies) == 1 and len(slot.copies[0]) == 40
    du = cn.var_slot(a, "du")
    assert len(du.copies) == sum(any(p.startswith("A") for p in c.processes)
                                 for c in cn.report.cores) >= 3


def test_synapse_capacity_splits_targets():
    a, d, b = _chain(30, 12)             # 360 synapses, n_synapses=100
    _, cn = tk.compile_procs(a, ChipParams(mesh_w=3, mesh_h=2, **dict(SMALL, n_synapses=100,
                                                                       n_compartments=64)))
    assert all(c.synapses <= 100 for c in cn.report.cores)
    assert cn.report.total_synapses == 360


def test_neuron_with_too_many_synapses_names_resource_and_shortfall():
    a, d, b = _chain(30, 2)
    with pytest.raises(CompileError, match=r"process 'B' neuron 0 does not fit an empty core: it "
                                           r"needs 30 synapses .* a core has 20 \(short by 10\)"):
        tk.compile_procs(a, ChipParams(mesh_w=2, mesh_h=2, **dict(SMALL, n_synapses=20)))


def test_too_many_neurons_for_the_mesh():
    a, d, b = _chain(60, 20)
    with pytest.raises(CompileError, match=r"needs 6 cores but the 2 x 2 mesh has 4 \(short by 2 "
                                           r"cores; .*compartments: 80 needed, the mesh has 64 "
                                           r"\(short by 16\)"):
        tk.compile_procs(a, ChipParams(mesh_w=2, mesh_h=2, **SMALL))


def test_delay_beyond_the_slots_names_the_synapse():
    a = LIF(shape=(3,), name="A")
    d = DelayDense(weights=np.ones((2, 3), dtype=int), delays=np.array([[0, 1, 2], [3, 7, 0]]),
                   name="DD")
    b = LIF(shape=(2,), name="B")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    # 8 slots: the largest delay is 6
    with pytest.raises(CompileError, match=r"process 'DD': synapse from A element 1 to B element 1 "
                                           r"has delay 7, more than the chip's largest delay 6"):
        tk.compile_procs(a, ChipParams(mesh_w=1, mesh_h=1, n_delay_slots=8, **SMALL))
    d.delays.init = np.array([[0, 1, 2], [3, 6, 0]])
    _, cn = tk.compile_procs(a, ChipParams(mesh_w=1, mesh_h=1, n_delay_slots=8, **SMALL))
    assert cn.report.cores[0].max_delay == 6


def test_images_axons_synapses_fanout_and_host_numbering():
    src = source.RingBuffer(data=np.ones((2, 3), dtype=int), name="S")
    din = Dense(weights=np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3]])[:, :2], name="Din",
                num_message_bits=8)
    a, d, b = _chain(3, 2, w=np.array([[10, 0, 30], [0, 20, 0]]))
    src.s_out.connect(din.s_in)
    din.a_out.connect(a.a_in)
    sa = sink.RingBuffer(shape=(3,), buffer=2, name="sa")
    sb = sink.RingBuffer(shape=(2,), buffer=2, name="sb")
    a.s_out.connect(sa.a_in)
    b.s_out.connect(sb.a_in)
    _, cn = tk.compile_procs(a, ChipParams(mesh_w=1, mesh_h=1, **SMALL))
    img = cn.images[(0, 0)]
    assert img[Mem.CONFIG].tolist() == [5]
    ax = cm.unpack_axon(img[Mem.AXON])
    syn = cm.unpack_synapse(cn.params, img[Mem.SYNAPSE])
    # axons: 3 from A (binary), 2 from the host source S (graded)
    assert len(ax["base"]) == 5 and sorted(ax["graded"].tolist()) == [0, 0, 0, 1, 1]
    triples = sorted(zip(syn["row"].tolist(), syn["weight"].tolist()))
    # A at compartments 0..2, B at 3..4 (population order), B gets the prepared weights;
    # one accumulator group each, so compartment c's row is c
    assert ncm.unpack_param_acc_row(img[Mem.PARAM][::ncm.PARAM_WORDS]).tolist() == [0, 1, 2, 3, 4]
    assert triples == [(0, 1), (1, 2), (3, 10), (3, 30), (4, 20)]
    assert int(ax["count"].sum()) == 5 and (ax["base"] + ax["count"]).max() == 5
    # host outputs: A's s_out then B's, numbered per HostOutput
    assert [(o.port.process.name, o.axon_base, o.size) for o in cn.outputs] == [("A", 0, 3),
                                                                                ("B", 3, 2)]
    fi = cm.unpack_fanout_index(img[Mem.FANOUT_INDEX])
    fo = cm.unpack_fanout(img[Mem.FANOUT])
    assert fi["count"].tolist() == [2, 2, 2, 1, 1]    # A: one axon in B's core + host; B: host
    host_entries = fo["host"] == 1
    assert sorted(fo["axon"][host_entries].tolist()) == [0, 1, 2, 3, 4]
    (hi,) = cn.inputs
    assert hi.graded and hi.step_offset == 0 and hi.ptr.tolist() == [0, 1, 2]
    assert cn.var_slot(d, "weights").host_only


def test_placement_beats_row_major_on_a_chain():
    # five populations in a chain, each filling a core: on a 3 x 2 mesh a
    # row-major placement puts cores 2 and 3 two hops apart
    lifs = [LIF(shape=(16,), name=f"P{i}") for i in range(5)]
    for i in range(4):
        d = Dense(weights=np.ones((16, 16), dtype=int))
        lifs[i].s_out.connect(d.s_in)
        d.a_out.connect(lifs[i + 1].a_in)
    params = ChipParams(mesh_w=3, mesh_h=2, **dict(SMALL, n_synapses=1024))
    _, cn = tk.compile_procs(lifs[0], params)
    r = cn.report
    assert len(r.cores) == 5
    assert r.placement_cost < r.row_major_cost
    text = str(r)
    assert "row-major would be" in text and "P4[0:16]" in text
    lif_update = update_cycles(library.lif(1).cycles(), params)     # the engine's cost model
    assert all(c.est_cycles >= 16 * lif_update + 16 for c in r.cores)


def test_microcode_overflow_names_the_resource():
    a, d, b = _chain(3, 2)
    with pytest.raises(CompileError, match=r"process 'A' neuron 0 does not fit an empty core: it "
                                           r"needs \d+ ucode \(words\) but a core has 20 "
                                           r"\(short by \d+\)"):
        tk.compile_procs(a, ChipParams(mesh_w=2, mesh_h=2, **dict(SMALL, n_ucode=20)))


def test_profiles_fill_cores_and_the_mesh_error_says_so():
    lifs = [LIF(shape=(2,), name=f"Q{i}") for i in range(5)]
    for i in range(4):
        d = Dense(weights=np.ones((2, 2), dtype=int))
        lifs[i].s_out.connect(d.s_in)
        d.a_out.connect(lifs[i + 1].a_in)
    with pytest.raises(CompileError, match=r"needs 3 cores but the 2 x 1 mesh has 2 \(short by 1 "
                                           r"cores; 2 core\(s\) full of profiles\)"):
        tk.compile_procs(lifs[0], ChipParams(mesh_w=2, mesh_h=1, **dict(SMALL, n_profiles=2)))
    _, cn = tk.compile_procs(lifs[0], ChipParams(mesh_w=3, mesh_h=1, **dict(SMALL, n_profiles=2)))
    assert [c.profiles for c in cn.report.cores] == [2, 2, 1]


def test_axon_capacity_and_fanout_capacity_are_respected():
    a, d, b = _chain(40, 16)                   # every B neuron hears all 40 A neurons
    p = ChipParams(mesh_w=3, mesh_h=2, **dict(SMALL, n_axons=50, n_fanout=30, n_compartments=40))
    _, cn = tk.compile_procs(a, p)
    assert all(c.axons <= 50 and c.fanout <= 30 for c in cn.report.cores)
    assert cn.report.total_synapses == 640


def test_input_range_warning():
    src = LIF(shape=(2,), name="many")
    d = Dense(weights=np.full((1, 2), 255), num_message_bits=24, name="big")
    tgt = LIF(shape=(1,), name="hot")
    src.s_out.connect(d.s_in)
    d.a_out.connect(tgt.a_in)
    _, cn = tk.compile_procs(src, ChipParams(mesh_w=1, mesh_h=1))
    assert any("'hot'" in w and "int32" in w for w in cn.report.warnings)
    assert "warning: process 'hot'" in str(cn.report)
    d2 = Dense(weights=np.full((1, 2), 255), name="small")
    src2, tgt2 = LIF(shape=(2,)), LIF(shape=(1,), name="cool")
    src2.s_out.connect(d2.s_in)
    d2.a_out.connect(tgt2.a_in)
    _, cn = tk.compile_procs(src2, ChipParams(mesh_w=1, mesh_h=1))
    assert cn.report.warnings == []


def test_too_many_synapses_for_the_mesh():
    a, d, b = _chain(16, 30)              # 480 synapses, 4 cores of 100 words
    with pytest.raises(CompileError, match=r"the 2 x 2 mesh has 4 \(short by \d+ cores; .*full of "
                                           r"synapses.*synapses: 480 needed, the mesh has 400 "
                                           r"\(short by 80\)"):
        tk.compile_procs(a, ChipParams(mesh_w=2, mesh_h=2, **dict(SMALL, n_synapses=100,
                                                                  n_compartments=64)))


def _big(seed=0):
    rng = np.random.default_rng(seed)
    a = LIF(shape=(200,), name="big_a")
    b = LIF(shape=(200,), name="big_b")
    d = Dense(weights=rng.integers(1, 50, (200, 200)) * (rng.random((200, 200)) < 0.5))
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    return a


def test_big_networks_are_balanced_over_the_mesh_and_compiles_are_deterministic():
    _, cn = tk.compile_procs(_big(), ChipParams())
    r = cn.report
    assert len(r.cores) == 4                       # densest packing would use 1 core
    assert max(c.est_cycles for c in r.cores) < 0.5 * sum(c.est_cycles for c in r.cores)
    _, dense = tk.compile_procs(_big(), ChipParams(), balance=False)
    assert len(dense.report.cores) == 1
    _, again = tk.compile_procs(_big(), ChipParams())
    assert cn.images.keys() == again.images.keys()
    for tile in cn.images:
        for mem, words in cn.images[tile].items():
            assert np.array_equal(words, again.images[tile][mem]), (tile, mem)
