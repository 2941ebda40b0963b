"""Test harness for the NoC: stream drivers for async testbenches, and a
scoreboard that checks exactly-once, in-order-per-pair delivery to the
right place.

Test packets are SPIKEs whose `axon` names the source (`src_id`) and whose
`payload` is a per-source sequence number, so every flit is unique.
"""
from __future__ import annotations

import random
from collections import defaultdict, deque
from typing import Callable, Iterable, Optional

from amaranth.sim import Simulator

from kilauea.hw import packet
from kilauea.hw.packet import Dest, Spike

HOST_SRC = 0xFFFF


def src_id(x: int, y: int) -> int:
    return y * 16 + x


def src_of(sid: int) -> tuple[int, int]:
    return sid % 16, sid // 16


class Scoreboard:
    """Expected flits per (source, destination), in send order."""

    def __init__(self):
        self.expected: dict[tuple[int, Dest], deque] = defaultdict(deque)
        self.seq: dict[int, int] = defaultdict(int)
        self.sent = 0
        self.received = 0
        self.errors: list[str] = []

    def make(self, sid: int, dst: Dest, step: int = 0) -> int:
        """A fresh unique spike from source `sid` to `dst`, recorded as expected."""
        n = self.seq[sid]
        self.seq[sid] = n + 1
        word = Spike(dst=dst, axon=sid, payload=n % (1 << 23), step=step & 0xFF).encode()
        self.expected[sid, dst].append(word)
        self.sent += 1
        return word

    def got(self, where: Dest, word: int) -> None:
        """A flit `word` arrived at `where` (a tile or the host)."""
        self.received += 1
        p = packet.decode(word)
        if not isinstance(p, Spike):
            self.errors.append(f"at {where}: unexpected {p}")
            return
        if p.dst != where:
            self.errors.append(f"at {where}: flit for {p.dst} delivered here: {p}")
            return
        q = self.expected.get((p.axon, where))
        if not q:
            self.errors.append(f"at {where}: unexpected (duplicate?) {p}")
            return
        if q[0] != word:
            self.errors.append(f"at {where}: out of order or lost: got {p}, "
                               f"expected {packet.decode(q[0])}")
            if word in q:
                q.remove(word)
            return
        q.popleft()

    def pending(self) -> int:
        return sum(len(q) for q in self.expected.values())

    def check(self, drained: bool = True) -> None:
        assert not self.errors, f"{len(self.errors)} errors, first: {self.errors[:5]}"
        if drained:
            left = {k: len(v) for k, v in self.expected.items() if v}
            assert not left, f"{self.pending()} flits never delivered: {left}"
        assert self.received + self.pending() == self.sent


class Source:
    """Drives one stream from a queue of 64-bit words."""

    def __init__(self, iface, name: str = ""):
        self.iface = iface
        self.valid = iface.valid
        self.ready = iface.ready
        self.payload = iface.payload.as_value()
        self.queue: deque[int] = deque()
        self.name = name
        self._shown: Optional[int] = None
        self.accepted = 0
        self.on_accept: Optional[Callable[[int], None]] = None

    def drive(self, ctx) -> None:
        if self.queue:
            w = self.queue[0]
            if self._shown != w:
                ctx.set(self.payload, w)
                if self._shown is None:
                    ctx.set(self.valid, 1)
                self._shown = w
        elif self._shown is not None:
            ctx.set(self.valid, 0)
            self._shown = None

    def sample(self, ctx) -> None:
        if self._shown is not None and ctx.get(self.ready):
            w = self.queue.popleft()
            self.accepted += 1
            if self.on_accept:
                self.on_accept(w)
            # keep _shown: drive() compares against the new head next cycle


class Sink:
    """Takes flits from one stream; `ready_fn(cycle)` decides backpressure.
    It also checks the stream rule that a flit offered and not taken is
    offered again, unchanged, the next cycle: `blocked` counts the cycles an
    offer was refused, `violations` lists the ones where the rule broke."""

    def __init__(self, iface, on_flit: Callable[[int], None],
                 ready_fn: Optional[Callable[[int], bool]] = None, name: str = ""):
        self.valid = iface.valid
        self.ready = iface.ready
        self.payload = iface.payload.as_value()
        self.on_flit = on_flit
        self.ready_fn = ready_fn
        self._ready: Optional[bool] = None
        self.name = name
        self.count = 0
        self.blocked = 0
        self.violations: list[str] = []
        self._held: Optional[int] = None    # the flit refused last cycle

    def drive(self, ctx, cycle: int) -> None:
        r = True if self.ready_fn is None else bool(self.ready_fn(cycle))
        if r != self._ready:
            ctx.set(self.ready, int(r))
            self._ready = r

    def sample(self, ctx) -> None:
        valid = ctx.get(self.valid)
        word = ctx.get(self.payload) if valid else None
        if self._held is not None and word != self._held:
            self.violations.append(f"{self.name}: offer {packet.decode(self._held)} refused, "
                                   f"then {'withdrawn' if word is None else packet.decode(word)}")
        self._held = word if valid and not self._ready else None
        self.blocked += self._held is not None
        if self._ready and valid:
            self.count += 1
            self.on_flit(word)


async def pump(ctx, sources: Iterable[Source], sinks: Iterable[Sink], cycles: int,
               before: Optional[Callable] = None, until: Optional[Callable[[], bool]] = None,
               start_cycle: int = 0) -> int:
    """Run `cycles` clock cycles moving flits; `before(cycle)` may fill source
    queues; stops early when `until()` is true. Returns cycles run."""
    sources = list(sources)
    sinks = list(sinks)
    for c in range(start_cycle, start_cycle + cycles):
        if until is not None and until():
            return c - start_cycle
        if before is not None:
            before(c)
        for s in sources:
            s.drive(ctx)
        for k in sinks:
            k.drive(ctx, c)
        for s in sources:
            s.sample(ctx)
        for k in sinks:
            k.sample(ctx)
        await ctx.tick()
    return cycles


def run(dut, testbench, vcd: Optional[str] = None) -> None:
    """Simulate `dut` with one async testbench on a 1 MHz clock."""
    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    if vcd:
        with sim.write_vcd(vcd):
            sim.run()
    else:
        sim.run()


def seeded(seed: int) -> random.Random:
    print(f"seed={seed}")
    return random.Random(seed)
