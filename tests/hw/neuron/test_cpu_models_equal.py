"""The CPU fixed_pt numerics (`kilauea.numerics`, used by the CPU
ProcessModels) and the neuron programs run on the golden interpreter give the
same u, v, refractory_end and spikes on long random runs, so the two cannot
drift apart (the golden interpreter is held equal to the RTL elsewhere)."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import neurons, numerics
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.words import to_s32
from kilauea.hw.params import ChipParams
from kilauea.sim.golden.neuron import run_neuron_phase

P = ChipParams(mesh_w=1, mesh_h=1, n_compartments=1024, n_delay_slots=4, n_acc_groups=2,
               n_profiles=4, n_ucode=128, n_synapses=16, n_axons=16, n_fanout=16,
               n_acc_rows=2048)


@pytest.mark.parametrize("model", ["lif", "lif_reset", "lif_refractory"])
@pytest.mark.parametrize("seed", [1, 2])
def test_lif_family_cpu_numerics_equal_microcode(model, seed):
    rng = np.random.default_rng(seed * 10 + len(model))
    n, steps = 1000, 120
    du, dv = int(rng.integers(0, 4096)), int(rng.integers(0, 4096))
    vth = int(rng.integers(0, 3000))
    bm = rng.integers(-4096, 4096, n)
    be = rng.integers(-8, 8, n)
    wexp = [int(rng.integers(-8, 1)), int(rng.integers(0, 5))]
    extra = {}
    if model == "lif_reset":
        extra = dict(reset_interval=int(rng.integers(1, 10)), reset_offset=int(rng.integers(0, 30)))
    if model == "lif_refractory":
        extra = dict(refractory_period=int(rng.integers(0, 5)))
    prog = neurons.PROGRAMS[model](2)
    vals = dict(du=du, dv=dv, vth=vth, bias_mant=bm, bias_exp=be,
                weight_exp0=wexp[0], weight_exp1=wexp[1], **extra)
    img = neurons.core_images(P, [(prog, n, vals)])
    u = np.zeros(n, np.int64)
    v = np.zeros(n, np.int64)
    rend = np.zeros(n, np.int64)
    bias = numerics.effective_bias(bm, be)
    vth_eff = numerics.effective_vth(vth)
    state = img.state
    total = 0
    for t in range(1, steps + 1):
        acc = rng.integers(-(1 << 16), 1 << 16, (2, n))
        a_in = sum(numerics.scale_accum(acc[g], wexp[g]) for g in range(2))
        if model == "lif_refractory":
            u, v, rend, s = numerics.lif_refractory_fixed_step(u, v, rend, a_in, du, dv, bias,
                                                               vth_eff, t, extra["refractory_period"])
        else:
            if model == "lif_reset" and numerics.is_reset_step(t, extra["reset_interval"],
                                                               extra["reset_offset"]):
                u, v = u * 0, v * 0
            u, v, s = numerics.lif_fixed_step(u, v, a_in, du, dv, bias, vth_eff)
        g = run_neuron_phase(img.ucode, img.profile, img.param, state, t, acc, n)
        state = g.state
        st = to_s32(state[:n * cm.STATE_WORDS]).reshape(n, cm.STATE_WORDS)
        assert np.array_equal(st[:, prog.state["u"].index], u), f"seed {seed} step {t}: u"
        assert np.array_equal(st[:, prog.state["v"].index], v), f"seed {seed} step {t}: v"
        if model == "lif_refractory":
            assert np.array_equal(st[:, prog.state["refractory_end"].index], rend)
        assert np.array_equal(g.spike_compartments, np.flatnonzero(s)), f"seed {seed} step {t}"
        total += int(s.sum())
    assert 0 < total < n * steps, total
