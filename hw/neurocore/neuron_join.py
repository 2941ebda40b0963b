"""What joins the neuron engine's lanes into one engine seen from the core.

* `AccArbiter`: the lanes' read-and-clear requests onto the core's one
  `acc_req` stream (lowest lane first, one per cycle) and each answer back to
  the lane that asked. The core answers in request order: each request gets
  a ticket (a count modulo n_lanes; a lane has at most one request
  outstanding), and the answer counted `served` goes to the lane holding
  that ticket. Answers are registered before they reach
  the lane: the accumulator memory's read data never feeds a lane's operand
  bypass and ALU in the same cycle (the engine's long path), and a lane sees
  the answer of a request accepted in cycle c in cycle c + 2 when the core
  answers in c + 1.
* `LaneOrder`: the order lanes finish in. Lane i runs compartments
  i + k n_lanes; the compartment that retires next is always on lane `turn`
  (compartment index mod n_lanes), which is the only lane whose END may
  retire and whose spike goes to the fan-out engine, so spikes and update
  pulses come in compartment order. It also merges the lanes' error pulses
  into one pulse per cycle (a count of pulses still to give keeps the engine
  busy). (Each lane writes its own STATE bank, so no write port is shared.)
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from ..params import ChipParams
from .interfaces import ACC_BITS, acc_req_layout, spike_out_layout

__all__ = ["ACC_ANSWER_DELAY", "AccArbiter", "LaneOrder"]

#: cycles `AccArbiter` adds between the core's answer and the lane (its register)
ACC_ANSWER_DELAY = 1


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
        # request: the lowest lane asking
        grant = Signal(lb)
        first = Const(n - 1, lb)
        for i in reversed(range(n - 1)):
            first = Mux(self.lane_req[i].valid, i, first)
        m.d.comb += [grant.eq(first),
                     self.req.valid.eq(Cat(r.valid for r in self.lane_req).any()),
                     self.req.payload.eq(_select(grant, [r.payload.as_value()
                                                         for r in self.lane_req]))]
        for i in range(n):
            m.d.comb += self.lane_req[i].ready.eq(self.req.ready & (grant == i))
        # each lane's ticket: the number of its outstanding request; answers
        # come in request order, so answer `served` is the lane's whose ticket
        # it is (per-lane registers, no indexed array: plain logic in Verilog)
        issued, served = Signal(lb), Signal(lb)
        accepted = self.req.valid & self.req.ready
        with m.If(accepted):
            m.d.sync += issued.eq(issued + 1 if n > 1 else 0)
        with m.If(self.resp.valid):
            m.d.sync += served.eq(served + 1 if n > 1 else 0)
        r_data = Signal(signed(ACC_BITS))
        m.d.comb += self.resp.ready.eq(1)
        m.d.sync += r_data.eq(self.resp.payload)
        r_valid = []
        for i in range(n):
            ticket, waiting, rv = Signal(lb, name=f"ticket{i}"), Signal(name=f"waiting{i}"), \
                Signal(name=f"answer{i}")
            mine = self.resp.valid & waiting & (ticket == served)
            m.d.sync += rv.eq(mine)             # the answer, registered, to lane i
            with m.If(mine):
                m.d.sync += waiting.eq(0)
            with m.If(accepted & (grant == i)):
                m.d.sync += [ticket.eq(issued), waiting.eq(1)]
            m.d.comb += [self.lane_resp[i].valid.eq(rv), self.lane_resp[i].payload.eq(r_data)]
            r_valid.append(rv)
        m.d.comb += self.busy.eq(Cat(r_valid).any())
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
        turn = Signal(_lane_shape(self.params))     # compartment that retires next, mod n
        with m.If(self.start):
            m.d.sync += turn.eq(0)
        with m.Elif(self.lane_updates.any()):
            m.d.sync += turn.eq(turn + 1 if n > 1 else 0)
        for i in range(n):
            m.d.comb += [self.turn[i].eq(turn == i),
                         self.lane_spike[i].ready.eq(self.spike.ready & (turn == i))]
        m.d.comb += [self.spike.valid.eq(_select(turn, [s.valid for s in self.lane_spike])),
                     self.spike.payload.eq(_select(turn, [s.payload.as_value()
                                                          for s in self.lane_spike])),
                     self.updates.eq(self.lane_updates.any())]
        # error pulses: one per cycle, the rest counted
        pending = Signal(32)
        total = Signal(33)
        m.d.comb += [total.eq(pending + sum(self.lane_errors[i] for i in range(n))),
                     self.error.eq(total != 0), self.busy.eq(pending != 0)]
        m.d.sync += pending.eq(total - (total != 0))
        return m
