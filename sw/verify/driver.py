"""The packet driver and monitor of a cocotb bench: the host's side of the
chip (``host_in`` / ``host_out``) or of one core's tile slot (``rx`` / ``tx``).

`PacketDriver` queues flits on the design's input stream and hands each to
the scoreboard (which asks the golden model what must come back) and to the
coverage; its `PacketMonitor` takes every flit on the output stream (with
optional random back-pressure) and checks it against the scoreboard. The
methods speak packets (`kilauea.hw.packet`):

* `write(tile, mem, addr, data)`, `read(tile, mem, addr)` (the answer is
  checked against the golden model; the tag cycles 0..255),
  `spike(tile, axon, payload, step)`, `send(word)` for anything else;
* `load(images)`: whole memory images as WRITE packets (`image_flits`);
* `await step(t)`: run step t and wait until it is over (the host port's
  DONE(t) on the chip; the core idle for a lone core), every expected flit
  received;
* `await settle()`: wait until everything sent is answered.

`HostPortDriver` steps the chip through its host port (CTRL STEP to the
host); `CoreDriver` drives a lone core (CTRL STEP to the tile, done when
``idle`` is high and nothing is in flight).
"""
from __future__ import annotations

import abc
from typing import Callable, Mapping, Optional

import numpy as np

from ..hw import packet
from ..hw.memory_map import Mem
from ..hw.neurocore import core_memory as cm
from .coverage import Coverage
from .scoreboard import HOST_PORT, GoldenScoreboard
from .streams import CycleLoop, StreamSink, StreamSource

__all__ = ["PacketMonitor", "PacketDriver", "HostPortDriver", "CoreDriver", "image_flits"]

Tile = tuple[int, int]


def image_flits(images: Mapping[Tile, Mapping[Mem, np.ndarray]]) -> np.ndarray:
    """WRITE flits (uint64) loading memory images (per tile, per memory, the
    words from address 0): every non-zero word, CONFIG last in each tile (it
    sets the compartment count the core then runs). Zero words are skipped:
    the bench's Verilog starts with every memory zero (`runner.KEEP_ZERO_INIT`
    or a hardware clear at reset)."""
    out = []
    for (x, y), mems in images.items():
        for mem in sorted(mems, key=lambda m: Mem(m) is Mem.CONFIG):
            w = np.asarray(mems[mem], dtype=np.int64).reshape(-1)
            nz = np.flatnonzero(w) if Mem(mem) is not Mem.CONFIG else np.arange(w.size)
            if nz.size:
                out.append(packet.encode_array(packet.Kind.WRITE, x, y, 0, mem=Mem(mem).value,
                                               addr=nz, data=w[nz]))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.uint64)


class PacketMonitor(StreamSink):
    """Takes every flit on `prefix`, counts it in `cov`, checks it against
    `scoreboard` and keeps it in `log` (words), with `ready_fn` as back-pressure."""

    def __init__(self, dut, prefix: str, scoreboard: GoldenScoreboard, cov: Coverage,
                 ready_fn: Optional[Callable[[], bool]] = None):
        super().__init__(dut, prefix, self._take, ready_fn)
        self.scoreboard, self.cov = scoreboard, cov
        self.log: list[int] = []
        self.listeners: list[Callable[[int], None]] = []

    def _take(self, word: int) -> None:
        self.log.append(word)
        self.cov.packet("out", word)
        e = self.scoreboard.got_flit(word)
        p = packet.decode(word)
        if isinstance(p, packet.Ctrl) and p.op is packet.CtrlOp.STATUS:
            # a tile's STATUS carries its flags, the host port's its status word
            if e is not None and e.source == HOST_PORT:
                self.cov.host_status(p.arg)
            else:
                self.cov.flags(p.arg)
        for f in self.listeners:
            f(word)


class PacketDriver(abc.ABC):
    """Drives `inp`, monitors `out` (see the module docstring)."""

    def __init__(self, dut, loop: CycleLoop, scoreboard: GoldenScoreboard,
                 cov: Optional[Coverage] = None, *, inp: str, out: str,
                 ready_fn: Optional[Callable[[], bool]] = None):
        self.dut, self.loop, self.scoreboard = dut, loop, scoreboard
        self.cov = cov if cov is not None else Coverage()
        self.source = StreamSource(dut, inp)
        self.monitor = PacketMonitor(dut, out, scoreboard, self.cov, ready_fn)
        self.monitor.listeners.append(self._status_reads)
        self._tag = 0
        self._flag_reads: set[int] = set()      # tags of STATUS.FLAGS reads
        loop.add(self.source, self.monitor)

    # -- sending -----------------------------------------------------------------
    def send(self, word: int) -> None:
        """Queue one flit; the scoreboard learns what it must answer."""
        word = int(word)
        self.cov.packet("in", word)
        self.scoreboard.sent(word)
        self.source.queue.append(word)

    def send_many(self, flits) -> None:
        for w in np.asarray(flits, dtype=np.uint64).reshape(-1).tolist():
            self.send(w)

    def write(self, tile: Tile, mem: Mem, addr: int, data: int) -> None:
        self.send(packet.Write(packet.Dest(*tile), Mem(mem).value, addr, data).encode())

    def read(self, tile: Tile, mem: Mem, addr: int) -> int:
        """Queue a READ; returns its tag. Its answer is checked on arrival."""
        tag, self._tag = self._tag, (self._tag + 1) % (1 << packet.TAG_BITS)
        if Mem(mem) is Mem.STATUS and addr == cm.Status.FLAGS:
            self._flag_reads.add(tag)
        self.send(packet.Read(packet.Dest(*tile), Mem(mem).value, addr, tag).encode())
        return tag

    def spike(self, tile: Tile, axon: int, payload: int = 1, step: int = 0) -> None:
        self.send(packet.Spike(packet.Dest(*tile), axon, payload, step).encode())

    def load(self, images) -> int:
        """WRITE packets for whole memory images (`image_flits`); their count."""
        flits = image_flits(images)
        self.send_many(flits)
        return int(flits.size)

    def _status_reads(self, word: int) -> None:
        p = packet.decode(word)
        if isinstance(p, packet.ReadResp) and p.tag in self._flag_reads:
            self._flag_reads.discard(p.tag)
            self.cov.flags(p.data)

    # -- waiting -----------------------------------------------------------------
    def quiet(self) -> bool:
        """Everything sent was taken and every expected flit has arrived."""
        return self.source.idle and not self.monitor.offering and not self.scoreboard.pending()

    async def settle(self, limit: int = 100_000) -> int:
        """Run until `quiet`; AssertionError after `limit` cycles. Cycles run."""
        n = await self.loop.run(limit, until=self.quiet)
        if not self.quiet():
            raise AssertionError(f"not settled after {limit} cycles: {len(self.source.queue)} "
                                 f"flits unsent, {self.scoreboard.pending()} expected flits "
                                 f"missing ({self.scoreboard.pending_text()})")
        self.scoreboard.check()
        return n

    @abc.abstractmethod
    async def step(self, t: int, limit: int = 100_000) -> int:
        """Run step t (after whatever was queued); cycles until it was over."""


class HostPortDriver(PacketDriver):
    """The chip (or NoC) through its host port: ``host_in`` / ``host_out``."""

    def __init__(self, dut, loop, scoreboard, cov=None, *, inp="host_in", out="host_out",
                 ready_fn=None):
        super().__init__(dut, loop, scoreboard, cov, inp=inp, out=out, ready_fn=ready_fn)

    async def step(self, t: int, limit: int = 100_000) -> int:
        """CTRL STEP(t) to the host port; waits for DONE(t) (a barrier the
        scoreboard checks) and every host-bound flit of the step."""
        self.send(packet.Ctrl(packet.HOST, packet.CtrlOp.STEP, t).encode())
        return await self.settle(limit)


class CoreDriver(PacketDriver):
    """One core on its tile slot (``rx`` / ``tx``, the ``idle`` output)."""

    def __init__(self, dut, loop, scoreboard, cov=None, *, tile: Tile = (0, 0), inp="rx",
                 out="tx", ready_fn=None):
        super().__init__(dut, loop, scoreboard, cov, inp=inp, out=out, ready_fn=ready_fn)
        self.tile = tile
        self._idle_run = 0      # sampled cycles with `idle` high since the last flit taken
        self.source.on_accept = self._taken
        loop.add(self)          # samples `idle` with the streams

    def _taken(self, word: int) -> None:
        self._idle_run = 0

    def book(self) -> None:
        """(`CycleLoop` protocol: nothing to book.)"""

    def drive(self) -> None:
        """(`CycleLoop` protocol: the core's inputs are the streams'.)"""

    def sample(self) -> None:
        self._idle_run = self._idle_run + 1 if int(self.dut.idle.value) == 1 else 0

    def quiet(self) -> bool:
        """`PacketDriver.quiet` with the core idle in two sampled cycles
        since the last flit it took (a command just taken may not have made
        it busy yet)."""
        return self._idle_run >= 2 and super().quiet()

    async def step(self, t: int, limit: int = 100_000) -> int:
        """CTRL STEP(t) to the core; waits until it is idle with every spike
        packet of the step received (and checked)."""
        self.send(packet.Ctrl(packet.Dest(*self.tile), packet.CtrlOp.STEP, t).encode())
        return await self.settle(limit)
