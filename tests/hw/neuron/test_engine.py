"""Neuron engine: every opcode RTL == golden == Python definition, errors,
cycle counts, host access, and a user-defined neuron model."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import neurons
from kilauea.hw import isa
from kilauea.hw.isa import Instr, Opcode
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.neurocore.accumulators import ACC_LATENCY
from kilauea.hw.neurocore.neuron_engine import update_cycles
from kilauea.hw.neurocore.neuron_turns import LAUNCH_TURNS
from kilauea.hw.words import to_s32
from kilauea.sim.testbench.neuron import run_engine, with_row_bases
from kilauea.hw.params import ChipParams
from kilauea.sim.golden.neuron import run_neuron_phase

P = ChipParams(mesh_w=1, mesh_h=1, n_compartments=8, n_delay_slots=4, n_acc_groups=2,
               n_profiles=4, n_ucode=256, n_synapses=16, n_axons=16, n_fanout=16,
               n_acc_rows=16)

EXTREMES = [0, 1, -1, 2, -2, 63, 64, -64, 4095, (1 << 23), -(1 << 23), (1 << 23) + 1,
            -(1 << 23) - 1, (1 << 31) - 1, -(1 << 31), 12345678, -7654321]


def w32(x: int) -> int:
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >> 31 else x


def py_op(op: Opcode, a: int, rb: int, rc: int, imm: int) -> int:
    """The ISA's definition, in plain Python integers (docs/isa.md)."""
    b = w32(rb + imm)
    clamp = lambda x, lo, hi: max(lo, min(hi, x))
    tshr = lambda x, k: (1 if x >= 0 else -1) * (abs(x) >> k)
    if op == Opcode.ADD: return w32(a + b)
    if op == Opcode.SUB: return w32(a - b)
    if op == Opcode.MULT: return w32(tshr(a * rb, imm))
    if op == Opcode.MULF: return w32((a * rb) >> imm)
    if op == Opcode.SHL: return w32(a << clamp(b, 0, 63))
    if op == Opcode.SHR: return a >> clamp(b, 0, 63)
    if op == Opcode.TSHR: return w32(tshr(a, clamp(b, 0, 63)))
    if op == Opcode.ASH:
        s = clamp(b, -63, 63)
        return w32(a << s) if s >= 0 else a >> -s
    if op == Opcode.CGT: return int(a > b)
    if op == Opcode.CGE: return int(a >= b)
    if op == Opcode.CEQ: return int(a == b)
    if op == Opcode.ABS: return w32(abs(a))
    if op == Opcode.SEL: return a if rc != 0 else rb
    if op == Opcode.MAX: return max(a, b)
    if op == Opcode.MIN: return min(a, b)
    if op == Opcode.AND: return w32(a & b)
    if op == Opcode.OR: return w32(a | b)
    if op == Opcode.XOR: return w32(a ^ b)
    if op == Opcode.WRAP:
        h = 1 << (imm - 1)
        return w32(a - 2 * h if a > h else a + 2 * h if a <= -h else a)
    if op == Opcode.SAT:
        h = 1 << (imm - 1)
        return clamp(a, -(h - 1), h - 1)
    if op == Opcode.MOD: return 0 if b == 0 else a % b
    raise AssertionError(op)


ALU_OPS = [Opcode.ADD, Opcode.SUB, Opcode.MULT, Opcode.MULF, Opcode.SHL, Opcode.SHR, Opcode.TSHR,
           Opcode.ASH, Opcode.CGT, Opcode.CGE, Opcode.CEQ, Opcode.ABS, Opcode.SEL, Opcode.MAX,
           Opcode.MIN, Opcode.AND, Opcode.OR, Opcode.XOR, Opcode.WRAP, Opcode.SAT, Opcode.MOD]


def random_imm(rng, op):
    kind = isa.OPINFO[op].imm_kind
    if kind == "width":
        return int(rng.choice([24, 24, 32, 1, 2, int(rng.integers(1, 33))]))
    if kind == "shift":
        return int(rng.integers(0, 64))
    if op in (Opcode.SHL, Opcode.SHR, Opcode.TSHR, Opcode.ASH) and rng.random() < 0.7:
        return int(rng.integers(-70, 70))
    return int(rng.choice([0, 0, 1, -1, int(rng.integers(isa.IMM_MIN, isa.IMM_MAX + 1))]))


def random_value(rng):
    if rng.random() < 0.5:
        return int(rng.choice(EXTREMES))
    return int(rng.integers(-(1 << 31), 1 << 31))


def opcode_program(rng, n_ops):
    """Load r1..r5 from state, param and profile words, r7 = 1; apply random
    ALU ops on r1..r5 and send every result out as two spikes (low 24 bits,
    then bits 31..24 through r6), then store four registers."""
    code = [Instr(Opcode.LDS, rd=1, imm=0), Instr(Opcode.LDS, rd=2, imm=1),
            Instr(Opcode.LDS, rd=3, imm=2), Instr(Opcode.LDP, rd=4, imm=1),
            Instr(Opcode.LDC, rd=5, imm=1), Instr(Opcode.ADD, rd=7, imm=1)]
    for _ in range(n_ops):
        op = ALU_OPS[int(rng.integers(len(ALU_OPS)))]
        r = [int(x) for x in rng.integers(1, 6, 4)]
        if rng.random() < 0.1:
            r[1] = 0
        uses_imm = isa.OPINFO[op].imm_optional or isa.OPINFO[op].imm_kind != "operand"
        u = rng.random()
        if u < 0.08:        # a load used at once (forwarding), maybe by a stalled SPK
            ld = [Opcode.LDS, Opcode.LDP, Opcode.LDC][int(rng.integers(3))]
            code.append(Instr(ld, rd=r[0], imm=int(rng.integers(0, 4))))
        elif u < 0.14:      # an accumulator read (group 0 or 1; a second read gives 0)
            code.append(Instr(Opcode.ACC, rd=r[0], imm=int(rng.integers(0, 2))))
        elif u < 0.16:
            code.append(Instr(Opcode.LDT, rd=r[0]))
        else:
            code.append(Instr(op, rd=r[0], ra=r[1], rb=r[2] if op != Opcode.ABS else 0,
                              rc=r[3] if op == Opcode.SEL else 0,
                              imm=random_imm(rng, op) if uses_imm else 0))
        code.append(Instr(Opcode.SPK, rc=7, ra=r[0]))
        code.append(Instr(Opcode.SHR, rd=6, ra=r[0], imm=24))
        code.append(Instr(Opcode.SPK, rc=7, ra=6))
    for w in range(4):
        code.append(Instr(Opcode.STS, ra=int(rng.integers(1, 8)), imm=w))
    code.append(Instr(Opcode.SPK, rc=int(rng.integers(0, 8)), ra=int(rng.integers(0, 8)),
                      imm=int(rng.integers(-5, 5))))
    code.append(Instr(Opcode.END))
    return code


def python_run(code, state, param, const, step=1, acc=(0, 0)):
    """Reference execution of one compartment with the Python definitions."""
    R = [0] * 8
    st = list(state)
    spikes = []
    acc = list(acc)
    for ins in code:
        o = ins.op
        res = None
        if o == Opcode.END:
            break
        if o == Opcode.LDS: res = st[ins.imm]
        elif o == Opcode.LDP: res = param[ins.imm]
        elif o == Opcode.LDC: res = const[ins.imm]
        elif o == Opcode.LDT: res = step
        elif o == Opcode.ACC:
            res, acc[ins.imm] = acc[ins.imm], 0
        elif o == Opcode.STS: st[ins.imm] = R[ins.ra]
        elif o == Opcode.SPK:
            if R[ins.rc] != 0:
                p = (R[ins.ra] + ins.imm) & 0xFFFFFF
                spikes.append(p - (1 << 24) if p >> 23 else p)
        else:
            res = py_op(o, R[ins.ra], R[ins.rb], R[ins.rc], ins.imm)
        if res is not None and ins.rd != 0:
            R[ins.rd] = res
    return st, spikes


def images_for(code, rng, n):
    ucode = np.zeros(P.n_ucode, dtype=np.int64)
    ucode[:len(code)] = [isa.encode(i) for i in code]
    profile = np.zeros(P.n_profiles * cm.PROFILE_WORDS, dtype=np.int64)
    profile[1:cm.PROFILE_WORDS] = [random_value(rng) for _ in range(cm.PROFILE_WORDS - 1)]
    param = np.zeros(P.n_compartments * cm.PARAM_WORDS, dtype=np.int64)
    state = np.zeros(P.n_compartments * cm.STATE_WORDS, dtype=np.int64)
    for c in range(n):
        param[c * cm.PARAM_WORDS + 1:(c + 1) * cm.PARAM_WORDS] = [random_value(rng) for _ in range(3)]
        state[c * cm.STATE_WORDS:(c + 1) * cm.STATE_WORDS] = [random_value(rng) for _ in range(4)]
    return ucode, profile, with_row_bases(param, P.n_compartments, P.n_acc_groups), state


@pytest.mark.parametrize("seed", [11, 12, 13, 14, 15, 16])
def test_random_programs_rtl_golden_python(seed):
    """Random straight-line programs over all ALU opcodes, every result
    observed: RTL == golden == the Python definitions."""
    rng = np.random.default_rng(seed)
    n = 3
    code = opcode_program(rng, 40)
    assert len(code) < P.n_ucode
    ucode, profile, param, state = images_for(code, rng, n)
    acc = np.array([[random_value(rng) for _ in range(n)] for _ in range(2)], dtype=np.int64)
    step = int(rng.integers(1, 1 << 20))
    rtl = run_engine(P, ucode, profile, param, state, [(step, acc)], n,
                     acc_latency=1 + seed % 2, spike_stall_seed=seed,
                     acc_stall_seed=seed if seed % 3 else None)[0]
    g = run_neuron_phase(ucode, profile, param, state, step, acc, n)
    exp_state, exp_sc, exp_sp = [], [], []
    for c in range(n):
        st, spk = python_run(code, to_s32(state[c * 4:(c + 1) * 4]).tolist(),
                             to_s32(param[c * 4:(c + 1) * 4]).tolist(),
                             to_s32(profile[:16]).tolist(), step,
                             (int(acc[0, c]), int(acc[1, c])))
        exp_state += st
        exp_sc += [c] * len(spk)
        exp_sp += spk
    assert list(to_s32(g.state[:4 * n])) == exp_state, f"seed {seed}: golden vs python"
    assert list(rtl.state) == exp_state, f"seed {seed}: RTL vs python"
    assert list(g.spike_compartments) == exp_sc == list(rtl.spike_compartments), f"seed {seed}"
    assert list(g.spike_payloads) == exp_sp == list(rtl.spike_payloads), f"seed {seed}"
    assert rtl.errors == g.errors
    assert rtl.updates == n


@pytest.mark.parametrize("op", ALU_OPS, ids=lambda o: o.name)
def test_golden_op_equals_definition(op):
    """Each ALU opcode on the golden interpreter, 3000 compartments of random and
    extreme operands, several immediates: equal to the Python definition."""
    seed = 300 + op.value
    rng = np.random.default_rng(seed)
    n = 3000
    vals = np.array([[random_value(rng) for _ in range(3)] for _ in range(n)], dtype=np.int64)
    state = np.zeros(n * 4, np.int64)
    state.reshape(n, 4)[:, :3] = vals
    param = np.zeros(n * 4, np.int64)
    profile = np.zeros(16, np.int64)
    acc = np.zeros((1, n), np.int64)
    imms = {random_imm(rng, op) for _ in range(12)} | ({0} if isa.OPINFO[op].imm_kind == "operand" else set())
    for imm in sorted(imms):
        if not isa.OPINFO[op].imm_optional and isa.OPINFO[op].imm_kind == "operand":
            imm = 0
        code = [Instr(Opcode.LDS, rd=1, imm=0), Instr(Opcode.LDS, rd=2, imm=1),
                Instr(Opcode.LDS, rd=3, imm=2), Instr(op, rd=4, ra=1, rb=2, rc=3, imm=imm),
                Instr(Opcode.STS, ra=4, imm=3), Instr(Opcode.END)]
        ucode = np.array([isa.encode(i) for i in code] + [0] * 10, dtype=np.int64)
        g = run_neuron_phase(ucode, profile, param, state, 1, acc, n)
        got = to_s32(g.state).reshape(n, 4)[:, 3]
        exp = [py_op(op, int(a), int(b), int(c), imm) for a, b, c in vals]
        bad = np.flatnonzero(got != np.array(exp))
        assert not len(bad), (f"seed {seed}: {op.name} imm={imm} a,b,c={vals[bad[0]].tolist()}: "
                              f"golden {got[bad[0]]} != {exp[bad[0]]}")


def test_mod_signs_and_by_zero():
    """MOD: floored modulo (sign of the divisor) for all sign combinations,
    extremes, and B == 0 -> 0 with an error pulse (RTL == golden == Python)."""
    from .slot_model import phase_cycles    # here: tests/sim loads this module by path
    pairs = [(7, 3), (-7, 3), (7, -3), (-7, -3), (0, 5), (5, 0), (-(1 << 31), 7),
             ((1 << 31) - 1, -(1 << 31)), (-(1 << 31), -1), (123456789, 1000), (12, 12), (-12, 12)]
    n = len(pairs[:8])
    code = [Instr(Opcode.LDS, rd=1, imm=0), Instr(Opcode.LDS, rd=2, imm=1),
            Instr(Opcode.MOD, rd=3, ra=1, rb=2), Instr(Opcode.STS, ra=3, imm=2), Instr(Opcode.END)]
    for params, chunk in ((P, pairs[:8]), (P.with_(n_lanes=1), pairs[:8]),
                          (P.with_(n_lanes=2), pairs[8:])):
        n = len(chunk)
        ucode = np.zeros(P.n_ucode, np.int64)
        ucode[:len(code)] = [isa.encode(i) for i in code]
        state = np.zeros(P.n_compartments * 4, np.int64)
        for c, (a, b) in enumerate(chunk):
            state[c * 4:c * 4 + 2] = (a, b)
        param = np.zeros(P.n_compartments * 4, np.int64)
        profile = np.zeros(P.n_profiles * 16, np.int64)
        acc = np.zeros((2, n), np.int64)
        r = run_engine(params, ucode, profile, param, state, [(1, acc)], n)[0]
        g = run_neuron_phase(ucode, profile, param, state, 1, acc, n)
        expect = [0 if b == 0 else a % b for a, b in chunk]
        assert [int(r.state[c * 4 + 2]) for c in range(n)] == expect
        assert [int(to_s32(g.state[c * 4 + 2])) for c in range(n)] == expect
        zeros = sum(b == 0 for _, b in chunk)
        assert r.errors == g.errors == zeros
        # alone (the lane's one divider free), MOD takes the turns its
        # divider latency needs; 4 other instructions
        for c, (a, b) in enumerate(chunk):
            alone = run_engine(params, ucode, profile, param, state[c * 4:], [(1, acc)], 1)[0]
            assert alone.cycles == phase_cycles([4 + _mod_turns(a, b)], 1), (a, b)


def _mod_turns(a: int, b: int) -> int:
    """Turns of a MOD from the pipeline's numbers: the divider's answer is
    in 1 (a or b is 0) or 3 + bit length of |a| cycles after X1 (stage 3),
    registered by the lane a cycle later, and taken in W (stage 7) of the
    MOD's turn or of a later one, K cycles on."""
    latency = 1 if a == 0 or b == 0 else 3 + abs(a).bit_length()
    return 1 + max(0, -(-(3 + latency + 1 - 7) // isa.LANE_SLOTS))


def test_undefined_opcode_pulses_error_and_changes_nothing():
    """An undefined opcode in a program: one error pulse per execution, no
    register/state change from it; compartments on other profiles unaffected."""
    bad = max(op.value for op in Opcode) + 1
    src = """
        lds r1, 0
        .word {w}
        sts r1, 1
        end
    """
    word = bad | (1 << 6) | (3 << 18)       # rd=r1, imm=3: would change r1 if it were an ADD
    code_words = isa.assemble(src.format(w=hex(word)))
    lif = neurons.lif()
    ucode = np.zeros(P.n_ucode, np.int64)
    ucode[:len(code_words)] = code_words
    ucode[len(code_words):len(code_words) + len(lif)] = lif.words
    prof_l, par_l, st_l = lif.images(2, dict(du=10, dv=20, vth=5, bias_mant=7, bias_exp=3),
                                     profile=1, entry=len(code_words), acc_row=2)
    profile = np.zeros(P.n_profiles * 16, np.int64)
    profile[0] = 0
    profile[16:32] = prof_l
    param = np.zeros(P.n_compartments * 4, np.int64)
    param[8:16] = par_l
    state = np.zeros(P.n_compartments * 4, np.int64)
    state[0] = 111
    state[4] = -222
    acc = np.array([[0, 0, 50, 60], [0, 0, 0, 0]])
    r = run_engine(P, ucode, profile, param, state, [(1, acc)], 4)[0]
    g = run_neuron_phase(ucode, profile, param, state, 1, acc, 4)
    assert r.errors == g.errors == 2
    assert list(r.state[:8]) == [111, 111, 0, 0, -222, -222, 0, 0]
    assert np.array_equal(r.state, to_s32(g.state)[:len(r.state)])
    # the LIF compartments (profile 1) ran exactly as in a core holding only them
    clean_img = neurons.core_images(P, [(lif, 2, dict(du=10, dv=20, vth=5, bias_mant=7,
                                                      bias_exp=3))])
    clean = run_neuron_phase(clean_img.ucode, clean_img.profile, clean_img.param,
                             clean_img.state, 1, acc[:, 2:], 2)
    assert np.array_equal(r.state[8:16], to_s32(clean.state[:8]))
    assert list(r.spike_compartments) == [c + 2 for c in clean.spike_compartments]
    assert clean.errors == 0


def test_program_running_off_ucode_end_is_an_error():
    """A program without END stops at the last UCODE word with an error."""
    ucode = np.full(P.n_ucode, isa.encode(Instr(Opcode.ADD, rd=1, ra=1, imm=1)), np.int64)
    ucode[-1] = isa.encode(Instr(Opcode.STS, ra=1, imm=0))
    profile = np.zeros(P.n_profiles * 16, np.int64)
    profile[0] = P.n_ucode - 5
    param = np.zeros(P.n_compartments * 4, np.int64)
    state = np.zeros(P.n_compartments * 4, np.int64)
    acc = np.zeros((2, 2), np.int64)
    r = run_engine(P, ucode, profile, param, state, [(1, acc)], 2)[0]
    g = run_neuron_phase(ucode, profile, param, state, 1, acc, 2)
    assert r.errors == g.errors == 2
    assert r.updates == 2
    assert list(r.state[[0, 4]]) == [4, 4] == list(to_s32(g.state[[0, 4]]))


@pytest.mark.parametrize("groups, latency, lanes",
                         [(1, 1, 4), (2, 1, 4), (1, 2, 4), (2, 3, 4), (1, 1, 1), (2, 2, 2)])
def test_lif_cycles_per_update(groups, latency, lanes):
    """A LIF update costs what `update_cycles(NeuronProgram.cycles(...))`
    predicts at steady state (slope between 2 and 4 rounds of every slot of
    every lane): one turn per instruction, the PROFILE-header turn, ACC
    retries at this accumulator latency, over the lanes; with 4 lanes and
    the core answering in the next cycle, at most 8. The whole phase takes
    the slot model's cycles (where no lane's request waits behind another's)."""
    from .slot_model import phase_cycles    # here: tests/sim loads this module by path
    prog = neurons.lif(groups)
    k = isa.LANE_SLOTS
    sizes = (2 * k * lanes, 4 * k * lanes)
    # two ACCs a compartment on 4 lanes: requests of several lanes may come
    # in one cycle, and one served later than W may cost its slot a turn
    contended = groups > 1 and lanes == 4
    params = P.with_(n_compartments=sizes[1], n_lanes=lanes, n_acc_rows=sizes[1] * groups)
    costs = {}
    for n in sizes:
        img = neurons.core_images(params, [(prog, n, dict(du=5, dv=5, vth=3, bias_mant=100,
                                                          bias_exp=2))])
        acc = np.full((2, n), 7, np.int64)
        costs[n] = run_engine(params, img.ucode, img.profile, img.param, img.state,
                              [(1, acc)], n, acc_latency=latency)[0].cycles
        turns = prog.cycles(acc_latency=latency) - LAUNCH_TURNS
        model = phase_cycles([turns] * n, lanes)
        if contended:
            assert model <= costs[n] <= model + 0.5 * n, (n, costs[n], model)
        else:
            assert costs[n] == model, (n, costs[n], model)
    per_update = (costs[sizes[1]] - costs[sizes[0]]) / (sizes[1] - sizes[0])
    print(f"LIF ({groups} group(s), accumulator latency {latency}, {lanes} lanes): "
          f"{len(prog)} instructions, {per_update:.2f} cycles per update")
    predicted = update_cycles(prog.cycles(acc_latency=latency), params)
    if contended:
        assert predicted <= per_update <= predicted + 0.25
    else:
        assert per_update == predicted
    if latency <= ACC_LATENCY:      # the core's: an ACC's answer is in by X4
        assert prog.cycles(acc_latency=latency) == len(prog) + LAUNCH_TURNS
    else:                           # later: each ACC takes a second turn
        assert prog.cycles(acc_latency=latency) == len(prog) + LAUNCH_TURNS + groups
    if (groups, latency, lanes) == (1, 1, 4):
        assert per_update <= 8


def test_host_bus_roundtrip_and_busy_blocking():
    """Words written through each MemBus read back unchanged (all 32 bits)."""
    from amaranth.sim import Simulator
    from kilauea.hw.neurocore.neuron_engine import NeuronEngine
    dut = NeuronEngine(P)
    rng = np.random.default_rng(5)
    depths = cm.memory_depths(P)
    data = {name: rng.integers(0, 1 << 32, size=depths[name], dtype=np.uint64)
            for name in ("state", "param", "profile", "ucode")}
    got = {}

    async def bench(ctx):
        for name in data:
            bus = getattr(dut, f"{name}_bus")
            for a, w in enumerate(data[name]):
                ctx.set(bus.addr, a); ctx.set(bus.wdata, int(w)); ctx.set(bus.we, 1)
                await ctx.tick()
            ctx.set(bus.we, 0)
        for name in data:
            bus = getattr(dut, f"{name}_bus")
            out = []
            ctx.set(bus.re, 1)
            for a in range(len(data[name])):
                ctx.set(bus.addr, a)
                await ctx.tick()
                out.append(ctx.get(bus.rdata))
            ctx.set(bus.re, 0)
            got[name] = out

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    for name in data:
        assert [int(x) for x in data[name]] == got[name], name


def test_user_defined_model_outside_the_library(nref):
    """A neuron model the library does not have, written with the DSL here:
    an adaptive-threshold IF neuron. v += a_in; th = th0 + a; spike when
    v >= th; then v -= th and a += inc; a decays as a - shr(a, 3).
    RTL == golden == numpy transcription."""
    b = neurons.ProgramBuilder("adaptive_if", n_groups=1)
    b.declare_state("v")
    b.declare_state("a")
    b.declare_param("th0", lo=1)
    b.declare_const("inc", lo=0, hi=1000)
    v = b.state("v") + b.input()
    a = b.state("a")
    th = b.param("th0") + a
    fire = v >= th
    b.store("v", b.select(fire, v - th, v))
    a = b.select(fire, a + b.const("inc"), a)
    b.store("a", a - (a >> 3))
    b.spike(fire)
    prog = b.build()

    def ref(v, a, th0, inc, a_in):
        v = v + a_in
        th = th0 + a
        fire = v >= th
        v = np.where(fire, v - th, v)
        a = np.where(fire, a + inc, a)
        return v, a - (a >> 3), fire

    seed = 77
    rng = np.random.default_rng(seed)
    n = 6
    th0 = rng.integers(20, 200, n)
    img = neurons.core_images(P, [(prog, n, dict(th0=th0, inc=15))])
    steps = [(t, np.stack([rng.integers(-20, 120, n), np.zeros(n, np.int64)]))
             for t in range(1, 9)]
    rtl = run_engine(P, img.ucode, img.profile, img.param, img.state, steps, n)
    v = np.zeros(n, np.int64)
    a = np.zeros(n, np.int64)
    state = img.state
    total = 0
    for (t, acc), r in zip(steps, rtl):
        v, a, fire = ref(v, a, th0, 15, acc[0])
        g = run_neuron_phase(img.ucode, img.profile, img.param, state, t, acc, n)
        state = g.state
        assert np.array_equal(r.state, to_s32(g.state)[:len(r.state)]), f"seed {seed} step {t}"
        st = r.state.reshape(-1, cm.STATE_WORDS)[:n]
        assert np.array_equal(st[:, 0], v) and np.array_equal(st[:, 1], a), f"seed {seed} step {t}"
        assert list(r.spike_compartments) == list(g.spike_compartments) == list(np.flatnonzero(fire))
        total += int(fire.sum())
    assert total > 0


@pytest.mark.parametrize("bad", [P.n_profiles, P.n_profiles + 1])
def test_bad_profile_index_is_an_error(bad):
    """A compartment header naming a profile >= n_profiles (the first such
    index, and another): one error pulse, the compartment is skipped (no
    state change, no spike), the others run; the golden interpreter does
    the same."""
    img = neurons.core_images(P, [(neurons.graded_vec(), 2, dict(vth=1))])
    img.param[1 * cm.PARAM_WORDS] = cm.pack_param_header(bad, acc_row=1)
    acc = np.ones((2, 2), np.int64)
    r = run_engine(P, img.ucode, img.profile, img.param, img.state, [(1, acc)], 2)[0]
    g = run_neuron_phase(img.ucode, img.profile, img.param, img.state, 1, acc, 2)
    assert r.errors == g.errors == 1
    assert np.array_equal(r.state, to_s32(g.state)[:len(r.state)])
    assert np.array_equal(r.state[4:8], to_s32(img.state)[4:8])
    assert list(r.spike_compartments) == list(g.spike_compartments)
    assert 1 not in list(r.spike_compartments)


def test_engine_elaborates_at_default_size():
    """The default chip's engine (1024 compartments, 256 UCODE words, 16
    profiles) converts to Verilog."""
    from amaranth.back import verilog
    from kilauea.hw.neurocore.neuron_engine import NeuronEngine
    from kilauea.hw.params import DEFAULT
    text = verilog.convert(NeuronEngine(DEFAULT), name="neuron_engine")
    assert "module neuron_engine" in text


def test_zero_compartments_and_repeated_steps():
    """n_compartments = 0: the phase ends at once with no update; then a
    normal step on the same engine still runs (the engine returns to idle)."""
    img = neurons.core_images(P, [(neurons.graded_vec(), 3, dict(vth=0))])
    acc = np.array([[1, -2, 3], [0, 0, 0]])
    r0 = run_engine(P, img.ucode, img.profile, img.param, img.state,
                    [(1, acc[:, :0]), (2, acc)], 0)[0]
    assert (r0.updates, r0.cycles, len(r0.spike_compartments)) == (0, 1, 0)
    g0 = run_neuron_phase(img.ucode, img.profile, img.param, img.state, 1, acc[:, :0], 0)
    assert g0.updates == 0 and len(g0.spike_compartments) == 0
    r = run_engine(P, img.ucode, img.profile, img.param, img.state,
                   [(1, acc), (2, acc * 2), (3, acc * 0)], 3)
    assert [list(x.spike_payloads) for x in r] == [[1, -2, 3], [2, -4, 6], []]
