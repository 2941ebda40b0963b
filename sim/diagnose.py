"""Hang diagnostics: what a running simulation of the NoC still holds.

`snapshot(ctx, noc)` (inside an Amaranth async testbench or process, `ctx`
being its context) reads, without disturbing the design, every tile's
`idle` and `step_seen`, every router input FIFO's contents (decoded into
`kilauea.hw.packet` dataclasses, oldest first) and the host port's queues
and status. `NocSnapshot.describe()` renders it for a person, and
`NocHang` is the exception the runtime raises with it when a step misses
its barrier::

    snap = await snapshot(ctx, noc)
    if ctx.get(noc.hang):
        raise NocHang(snap)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..hw import packet
from ..hw.hostport import decode_status
from ..hw.router import PacketFifo

__all__ = ["FifoContents", "TileState", "NocSnapshot", "NocHang", "snapshot", "read_fifo"]


@dataclass(frozen=True)
class FifoContents:
    where: str                       # e.g. "router (1,0) input E", "host port output"
    flits: tuple                     # decoded packets, oldest first

    def describe(self) -> str:
        lines = [f"{self.where}: {len(self.flits)} flit(s)"]
        lines += [f"    {p}" for p in self.flits]
        return "\n".join(lines)


@dataclass(frozen=True)
class TileState:
    x: int
    y: int
    idle: bool
    step_seen: int
    router_empty: bool


@dataclass
class NocSnapshot:
    step: int                        # the step the host port waits for
    status: dict                     # decoded host-port status word
    tiles: list[TileState] = field(default_factory=list)
    fifos: list[FifoContents] = field(default_factory=list)

    @property
    def busy_tiles(self) -> list[TileState]:
        """Tiles that keep the barrier from completing."""
        return [t for t in self.tiles
                if not (t.idle and t.step_seen == self.step and t.router_empty)]

    @property
    def queued(self) -> list[FifoContents]:
        return [f for f in self.fifos if f.flits]

    def describe(self) -> str:
        s = self.status
        lines = [f"step {self.step}: stepping={s['stepping']} hang={s['hang']} "
                 f"rejected={s['rejected']} outstanding host reads={s['outstanding_reads']}"]
        busy = self.busy_tiles
        if busy:
            lines.append("tiles not done:")
            for t in busy:
                why = []
                if not t.idle:
                    why.append("core busy")
                if t.step_seen != self.step:
                    why.append(f"has seen step {t.step_seen}")
                if not t.router_empty:
                    why.append("router holds flits")
                lines.append(f"  tile ({t.x},{t.y}): {', '.join(why)}")
        else:
            lines.append("every tile is done")
        q = self.queued
        if q:
            lines.append("queued flits:")
            lines += ["  " + f.describe().replace("\n", "\n  ") for f in q]
        else:
            lines.append("no flit is queued")
        return "\n".join(lines)


class NocHang(RuntimeError):
    """A step did not reach its barrier within the bound."""

    def __init__(self, snap: NocSnapshot):
        self.snapshot = snap
        super().__init__(f"step {snap.step} did not complete:\n{snap.describe()}")


def _decode(word: int):
    try:
        return packet.decode(word)
    except ValueError as e:
        return f"<undecodable {word:#018x}: {e}>"


async def read_fifo(ctx, fifo: PacketFifo) -> tuple:
    """The flits `fifo` holds, oldest first, decoded."""
    level = ctx.get(fifo.level)
    rd = ctx.get(fifo.rd_ptr) if fifo.depth > 1 else 0
    return tuple(_decode(ctx.get(fifo.slots[(rd + i) % fifo.depth])) for i in range(level))


async def snapshot(ctx, noc) -> NocSnapshot:
    """Everything `noc` (a `kilauea.hw.noc.Noc`) holds, read through `ctx`."""
    hp = noc.hostport
    snap = NocSnapshot(step=ctx.get(hp.step), status=decode_status(ctx.get(hp.status)))
    for (x, y), r in noc.mesh.routers.items():
        slot = noc.mesh.tiles[x][y]
        snap.tiles.append(TileState(x, y, bool(ctx.get(slot.idle)), ctx.get(slot.step_seen),
                                    bool(ctx.get(r.empty))))
        for port, fifo in r.fifos.items():
            snap.fifos.append(FifoContents(f"router ({x},{y}) input {port.name}",
                                           await read_fifo(ctx, fifo)))
    snap.fifos.append(FifoContents("host port input", await read_fifo(ctx, hp.in_fifo)))
    snap.fifos.append(FifoContents("host port output", await read_fifo(ctx, hp.out_fifo)))
    return snap
