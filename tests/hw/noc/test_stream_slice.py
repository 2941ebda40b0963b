"""The register slice (`kilauea.hw.stream_slice`) in the Amaranth simulator:
every payload once, in order, one per cycle at full throughput, one cycle
of latency, and `i.ready` / `o.valid` / `o.payload` driven by flip-flops."""
from __future__ import annotations

import numpy as np
import pytest
from amaranth.hdl import Fragment, unsigned
from amaranth.sim import Simulator

from kilauea.hw.stream_slice import RegisterSlice


def _drive(seed: int, p_valid: float, p_ready: float, n: int = 300):
    """Random valid and ready; returns (payloads sent, payloads received,
    the cycle each was sent, the cycle each was received)."""
    rng = np.random.default_rng(seed)
    dut = RegisterSlice(unsigned(16))
    words = [int(w) for w in rng.integers(0, 1 << 16, n)]
    sent, got, t_sent, t_got = [], [], [], []

    async def tb(ctx):
        cycle = 0
        while len(got) < n and cycle < 20 * n:
            offer = len(sent) < n and rng.random() < p_valid
            ctx.set(dut.i.valid, offer)
            if offer:
                ctx.set(dut.i.payload, words[len(sent)])
            ctx.set(dut.o.ready, rng.random() < p_ready)
            await ctx.delay(1e-9)       # settle the combinational handshake
            took = offer and ctx.get(dut.i.ready)
            gave = ctx.get(dut.o.valid) and ctx.get(dut.o.ready)
            out = ctx.get(dut.o.payload)
            await ctx.tick()
            if took:
                sent.append(words[len(sent)])
                t_sent.append(cycle)
            if gave:
                got.append(out)
                t_got.append(cycle)
            cycle += 1

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    return sent, got, t_sent, t_got


@pytest.mark.parametrize("seed,p_valid,p_ready", [(1, 0.5, 0.5), (2, 0.9, 0.3), (3, 0.3, 0.9),
                                                   (4, 1.0, 0.6)])
def test_every_payload_once_in_order(seed, p_valid, p_ready):
    sent, got, _, _ = _drive(seed, p_valid, p_ready)
    assert got == sent, f"seed {seed}: payloads lost, repeated or reordered"
    assert len(got) == 300, f"seed {seed}"


def test_full_throughput_and_one_cycle_latency():
    sent, got, t_sent, t_got = _drive(5, 1.0, 1.0, n=100)
    assert got == sent
    assert t_sent == list(range(100)), "the slice does not take one payload per cycle"
    assert [g - s for s, g in zip(t_sent, t_got)] == [1] * 100, "latency is not one cycle"


def test_outputs_are_flip_flops():
    """No combinational path through the slice: `i.ready`, `o.valid` and
    `o.payload` are functions of its registers only (not of `i.valid`,
    `i.payload` or `o.ready`)."""
    dut = RegisterSlice(unsigned(8))
    rng = np.random.default_rng(6)
    seen = []

    async def tb(ctx):
        for _ in range(200):
            ctx.set(dut.i.valid, int(rng.integers(2)))
            ctx.set(dut.i.payload, int(rng.integers(256)))
            ctx.set(dut.o.ready, int(rng.integers(2)))
            await ctx.delay(1e-9)
            before = (ctx.get(dut.i.ready), ctx.get(dut.o.valid), ctx.get(dut.o.payload))
            # change every input within the cycle: the outputs must not move
            ctx.set(dut.i.valid, 1 - ctx.get(dut.i.valid))
            ctx.set(dut.i.payload, int(rng.integers(256)))
            ctx.set(dut.o.ready, 1 - ctx.get(dut.o.ready))
            await ctx.delay(1e-9)
            seen.append(before == (ctx.get(dut.i.ready), ctx.get(dut.o.valid),
                                   ctx.get(dut.o.payload)))
            await ctx.tick()

    Fragment.get(dut, None)
    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    assert all(seen)
