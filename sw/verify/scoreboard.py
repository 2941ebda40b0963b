"""Scoreboards: what the design must send, checked flit by flit.

`InOrderScoreboard` keeps one FIFO of expected flits per (port, source):
every flit the design sends on `port` must be the head of one of that
port's FIFOs (exactly once, in order per source; sources may interleave).
An expectation marked `barrier` (CTRL DONE) may only arrive after every
expectation queued before it, on every source. `mask` leaves out bits the
design is free to choose (a counter of cycles): those bits are not compared.

`GoldenScoreboard` fills it from a golden model (`kilauea.sim.golden`): the
driver hands it every flit it sends, in the order sent, and the oracle
answers with the flits the design must send back:

* `ChipOracle` — the whole chip behind its host port (the golden engine,
  `kilauea.sim.engines.golden.GoldenEngine`, on the same memory images):
  READ -> READ_RESP from the tile; CTRL STEP(t) to the host -> each tile's
  host-bound spikes in emission and fan-out order, then DONE(t) (a
  barrier); STATUS_REQ -> STATUS; a packet the host port refuses -> a
  STATUS with REJECTED;
* `TileOracle` — one neurocore on its tile slot (`GoldenTile`): READ ->
  READ_RESP, CTRL STEP(t) -> every spike packet of the step in order.

Cycle-dependent words (COUNTERS.CYCLES and COUNTERS.STALLS) are masked.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Optional, Protocol

from ..hw import packet, words
from ..hw.hostport import STATUS_HANG, STATUS_REJECTED
from ..hw.memory_map import Mem
from ..hw.neurocore import core_memory as cm
from ..hw.params import ChipParams

__all__ = ["Expected", "InOrderScoreboard", "GoldenScoreboard", "Oracle", "ChipOracle",
           "TileOracle", "HOST_PORT"]

ALL_BITS = (1 << packet.FLIT_BITS) - 1
HOST_PORT = "host port"          # the source name of the host port's own packets


def _field_mask(*path: str) -> int:
    span = words.field_span(packet.Packet, *path)
    return span.mask << span.offset


_RESP_DATA = _field_mask("body", "read_resp", "data")
_CTRL_ARG = _field_mask("body", "ctrl", "arg")
_CTRL_SRC = _field_mask("body", "ctrl", "src_x") | _field_mask("body", "ctrl", "src_y")
_ARG_OFF = words.field_span(packet.Packet, "body", "ctrl", "arg").offset
#: cycle-dependent COUNTERS words: their READ answers are not compared
TIMING_COUNTERS = frozenset({int(cm.Counter.CYCLES), int(cm.Counter.STALLS)})


@dataclass(frozen=True)
class Expected:
    """A flit the design must send: from `source` (a tile "(x,y)", the host
    port, ...), compared on the bits of `mask`; a `barrier` may only arrive
    after everything expected before it."""
    source: str
    word: int
    mask: int = ALL_BITS
    barrier: bool = False

    def matches(self, word: int) -> bool:
        return (word ^ self.word) & self.mask == 0


class InOrderScoreboard:
    """Expected flits per (port, source), checked as described above."""

    def __init__(self, name: str = "scoreboard", max_errors: int = 20):
        self.name, self.max_errors = name, max_errors
        self.queues: dict[tuple[str, str], deque] = {}
        self.errors: list[str] = []
        self.expected = self.received = 0
        self._seq = 0

    def expect(self, port: str, e: Expected) -> None:
        self.queues.setdefault((port, e.source), deque()).append((self._seq, e))
        self._seq += 1
        self.expected += 1

    def error(self, text: str) -> None:
        if len(self.errors) < self.max_errors:
            self.errors.append(text)

    def got(self, port: str, word: int) -> Optional[Expected]:
        """Check one flit the design sent on `port`; the expectation it met."""
        self.received += 1
        heads = [(k, q[0]) for k, q in self.queues.items() if k[0] == port and q]
        for key, (seq, e) in heads:
            if e.matches(word):
                if e.barrier and any(s < seq for _, (s, _) in heads):
                    early = min(heads, key=lambda h: h[1][0])[1][1]
                    self.error(f"{port}: {_show(word)} arrived before {_show(early.word)} "
                               f"(from {early.source}) that was due first")
                self.queues[key].popleft()
                return e
        want = "; ".join(f"{e.source}: {_show(e.word)}" for _, (_, e) in heads) or "nothing"
        self.error(f"{port}: unexpected {_show(word)} (lost, duplicated, reordered or "
                   f"wrong); the sources' next flits were: {want}")
        return None

    def pending(self) -> int:
        return sum(len(q) for q in self.queues.values())

    def pending_text(self, n: int = 5) -> str:
        left = [f"{k[0]} from {e.source}: {_show(e.word)}"
                for k, q in self.queues.items() for _, e in list(q)[:n]]
        return "; ".join(left[:n])

    def check(self) -> None:
        """AssertionError naming the first errors and what never arrived."""
        assert not self.errors, (f"{self.name}: {len(self.errors)} errors, first: "
                                 + " | ".join(self.errors[:5]))
        assert not self.pending(), (f"{self.name}: {self.pending()} expected flits never "
                                    f"arrived: {self.pending_text()}")


def _show(word: int) -> str:
    try:
        return str(packet.decode(word))
    except ValueError:
        return f"{word:#018x} (undecodable)"


class Oracle(Protocol):
    """A golden model seen from the host: the flits it answers `word` with."""
    params: ChipParams

    def send(self, word: int) -> list[Expected]: ...


class GoldenScoreboard(InOrderScoreboard):
    """`InOrderScoreboard` whose expectations come from `oracle` for every
    flit the bench sends (`sent`, in sending order), all on one output port."""

    def __init__(self, oracle: Oracle, port: str = "host", **kw):
        super().__init__(**kw)
        self.oracle, self.port = oracle, port

    def sent(self, word: int) -> None:
        for e in self.oracle.send(word):
            self.expect(self.port, e)

    def got_flit(self, word: int) -> Optional[Expected]:
        return self.got(self.port, word)


def _answers(tile, word: int, source: str) -> list[Expected]:
    """A golden tile's answers to `word`, as expectations from `source`."""
    p = packet.decode(word)
    out = []
    for a in tile.handle(word):
        mask = ALL_BITS
        if (isinstance(a, packet.ReadResp) and p.mem == Mem.COUNTERS.value
                and p.addr in TIMING_COUNTERS):
            mask &= ~_RESP_DATA
        out.append(Expected(source, a.encode(), mask))
    return out


class TileOracle:
    """One neurocore (a `GoldenTile`, microcode neuron model by default)."""

    def __init__(self, params: ChipParams, x: int = 0, y: int = 0, model_factory=None):
        from ..sim.golden.chip import GoldenChip, MicrocodeNeuronModel
        self.params = params
        self.chip = GoldenChip(params, model_factory or MicrocodeNeuronModel)
        self.tile = self.chip.tile(x, y)
        self.source = f"({x},{y})"

    def send(self, word: int) -> list[Expected]:
        return _answers(self.tile, word, self.source)


class ChipOracle:
    """The whole chip behind its host port: the golden engine on the memory
    images the bench loads through WRITE packets."""

    def __init__(self, params: ChipParams, model_factory=None):
        from ..sim.engines.golden import GoldenEngine
        from ..sim.golden.chip import MicrocodeNeuronModel
        self.params = params
        self.engine = GoldenEngine(params, model_factory or MicrocodeNeuronModel)
        self.chip = self.engine.chip

    def send(self, word: int) -> list[Expected]:
        p = packet.decode(word)
        if p.dst.host:
            return self._host_command(p)
        if not (p.dst.x < self.params.mesh_w and p.dst.y < self.params.mesh_h) or \
                (isinstance(p, packet.Read) and not p.reply.host) or \
                (isinstance(p, packet.Ctrl) and p.op is not packet.CtrlOp.STATUS_REQ):
            return [_rejected()]
        return _answers(self.chip.tile(p.dst.x, p.dst.y), word, f"({p.dst.x},{p.dst.y})")

    def _host_command(self, p) -> list[Expected]:
        if isinstance(p, packet.Ctrl) and p.op is packet.CtrlOp.STEP:
            if p.arg != self.chip.t + 1:
                raise ValueError(f"bench error: STEP({p.arg}) after step {self.chip.t}; "
                                 f"steps run in order")
            self.chip.step()
            out = []
            for (x, y), tile in self.chip.tiles.items():
                sent = tile.sent
                for h, a, v, s in zip(sent.host.tolist(), sent.axon.tolist(),
                                      sent.payload.tolist(), sent.step.tolist()):
                    if h:
                        out.append(Expected(f"({x},{y})",
                                            packet.Spike(packet.HOST, a, v, s).encode()))
            done = packet.Ctrl(packet.HOST, packet.CtrlOp.DONE, p.arg).encode()
            return out + [Expected(HOST_PORT, done, barrier=True)]
        if isinstance(p, packet.Ctrl) and p.op is packet.CtrlOp.STATUS_REQ:
            # a clean port between steps: not stepping, no HANG, no REJECTED;
            # the outstanding-read count and the busy tile depend on timing
            st = packet.Ctrl(packet.HOST, packet.CtrlOp.STATUS, self.chip.t << 16).encode()
            flags = (STATUS_HANG | STATUS_REJECTED | 1 | 0xFFFF << 16) << _ARG_OFF
            return [Expected(HOST_PORT, st, ALL_BITS & ~(_CTRL_ARG | _CTRL_SRC) | flags)]
        if isinstance(p, packet.Write) and p.mem == 0 and p.addr == 0:
            return []                   # the step cycle bound register
        return [_rejected()]


def _rejected() -> Expected:
    """The host port's STATUS with REJECTED set (the rest of the word is timing)."""
    st = packet.Ctrl(packet.HOST, packet.CtrlOp.STATUS, STATUS_REJECTED).encode()
    return Expected(HOST_PORT, st, ALL_BITS & ~(_CTRL_ARG | _CTRL_SRC)
                    | STATUS_REJECTED << _ARG_OFF)
