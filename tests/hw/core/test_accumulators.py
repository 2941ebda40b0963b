"""The accumulators alone against a sequential model: synaptic events (one
read-modify-write per cycle over three stages, back-to-back hits on the same
word) and read-and-clear requests with random back-pressure on the answers,
every access in the order the accumulators took it."""
from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from kilauea.hw.neurocore.accumulators import ACC_LATENCY, Accumulators
from kilauea.hw.words import to_s32

from core_helpers import SMALL

N_ADDR = 4          # few addresses: many back-to-back hits on one word


def _model_run(seed: int, cycles: int):
    """Drive random events and requests; return (answers seen, answers the
    sequential model expects, events taken)."""
    rng = np.random.default_rng(seed)
    dut = Accumulators(SMALL)
    addrs = rng.choice(dut.depth, N_ADDR, replace=False)
    model = {int(a): 0 for a in addrs}      # ACCUM starts at 0 (the core clears it)
    seen, want, n_events = [], [], 0

    async def tb(ctx):
        nonlocal n_events
        for a in addrs:                     # start from zeros
            ctx.set(dut.bus.addr, int(a))
            ctx.set(dut.bus.wdata, 0)
            ctx.set(dut.bus.we, 1)
            await ctx.tick()
        ctx.set(dut.bus.we, 0)
        for c in range(cycles):
            ev = c < cycles - 40 and rng.random() < 0.4
            ctx.set(dut.event_valid, ev)
            ev_addr, ev_delta = int(rng.choice(addrs)), int(rng.integers(-2**31, 2**31))
            ctx.set(dut.event.addr, ev_addr)
            ctx.set(dut.event.delta, ev_delta)
            rq = rng.random() < 0.5
            rq_addr = int(rng.choice(addrs))
            ctx.set(dut.acc_req.valid, rq)
            ctx.set(dut.acc_req.payload.addr, rq_addr)
            ctx.set(dut.acc_req.payload.bad, 0)
            ctx.set(dut.acc_resp.ready, rng.random() < 0.5)
            if ctx.get(dut.acc_resp.valid) and ctx.get(dut.acc_resp.ready):
                seen.append(ctx.get(dut.acc_resp.payload))
            if ev:                          # taken in order, one access per cycle
                model[ev_addr] = to_s32(model[ev_addr] + ev_delta)
                n_events += 1
            elif rq and ctx.get(dut.acc_req.ready):
                want.append(model[rq_addr])
                model[rq_addr] = 0
            await ctx.tick()
        ctx.set(dut.acc_req.valid, 0)
        ctx.set(dut.acc_resp.ready, 1)
        for _ in range(4):
            if ctx.get(dut.acc_resp.valid):
                seen.append(ctx.get(dut.acc_resp.payload))
            await ctx.tick()
        for a in addrs:                     # what is left: read and clear every word
            ctx.set(dut.acc_req.valid, 1)
            ctx.set(dut.acc_req.payload.addr, int(a))
            await ctx.tick()
            want.append(model[int(a)])
            ctx.set(dut.acc_req.valid, 0)
            for _ in range(ACC_LATENCY - 1):
                assert not ctx.get(dut.acc_resp.valid), "an answer before its latency"
                await ctx.tick()
            assert ctx.get(dut.acc_resp.valid), f"no answer {ACC_LATENCY} cycles after"
            seen.append(ctx.get(dut.acc_resp.payload))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    return seen, want, n_events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_accumulators_match_the_sequential_model(seed):
    seen, want, n_events = _model_run(seed, 600)
    assert n_events > 150 and len(want) > 40, (seed, n_events, len(want))
    assert seen == want, f"seed {seed}: first difference at answer " \
        f"{next(i for i, (a, b) in enumerate(zip(seen, want)) if a != b)}"


def test_read_and_clear_one_per_cycle_answered_after_the_latency():
    """With its answers taken, the accumulators take a read-and-clear request
    every cycle and answer each `ACC_LATENCY` cycles after taking it (the
    word it held, then 0 on a second read)."""
    dut = Accumulators(SMALL)
    n = 12
    got = {}

    async def tb(ctx):
        for a in range(n):                  # word a holds 100 + a
            ctx.set(dut.bus.addr, a)
            ctx.set(dut.bus.wdata, 100 + a)
            ctx.set(dut.bus.we, 1)
            await ctx.tick()
        ctx.set(dut.bus.we, 0)
        ctx.set(dut.acc_resp.ready, 1)
        for c in range(2 * n + ACC_LATENCY + 2):
            ctx.set(dut.acc_req.valid, c < 2 * n)
            ctx.set(dut.acc_req.payload.addr, c % n)
            if c < 2 * n:
                assert ctx.get(dut.acc_req.ready), f"request {c} not taken at once"
            if ctx.get(dut.acc_resp.valid):
                got[c] = ctx.get(dut.acc_resp.payload)
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    want = {c + ACC_LATENCY: (100 + c if c < n else 0) for c in range(2 * n)}
    assert got == want
