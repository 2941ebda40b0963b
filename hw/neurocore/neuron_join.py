"""What joins the neuron engine's lanes into one engine seen from the core.

* `AccArbiter`: the lanes' read-and-clear requests onto the core's one
  `acc_req` stream (lowest lane first, one per cycle) and each answer back to
  the lane that asked. The core answers in request order: the lane of every
  request taken goes into a queue (`OUTSTANDING` deep; no request while it
  is full), and each answer to the lane at its head. Answers are registered before they reach
  the lane: the accumulator memory's read data never feeds a lane's operand
  bypass and ALU in the same cycle (the engine's long path), and a lane sees
  the answer of a request accepted in cycle c in cycle c + 2 when the core
  answers in c + 1.
* `LaneOrder`: the order lanes finish in. Lane i runs the runs of
  `isa.LANE_SLOTS` compartments i, i + n_lanes, ... (compartment c on lane
  (c // LANE_SLOTS) mod n_lanes); the compartment that retires next is
  always on lane `turn`, which is the only lane whose END may
  retire and whose spike goes to the fan-out engine, so spikes and update
  pulses come in compartment order. It also merges the lanes' error pulses
  into one pulse per cycle (a count of pulses still to give keeps the engine
  busy). (Each lane writes its own STATE bank, so no write port is shared.)
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import fifo, stream, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..params import ChipParams
from .interfaces import ACC_BITS, acc_req_layout, spike_out_layout

__all__ = ["ACC_ANSWER_DELAY", "AccArbiter", "LaneOrder"]

#: cycles `AccArbiter` adds between the core's answer and the lane (its register)
ACC_ANSWER_DELAY = 1
#: requests the core may hold unanswered (the arbiter notes each one's lane)
OUTSTANDING = 8


def _lane_shape(params: ChipParams) -> int:
    """Bits of a lane index register (at least 1)."""
    return max(1, params.lane_bits)


def _select(sel, values: list):
    """values[sel] as one unconditional expression (a chain of Mux), so that
    it is a continuous assignment in Verilog: Icarus never evaluates an
    `always @*` block whose inputs do not change after time 0."""
    out = values[-1]
    for i in reversed(range(len(values) - 1)):
        out = Mux(sel == i, values[i], out)
    return out


class AccArbiter(wiring.Component):
    """Read-and-clear requests of `n_lanes` lanes onto one stream.

    lane_req   In(stream(acc_req_layout)) x n_lanes   from the lanes
    lane_resp  Out(stream(signed 32)) x n_lanes       answers to the lanes
    req        Out(stream(acc_req_layout))            to the core
    resp       In(stream(signed 32))                  the core's answers, in order
    busy       Out(1)  an answer is on its way to a lane
    """

    def __init__(self, params: ChipParams):
        self.params = params
        req, resp = stream.Signature(acc_req_layout(params)), stream.Signature(signed(ACC_BITS))
        super().__init__({
            "lane_req": In(req).array(params.n_lanes),
            "lane_resp": Out(resp).array(params.n_lanes),
            "req": Out(req),
            "resp": In(resp),
            "busy": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        n = self.params.n_lanes
        lb = _lane_shape(self.params)
        # the lanes of the requests the core has taken and not answered, in
        # order (answers come in request order); no request while it is full
        m.submodules.owners = owners = fifo.SyncFIFO(width=lb, depth=OUTSTANDING)
        # request: the lowest lane asking
        grant = Signal(lb)
        first = Const(n - 1, lb)
        for i in reversed(range(n - 1)):
            first = Mux(self.lane_req[i].valid, i, first)
        m.d.comb += [grant.eq(first),
                     self.req.valid.eq(Cat(r.valid for r in self.lane_req).any() & owners.w_rdy),
                     self.req.payload.eq(_select(grant, [r.payload.as_value()
                                                         for r in self.lane_req]))]
        for i in range(n):
            m.d.comb += self.lane_req[i].ready.eq(self.req.ready & owners.w_rdy & (grant == i))
        m.d.comb += [owners.w_en.eq(self.req.valid & self.req.ready), owners.w_data.eq(grant),
                     owners.r_en.eq(self.resp.valid), self.resp.ready.eq(1)]
        r_valid = []
        for i in range(n):
            # registered, to lane i: a register of each lane's own (enabled by
            # its own answers, so yosys does not merge the lanes' copies), which
            # the placer can put by its lane
            rv, rd = Signal(name=f"answer{i}"), Signal(signed(ACC_BITS), name=f"answer_data{i}")
            mine = self.resp.valid & (owners.r_data == i)
            m.d.sync += rv.eq(mine)
            with m.If(mine):
                m.d.sync += rd.eq(self.resp.payload)
            m.d.comb += [self.lane_resp[i].valid.eq(rv), self.lane_resp[i].payload.eq(rd)]
            r_valid.append(rv)
        m.d.comb += self.busy.eq(Cat(r_valid).any() | owners.r_rdy)
        return m


class LaneOrder(wiring.Component):
    """Retire order, spikes, update and error pulses.

    start      In(1)   a step begins (the first compartment is on lane 0)
    turn       Out(n_lanes)  bit i: lane i may retire its compartment
    lane_spike In(stream(spike_out_layout)) x n_lanes
    spike      Out(stream(spike_out_layout))  to the fan-out engine
    lane_updates, lane_errors  In(n_lanes)  the lanes' pulses
    updates, error  Out(1)  one pulse per update / error event
    busy       Out(1)  error pulses still to give
    """

    def __init__(self, params: ChipParams):
        self.params = params
        n, spike = params.n_lanes, stream.Signature(spike_out_layout(params))
        super().__init__({
            "start": In(1),
            "turn": Out(n),
            "lane_spike": In(spike).array(n),
            "spike": Out(spike),
            "lane_updates": In(n),
            "lane_errors": In(n),
            "updates": Out(1),
            "error": Out(1),
            "busy": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        n = self.params.n_lanes
        # the compartment that retires next, modulo LANE_SLOTS * n_lanes: its
        # lane is the count's bits above the slot bits
        slot_bits = (isa.LANE_SLOTS - 1).bit_length()
        count = Signal(slot_bits + _lane_shape(self.params))
        with m.If(self.start):
            m.d.sync += count.eq(0)
        with m.Elif(self.lane_updates.any()):
            m.d.sync += count.eq(count + 1)
        turn = count[slot_bits:] if n > 1 else Const(0, 1)
        for i in range(n):
            m.d.comb += [self.turn[i].eq(turn == i),
                         self.lane_spike[i].ready.eq(self.spike.ready & (turn == i))]
        m.d.comb += [self.spike.valid.eq(_select(turn, [s.valid for s in self.lane_spike])),
                     self.spike.payload.eq(_select(turn, [s.payload.as_value()
                                                          for s in self.lane_spike])),
                     self.updates.eq(self.lane_updates.any())]
        # error pulses: one per cycle, the rest counted
        pending = Signal(32)
        arriving = Signal(range(n + 1))
        m.d.comb += [arriving.eq(sum(self.lane_errors[i] for i in range(n))),
                     self.error.eq((pending != 0) | (arriving != 0)),
                     self.busy.eq(pending != 0)]
        m.d.sync += pending.eq(pending + arriving - self.error)
        return m
