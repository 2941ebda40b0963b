"""cocotb helpers for the NoC benches: stream sources/sinks and a per-pair
scoreboard, on the Verilog that `kilauea.hw.export` writes.

Timing discipline (one loop per clock cycle, see `CycleLoop`): after the
falling edge the bench first books the handshakes of the rising edge that just
passed (decided by the values it sampled), then writes this cycle's inputs,
then waits for ReadOnly and samples valid / ready / payload, which stay
stable until the next rising edge.
"""
from __future__ import annotations

import random
from collections import defaultdict, deque
from typing import Callable, Optional

from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from kilauea.hw import packet
from kilauea.hw.packet import Dest, Spike


def sig(dut, name):
    return getattr(dut, name)


class StreamSource:
    """Drives `<prefix>__valid/__payload`, reads `<prefix>__ready`."""

    def __init__(self, dut, prefix: str):
        self.valid = sig(dut, f"{prefix}__valid")
        self.ready = sig(dut, f"{prefix}__ready")
        self.payload = sig(dut, f"{prefix}__payload")
        self.queue: deque[int] = deque()
        self.name = prefix
        self._fire = False
        self.on_accept: Optional[Callable[[int], None]] = None

    def book(self):
        if self._fire:
            w = self.queue.popleft()
            if self.on_accept:
                self.on_accept(w)
        self._fire = False

    def drive(self):
        if self.queue:
            self.valid.value = 1
            self.payload.value = self.queue[0]
        else:
            self.valid.value = 0

    def sample(self):
        self._fire = bool(self.queue) and int(self.ready.value) == 1


class StreamSink:
    def __init__(self, dut, prefix: str, on_flit: Callable[[int], None],
                 ready_fn: Optional[Callable[[], bool]] = None):
        self.valid = sig(dut, f"{prefix}__valid")
        self.ready = sig(dut, f"{prefix}__ready")
        self.payload = sig(dut, f"{prefix}__payload")
        self.on_flit = on_flit
        self.ready_fn = ready_fn
        self.name = prefix
        self._r = False
        self._got: Optional[int] = None
        self.count = 0

    def book(self):
        if self._got is not None:
            self.count += 1
            self.on_flit(self._got)
        self._got = None

    def drive(self):
        self._r = True if self.ready_fn is None else bool(self.ready_fn())
        self.ready.value = int(self._r)

    def sample(self):
        if self._r and int(self.valid.value) == 1:
            self._got = int(self.payload.value)


class Scoreboard:
    """Exactly once, at the right place, in order per (source, destination).
    Flits are spikes with axon = source id and payload = sequence number."""

    def __init__(self):
        self.expected = defaultdict(deque)
        self.seq = defaultdict(int)
        self.sent = 0
        self.received = 0
        self.errors: list[str] = []

    def make(self, sid: int, dst: Dest) -> int:
        n = self.seq[sid]
        self.seq[sid] += 1
        word = Spike(dst=dst, axon=sid, payload=n).encode()
        self.expected[sid, dst].append(word)
        self.sent += 1
        return word

    def got(self, where: Dest, word: int, sid: Optional[int] = None) -> None:
        self.received += 1
        p = packet.decode(word)
        if p.dst != where:
            self.errors.append(f"at {where}: flit for {p.dst}: {p}")
            return
        key = (p.axon if sid is None else sid, where)
        q = self.expected.get(key)
        if not q or q[0] != word:
            self.errors.append(f"at {where}: lost, duplicated or out of order: {p} "
                               f"(expected {packet.decode(q[0]) if q else 'nothing'})")
            return
        q.popleft()

    def pending(self) -> int:
        return sum(len(q) for q in self.expected.values())

    def check(self):
        assert not self.errors, f"{len(self.errors)} errors: {self.errors[:5]}"
        assert self.pending() == 0, f"{self.pending()} flits never delivered"
        assert self.received == self.sent


class CycleLoop:
    """Runs sources, sinks and per-cycle callbacks, one clock cycle per step."""

    def __init__(self, dut, period_ns: int = 10):
        self.dut = dut
        self.sources: list[StreamSource] = []
        self.sinks: list[StreamSink] = []
        self.cycle = 0
        Clock(dut.clk, period_ns, unit="ns").start()

    async def reset(self):
        self.dut.rst.value = 1
        await RisingEdge(self.dut.clk)
        await RisingEdge(self.dut.clk)
        self.dut.rst.value = 0

    async def run(self, cycles: int, before=None, after=None, until=None) -> int:
        """`before()` runs after booking (may change queues and drive other
        inputs); `after()` after sampling (may read outputs)."""
        for n in range(cycles):
            await FallingEdge(self.dut.clk)
            for s in self.sources:
                s.book()
            for k in self.sinks:
                k.book()
            if until is not None and until():
                return n
            if before is not None:
                before()
            for s in self.sources:
                s.drive()
            for k in self.sinks:
                k.drive()
            await ReadOnly()
            for s in self.sources:
                s.sample()
            for k in self.sinks:
                k.sample()
            if after is not None:
                after()
            self.cycle += 1
        return cycles


def rng_from_env() -> random.Random:
    import cocotb
    seed = cocotb.RANDOM_SEED
    return random.Random(seed)
