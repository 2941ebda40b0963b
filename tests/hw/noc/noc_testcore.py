"""A small test core implementing the tile slot, to exercise the barrier.

Registers (WRITE / READ with mem=0, addr 0..3, 32 bits):
  0 WORK    cycles of "neuron phase" after each STEP
  1 EMIT    chains the core starts after that phase, per step
  2 LENGTH  hops of each chain it starts
  3 STUCK   nonzero: after STEP the core never becomes idle (hang tests)

A chain is a SPIKE whose payload k counts the hops left. A core receiving
SPIKE(axon, k) waits `latency` cycles (busy), then sends SPIKE(axon, k - 1)
to the next tile of its round-robin walk over the mesh, or to the host when
k - 1 == 0. So every chain ends at the host exactly once, after wandering
through the mesh, and the barrier must wait for all of it.

Every packet the core sends waits in a 64-flit queue, so the core keeps
accepting rx while tx is blocked (a tile must never stop consuming because it
cannot send; the tests keep fewer than 64 chains in flight).

A chain the core starts after STEP has axon ``0x8000 | tile_index << 6 | i``.
READ answers READ_RESP(data=reg, tag, src=(x, y)) to the read's reply address.
"""
from __future__ import annotations

from amaranth.hdl import Array, Module, Mux, Signal
from amaranth.lib import wiring

from kilauea.hw.mesh import TileSlot
from kilauea.hw.packet import CtrlOp, Kind, Packet
from kilauea.hw.params import ChipParams
from kilauea.hw.router import PacketFifo


def chain_id(tile_index: int, i: int) -> int:
    return 0x8000 | (tile_index << 6) | i


class TestCore(wiring.Component):
    __test__ = False   # not a pytest class

    def __init__(self, params: ChipParams, x: int, y: int, latency: int = 2,
                 queue_depth: int = 64):
        super().__init__(TileSlot())
        self.params, self.x, self.y = params, x, y
        self.index = y * params.mesh_w + x
        self.latency = latency
        self.queue_depth = queue_depth
        self.regs = [Signal(32, name=f"reg{i}") for i in range(4)]

    def elaborate(self, platform):
        m = Module()
        p = self.params
        n = p.n_tiles
        regs = Array(self.regs)
        rx = self.rx.payload
        out = Signal(Packet)
        cnt = Signal(32)
        emit_left = Signal(32)
        emit_i = Signal(6)
        walk = Signal(range(n), init=(self.index + 1) % n)
        walk_x = Signal(4)
        walk_y = Signal(4)
        with m.Switch(walk):
            for i, (tx_, ty_) in enumerate(p.tiles()):
                with m.Case(i):
                    m.d.comb += [walk_x.eq(tx_), walk_y.eq(ty_)]

        def spike_to_walk(axon, k):
            return [out.eq(0), out.kind.eq(Kind.SPIKE),
                    out.body.spike.axon.eq(axon), out.body.spike.payload.eq(k),
                    out.dst.x.eq(Mux(k == 0, 0, walk_x)),
                    out.dst.y.eq(Mux(k == 0, 0, walk_y)),
                    out.dst.host.eq(k == 0),
                    walk.eq(Mux(walk == n - 1, 0, walk + 1))]

        # Sends go through a queue deep enough for every chain the tests start,
        # so the core keeps taking flits from rx however long tx is blocked:
        # a core must never make accepting rx wait on tx (see docs/noc.md).
        m.submodules.queue = q = PacketFifo(self.queue_depth)
        wiring.connect(m, q.r, wiring.flipped(self.tx))
        emitting = Signal()

        with m.FSM() as fsm:
            m.d.comb += self.idle.eq(fsm.ongoing("RX") & ~self.rx.valid & ~q.r.valid)
            with m.State("RX"):
                m.d.comb += self.rx.ready.eq(1)
                with m.If(self.rx.valid):
                    with m.Switch(rx.kind):
                        with m.Case(Kind.CTRL):
                            with m.If(rx.body.ctrl.op == CtrlOp.STEP):
                                m.d.sync += [self.step_seen.eq(rx.body.ctrl.arg),
                                             cnt.eq(self.regs[0]), emit_left.eq(self.regs[1]),
                                             emit_i.eq(0)]
                                m.next = "WORK"
                        with m.Case(Kind.SPIKE):
                            with m.If(rx.body.spike.payload > 0):
                                m.d.sync += spike_to_walk(rx.body.spike.axon,
                                                          rx.body.spike.payload - 1)
                                m.d.sync += [cnt.eq(self.latency), emitting.eq(0)]
                                m.next = "PUSH"
                        with m.Case(Kind.WRITE):
                            with m.If(rx.body.write.mem == 0):
                                m.d.sync += regs[rx.body.write.addr[:2]].eq(rx.body.write.data)
                        with m.Case(Kind.READ):
                            m.d.sync += [
                                out.eq(0), out.kind.eq(Kind.READ_RESP),
                                out.dst.eq(rx.body.read.reply),
                                out.body.read_resp.data.eq(regs[rx.body.read.addr[:2]]),
                                out.body.read_resp.tag.eq(rx.body.read.tag),
                                out.body.read_resp.src_x.eq(self.x),
                                out.body.read_resp.src_y.eq(self.y),
                                cnt.eq(0), emitting.eq(0),
                            ]
                            m.next = "PUSH"
            with m.State("PUSH"):                     # wait cnt cycles, then queue `out`
                with m.If(cnt > 1):
                    m.d.sync += cnt.eq(cnt - 1)
                with m.Else():
                    m.d.comb += [q.w.valid.eq(1), q.w.payload.eq(out)]
                    with m.If(q.w.ready):
                        m.next = "NEXT"
            with m.State("NEXT"):
                with m.If(emitting & (emit_left != 0)):
                    m.next = "EMIT"
                with m.Else():
                    m.next = "RX"
            with m.State("WORK"):
                with m.If(self.regs[3] != 0):
                    pass                                 # stuck: never idle again
                with m.Elif(cnt != 0):
                    m.d.sync += cnt.eq(cnt - 1)
                with m.Else():
                    m.d.sync += emitting.eq(1)
                    m.next = "NEXT"
            with m.State("EMIT"):
                m.d.sync += spike_to_walk(0x8000 | (self.index << 6) | emit_i, self.regs[2])
                m.d.sync += [emit_left.eq(emit_left - 1), emit_i.eq(emit_i + 1), cnt.eq(0)]
                m.next = "PUSH"
        return m
