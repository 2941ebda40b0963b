"""The neuron engine's parts on their own: the ModDivider stream against
Python's ``%`` (random inputs, random `o.ready`, its stated latency and the
stream rules) and the ALU (combinational, MULT / MULF over two cycles) against the ISA's
definition."""
from __future__ import annotations

import numpy as np
from amaranth.sim import Simulator

from kilauea.hw import isa
from kilauea.hw.isa import Opcode
from kilauea.hw.neurocore.neuron_alu import ALU_OPS, MUL_OPS, NeuronAlu
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
        assert latency == (1 if b == 0 or a == 0 else 2 + abs(a).bit_length()), (a, b, latency)


def test_alu_matches_isa_definition():
    rng = np.random.default_rng(9)
    dut = NeuronAlu(P)
    cases = []
    for op in sorted(ALU_OPS - {Opcode.MOD}, key=lambda o: o.value):
        for _ in range(200 if op in MUL_OPS else 25):
            cases.append((op, random_value(rng), random_value(rng), random_value(rng),
                          random_imm(rng, op)))

    async def bench(ctx):
        for op, a, rb, rc, imm in cases:
            ctx.set(dut.op, op)
            ctx.set(dut.operands.a, a)
            ctx.set(dut.operands.rb, rb)
            ctx.set(dut.operands.rc, rc)
            ctx.set(dut.operands.b, w32(rb + imm))
            ctx.set(dut.operands.imm.value, imm)
            if op in MUL_OPS:   # operands registered, partial products, then the result
                ctx.set(dut.mul_load, 1)
                await ctx.tick()
                ctx.set(dut.mul_load, 0)
                ctx.set(dut.operands.a, random_value(rng))      # no longer looked at
                ctx.set(dut.op, (Opcode.ADD, Opcode.MULT, Opcode.MULF)[rng.integers(3)])
                for _ in range(isa.MUL_CYCLES - 2):
                    await ctx.tick()
                ctx.set(dut.op, op)
            got = ctx.get(dut.result)
            assert got == py_op(op, a, rb, rc, imm), (op, a, rb, rc, imm, got)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()


def test_alu_shifts_at_every_amount_boundary():
    """SHL, SHR, TSHR, ASH in RTL for every amount b in -70..70 and the
    32-bit extremes of b, on extreme and random a: equal to the ISA."""
    rng = np.random.default_rng(11)
    dut = NeuronAlu(P)
    amounts = list(range(-70, 71)) + [-(1 << 31), (1 << 31) - 1, -(1 << 30), 1 << 30, -96, 96]
    values = EXTREMES + [random_value(rng) for _ in range(4)]
    shifts = (Opcode.SHL, Opcode.SHR, Opcode.TSHR, Opcode.ASH)

    async def bench(ctx):
        for op in shifts:
            ctx.set(dut.op, op)
            for b in amounts:
                ctx.set(dut.operands.rb, b)
                ctx.set(dut.operands.b, b)
                for a in values:
                    ctx.set(dut.operands.a, a)
                    got = ctx.get(dut.result)
                    assert got == py_op(op, a, b, 0, 0), (op.name, a, b, got)

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
