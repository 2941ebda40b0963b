"""Stream drivers for cocotb benches on kilauea's exported Verilog, and the
clock loop that runs them.

Every packet port of the chip's Verilog is an Amaranth ``stream.Signature``
flattened to three signals: ``<prefix>__valid``, ``<prefix>__ready`` and
``<prefix>__payload`` (64 bits, one flit; `kilauea.hw.packet`). A transfer
happens on a rising clock edge where valid and ready are both 1.

Timing discipline (`CycleLoop`, one loop per clock cycle): after the falling
edge the loop first *books* the handshakes of the rising edge that just
passed (decided by the values it sampled), then every driver *drives* this
cycle's inputs, then the loop waits for ReadOnly and every driver *samples*
valid / ready / payload, which stay stable until the next rising edge.
Booking from sampled values, never from values read after the edge, makes
the bench independent of the simulator's scheduling (Icarus and Verilator
agree cycle for cycle).
"""
from __future__ import annotations

import random
from collections import deque
from typing import Callable, Optional, Protocol

from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly

__all__ = ["StreamSource", "StreamSink", "CycleLoop", "BackPressure", "Stepper", "bench_rng"]


class Stepper(Protocol):
    """What `CycleLoop` runs every cycle (sources, sinks, monitors)."""

    def book(self) -> None: ...
    def drive(self) -> None: ...
    def sample(self) -> None: ...


class BackPressure:
    """A seeded random `ready`: each cycle ready with probability `p_ready`,
    held low for bursts of up to `max_burst` cycles (so a FIFO behind it
    really fills). `BackPressure(rng, 1.0)` is always ready."""

    def __init__(self, rng: random.Random, p_ready: float = 0.7, max_burst: int = 8):
        if not 0.0 < p_ready <= 1.0:
            raise ValueError(f"BackPressure p_ready={p_ready}: must be in (0, 1]")
        if max_burst < 1:
            raise ValueError(f"BackPressure max_burst={max_burst}: must be at least 1")
        self.rng, self.p_ready, self.max_burst = rng, p_ready, max_burst
        self._hold = 0

    def __call__(self) -> bool:
        if self._hold:
            self._hold -= 1
            return False
        if self.rng.random() < self.p_ready:
            return True
        self._hold = self.rng.randrange(self.max_burst)
        return False


class StreamSource:
    """Drives ``<prefix>__valid/__payload`` from `queue` (flits, int),
    reads ``<prefix>__ready``. `on_accept(flit)` is called for every flit
    the design took; `stalls` counts cycles offered but refused."""

    def __init__(self, dut, prefix: str):
        self.valid = getattr(dut, f"{prefix}__valid")
        self.ready = getattr(dut, f"{prefix}__ready")
        self.payload = getattr(dut, f"{prefix}__payload")
        self.queue: deque[int] = deque()
        self.name = prefix
        self.sent = 0
        self.stalls = 0
        self.on_accept: Optional[Callable[[int], None]] = None
        self._fire = False

    def book(self) -> None:
        if self._fire:
            w = self.queue.popleft()
            self.sent += 1
            if self.on_accept is not None:
                self.on_accept(w)
        self._fire = False

    def drive(self) -> None:
        if self.queue:
            self.valid.value = 1
            self.payload.value = self.queue[0]
        else:
            self.valid.value = 0

    def sample(self) -> None:
        if self.queue:
            self._fire = int(self.ready.value) == 1
            self.stalls += not self._fire

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing about to be booked."""
        return not self.queue and not self._fire


class StreamSink:
    """Reads ``<prefix>__valid/__payload``, drives ``<prefix>__ready`` from
    `ready_fn()` (default: always ready; a `BackPressure` for random
    back-pressure). `on_flit(flit)` gets every flit taken. Checks the stream
    rule: a flit offered and refused must be offered again unchanged."""

    def __init__(self, dut, prefix: str, on_flit: Callable[[int], None],
                 ready_fn: Optional[Callable[[], bool]] = None):
        self.valid = getattr(dut, f"{prefix}__valid")
        self.ready = getattr(dut, f"{prefix}__ready")
        self.payload = getattr(dut, f"{prefix}__payload")
        self.on_flit = on_flit
        self.ready_fn = ready_fn
        self.name = prefix
        self.count = 0
        self.refused = 0                 # cycles offered while not ready
        self.violations: list[str] = []  # stream-rule breaches seen
        self._r = False
        self._got: Optional[int] = None
        self._held: Optional[int] = None

    def book(self) -> None:
        if self._got is not None:
            self.count += 1
            self.on_flit(self._got)
        self._got = None

    def drive(self) -> None:
        self._r = True if self.ready_fn is None else bool(self.ready_fn())
        self.ready.value = int(self._r)

    def sample(self) -> None:
        valid = int(self.valid.value) == 1
        word = int(self.payload.value) if valid else None
        if self._held is not None and word != self._held:
            self.violations.append(f"{self.name}: flit {self._held:#018x} withdrawn or changed "
                                   f"while not taken")
        if valid and self._r:
            self._got, self._held = word, None
        else:
            self._held = word
            self.refused += valid

    @property
    def offering(self) -> bool:
        """A flit was offered in the last sampled cycle and not yet booked."""
        return self._got is not None or self._held is not None


class CycleLoop:
    """Starts the clock on ``dut.clk`` and runs `steppers` (and per-cycle
    callbacks), one clock cycle per iteration."""

    def __init__(self, dut, period_ns: int = 10):
        self.dut = dut
        self.steppers: list[Stepper] = []
        self.cycle = 0
        Clock(dut.clk, period_ns, unit="ns").start()

    def add(self, *steppers: Stepper) -> None:
        self.steppers += steppers

    async def reset(self, cycles: int = 2) -> None:
        """Hold ``rst`` for at least `cycles` rising edges with every input
        idle (sources' payloads all ones, sinks not ready); release it at a
        falling edge."""
        for s in self.steppers:
            if isinstance(s, StreamSource):
                s.valid.value = 0
                # never Z (the RTL may register it unqualified), and not 0, so
                # that a first flit of 0 is a value change Icarus propagates
                s.payload.value = (1 << len(s.payload)) - 1
            elif isinstance(s, StreamSink):
                s.ready.value = 0
        self.dut.rst.value = 1
        for _ in range(cycles + 1):     # the first falling edge may come before any rising one
            await FallingEdge(self.dut.clk)
        self.dut.rst.value = 0          # away from the rising edge: no race with it

    async def run(self, cycles: int, before=None, after=None, until=None) -> int:
        """Up to `cycles` cycles; stops early (returning the count) when
        `until()` is true after booking. `before()` runs after booking (may
        change queues and drive other inputs); `after()` after sampling (may
        read outputs)."""
        for n in range(cycles):
            await FallingEdge(self.dut.clk)
            for s in self.steppers:
                s.book()
            if until is not None and until():
                return n
            if before is not None:
                before()
            for s in self.steppers:
                s.drive()
            await ReadOnly()
            for s in self.steppers:
                s.sample()
            if after is not None:
                after()
            self.cycle += 1
        return cycles


def bench_rng() -> random.Random:
    """The bench's random generator, seeded from cocotb's seed (the runner's
    `seed`, printed by cocotb at start)."""
    import cocotb
    return random.Random(cocotb.RANDOM_SEED)
