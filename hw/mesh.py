"""The W x H mesh of routers, the tile slot, and the per-tile barrier bits.

`TileSlot` is the contract between a tile's router and its core, seen from
the core (docs/architecture.md, "The tile slot"):

=========== ================================= =====================================
member      direction (core's view)           meaning
=========== ================================= =====================================
rx          In(stream.Signature(Packet))      packets the router delivers to the core
tx          Out(stream.Signature(Packet))     packets the core sends into the mesh
idle        Out(1)                            no work, nothing to send; low in the
                                              cycle a packet is accepted on rx and
                                              until the work it causes is finished
step_seen   Out(32)                           last step number whose STEP arrived
=========== ================================= =====================================

`Mesh(params)` wires `mesh_w * mesh_h` routers (`Router`) into a grid and
exposes, per tile, the slot a core plugs into (``tiles[x][y]``, the flipped
`TileSlot`), plus the west port of tile (0, 0) for the host port
(`west_in`, `west_out`). It also forms each tile's barrier bit
``idle & step_seen == step & router empty`` and reduces them with `Barrier`.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .barrier import Barrier
from .packet import COORD_BITS, Packet
from .params import ChipParams
from .router import Port, Router

__all__ = ["TileSlot", "Mesh", "STEP_WIDTH", "connect_slot", "check_slot"]

STEP_WIDTH = 32


class TileSlot(wiring.Signature):
    """The tile slot, from the core's side (a core's signature contains these
    four members; the mesh holds the flipped signature)."""

    def __init__(self):
        super().__init__({
            "rx": In(stream.Signature(Packet)),
            "tx": Out(stream.Signature(Packet)),
            "idle": Out(1),
            "step_seen": Out(STEP_WIDTH),
        })


def check_slot(core, where: str = "core") -> None:
    """Raise TypeError unless `core` is an Elaboratable with the members of
    `TileSlot` (`rx`, `tx`, `idle`, `step_seen`)."""
    missing = [n for n in ("rx", "tx", "idle", "step_seen") if getattr(core, n, None) is None]
    if missing:
        raise TypeError(f"{where} returned {type(core).__name__}, which does not implement "
                        f"the tile slot: missing {', '.join(missing)} (see kilauea.hw.mesh.TileSlot)")
    if not hasattr(core, "elaborate"):
        raise TypeError(f"{where} returned {type(core).__name__}, which is not an Amaranth "
                        f"Elaboratable")


def connect_slot(m: Module, core, slot, where: str = "core") -> None:
    """Connect a core (any object with `rx`, `tx`, `idle`, `step_seen` as in
    `TileSlot`, e.g. a Component whose signature has those members among
    others) to the mesh side of a tile slot."""
    check_slot(core, where)
    wiring.connect(m, slot.rx, core.rx)
    wiring.connect(m, core.tx, slot.tx)
    m.d.comb += [slot.idle.eq(core.idle), slot.step_seen.eq(core.step_seen)]


class Mesh(wiring.Component):
    """Members
    -------
    tiles : ``In(TileSlot()).array(mesh_w, mesh_h)``: ``tiles[x][y]`` is the
        slot of tile (x, y), seen from the mesh.
    west_in, west_out : the west port of tile (0, 0): the host port injects on
        `west_in`; host-bound packets leave on `west_out`.
    step : ``In(32)``: the step number the barrier waits for.
    all_done : ``Out(1)``: registered barrier (every tile has seen `step`, is
        idle, and its router is empty).
    busy_x, busy_y : the first tile (row-major) that is not done.
    quiet : ``Out(1)``: every router FIFO is empty (combinational).
    tile_x, tile_y : only with ``coord_ports=True``: ``In(COORD_BITS).array(mesh_w,
        mesh_h)``, the coordinates router (x, y) is given; whoever instantiates
        the mesh must drive ``tile_x[x][y]`` with x and ``tile_y[x][y]`` with y.
        Without them (the default) the mesh drives each router's coordinates
        with constants, which Amaranth folds into the router's logic, so every
        router is a different module; with them, routers with the same ports
        are the same module (the compiled engine's Verilator build uses this).
    """

    def __init__(self, params: ChipParams, coord_ports: bool = False):
        self.params = params
        self.coord_ports = coord_ports
        w, h = params.mesh_w, params.mesh_h
        coords = {"tile_x": In(COORD_BITS).array(w, h),
                  "tile_y": In(COORD_BITS).array(w, h)} if coord_ports else {}
        super().__init__({
            "tiles": In(TileSlot()).array(w, h),
            "west_in": In(stream.Signature(Packet)),
            "west_out": Out(stream.Signature(Packet)),
            "step": In(STEP_WIDTH),
            "all_done": Out(1),
            "busy_x": Out(COORD_BITS),
            "busy_y": Out(COORD_BITS),
            "quiet": Out(1),
            **coords,
        })
        self.routers: dict[tuple[int, int], Router] = {}
        for x, y in params.tiles():
            ports = {Port.L}
            if y > 0:
                ports.add(Port.N)
            if x < w - 1:
                ports.add(Port.E)
            if y < h - 1:
                ports.add(Port.S)
            if x > 0 or y == 0:      # (0, 0)'s west port is the host port
                ports.add(Port.W)
            self.routers[x, y] = Router(x, y, params.fifo_depth, ports)
        self.barrier = Barrier(w, h)

    def elaborate(self, platform):
        m = Module()
        p = self.params
        w, h = p.mesh_w, p.mesh_h
        m.submodules.barrier = self.barrier
        done_bits = []
        for (x, y), r in self.routers.items():
            m.submodules[f"router_{x}_{y}"] = r
            if self.coord_ports:
                m.d.comb += [r.x.eq(self.tile_x[x][y]), r.y.eq(self.tile_y[x][y])]
            else:
                m.d.comb += [r.x.eq(x), r.y.eq(y)]
            slot = self.tiles[x][y]
            wiring.connect(m, r.out[Port.L], wiring.flipped(slot.rx))
            wiring.connect(m, wiring.flipped(slot.tx), r.inp[Port.L])
            if x + 1 < w:
                e = self.routers[x + 1, y]
                wiring.connect(m, r.out[Port.E], e.inp[Port.W])
                wiring.connect(m, e.out[Port.W], r.inp[Port.E])
            if y + 1 < h:
                s = self.routers[x, y + 1]
                wiring.connect(m, r.out[Port.S], s.inp[Port.N])
                wiring.connect(m, s.out[Port.N], r.inp[Port.S])
        # edges: nothing comes in, nothing is taken (a misrouted flit waits)
        for (x, y), r in self.routers.items():
            edges = []
            if y == 0:
                edges.append(Port.N)
            if x == w - 1:
                edges.append(Port.E)
            if y == h - 1:
                edges.append(Port.S)
            if x == 0 and y > 0:
                edges.append(Port.W)
            for e in edges:
                m.d.comb += [r.inp[e].valid.eq(0), r.out[e].ready.eq(0)]
        r00 = self.routers[0, 0]
        wiring.connect(m, wiring.flipped(self.west_in), r00.inp[Port.W])
        wiring.connect(m, r00.out[Port.W], wiring.flipped(self.west_out))

        for x, y in p.tiles():
            r = self.routers[x, y]
            slot = self.tiles[x][y]
            bit = Signal(name=f"done_{x}_{y}")
            m.d.comb += bit.eq(slot.idle & (slot.step_seen == self.step) & r.empty)
            done_bits.append(bit)
        m.d.comb += [
            self.barrier.done.eq(Cat(done_bits)),
            self.all_done.eq(self.barrier.all_done),
            self.busy_x.eq(self.barrier.busy_x),
            self.busy_y.eq(self.barrier.busy_y),
            self.quiet.eq(Cat(r.empty for r in self.routers.values()).all()),
        ]
        return m
