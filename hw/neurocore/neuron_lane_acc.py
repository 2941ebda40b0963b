"""A lane's accumulator reads: each slot's ACC request queued, the answers
kept, in request order, until the ACC takes its answer at W.

`AccQueue` lets every slot of a lane have one read-and-clear request
outstanding (the slot's ACC retries until its answer is in, so a slot never
asks twice). A request (`issue`: accumulator row, slot) goes into a queue
of requests for the engine's `AccArbiter` and the slot into a queue of
tags; answers come back in request order, so the oldest answer belongs to
the oldest tag. `head_valid` says the oldest answer is in (a queued one, or
the one arriving this cycle: forwarded), `head_slot` / `head_data` say
whose and what; `pop` takes it. Every queue is `isa.LANE_SLOTS` deep, one
entry per slot, so none overflows; `pending` marks the slots with a request
outstanding.
"""
from __future__ import annotations

from amaranth.hdl import Module, Mux, signed
from amaranth.lib import fifo, stream, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..params import ChipParams
from .interfaces import ACC_BITS, acc_req_layout

__all__ = ["AccQueue"]

K = isa.LANE_SLOTS
SLOT_BITS = max(1, (K - 1).bit_length())


class AccQueue(wiring.Component):
    """Request, tag and answer queues of one lane (see the module docstring).

    issue       In(1)   queue a request for accumulator row `issue_row` of slot `issue_slot`
    issue_row   In(acc_row_bits)
    issue_slot  In(slot bits)
    pending     Out(K)  bit s: slot s has a request outstanding
    acc_req     Out(stream(acc_req_layout))   to the engine's arbiter
    acc_resp    In(stream(signed 32))         its answers, in request order
    head_valid  Out(1)  the oldest answer is in
    head_slot   Out(slot bits)  whose it is
    head_data   Out(signed 32)
    pop         In(1)   the oldest answer is taken (only while head_valid)
    """

    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__({
            "issue": In(1), "issue_row": In(params.acc_row_bits), "issue_slot": In(SLOT_BITS),
            "pending": Out(K),
            "acc_req": Out(stream.Signature(acc_req_layout(self.params))),
            "acc_resp": In(stream.Signature(signed(ACC_BITS))),
            "head_valid": Out(1), "head_slot": Out(SLOT_BITS), "head_data": Out(signed(ACC_BITS)),
            "pop": In(1),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.requests = req = fifo.SyncFIFO(width=self.params.acc_row_bits, depth=K)
        # tags: buffered (the head's slot a register; a tag written in R is at
        # the head two cycles later at the earliest, before its ACC's W)
        m.submodules.tags = tags = fifo.SyncFIFOBuffered(width=SLOT_BITS, depth=K)
        m.submodules.answers = ans = fifo.SyncFIFO(width=ACC_BITS, depth=K)
        resp = self.acc_resp
        m.d.comb += [req.w_en.eq(self.issue), req.w_data.eq(self.issue_row),
                     tags.w_en.eq(self.issue), tags.w_data.eq(self.issue_slot),
                     self.acc_req.valid.eq(req.r_rdy), self.acc_req.payload.row.eq(req.r_data),
                     req.r_en.eq(self.acc_req.ready), resp.ready.eq(1)]
        # the oldest answer: queued, or arriving now (then it is not queued if taken)
        forwarded = ~ans.r_rdy & resp.valid
        m.d.comb += [self.head_valid.eq(tags.r_rdy & (ans.r_rdy | resp.valid)),
                     self.head_slot.eq(tags.r_data),
                     self.head_data.eq(Mux(ans.r_rdy, ans.r_data, resp.payload)),
                     ans.w_en.eq(resp.valid & ~(forwarded & self.pop)),
                     ans.w_data.eq(resp.payload),
                     ans.r_en.eq(self.pop & ans.r_rdy), tags.r_en.eq(self.pop)]
        for s in range(K):
            with m.If(self.issue & (self.issue_slot == s)):
                m.d.sync += self.pending[s].eq(1)
            with m.If(self.pop & (self.head_slot == s)):
                m.d.sync += self.pending[s].eq(0)
        return m
