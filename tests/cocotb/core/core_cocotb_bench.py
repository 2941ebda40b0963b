"""cocotb bench (Icarus) for one neurocore's generated Verilog (the real
microcode neuron engine running LIF): loads every memory through WRITE
packets on rx, injects input spikes, runs steps with CTRL STEP, and checks
every spike packet on tx, and the counters read back with READ packets,
against the golden chip model. Seed from $CORE_SEED."""
from __future__ import annotations

import os
from collections import deque

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.sim.golden.chip import GoldenChip

from core_helpers import SMALL, lif_image, write_packets

ME = packet.Dest(0, 0)


class Port:
    """rx driver and tx collector, one loop per clock cycle: after the
    falling edge, book the handshakes of the rising edge just passed, drive,
    then sample in ReadOnly."""

    def __init__(self, dut):
        self.dut = dut
        self.queue: deque[int] = deque()
        self.out: list[int] = []
        self._in = self._out = False
        self._payload = 0
        self.idle = False

    async def cycle(self):
        d = self.dut
        await FallingEdge(d.clk)
        if self._in:
            self.queue.popleft()
        if self._out:
            self.out.append(self._payload)
        d.rx__valid.value = 1 if self.queue else 0
        d.rx__payload.value = self.queue[0] if self.queue else 0
        d.tx__ready.value = 1
        await ReadOnly()
        self._in = bool(self.queue) and int(d.rx__ready.value) == 1
        self._out = int(d.tx__valid.value) == 1
        self._payload = int(d.tx__payload.value)
        self.idle = int(d.idle.value) == 1

    async def until_idle(self, limit=50000):
        for _ in range(limit):
            await self.cycle()
            if not self.queue and self.idle and not self._out:
                await self.cycle()
                return
        raise AssertionError(f"core not idle after {limit} cycles")

    def take(self):
        out, self.out = self.out, []
        return [packet.decode(w) for w in out]


@cocotb.test()
async def core_lif_steps_match_golden(dut):
    seed = int(os.environ.get("CORE_SEED", "1"))
    rng = np.random.default_rng(seed)
    p = SMALL
    img = lif_image(p, rng, 12)
    gold = GoldenChip(p)
    tile = gold.tile(0, 0)

    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    dut.rx__valid.value = 0
    dut.rx__payload.value = 0
    dut.tx__ready.value = 1
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst.value = 0
    port = Port(dut)

    pk = write_packets(img)
    for w in pk:
        tile.handle(w)
    port.queue.extend(pk)
    await port.until_idle()
    assert port.take() == []
    n_spikes = 0
    for t in range(1, 7):
        ax = rng.integers(0, p.n_axons, 8)
        pay = rng.integers(-40, 40, 8)
        pkts = [packet.Spike(ME, int(a), int(v), (t - 1) % 256).encode() for a, v in zip(ax, pay)]
        pkts.append(packet.Ctrl(ME, packet.CtrlOp.STEP, t).encode())
        want = []
        for w in pkts:
            want += tile.handle(w)
        port.queue.extend(pkts)
        await port.until_idle()
        got = port.take()
        assert got == want, f"seed {seed} step {t}: spikes {got} != golden {want}"
        assert int(dut.step_seen.value) == t
        n_spikes += len(got)
        reads = [packet.Read(ME, Mem.COUNTERS.value, c, c).encode() for c in cm.Counter]
        reads += [packet.Read(ME, Mem.STATE.value, a, 100 + a).encode() for a in range(0, 48, 3)]
        want = []
        for w in reads:
            want += tile.handle(w)
        port.queue.extend(reads)
        await port.until_idle()
        got = port.take()
        for g, w in zip(got, want):
            if g.tag == cm.Counter.CYCLES or g.tag == cm.Counter.STALLS:
                continue
            assert g == w, f"seed {seed} step {t}: READ answer {g} != golden {w}"
        assert len(got) == len(want)
    assert n_spikes > 0, "the run produced no spikes: the bench checks nothing"
    dut._log.info(f"seed {seed}: 6 steps, {n_spikes} spike packets, all equal to the golden model")
