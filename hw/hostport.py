"""The host port: the only way into and out of the chip.

The host sends flits on `host_in` and receives flits on `host_out` (both
`stream.Signature(Packet)` with backpressure). The host port sits on the
west port of tile (0, 0): tile-bound packets from the host enter the mesh
there (`inject`, through a register slice: one cycle), and host-bound
packets (`dst.host = 1`) leave the mesh there (`eject`).

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
leaving the mesh first enters the eject register, and the queue in the next
cycle (`queued`: the queue's level plus that register). A flit that is not a
READ_RESP may enter only while `queued + outstanding < depth`: the room for
every outstanding answer is reserved, so an answer is taken at once.
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .packet import COORD_BITS, CtrlOp, Kind, Packet
from .params import ChipParams
from .router import PacketFifo
from .stream_slice import RegisterSlice

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
        # flits for the host in the port: the output queue and the eject register
        self.queued = Signal(range(self.out_depth + 2))

    def elaborate(self, platform):
        m = Module()
        m.submodules.in_fifo = in_fifo = self.in_fifo
        m.submodules.out_fifo = out_fifo = self.out_fifo
        wiring.connect(m, wiring.flipped(self.host_in), in_fifo.w)
        wiring.connect(m, out_fifo.r, wiring.flipped(self.host_out))
        s = _PortState(self.timeout_cycles)
        # flits enter the mesh through a register slice (no path from the
        # port's logic to the router's input FIFO)
        m.submodules.inject_slice = inject = RegisterSlice(Packet)
        wiring.connect(m, inject.o, wiring.flipped(self.inject))
        s.inject, s.inject_busy = inject.i, inject.busy
        m.d.comb += s.reads8.eq(Mux(self.outstanding > 255, 255, self.outstanding))
        m.d.comb += self.status.eq(self._status_word(s, self.hang))
        self._output_queue(m, s)
        self._host_reads(m, s)
        with m.FSM(name="hostport") as fsm:
            m.d.comb += self.stepping.eq(~fsm.ongoing("IDLE"))
            with m.State("IDLE"):
                self._idle(m, s)
            with m.State("BCAST"):
                self._broadcast(m, s)
            with m.State("WAIT"):
                self._wait(m, s)
        return m

    def _status_word(self, s: "_PortState", hang_bit):
        """The 32-bit status word (see the module docstring)."""
        return Cat(self.stepping, hang_bit, s.rejected, Const(0, 5), s.reads8, self.step[:16])

    @staticmethod
    def _ctrl(s: "_PortState", op: CtrlOp, arg, src_x=0, src_y=0) -> list:
        """Statements loading the port's own packet with a CTRL to the host."""
        pkt = s.gen_pkt
        return [pkt.eq(0), pkt.kind.eq(Kind.CTRL), pkt.dst.host.eq(1),
                pkt.body.ctrl.op.eq(op), pkt.body.ctrl.arg.eq(arg),
                pkt.body.ctrl.src_x.eq(src_x), pkt.body.ctrl.src_y.eq(src_y),
                s.gen_valid.eq(1)]

    def _output_queue(self, m: Module, s: "_PortState") -> None:
        """A flit leaving the mesh is taken into the eject register and
        written into the output queue in the next cycle, before the port's
        own packets; a flit that is not a READ_RESP leaves room for every
        outstanding answer. The eject register counts as queued (`queued`),
        and a flit is taken only with room for it in the queue, so it never
        waits there: a READ_RESP is always taken (reserved room). The port's
        own packet, once it has room, is written in the next cycle too (and
        counts as queued meanwhile), so the queue's write enables come from
        registers."""
        out_fifo, depth, eject, queued = self.out_fifo, self.out_depth, self.eject, self.queued
        reserved = Signal(range(2 * depth + 1))    # the queue's level + the answers due
        room_any = Signal()
        room_plain = Signal()      # room left after the reserved answers
        gen_write = Signal()
        eject_is_resp = Signal()
        taken = Signal()
        # (the eject register's flit selects between compares of registers)
        m.d.comb += [
            queued.eq(out_fifo.level + s.ej_v + s.gw_v),
            reserved.eq(out_fifo.level + self.outstanding),
            room_any.eq(Mux(s.ej_v | s.gw_v, out_fifo.level < depth - 1, out_fifo.level < depth)),
            room_plain.eq(Mux(s.ej_v | s.gw_v, reserved < depth - 1, reserved < depth)),
            gen_write.eq(s.gen_valid & room_plain),
            eject_is_resp.eq(eject.payload.kind == Kind.READ_RESP),
            eject.ready.eq(~gen_write & Mux(eject_is_resp, room_any, room_plain)),
            taken.eq(eject.valid & eject.ready),
            s.resp_in.eq(taken & eject_is_resp),
        ]
        m.d.sync += [s.ej_v.eq(taken), s.ej_pkt.eq(eject.payload), s.gw_v.eq(gen_write)]
        # the port's own packet is written in the next cycle (`gw_v`); no
        # flit from the mesh is taken in the cycle it is chosen, so none is
        # in the eject register then
        with m.If(gen_write):
            m.d.sync += s.gen_valid.eq(0)
        with m.If(s.gw_v):
            m.d.comb += [out_fifo.w.valid.eq(1), out_fifo.w.payload.eq(s.gen_pkt)]
        with m.Elif(s.ej_v):
            m.d.comb += [out_fifo.w.valid.eq(1), out_fifo.w.payload.eq(s.ej_pkt)]

    def _host_reads(self, m: Module, s: "_PortState") -> None:
        """Host reads in flight, and which commands may enter the mesh."""
        head, outstanding, p = self.in_fifo.r.payload, self.outstanding, self.params
        m.d.comb += [
            s.is_host_read.eq((head.kind == Kind.READ) & head.body.read.reply.host),
            s.read_ok.eq((outstanding < p.max_host_reads)
                         & ((self.queued + outstanding) < self.out_depth)),
        ]
        with m.If(s.read_issued & ~(s.resp_in & (outstanding != 0))):
            m.d.sync += outstanding.eq(outstanding + 1)
        with m.Elif(s.resp_in & ~s.read_issued & (outstanding != 0)):
            m.d.sync += outstanding.eq(outstanding - 1)
        # only the host reads (a reply to a tile, on the mesh or off it, is
        # refused: an answer off the mesh would stick at its edge), and only
        # the port steps (a CTRL to a tile other than STATUS_REQ is refused)
        bad_read = (head.kind == Kind.READ) & ~head.body.read.reply.host
        bad_ctrl = (head.kind == Kind.CTRL) & (head.body.ctrl.op != CtrlOp.STATUS_REQ)
        m.d.comb += s.tile_ok.eq((head.dst.x < p.mesh_w) & (head.dst.y < p.mesh_h)
                                 & (head.kind.as_value() <= Kind.CTRL.value)
                                 & ~bad_read & ~bad_ctrl)

    def _reject(self, m: Module, s: "_PortState") -> None:
        """Refuse the command at the head: drop it, set REJECTED, tell the host."""
        with m.If(~s.gen_valid):
            m.d.comb += self.in_fifo.r.ready.eq(1)
            m.d.sync += s.rejected.eq(1)
            m.d.sync += self._ctrl(s, CtrlOp.STATUS,
                                   self._status_word(s, self.hang) | STATUS_REJECTED)

    def _idle(self, m: Module, s: "_PortState") -> None:
        """IDLE: take the next command; commands for tiles go to the mesh."""
        r, head = self.in_fifo.r, self.in_fifo.r.payload
        with m.If(r.valid):
            with m.If(head.dst.host):
                self._host_command(m, s)
            with m.Elif(s.tile_ok):
                m.d.comb += [
                    s.inject.valid.eq(~s.is_host_read | s.read_ok),
                    s.inject.payload.eq(head),
                    r.ready.eq(s.inject.valid & s.inject.ready),
                    s.read_issued.eq(s.inject.valid & s.inject.ready & s.is_host_read),
                ]
            with m.Else():
                self._reject(m, s)

    def _host_command(self, m: Module, s: "_PortState") -> None:
        """A command for the port itself: STEP, STATUS_REQ, the timeout register."""
        r, head = self.in_fifo.r, self.in_fifo.r.payload
        is_ctrl = head.kind == Kind.CTRL
        with m.If(is_ctrl & (head.body.ctrl.op == CtrlOp.STEP)):
            m.d.comb += r.ready.eq(1)
            m.d.sync += [self.step.eq(head.body.ctrl.arg), s.bx.eq(0), s.by.eq(0),
                         self.hang.eq(0)]
            m.next = "BCAST"
        with m.Elif(is_ctrl & (head.body.ctrl.op == CtrlOp.STATUS_REQ)):
            with m.If(~s.gen_valid):
                m.d.comb += r.ready.eq(1)
                m.d.sync += self._ctrl(s, CtrlOp.STATUS, self._status_word(s, self.hang),
                                       self.busy_x, self.busy_y)
        with m.Elif((head.kind == Kind.WRITE) & (head.body.write.mem == 0)
                    & (head.body.write.addr == HOST_REG_TIMEOUT)):
            m.d.comb += r.ready.eq(1)
            m.d.sync += s.timeout.eq(head.body.write.data)
        with m.Else():
            self._reject(m, s)

    def _broadcast(self, m: Module, s: "_PortState") -> None:
        """BCAST: one STEP flit to every tile, x fastest; then WAIT."""
        p, inj = self.params, s.inject
        m.d.comb += [
            inj.valid.eq(1),
            inj.payload.kind.eq(Kind.CTRL),
            inj.payload.dst.x.eq(s.bx),
            inj.payload.dst.y.eq(s.by),
            inj.payload.body.ctrl.op.eq(CtrlOp.STEP),
            inj.payload.body.ctrl.arg.eq(self.step),
        ]
        with m.If(inj.ready):
            with m.If(s.bx == p.mesh_w - 1):
                m.d.sync += s.bx.eq(0)
                with m.If(s.by == p.mesh_h - 1):
                    m.d.sync += [s.by.eq(0), s.waited.eq(0)]
                    m.next = "WAIT"
                with m.Else():
                    m.d.sync += s.by.eq(s.by + 1)
            with m.Else():
                m.d.sync += s.bx.eq(s.bx + 1)

    def _wait(self, m: Module, s: "_PortState") -> None:
        """WAIT: DONE when the barrier is reached; HANG once after `timeout`."""
        # the wait counts from the cycle the last STEP flit is in the mesh
        # (out of the inject slice)
        with m.If((s.waited != 0xFFFF_FFFF) & ~s.inject_busy):
            m.d.sync += s.waited.eq(s.waited + 1)
        # all_done is registered: in the first cycle `waited` is 1 it still
        # shows the cycle the last STEP flit was being handed to the mesh
        with m.If(self.all_done & (s.waited != 0) & (self.queued == 0) & ~s.gen_valid):
            m.d.sync += self._ctrl(s, CtrlOp.DONE, self.step)
            m.next = "IDLE"
        with m.Elif((s.waited >= s.timeout) & ~self.hang & ~s.gen_valid):
            m.d.sync += self.hang.eq(1)
            m.d.sync += self._ctrl(s, CtrlOp.STATUS, self._status_word(s, 1),
                                   self.busy_x, self.busy_y)


class _PortState:
    """The host port's registers and internal control signals."""

    def __init__(self, timeout_cycles: int):
        self.timeout = Signal(32, init=timeout_cycles)     # step cycle bound
        self.waited = Signal(32)                            # cycles in WAIT (saturates)
        self.bx = Signal(COORD_BITS)                        # next tile to get STEP
        self.by = Signal(COORD_BITS)
        self.rejected = Signal()                            # sticky REJECTED bit
        self.inject = None                                  # to the inject slice ...
        self.inject_busy = None                             # ... which holds a flit
        self.gen_valid = Signal()                           # the port's own packet waits
        self.gen_pkt = Signal(Packet)
        self.gw_v = Signal()               # gen_pkt is written into the output queue now
        self.ej_v = Signal()               # the eject register holds a flit ...
        self.ej_pkt = Signal(Packet)       # ... written into the output queue next cycle
        self.reads8 = Signal(8)            # outstanding reads, saturated to 8 bits
        self.resp_in = Signal()            # a READ_RESP enters the output queue
        self.is_host_read = Signal()
        self.read_ok = Signal()
        self.read_issued = Signal()
        self.tile_ok = Signal()            # the head may enter the mesh
