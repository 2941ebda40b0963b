"""The host port: the only way into and out of the chip.

The host sends flits on `host_in` and receives flits on `host_out` (both
`stream.Signature(Packet)` with backpressure). The host port sits on the
west port of tile (0, 0): tile-bound packets from the host enter the mesh
there (`inject`), and host-bound packets (`dst.host = 1`) leave the mesh
there (`eject`).

Host packets are taken in order from a 2-flit input FIFO:

* **dst.host = 0** (for a tile): forwarded into the mesh. Refused (see
  "Refusals"): a destination outside the mesh, an unknown kind, a READ whose
  reply is not the host (only the host reads; an answer addressed off the
  mesh would stick at its edge and hang every later step), and a CTRL other
  than STATUS_REQ (only the port sends STEP, inside the barrier).
  A READ is held back while `max_host_reads` host reads are outstanding
  (or while the output queue has no room reserved for its answer), so
  answers can never block requests; a refused READ does not count.
* **CTRL STEP(t)**, dst.host = 1: the step command. The port sends
  CTRL STEP(t) to every tile, row-major, behind everything the host sent
  before, then waits for the barrier: every tile has seen STEP(t) and is
  idle, every router FIFO is empty, and every host-bound packet has left
  the port. Then it sends CTRL DONE(arg=t) to the host. The host's later
  packets wait in `host_in` until DONE is queued.
* **CTRL STATUS_REQ**, dst.host = 1: answered with CTRL STATUS.
* **WRITE mem=0 addr=0**, dst.host = 1: sets the step's cycle bound
  (`timeout_cycles` at reset).
* anything else addressed to the host is refused.

Refusals set the sticky REJECTED status bit and send a STATUS packet to the
host at once; nothing is silently dropped without telling the host.

**Bounded wait.** If the barrier is not reached `timeout` cycles after the
last STEP flit entered the mesh, the port raises `hang` and sends one
CTRL STATUS to the host with the HANG bit set and (src_x, src_y) naming the
first busy tile. It keeps waiting: DONE still follows if the step ends.
`kilauea.sim.diagnose` names every busy tile and every queued flit.

**Status word** (arg of CTRL STATUS, also the `status` output):
bit 0 STEPPING, bit 1 HANG, bit 2 REJECTED, bits [15:8] outstanding host
reads, bits [31:16] the current step number mod 2**16.

**Output queue.** Host-bound flits and the port's own DONE/STATUS go through
one FIFO of `fifo_depth + max_host_reads` flits, so order is kept. A flit
that is not a READ_RESP may enter only while `level + outstanding < depth`:
the room for every outstanding answer is reserved.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .packet import COORD_BITS, CtrlOp, Kind, Packet
from .params import ChipParams
from .router import PacketFifo

__all__ = ["HostPort", "STATUS_STEPPING", "STATUS_HANG", "STATUS_REJECTED",
           "DEFAULT_TIMEOUT_CYCLES", "HOST_REG_TIMEOUT", "decode_status"]

STATUS_STEPPING = 1 << 0
STATUS_HANG = 1 << 1
STATUS_REJECTED = 1 << 2
DEFAULT_TIMEOUT_CYCLES = 1 << 20
HOST_REG_TIMEOUT = 0   # WRITE dst=host mem=0 addr=0: step cycle bound


def decode_status(word: int) -> dict:
    """The fields of a host-port status word."""
    return {
        "stepping": bool(word & STATUS_STEPPING),
        "hang": bool(word & STATUS_HANG),
        "rejected": bool(word & STATUS_REJECTED),
        "outstanding_reads": (word >> 8) & 0xFF,
        "step": (word >> 16) & 0xFFFF,
    }


class HostPort(wiring.Component):
    """Members
    -------
    host_in, host_out : the host's streams (host -> chip, chip -> host).
    inject, eject : to / from the west port of tile (0, 0).
    step : ``Out(32)``, the step the barrier waits for.
    all_done, busy_x, busy_y : from the mesh's barrier.
    stepping, hang : ``Out(1)`` each; status : ``Out(32)`` (status word).
    outstanding : host reads in flight.
    """

    def __init__(self, params: ChipParams, timeout_cycles: int = DEFAULT_TIMEOUT_CYCLES):
        if not 1 <= timeout_cycles < (1 << 32):
            raise ValueError(f"timeout_cycles={timeout_cycles}: must be in 1..2**32-1")
        self.params = params
        self.timeout_cycles = int(timeout_cycles)
        self.out_depth = params.fifo_depth + params.max_host_reads
        super().__init__({
            "host_in": In(stream.Signature(Packet)),
            "host_out": Out(stream.Signature(Packet)),
            "inject": Out(stream.Signature(Packet)),
            "eject": In(stream.Signature(Packet)),
            "step": Out(32),
            "all_done": In(1),
            "busy_x": In(COORD_BITS),
            "busy_y": In(COORD_BITS),
            "stepping": Out(1),
            "hang": Out(1),
            "status": Out(32),
            "outstanding": Out(range(params.max_host_reads + 1)),
        })
        self.in_fifo = PacketFifo(2)
        self.out_fifo = PacketFifo(self.out_depth)

    def elaborate(self, platform):
        m = Module()
        p = self.params
        depth = self.out_depth
        max_reads = p.max_host_reads
        m.submodules.in_fifo = in_fifo = self.in_fifo
        m.submodules.out_fifo = out_fifo = self.out_fifo
        wiring.connect(m, wiring.flipped(self.host_in), in_fifo.w)
        wiring.connect(m, out_fifo.r, wiring.flipped(self.host_out))

        head = in_fifo.r.payload
        outstanding = self.outstanding
        timeout = Signal(32, init=self.timeout_cycles)
        waited = Signal(32)
        bx = Signal(COORD_BITS)
        by = Signal(COORD_BITS)
        rejected = Signal()
        gen_valid = Signal()
        gen_pkt = Signal(Packet)

        reads8 = Signal(8)           # outstanding reads, saturated to 8 bits
        m.d.comb += reads8.eq(Mux(outstanding > 255, 255, outstanding))

        def status_word(hang_bit):
            return Cat(self.stepping, hang_bit, rejected, Const(0, 5), reads8, self.step[:16])

        m.d.comb += self.status.eq(status_word(self.hang))

        def make_ctrl(op, arg, src_x=0, src_y=0):
            """Statements loading gen_pkt with a CTRL packet to the host."""
            return [
                gen_pkt.eq(0),
                gen_pkt.kind.eq(Kind.CTRL),
                gen_pkt.dst.host.eq(1),
                gen_pkt.body.ctrl.op.eq(op),
                gen_pkt.body.ctrl.arg.eq(arg),
                gen_pkt.body.ctrl.src_x.eq(src_x),
                gen_pkt.body.ctrl.src_y.eq(src_y),
                gen_valid.eq(1),
            ]

        # -- output queue: the port's own packets first, then the mesh's --------
        room_any = Signal()
        room_plain = Signal()      # room left after the reserved answers
        gen_write = Signal()
        eject_is_resp = Signal()
        resp_in = Signal()
        m.d.comb += [
            room_any.eq(out_fifo.level < depth),
            room_plain.eq((out_fifo.level + outstanding) < depth),
            gen_write.eq(gen_valid & room_plain),
            eject_is_resp.eq(self.eject.payload.kind == Kind.READ_RESP),
            self.eject.ready.eq(~gen_write & Mux(eject_is_resp, room_any, room_plain)),
            resp_in.eq(self.eject.valid & self.eject.ready & eject_is_resp),
        ]
        with m.If(gen_write):
            m.d.comb += [out_fifo.w.valid.eq(1), out_fifo.w.payload.eq(gen_pkt)]
            m.d.sync += gen_valid.eq(0)
        with m.Else():
            m.d.comb += [out_fifo.w.valid.eq(self.eject.valid & self.eject.ready),
                         out_fifo.w.payload.eq(self.eject.payload)]

        # -- host reads in flight --------------------------------------------
        is_host_read = Signal()
        read_ok = Signal()
        read_issued = Signal()
        m.d.comb += [
            is_host_read.eq((head.kind == Kind.READ) & head.body.read.reply.host),
            read_ok.eq((outstanding < max_reads) & ((out_fifo.level + outstanding) < depth)),
        ]
        with m.If(read_issued & ~(resp_in & (outstanding != 0))):
            m.d.sync += outstanding.eq(outstanding + 1)
        with m.Elif(resp_in & ~read_issued & (outstanding != 0)):
            m.d.sync += outstanding.eq(outstanding - 1)

        # -- commands -----------------------------------------------------------
        to_host = head.dst.host
        is_ctrl = head.kind == Kind.CTRL
        tile_ok = Signal()
        # only the host reads (a reply to a tile, on the mesh or off it, is
        # refused: an answer off the mesh would stick at its edge), and only
        # the port steps (a CTRL to a tile other than STATUS_REQ is refused)
        bad_read = (head.kind == Kind.READ) & ~head.body.read.reply.host
        bad_ctrl = is_ctrl & (head.body.ctrl.op != CtrlOp.STATUS_REQ)
        m.d.comb += tile_ok.eq((head.dst.x < p.mesh_w) & (head.dst.y < p.mesh_h)
                               & (head.kind.as_value() <= Kind.CTRL.value)
                               & ~bad_read & ~bad_ctrl)

        with m.FSM(name="hostport") as fsm:
            m.d.comb += self.stepping.eq(~fsm.ongoing("IDLE"))
            with m.State("IDLE"):
                with m.If(in_fifo.r.valid):
                    with m.If(to_host):
                        with m.If(is_ctrl & (head.body.ctrl.op == CtrlOp.STEP)):
                            m.d.comb += in_fifo.r.ready.eq(1)
                            m.d.sync += [self.step.eq(head.body.ctrl.arg), bx.eq(0), by.eq(0),
                                         self.hang.eq(0)]
                            m.next = "BCAST"
                        with m.Elif(is_ctrl & (head.body.ctrl.op == CtrlOp.STATUS_REQ)):
                            with m.If(~gen_valid):
                                m.d.comb += in_fifo.r.ready.eq(1)
                                m.d.sync += make_ctrl(CtrlOp.STATUS, status_word(self.hang),
                                                      self.busy_x, self.busy_y)
                        with m.Elif((head.kind == Kind.WRITE) & (head.body.write.mem == 0)
                                    & (head.body.write.addr == HOST_REG_TIMEOUT)):
                            m.d.comb += in_fifo.r.ready.eq(1)
                            m.d.sync += timeout.eq(head.body.write.data)
                        with m.Elif(~gen_valid):
                            m.d.comb += in_fifo.r.ready.eq(1)
                            m.d.sync += rejected.eq(1)
                            m.d.sync += make_ctrl(CtrlOp.STATUS,
                                                  status_word(self.hang) | STATUS_REJECTED)
                    with m.Elif(tile_ok):
                        m.d.comb += [
                            self.inject.valid.eq(~is_host_read | read_ok),
                            self.inject.payload.eq(head),
                            in_fifo.r.ready.eq(self.inject.valid & self.inject.ready),
                            read_issued.eq(self.inject.valid & self.inject.ready & is_host_read),
                        ]
                    with m.Elif(~gen_valid):
                        m.d.comb += in_fifo.r.ready.eq(1)
                        m.d.sync += rejected.eq(1)
                        m.d.sync += make_ctrl(CtrlOp.STATUS,
                                              status_word(self.hang) | STATUS_REJECTED)
            with m.State("BCAST"):
                m.d.comb += [
                    self.inject.valid.eq(1),
                    self.inject.payload.kind.eq(Kind.CTRL),
                    self.inject.payload.dst.x.eq(bx),
                    self.inject.payload.dst.y.eq(by),
                    self.inject.payload.body.ctrl.op.eq(CtrlOp.STEP),
                    self.inject.payload.body.ctrl.arg.eq(self.step),
                ]
                with m.If(self.inject.ready):
                    with m.If(bx == p.mesh_w - 1):
                        m.d.sync += bx.eq(0)
                        with m.If(by == p.mesh_h - 1):
                            m.d.sync += [by.eq(0), waited.eq(0)]
                            m.next = "WAIT"
                        with m.Else():
                            m.d.sync += by.eq(by + 1)
                    with m.Else():
                        m.d.sync += bx.eq(bx + 1)
            with m.State("WAIT"):
                with m.If(waited != 0xFFFF_FFFF):
                    m.d.sync += waited.eq(waited + 1)
                # all_done is registered: in the first WAIT cycle it still shows
                # the cycle the last STEP flit was being handed to the mesh
                with m.If(self.all_done & (waited != 0) & (out_fifo.level == 0) & ~gen_valid):
                    m.d.sync += make_ctrl(CtrlOp.DONE, self.step)
                    m.next = "IDLE"
                with m.Elif((waited >= timeout) & ~self.hang & ~gen_valid):
                    m.d.sync += self.hang.eq(1)
                    m.d.sync += make_ctrl(CtrlOp.STATUS, status_word(1),
                                          self.busy_x, self.busy_y)
        return m
