"""Graded and sigma-delta neurons on the chip: seeded random networks

    host -> Dense(graded) -> GradedVec / GradedReluVec -> Dense(num_message_bits=24) -> LIF
                                                       -> Dense(binary)             -> LIF
    host -> Dense(graded) -> SigmaDelta -> Dense(graded) -> SigmaDelta <- Dense(graded) <- host

compiled with kilauea.compiler.compile_network and run on the golden engine
equal CpuSimCfg(select_tag='fixed_pt') for every payload/spike that reaches
the host and every state Var, every step (>= 50 steps), on one core and on
a 2 x 2 mesh with populations split over cores."""
import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import (LIF, ActivationMode, CpuSimCfg, Dense, GradedReluVec, GradedVec, Monitor,
                     RunSteps, SigmaDelta)
from kilauea.compiler.ncmodel import VarValues
from kilauea.hw.params import ChipParams
from kilauea.proc.graded.ncmodels import NcGradedReluVecModel, NcGradedVecModel
from kilauea.proc.io import sink, source
from kilauea.proc.sdn.ncmodels import NcSigmaDeltaModel

N_STEPS = 50
SMALL = dict(n_synapses=1024, n_axons=128, n_fanout=256)
MESHES = {"1x1": dict(mesh_w=1, mesh_h=1, n_compartments=64),
          "2x2": dict(mesh_w=2, mesh_h=2, n_compartments=8, n_acc_rows=32)}  # multi-group rows


def graded_network(seed):
    rng = np.random.default_rng(seed)
    n_in, n_g, n_l = (int(x) for x in rng.integers(4, 14, 3))
    src = source.RingBuffer(data=rng.integers(-60, 60, (n_in, 13)).astype(np.int32), name="SRC")
    dsrc = source.RingBuffer(data=rng.integers(-300, 300, (n_g, 7)).astype(np.int32),
                             name="DSRC")
    cls = GradedVec if rng.random() < 0.5 else GradedReluVec
    g = cls((n_g,), vth=int(rng.integers(0, 400)), name="G")
    d0 = Dense(weights=rng.integers(-20, 20, (n_g, n_in)), num_message_bits=24,
               weight_exp=int(rng.integers(-2, 2)), name="D0")
    d1 = Dense(weights=rng.integers(-60, 60, (n_l, n_g)), num_message_bits=24,
               weight_exp=-int(rng.integers(0, 4)), name="D1")
    d2 = Dense(weights=rng.integers(-30, 80, (n_l, n_g)), name="D2")      # binary
    lifs = [LIF(shape=(n_l,), du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
                vth=int(rng.integers(50, 3000)), bias_mant=rng.integers(-10, 10, n_l),
                name=f"L{i}") for i in range(2)]
    src.s_out.connect(d0.s_in)
    d0.a_out.connect(g.a_in)
    dsrc.s_out.connect(g.a_in)                       # host straight into a_in
    g.s_out.connect(d1.s_in)
    d1.a_out.connect(lifs[0].a_in)
    g.s_out.connect(d2.s_in)
    d2.a_out.connect(lifs[1].a_in)
    g.s_out.connect(sink.RingBuffer(shape=(n_g,), buffer=4, name="GSINK").a_in)
    for i, lif in enumerate(lifs):
        lif.s_out.connect(sink.RingBuffer(shape=(n_l,), buffer=4, name=f"LSINK{i}").a_in)
    probes = [(g, "v"), (g, "s_out")] + [(l, v) for l in lifs for v in ("u", "v", "s_out")]
    return src, probes


def sdn_network(seed):
    rng = np.random.default_rng(seed)
    n_in, n1, n2 = (int(x) for x in rng.integers(4, 14, 3))
    sds = []
    for i, n in enumerate((n1, n2)):
        spike_exp, state_exp = int(rng.integers(0, 3)), int(rng.integers(0, 4))
        sds.append(SigmaDelta(shape=(n,), vth=int(rng.integers(0, 12)),
                              bias=rng.integers(-8, 8, n), spike_exp=spike_exp,
                              state_exp=state_exp,
                              act_mode=ActivationMode(int(rng.integers(0, 2))),
                              cum_error=bool(rng.integers(0, 2)), name=f"SD{i}"))
    src = source.RingBuffer(data=rng.integers(-40, 40, (n_in, 17)).astype(np.int32), name="SRC")
    d0 = Dense(weights=rng.integers(-50, 50, (n1, n_in)), num_message_bits=24, name="D0")
    d1 = Dense(weights=rng.integers(-30, 30, (n2, n1)), num_message_bits=24,
               weight_exp=-int(rng.integers(1, 3)), name="D1")
    d2 = Dense(weights=rng.integers(-30, 30, (n2, n_in)), num_message_bits=16,
               weight_exp=-int(rng.integers(1, 3)), name="D2")      # a second group
    src.s_out.connect(d0.s_in)
    d0.a_out.connect(sds[0].a_in)
    sds[0].s_out.connect(d1.s_in)
    d1.a_out.connect(sds[1].a_in)
    src.s_out.connect(d2.s_in)
    d2.a_out.connect(sds[1].a_in)
    for sd in sds:
        sd.s_out.connect(sink.RingBuffer(shape=sd.shape, buffer=4, name=f"SINK_{sd.name}").a_in)
    probes = [(sd, v) for sd in sds for v in ("sigma", "act", "residue", "error", "s_out")]
    return src, probes


def run_cpu(root, probes):
    mons = []
    for proc, var in probes:
        m = Monitor()
        m.probe(getattr(proc, var), N_STEPS)
        mons.append(m)
    root.run(condition=RunSteps(num_steps=N_STEPS), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    out = {(p.name, v): np.asarray(m.get_data()[p.name][v]).reshape(N_STEPS, -1).astype(np.int64)
           for (p, v), m in zip(probes, mons)}
    root.stop()
    return out


def compare(make, seed, mesh):
    root, probes = make(seed)
    ref = run_cpu(root, probes)
    root, probes = make(seed)
    _, cn = tk.compile_procs(root, ChipParams(**SMALL, **MESHES[mesh]))
    var_probes = [(p, v) for p, v in probes if v != "s_out"]
    rec, spikes, _ = tk.run_chip(cn, N_STEPS, var_probes)
    for p, v in probes:
        got = (spikes[id(p.s_out)] if v == "s_out" else rec[(id(p), v)]).reshape(N_STEPS, -1)
        want = ref[(p.name, v)]
        if not np.array_equal(got, want):
            t, i = np.argwhere(got != want)[0]
            raise AssertionError(f"seed {seed} mesh {mesh}: {p.name}.{v} differs first at step "
                                 f"{t + 1} element {i}: chip {got[t, i]}, cpu {want[t, i]}")
    return cn, ref


@pytest.mark.parametrize("mesh", sorted(MESHES))
@pytest.mark.parametrize("seed", range(3))
def test_graded_network_chip_equals_cpu(seed, mesh):
    cn, ref = compare(graded_network, seed, mesh)
    assert np.count_nonzero(ref[("G", "s_out")]) > 50, f"seed {seed}: few graded spikes"
    assert ref[("L0", "s_out")].sum() + ref[("L1", "s_out")].sum() > 0, f"seed {seed}"
    if mesh == "2x2":
        assert len(cn.report.cores) > 1


@pytest.mark.parametrize("mesh", sorted(MESHES))
@pytest.mark.parametrize("seed", range(4))
def test_sigma_delta_network_chip_equals_cpu(seed, mesh):
    cn, ref = compare(sdn_network, seed, mesh)
    for sd in ("SD0", "SD1"):
        assert np.count_nonzero(ref[(sd, "s_out")]) > 20, f"seed {seed}: {sd} barely spikes"


def test_seeds_cover_every_variant():
    kinds, modes = set(), set()
    for seed in range(3):
        root, probes = graded_network(seed)
        kinds.add(type(probes[0][0]).__name__)
    for seed in range(4):
        root, probes = sdn_network(seed)
        for p, _ in probes:
            modes.add((int(p.proc_params["act_mode"]), bool(p.cum_error.init)))
    assert kinds == {"GradedVec", "GradedReluVec"}
    assert len(modes) >= 3


def test_chip_models_declare_graded_programs():
    g = GradedVec((3,), vth=7)
    assert NcGradedVecModel.graded_out and NcGradedReluVecModel.graded_out
    assert NcGradedVecModel.program(g, VarValues(), 1).name == "graded_vec"
    assert NcGradedVecModel.values(g, VarValues())["vth"] == 7
    sd = SigmaDelta(shape=(2,), vth=3, bias=[1, 2], state_exp=2, cum_error=True,
                    act_mode=ActivationMode.UNIT)
    prog = NcSigmaDeltaModel.program(sd, VarValues(), 2)
    assert prog.name == "sigma_delta_unit_cum" and prog.n_groups == 2
    vals = NcSigmaDeltaModel.values(sd, VarValues())
    assert vals["vth"] == 12 and vals["bias"].tolist() == [4, 8] and vals["state_exp"] == 2


def test_corrupted_chip_word_is_detected():
    """Negative control: the comparison fails when SD1's state_exp on the
    chip is off by one from step 10 on."""
    root, probes = sdn_network(1)
    ref = run_cpu(root, probes)
    root, probes = sdn_network(1)
    _, cn = tk.compile_procs(root, ChipParams(**SMALL, **MESHES["1x1"]))
    sd1 = next(p for p, _ in probes if p.name == "SD1")

    def corrupt(t, eng):
        if t == 10:
            tk.write_var(eng, cn.var_slot(sd1, "state_exp"), int(sd1.state_exp.init) + 1)

    _, spikes, _ = tk.run_chip(cn, N_STEPS, [], before_step=corrupt)
    got, want = spikes[id(sd1.s_out)], ref[("SD1", "s_out")]
    assert np.array_equal(got[:9], want[:9]) and not np.array_equal(got, want)


def test_chip_run_config_end_to_end():
    """The same network through ChipCfg(engine='model') with Monitors on the
    chip Vars and the graded s_out equals the CPU run; Var.get reads the chip."""
    from kilauea import ChipCfg
    root, probes = sdn_network(2)
    ref = run_cpu(root, probes)
    root, probes = sdn_network(2)
    mons = []
    for p, v in probes:
        m = Monitor()
        m.probe(getattr(p, v), N_STEPS)
        mons.append(m)
    cfg = ChipCfg(engine="model", params=ChipParams(**SMALL, **MESHES["2x2"]))
    root.run(condition=RunSteps(num_steps=N_STEPS), run_cfg=cfg)
    try:
        for (p, v), m in zip(probes, mons):
            got = np.asarray(m.get_data()[p.name][v]).reshape(N_STEPS, -1)
            assert np.array_equal(got, ref[(p.name, v)]), f"seed 2: {p.name}.{v}"
        sd0 = probes[0][0]
        assert np.array_equal(np.asarray(sd0.sigma.get()).reshape(-1), ref[("SD0", "sigma")][-1])
    finally:
        root.stop()


def test_host_only_vars_of_neurons_are_served_from_the_host():
    """Vars a neuron model folds away at compile time (SigmaDelta.spike_exp,
    GradedVec.exp) read back their host value under ChipCfg; set is refused."""
    import numpy as np
    import pytest
    from kilauea import ChipCfg, GradedVec, RunSteps, SigmaDelta
    from kilauea.core.exceptions import KilaueaError

    sd = SigmaDelta(shape=(3,), vth=4, spike_exp=2, state_exp=1)
    gv = GradedVec(shape=(2,), vth=5, exp=3)
    for proc in (sd, gv):
        proc.run(condition=RunSteps(num_steps=2), run_cfg=ChipCfg(engine="model", mesh=(1, 1)))
        try:
            name = "spike_exp" if proc is sd else "exp"
            np.testing.assert_array_equal(getattr(proc, name).get(), np.asarray(getattr(proc, name).init))
            new = np.asarray(getattr(proc, name).init) + 1     # settable: recompile + reload
            getattr(proc, name).set(new)
            np.testing.assert_array_equal(getattr(proc, name).get(), new)
            proc.run(condition=RunSteps(num_steps=1))
        finally:
            proc.stop()
