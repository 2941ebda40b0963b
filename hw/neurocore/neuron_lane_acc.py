"""A lane's accumulator reads: each slot's ACC request queued, its answer
kept until the ACC takes it at W.

`AccQueue` lets every slot of a lane have one read-and-clear request
outstanding (the slot's ACC retries until its answer is in, so a slot never
asks twice). A request (`issue`: accumulator row, slot) goes into a queue
of requests for the engine's `AccArbiter` and the slot into a queue of
tags; answers come back in request order, so an arriving answer belongs to
the oldest tag, and is kept in that slot's answer word (LUT RAM) with a
flag. `ready` is a register: in X4 the lane names the slot whose turn
reaches W next (`next_slot`), and `ready` says in W whether that slot's
answer was in by X4 (kept, or arriving then), so nothing from the answer's
arrival reaches W's logic; at W (`slot`) `data` is the answer and `pop`
takes it. An answer arriving in W's own cycle is taken in the slot's next
turn (`neuron_turns.acc_turns`). Each queue is
`isa.LANE_SLOTS` deep, one entry per slot, so none overflows; `pending`
marks the slots with a request outstanding or an answer not yet taken.
"""
from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import fifo, memory, stream, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..params import ChipParams
from .interfaces import ACC_BITS, acc_req_layout

__all__ = ["AccQueue"]

K = isa.LANE_SLOTS
SLOT_BITS = max(1, (K - 1).bit_length())


class AccQueue(wiring.Component):
    """Request and tag queues, answer words of one lane (see the module docstring).

    issue       In(1)   queue a request for accumulator row `issue_row` of slot `issue_slot`
    issue_row   In(acc_row_bits)
    issue_slot  In(slot bits)
    pending     Out(K)  bit s: slot s has a request outstanding or an answer not taken
    acc_req     Out(stream(acc_req_layout))   to the engine's arbiter
    acc_resp    In(stream(signed 32))         its answers, in request order
    next_slot   In(slot bits)   the slot in X4 (asking next)
    slot        In(slot bits)   the slot asking (W's; `next_slot` a cycle before)
    ready       Out(1)  its answer is in (registered: in by X4)
    data        Out(signed 32)  the answer
    pop         In(1)   it is taken (only while `ready`)
    """

    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__({
            "issue": In(1), "issue_row": In(params.acc_row_bits), "issue_slot": In(SLOT_BITS),
            "pending": Out(K),
            "acc_req": Out(stream.Signature(acc_req_layout(self.params))),
            "acc_resp": In(stream.Signature(signed(ACC_BITS))),
            "next_slot": In(SLOT_BITS), "slot": In(SLOT_BITS), "ready": Out(1),
            "data": Out(signed(ACC_BITS)),
            "pop": In(1),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.requests = req = fifo.SyncFIFO(width=self.params.acc_row_bits, depth=K)
        # tags: buffered (the oldest a register; a tag written in R is at the
        # head two cycles later at the earliest, before its answer can come)
        m.submodules.tags = tags = fifo.SyncFIFOBuffered(width=SLOT_BITS, depth=K)
        m.submodules.answers = answers = memory.Memory(
            shape=signed(ACC_BITS), depth=K, init=[], attrs={"ram_style": "distributed"})
        resp = self.acc_resp
        m.d.comb += [req.w_en.eq(self.issue), req.w_data.eq(self.issue_row),
                     tags.w_en.eq(self.issue), tags.w_data.eq(self.issue_slot),
                     self.acc_req.valid.eq(req.r_rdy), self.acc_req.payload.row.eq(req.r_data),
                     req.r_en.eq(self.acc_req.ready), resp.ready.eq(1), tags.r_en.eq(resp.valid)]
        # an answer goes to the word of the oldest tag's slot
        kept = Signal(K)                # bit s: slot s's answer is in its word
        wp, rp = answers.write_port(), answers.read_port(domain="comb")
        m.d.comb += [wp.addr.eq(tags.r_data), wp.data.eq(resp.payload), wp.en.eq(resp.valid),
                     rp.addr.eq(self.slot)]
        arriving = resp.valid & (tags.r_data == self.next_slot)
        m.d.sync += self.ready.eq(kept.bit_select(self.next_slot, 1) | arriving)
        m.d.comb += self.data.eq(rp.data)
        for s in range(K):
            with m.If(resp.valid & (tags.r_data == s)):
                m.d.sync += kept[s].eq(1)
            with m.If(self.issue & (self.issue_slot == s)):
                m.d.sync += self.pending[s].eq(1)
            with m.If(self.pop & (self.slot == s)):
                m.d.sync += [kept[s].eq(0), self.pending[s].eq(0)]
        return m
