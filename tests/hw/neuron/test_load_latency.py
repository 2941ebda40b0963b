"""Loads with two cycles of latency (`isa.LOAD_LATENCY`): the RTL's interlock
and dropped write-back, the cycle model, and the scheduler that hides the
latency without changing what a program computes."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import neurons
from kilauea.hw import isa
from kilauea.hw.isa import Opcode
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.params import ChipParams
from kilauea.hw.words import to_s32
from kilauea.neurons.builder import NeuronProgram, ProgramBuilder
from kilauea.neurons.library import PROGRAMS
from kilauea.neurons.schedule import allocate, dependences, schedule
from kilauea.sim.golden.neuron import run_neuron_phase
from kilauea.sim.testbench.neuron import run_engine

P = ChipParams(mesh_w=1, mesh_h=1, n_compartments=8, n_delay_slots=4, n_acc_groups=2,
               n_profiles=4, n_ucode=64, n_synapses=16, n_axons=16, n_fanout=16,
               n_acc_rows=16)

HAZARDS = """
    add r7, r0, r0, 1
    spk r7, r6          ; r6 is 0: the previous compartment's last load is dropped
    lds r1, 0
    add r1, r0, r0, 5   ; writes the register just loaded: waits a cycle, then wins
    spk r7, r1
    ldp r2, 1
    sts r2, 1           ; reads the register just loaded: waits a cycle
    lds r6, 0           ; still in flight at END
    end
"""


@pytest.mark.parametrize("lanes", [1, 4])
def test_load_hazards_rtl_golden(lanes):
    """A load's register read or written by the next instruction, and a load
    in flight at END: RTL == golden == the program's meaning; the waits cost
    what `NeuronProgram.cycles` says."""
    params = P.with_(n_lanes=lanes)
    words = isa.assemble(HAZARDS)
    n = 8
    ucode = np.zeros(params.n_ucode, np.int64)
    ucode[:len(words)] = words
    profile = np.zeros(params.n_profiles * cm.PROFILE_WORDS, np.int64)
    rng = np.random.default_rng(7)
    state = np.zeros(params.n_compartments * cm.STATE_WORDS, np.int64)
    state[::cm.STATE_WORDS] = rng.integers(1, 1000, params.n_compartments)
    param = np.zeros(params.n_compartments * cm.PARAM_WORDS, np.int64)
    param[1::cm.PARAM_WORDS] = rng.integers(1, 1000, params.n_compartments)
    acc = np.zeros((2, n), np.int64)
    r = run_engine(params, ucode, profile, param, state, [(1, acc)], n)[0]
    g = run_neuron_phase(ucode, profile, param, state, 1, acc, n)
    assert list(r.spike_payloads) == list(g.spike_payloads) == [0, 5] * n
    assert list(r.spike_compartments) == list(np.repeat(np.arange(n), 2))
    assert np.array_equal(r.state, to_s32(g.state)[:len(r.state)])
    assert list(r.state[1:n * cm.STATE_WORDS:cm.STATE_WORDS]) == list(param[1:n * 4:4])
    prog = NeuronProgram("hazards", [isa.decode(w) for w in words], 1, {}, {}, {})
    assert prog.cycles() == len(words) + 2 * (isa.LOAD_LATENCY - 1)
    if lanes == 1:
        assert r.cycles == n * prog.cycles() + 5


def _random_builder(seed: int) -> ProgramBuilder:
    """A random straight-line model: loads, ALU ops, MULT, an ACC, stores of
    state words it also reads, a spike."""
    rng = np.random.default_rng(seed)
    b = ProgramBuilder(f"random{seed}", 1)
    for name in ("s0", "s1", "s2"):
        b.declare_state(name)
    b.declare_param("p0")
    b.declare_const("c0")
    vals = [b.state("s0"), b.param("p0")]
    for _ in range(int(rng.integers(6, 20))):
        k = rng.random()
        x, y = (vals[int(i)] for i in rng.integers(len(vals), size=2))
        if k < 0.15:
            v = b.state(["s0", "s1", "s2"][int(rng.integers(3))])
        elif k < 0.25:
            v = b.const("c0")
        elif k < 0.3:
            v = b.acc(0)
        elif k < 0.4:
            v = b.mul_tshr(x, y, int(rng.integers(0, 13)))
        elif k < 0.5:
            b.store(["s0", "s1", "s2"][int(rng.integers(3))], x)
            continue
        else:
            v = [x + y, x - y, x > y, b.max(x, y), x ^ y, b.ash(x, 3)][int(rng.integers(6))]
        vals.append(v)
        if len(vals) > 5:
            vals.pop(int(rng.integers(len(vals) - 1)))
    b.store("s1", vals[-1])
    b.spike(vals[-1] > vals[0], vals[-1])
    return b


@pytest.mark.parametrize("seed", range(40))
def test_schedule_keeps_meaning(seed):
    """A random program as written and as scheduled: same state, spikes and
    accumulator reads (golden model, random inputs); the scheduled order
    respects every dependence and is never slower."""
    b = _random_builder(seed)
    code = list(b._code)
    order = schedule(code)
    assert order is not None, f"seed {seed}"
    pos = {id(ins): i for i, ins in enumerate(order)}
    for i, deps in enumerate(dependences(code)):
        assert all(pos[id(code[j])] < pos[id(code[i])] for j in deps), f"seed {seed}"
    built = b.build()
    plain = NeuronProgram("plain", allocate(code, "plain"), 1,
                          built.state, built.params, built.consts)
    assert built.cycles() <= plain.cycles(), f"seed {seed}"
    rng = np.random.default_rng(seed)
    n = 6
    values = {"s0": rng.integers(-999, 999, n), "s1": rng.integers(-999, 999, n),
              "s2": rng.integers(-999, 999, n), "p0": rng.integers(-999, 999, n),
              "c0": int(rng.integers(-999, 999))}
    acc = rng.integers(-999, 999, (1, n))
    results = []
    for prog in (plain, built):
        prof, par, st = prog.images(n, values)
        ucode = np.asarray(prog.words, np.int64)
        g = run_neuron_phase(ucode, prof, par, st, 3, acc.copy(), n)
        results.append((list(to_s32(g.state)), list(g.spike_compartments),
                        list(g.spike_payloads), g.errors))
    assert results[0] == results[1], f"seed {seed}"


def test_library_programs_wait_on_no_load():
    """Every library program, scheduled, costs its instructions plus MULT's
    and MOD's extra cycles: no load or ACC wait at the default ACC latency."""
    for name, make in PROGRAMS.items():
        for groups in (1, 2):
            prog = make(groups)
            extra = sum(isa.OPINFO[i.op].cycles - 1 for i in prog.instrs)
            assert prog.cycles() == len(prog) + extra, (name, groups)
            assert prog.instrs[-1].op == Opcode.END
