"""The neuron engine's parts on their own: the ModDivider stream against
Python's ``%`` (random inputs, random `o.ready`, its stated latency and the
stream rules), the ALU (combinational) and the multiplier (MULT / MULF, a
new product every cycle, `isa.MUL_LATENCY` cycles late) against the ISA's
definition."""
from __future__ import annotations

import numpy as np
from amaranth.sim import Simulator

from kilauea.hw import isa
from kilauea.hw.isa import Opcode
from kilauea.hw.neurocore.neuron_alu import (ALU_LATENCY, ALU_OPS, MUL_OPS, NeuronAlu,
                                              NeuronMultiplier)
from kilauea.hw.neurocore.neuron_divider import ModDivider
from kilauea.hw.params import ChipParams

from .test_engine import EXTREMES, py_op, random_imm, random_value, w32

P = ChipParams(mesh_w=1, mesh_h=1, n_compartments=8, n_delay_slots=4, n_acc_groups=2,
               n_profiles=4, n_ucode=256, n_synapses=16, n_axons=16, n_fanout=16,
               n_acc_rows=16)


def _pairs(rng, n: int) -> list[tuple[int, int]]:
    pairs = [(a, b) for a in EXTREMES[:8] for b in (0, 1, -1, 7, -7, (1 << 31) - 1, -(1 << 31))]
    pairs += [(random_value(rng), random_value(rng)) for _ in range(n)]
    return pairs


def test_divider_matches_python_with_random_ready():
    rng = np.random.default_rng(5)
    pairs = _pairs(rng, 60)
    dut = ModDivider()
    seen: list[tuple[int, int, int]] = []

    async def bench(ctx):
        # as the engine does: i.valid (same payload) held until o is taken
        for a, b in pairs:
            ctx.set(dut.i.valid, 1)
            ctx.set(dut.i.payload.dividend, a)
            ctx.set(dut.i.payload.divisor, b)
            cycle, first_valid, held = 0, None, None
            while True:
                ready = int(rng.random() < 0.5)
                ctx.set(dut.o.ready, ready)
                if ctx.get(dut.o.valid):
                    out = (ctx.get(dut.o.payload.remainder), ctx.get(dut.o.payload.by_zero))
                    # stream rule: the payload holds while valid and not ready
                    assert held is None or held == out, (a, b, held, out)
                    held = out
                    first_valid = cycle if first_valid is None else first_valid
                    if ready:
                        seen.append((a, b, first_valid, *out))
                        break
                else:
                    # stream rule: valid does not drop before the transfer
                    assert held is None, (a, b)
                await ctx.tick()
                cycle += 1
            ctx.set(dut.i.valid, 0)
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert len(seen) == len(pairs)
    for a, b, latency, rem, by_zero in seen:
        assert by_zero == (b == 0), (a, b)
        assert rem == (0 if b == 0 else w32(a % b)), (a, b, rem)
        assert latency == (1 if b == 0 or a == 0 else 3 + abs(a).bit_length()), (a, b, latency)


def _run_pipelined(dut, cases: list, latency: int, drive, output) -> list[int]:
    """Feed `cases` into a pipelined `dut`, one per cycle (`drive(ctx, case)`
    sets its inputs); the `output` values taken `latency` cycles after each."""
    got = []

    async def bench(ctx):
        for i in range(len(cases) + latency):
            if i < len(cases):
                drive(ctx, cases[i])
            if i >= latency:
                got.append(ctx.get(output))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return got


def _run_alu(cases) -> list[int]:
    """(op, a, rb, rc, imm) cases into the ALU, one per cycle; the results,
    taken `ALU_LATENCY` cycles after each."""
    dut = NeuronAlu(P)

    def drive(ctx, case):
        op, a, rb, rc, imm = case
        ctx.set(dut.op, op)
        ctx.set(dut.operands.a, a)
        ctx.set(dut.operands.rb, rb)
        ctx.set(dut.operands.rc_nz, rc != 0)
        ctx.set(dut.operands.b, w32(rb + imm))
        ctx.set(dut.operands.imm.value, imm)
        ctx.set(dut.operands.half, 1 << ((imm - 1) % 32))    # the lane's `wrap_half`
        b = w32(rb + imm)       # the lane's `amount_flags`
        ctx.set(dut.operands.amount.big, b >= 32)
        ctx.set(dut.operands.amount.big_down, b <= -32)

    return _run_pipelined(dut, cases, ALU_LATENCY, drive, dut.result)


def test_alu_matches_isa_definition():
    """Every ALU opcode, a new one each cycle (random and extreme operands)."""
    rng = np.random.default_rng(9)
    ops = sorted(ALU_OPS - MUL_OPS - {Opcode.MOD}, key=lambda o: o.value)
    cases = [(ops[i], random_value(rng), random_value(rng), random_value(rng),
              random_imm(rng, ops[i])) for _ in range(25) for i in rng.permutation(len(ops))]
    for case, got in zip(cases, _run_alu(cases), strict=True):
        assert got == py_op(*case), (case, got)


def test_multiplier_pipelined_matches_isa_definition():
    """A new MULT or MULF every cycle (random operands, shifts, extremes):
    each product comes out exactly `isa.MUL_LATENCY` cycles later."""
    rng = np.random.default_rng(10)
    cases = [(MUL_OPS_SORTED[int(rng.integers(2))], random_value(rng), random_value(rng),
              int(rng.integers(0, 64))) for _ in range(600)]
    dut = NeuronMultiplier()

    def drive(ctx, case):
        op, a, b, shift = case
        ctx.set(dut.a, a)
        ctx.set(dut.b, b)
        ctx.set(dut.shift, shift)
        ctx.set(dut.trunc, op == Opcode.MULT)

    got = _run_pipelined(dut, cases, isa.MUL_LATENCY, drive, dut.product)
    for (op, a, b, shift), product in zip(cases, got, strict=True):
        assert product == py_op(op, a, b, 0, shift), (op, a, b, shift, product)


MUL_OPS_SORTED = sorted(MUL_OPS, key=lambda o: o.value)


def test_alu_shifts_at_every_amount_boundary():
    """SHL, SHR, TSHR, ASH in RTL for every amount b in -70..70 and the
    32-bit extremes of b, on extreme and random a: equal to the ISA."""
    rng = np.random.default_rng(11)
    amounts = list(range(-70, 71)) + [-(1 << 31), (1 << 31) - 1, -(1 << 30), 1 << 30, -96, 96]
    values = EXTREMES + [random_value(rng) for _ in range(4)]
    cases = [(op, a, b, 0, 0) for op in (Opcode.SHL, Opcode.SHR, Opcode.TSHR, Opcode.ASH)
             for b in amounts for a in values]
    for case, got in zip(cases, _run_alu(cases), strict=True):
        assert got == py_op(*case), (case[0].name, case[1], case[2], got)


def test_alu_wrap_and_sat_at_every_bound():
    """WRAP and SAT in RTL for every width 1..32, on `a` at and beside each
    bound (+-2**(width-1), +-2**width, their neighbours) and the 32-bit
    extremes: equal to the ISA."""
    rng = np.random.default_rng(12)
    cases = []
    for width in range(1, 33):
        half = 1 << (width - 1)
        near = {c + d for c in (half, -half, 2 * half, -2 * half, 3 * half, -3 * half, 0)
                for d in (-1, 0, 1)}
        values = sorted({w32(v) for v in near} | set(EXTREMES) | {random_value(rng)})
        cases += [(op, a, 0, 0, width) for op in (Opcode.WRAP, Opcode.SAT) for a in values]
    for case, got in zip(cases, _run_alu(cases), strict=True):
        assert got == py_op(*case), (case[0].name, case[1], case[4], got)
