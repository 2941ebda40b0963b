"""The mesh router: five ports, XY routing, input FIFOs, round-robin outputs.

One `Router` sits in every tile. Ports are numbered by `Port` (N, E, S, W,
local). Rows grow southward: tile (x, y) has (x, y - 1) to its north and
(x + 1, y) to its east; the host port hangs off the west side of tile (0, 0).

Datapath, per router:

* an input FIFO (`PacketFifo`, `fifo_depth` flits) behind every input;
* each flit is routed as it is written into its FIFO (dimension-ordered XY:
  first along x, then along y; a host-bound packet, `dst.host = 1`, is routed
  to tile (0, 0) and leaves it west) and its output request is stored with
  it, so the head's request is a register;
* one round-robin arbiter per output picks among the heads that want it and
  registers its choice (`sel`); from the next cycle on the output offers that
  head (`valid` is the register, `payload` the head through one multiplexer)
  until it is taken. A head is up for arbitration while no output has chosen
  it, and the flit behind it otherwise (from registers; its grant counts
  only in the cycle its head is taken), so an output can move one flit per
  cycle. A flit written into a FIFO at cycle c is
  arbitrated at c + 1 and written into the next router's FIFO at c + 2: two
  cycles per hop at zero load. No path runs from a FIFO's read pointer
  through the arbitration to the crossbar: the crossbar's select is a
  register.

Stream rules: an output's `valid` never depends on its `ready` (it is a
register); once an output offers a flit it keeps offering the same flit
until it is taken (the arbiter's choice is held while the output is
blocked). An input's `ready`
depends only on its FIFO's fill level. Each output moves at most one flit per
cycle; an input FIFO's head wants exactly one output, so no flit is ever
duplicated, and flits of one input leave in FIFO order, so packets between one
source and one destination are never reordered (they all follow the same XY
path through the same FIFOs).

A port that does not exist (the mesh edge) has no FIFO; a flit routed to a
missing output (a destination outside the mesh) stays at the head of its
FIFO, and the barrier's hang diagnostic names it. The host port refuses such
destinations from the host.
"""
from __future__ import annotations

import enum as py_enum
from typing import Iterable

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .packet import COORD_BITS, Packet

__all__ = ["Port", "PacketFifo", "Router", "route_xy", "N_PORTS"]


class Port(py_enum.IntEnum):
    """Router port numbers."""
    N = 0
    E = 1
    S = 2
    W = 3
    L = 4  # local: the tile's core (or, for W of tile (0, 0), the host port)


N_PORTS = len(Port)


def route_xy(x: int, y: int, dst_x: int, dst_y: int, dst_host: bool) -> Port:
    """The output port a router at (x, y) picks for a destination (Python
    reference of the RTL's routing function)."""
    if dst_host:
        dst_x, dst_y = 0, 0
    if dst_x > x:
        return Port.E
    if dst_x < x:
        return Port.W
    if dst_y > y:
        return Port.S
    if dst_y < y:
        return Port.N
    return Port.W if dst_host else Port.L


class PacketFifo(wiring.Component):
    """A first-word-fall-through FIFO of `depth` flits, held in registers.

    `w` accepts while the FIFO is not full (`w.ready` depends only on the fill
    level); `r.valid` is high while it holds a flit and `r.payload` is the
    oldest flit. A flit written at cycle c is readable at c + 1. `ready` and
    `valid` are registers of their own (not full, not empty).

    `side_bits` > 0 adds `w_side` / `r_side` (``In`` / ``Out`` of that width):
    bits stored with each flit (the router keeps each flit's output request
    there, computed as the flit is written); `r_side2` are those of the
    second oldest flit, valid while `r_valid2` (two flits or more, a
    register). `slots`, `rd_ptr` and `level` are public so diagnostics can
    list what it holds.
    """

    def __init__(self, depth: int, side_bits: int = 0):
        if depth < 1:
            raise ValueError(f"PacketFifo depth must be at least 1, not {depth}")
        if side_bits < 0:
            raise ValueError(f"PacketFifo side_bits must be at least 0, not {side_bits}")
        self.depth, self.side_bits = depth, side_bits
        members = {
            "w": In(stream.Signature(Packet)),
            "r": Out(stream.Signature(Packet)),
            "level": Out(range(depth + 1)),
        }
        if side_bits:
            members.update(w_side=In(side_bits), r_side=Out(side_bits),
                           r_side2=Out(side_bits))
        members["r_valid2"] = Out(1)
        super().__init__(members)
        self.slots = [Signal(Packet.size, name=f"slot{i}") for i in range(depth)]
        self.sides = [Signal(side_bits, name=f"side{i}") for i in range(depth)]
        self.rd_ptr = Signal(range(depth))
        self.wr_hot = Signal(depth, init=1)      # bit i: the next write goes to slot i

    def elaborate(self, platform):
        m = Module()
        depth = self.depth
        do_w = Signal()
        do_r = Signal()
        # level != 0, level != depth and level >= 2, kept in registers of their own
        nonempty, full, two = Signal(), Signal(), Signal()
        m.d.comb += [
            self.w.ready.eq(~full),
            self.r.valid.eq(nonempty),
            self.r_valid2.eq(two),
            do_w.eq(self.w.valid & self.w.ready),
            do_r.eq(self.r.valid & self.r.ready),
        ]
        w_side = self.w_side if self.side_bits else Const(0, 0)
        if depth == 1:
            m.d.comb += self.r.payload.eq(self.slots[0])
            if self.side_bits:
                m.d.comb += self.r_side.eq(self.sides[0])
            with m.If(do_w):
                m.d.sync += [self.slots[0].eq(self.w.payload), self.sides[0].eq(w_side)]
        else:
            m.d.comb += self.r.payload.eq(Array(self.slots)[self.rd_ptr])
            if self.side_bits:
                nxt = Mux(self.rd_ptr == depth - 1, 0, self.rd_ptr + 1)
                m.d.comb += [self.r_side.eq(Array(self.sides)[self.rd_ptr]),
                             self.r_side2.eq(Array(self.sides)[nxt])]
            for i in range(depth):      # the write pointer is one-hot: one gate to each slot
                with m.If(do_w & self.wr_hot[i]):
                    m.d.sync += [self.slots[i].eq(self.w.payload), self.sides[i].eq(w_side)]
            with m.If(do_w):
                m.d.sync += self.wr_hot.eq(self.wr_hot.rotate_left(1))
            with m.If(do_r):
                m.d.sync += self.rd_ptr.eq(Mux(self.rd_ptr == depth - 1, 0, self.rd_ptr + 1))
        with m.If(do_w & ~do_r):
            m.d.sync += [self.level.eq(self.level + 1), nonempty.eq(1),
                         full.eq(self.level == depth - 1), two.eq(self.level >= 1)]
        with m.Elif(do_r & ~do_w):
            m.d.sync += [self.level.eq(self.level - 1), nonempty.eq(self.level != 1), full.eq(0),
                         two.eq(self.level >= 3)]
        return m


class Router(wiring.Component):
    """The router of a tile.

    The tile's coordinates are inputs (`x`, `y`), not constants of the design,
    so every router with the same `ports` elaborates to the same circuit (one
    module per kind of router in the Verilog, compiled once by Verilator). The
    mesh drives them with constants; undriven (a router simulated on its own),
    they hold their initial values.

    Parameters
    ----------
    x, y : the tile's coordinates: the initial values of the inputs `x`, `y`.
    fifo_depth : flits per input FIFO.
    ports : the ports that exist (default: all five). Inputs not listed have
        no FIFO and ignore their `valid`; outputs not listed never assert
        `valid`.

    Members
    -------
    inp : ``In(stream.Signature(Packet)).array(5)``, indexed by `Port`.
    out : ``Out(stream.Signature(Packet)).array(5)``, indexed by `Port`.
    empty : ``Out(1)``, high when every input FIFO is empty.
    x, y : ``In(COORD_BITS)``, this tile's coordinates (constant in a chip).
    """

    def __init__(self, x: int, y: int, fifo_depth: int = 4,
                 ports: Iterable[Port] = tuple(Port)):
        self.tile = (int(x), int(y))
        self.fifo_depth = int(fifo_depth)
        self.ports = frozenset(Port(p) for p in ports)
        super().__init__({
            "inp": In(stream.Signature(Packet)).array(N_PORTS),
            "out": Out(stream.Signature(Packet)).array(N_PORTS),
            "empty": Out(1),
            "x": In(COORD_BITS, init=self.tile[0]),
            "y": In(COORD_BITS, init=self.tile[1]),
        })
        # Created here (not in elaborate) so diagnostics can reach them.
        self.fifos: dict[Port, PacketFifo] = {
            p: PacketFifo(self.fifo_depth, N_PORTS) for p in Port if p in self.ports}

    def _route(self, m: Module, head, name: str) -> Signal:
        """One-hot (5 bits) output request of a FIFO head."""
        want = Signal(N_PORTS, name=f"want_{name}")
        tx = Signal(4, name=f"tx_{name}")
        ty = Signal(4, name=f"ty_{name}")
        m.d.comb += [
            tx.eq(Mux(head.dst.host, 0, head.dst.x)),
            ty.eq(Mux(head.dst.host, 0, head.dst.y)),
        ]
        with m.If(tx > self.x):
            m.d.comb += want[Port.E].eq(1)
        with m.Elif(tx < self.x):
            m.d.comb += want[Port.W].eq(1)
        with m.Elif(ty > self.y):
            m.d.comb += want[Port.S].eq(1)
        with m.Elif(ty < self.y):
            m.d.comb += want[Port.N].eq(1)
        with m.Elif(head.dst.host):
            m.d.comb += want[Port.W].eq(1)
        with m.Else():
            m.d.comb += want[Port.L].eq(1)
        return want

    def elaborate(self, platform):
        m = Module()
        ins = [p for p in Port if p in self.ports]
        for p, fifo in self.fifos.items():
            m.submodules[f"fifo_{p.name}"] = fifo
            wiring.connect(m, wiring.flipped(self.inp[p]), fifo.w)
            m.d.comb += fifo.w_side.eq(self._route(m, fifo.w.payload, p.name))
        m.d.comb += self.empty.eq(Cat(f.level == 0 for f in self.fifos.values()).all())

        self._arbitrate(m, ins)
        return m

    def _candidates(self, m: Module, ins: list, sel: dict, taken: dict) -> tuple:
        """Per input: (valid, want) of the flit it puts up for arbitration
        this cycle, from registers only: its head while no output has chosen
        it, else the flit behind the head. A grant to the flit behind counts
        (`ok`, one bit per input) only in the cycle its head is taken. Also
        drives the FIFOs' `r.ready`."""
        cands, ok = {}, []
        for k, p in enumerate(ins):
            fifo = self.fifos[p]
            chosen = Cat(sel[o][k] for o in sel).any()
            pop = Cat(sel[o][k] & taken[o] for o in sel).any()
            m.d.comb += fifo.r.ready.eq(pop)
            valid = Signal(name=f"cand_v_{p.name}")
            want = Signal(N_PORTS, name=f"cand_want_{p.name}")
            m.d.comb += [valid.eq(Mux(chosen, fifo.r_valid2, fifo.r.valid)),
                         want.eq(Mux(chosen, fifo.r_side2, fifo.r_side))]
            cands[p] = (valid, want)
            ok.append(~chosen | pop)
        return cands, Cat(ok)

    def _arbitrate(self, m: Module, ins: list) -> None:
        """One round-robin arbiter per output, its choice registered: `sel`
        (one-hot over the inputs) names the input whose head the output
        offers from the next cycle on, until it is taken."""
        n_in = len(ins)
        outs = [o for o in Port if o in self.ports and n_in]
        sel = {o: Signal(n_in, name=f"sel_{o.name}") for o in outs}
        taken = {o: Signal(name=f"taken_{o.name}") for o in outs}
        for o in Port:
            if o not in outs:
                m.d.comb += self.out[o].valid.eq(0)
        for o in outs:
            out = self.out[o]
            m.d.comb += [out.valid.eq(sel[o].any()), taken[o].eq(out.valid & out.ready)]
            with m.Switch(sel[o]):
                for k, p in enumerate(ins):
                    with m.Case(1 << k):
                        m.d.comb += out.payload.eq(self.fifos[p].r.payload)
        cands, ok = self._candidates(m, ins, sel, taken)
        for o in outs:
            req = Signal(n_in, name=f"req_{o.name}")
            m.d.comb += req.eq(Cat(v & w[o] for v, w in (cands[p] for p in ins)))
            grant = Signal(n_in, name=f"grant_{o.name}")
            last = Signal(range(n_in), name=f"last_{o.name}")     # last input served
            free = Signal(name=f"free_{o.name}")       # no flit offered after this cycle
            m.d.comb += free.eq(~self.out[o].valid | taken[o])
            # round robin: the first requester after the last one served
            with m.Switch(last):
                for lp in range(n_in):
                    with m.Case(lp):
                        order = [(lp + 1 + k) % n_in for k in range(n_in)]
                        with m.If(req[order[0]]):
                            m.d.comb += grant[order[0]].eq(1)
                        for k in order[1:]:
                            with m.Elif(req[k]):
                                m.d.comb += grant[k].eq(1)
            # a grant that does not count (the head in front not taken) is
            # lost for this cycle, but the round robin still moves past it
            with m.If(free):
                m.d.sync += sel[o].eq(grant & ok)
                with m.Switch(grant):
                    for k in range(n_in):
                        with m.Case(1 << k):
                            m.d.sync += last.eq(k)
