"""A `Noc` of test cores (noc_testcore.TestCore, latency 1 + x + y) driven
through the host port only: a Source on host_in, a Sink on host_out, and
what arrived at the host with the cycle it arrived."""
from __future__ import annotations

from noc_harness import Sink, Source
from noc_testcore import TestCore
from kilauea.hw import packet
from kilauea.hw.noc import Noc
from kilauea.hw.packet import Dest, Write
from kilauea.hw.params import ChipParams
from kilauea.sim.diagnose import snapshot

REG_WORK, REG_EMIT, REG_LENGTH, REG_STUCK = range(4)


class HostBench:
    """A Noc of test cores, driven through the host port only."""

    def __init__(self, params: ChipParams, host_ready=None, **noc_kw):
        self.p = params
        self.dut = Noc(params, make_core=lambda x, y: TestCore(params, x, y, latency=1 + x + y),
                       **noc_kw)
        self.src = Source(self.dut.host_in)
        self.got: list = []
        self.sink = Sink(self.dut.host_out, self._take, ready_fn=host_ready)
        self.cycle = 0
        self.on_flit = None

    def _take(self, word):
        pkt = packet.decode(word)
        self.got.append((self.cycle, pkt))
        if self.on_flit:
            self.on_flit(pkt)

    def send(self, *pkts):
        self.src.queue.extend(p.encode() for p in pkts)

    async def run_until(self, ctx, pred, limit, each=None):
        for _ in range(limit):
            if pred():
                return
            self.src.drive(ctx)
            self.sink.drive(ctx, self.cycle)
            if each is not None:
                await each(ctx)
            self.src.sample(ctx)
            self.sink.sample(ctx)
            await ctx.tick()
            self.cycle += 1
        snap = await snapshot(ctx, self.dut)
        raise AssertionError(f"condition not met within {limit} cycles; last flits to the "
                             f"host {self.got[-5:]}\n{snap.describe()}")

    def received(self, cls=None, op=None):
        return [p for _, p in self.got
                if (cls is None or isinstance(p, cls)) and (op is None or getattr(p, "op", None) == op)]


def write_regs(b: HostBench, regs: dict):
    """WRITEs of the test cores' registers: {(x, y): [WORK, EMIT, LENGTH, STUCK]}."""
    for (x, y), vals in regs.items():
        for a, v in enumerate(vals):
            b.send(Write(Dest(x, y), mem=0, addr=a, data=v))
