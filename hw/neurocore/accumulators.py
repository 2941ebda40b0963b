"""Dendritic accumulators: one memory, D slots x G groups x compartments of
signed 32-bit words (address layout: `core_memory.acc_addr`), shared by

- the synapse engine: one read-modify-write event per cycle (`event_*`),
  always accepted (the synapse engine has priority: it never stalls here);
- the neuron engine: read-and-clear requests (`acc_req` / `acc_resp`), served
  in cycles the synapse engine leaves the read port free (a denied cycle is a
  stall, reported on `stall`);
- the host (`bus`), used only while both engines are idle.

Pipeline (memory: one synchronous read port, one write port, 1-cycle read
latency, not transparent). An event:

    A  cycle c    read port <- event address
    B  cycle c+1  the word read is registered as it leaves the block RAM,
                  with the word written in cycle c and whether that was the
                  same address (forwarding)
    C  cycle c+2  old = that word (or the one written in c), or the word
                  written in cycle c+1 if the event ahead wrote the same
                  address; write old + delta

so the block RAM's output and the 32-bit adder sit in different cycles, and
back-to-back events on one accumulator see each other's sums. A
read-and-clear request is read in A, writes 0 in B and is answered in C
from B's registers (the old value, or the forwarded one), two cycles after
it was taken; answers not taken wait in a queue of `ANSWER_QUEUE`, and a
request is taken only while the queue has room for it and those in flight
(so one per cycle while the answers are taken), and only in cycles with no
event in A, B or C, so no event's write is still in flight for it. The
block RAM's read data goes to one register and nothing else (B's, no logic
before it): the host's reads take their word from there too (`rdata_r`).
"""
from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, fifo, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from ..memory_map import MemBus
from ..params import ChipParams
from .core_memory import acc_words
from .interfaces import ACC_BITS

__all__ = ["Accumulators", "acc_event_layout", "acc_rc_layout", "ACC_LATENCY", "ANSWER_QUEUE"]

#: cycles from a read-and-clear request taken to its answer on `acc_resp`
ACC_LATENCY = 2
#: answers kept while the neuron engine does not take them: room for the two
# in flight and the one taken in the same cycle, so requests go on one per cycle
ANSWER_QUEUE = 3


def acc_event_layout(params: ChipParams) -> data.StructLayout:
    """A synaptic event: accumulator address and the value to add."""
    return data.StructLayout({
        "addr": unsigned((acc_words(params) - 1).bit_length()),
        "delta": signed(ACC_BITS),
    })


def acc_rc_layout(params: ChipParams) -> data.StructLayout:
    """A read-and-clear request: address, or `bad` (answered 0, touches nothing)."""
    return data.StructLayout({
        "addr": unsigned((acc_words(params) - 1).bit_length()),
        "bad": unsigned(1),
    })


class Accumulators(wiring.Component):
    def __init__(self, params: ChipParams):
        self.params = params
        self.depth = acc_words(params)
        ev = acc_event_layout(params)
        super().__init__({
            "event_valid": In(1),
            "event": In(ev),
            "acc_req": In(stream.Signature(acc_rc_layout(params))),
            "acc_resp": Out(stream.Signature(signed(ACC_BITS))),
            "stall": Out(1),
            "busy": Out(1),
            "bus": In(MemBus()),
            "rdata_r": Out(ACC_BITS),   # bus.rdata a cycle later, from registers (C's word)
        })
        self.mem = Memory(shape=signed(ACC_BITS), depth=self.depth, init=[])

    def elaborate(self, platform):
        m = Module()
        m.submodules.mem = mem = self.mem
        rd = mem.read_port()
        wr = mem.write_port()
        aw = len(self.event.addr)

        # B: the event whose word the read port answers this cycle
        b_v = Signal()
        b_addr = Signal(aw)
        b_delta = Signal(signed(ACC_BITS))
        # C: the event that adds and writes this cycle
        c_v = Signal()
        c_addr = Signal(aw)
        c_delta = Signal(signed(ACC_BITS))
        c_word = Signal(signed(ACC_BITS))    # the word read, registered as it leaves the RAM
        c_fwd = Signal()                     # ... or, if set, the word written in cycle A:
        c_fw_data = Signal(signed(ACC_BITS))
        c_chain = Signal()                   # the event ahead of it wrote its address
        # read-and-clear: the request whose word the read port answers
        rc_v = Signal()
        rc_bad = Signal()
        rc_addr = Signal(aw)
        # forwarding: the word written in the previous cycle, and whether it
        # was to the address read then (the word B takes)
        fw_data = Signal(signed(ACC_BITS))
        b_fwd = Signal()
        # answer stage C: the request read in A two cycles before (its word: c_old)
        ans_v = Signal()
        ans_bad = Signal()
        m.submodules.answers = queue = fifo.SyncFIFO(width=ACC_BITS, depth=ANSWER_QUEUE)

        room = queue.level + rc_v + ans_v < ANSWER_QUEUE
        events = self.event_valid | b_v | c_v
        m.d.comb += self.acc_req.ready.eq(~events & room)
        m.d.comb += self.stall.eq(self.acc_req.valid & events)

        # A: read port
        m.d.comb += rd.en.eq(0)
        with m.If(self.event_valid):
            m.d.comb += [rd.addr.eq(self.event.addr), rd.en.eq(1)]
        with m.Elif(self.acc_req.valid & self.acc_req.ready):
            m.d.comb += [rd.addr.eq(self.acc_req.payload.addr), rd.en.eq(~self.acc_req.payload.bad)]
        with m.Else():
            m.d.comb += [rd.addr.eq(self.bus.addr), rd.en.eq(self.bus.re)]
        m.d.sync += [
            b_v.eq(self.event_valid),
            b_addr.eq(self.event.addr),
            b_delta.eq(self.event.delta),
            rc_v.eq(self.acc_req.valid & self.acc_req.ready),
            rc_addr.eq(self.acc_req.payload.addr),
            rc_bad.eq(self.acc_req.payload.bad),
        ]

        # B: the word read, registered as it is (no logic after the block RAM),
        # with the word written in the previous cycle and whether to take it
        m.d.sync += [c_v.eq(b_v), c_addr.eq(b_addr), c_delta.eq(b_delta),
                     c_word.eq(rd.data), c_fwd.eq(b_fwd), c_fw_data.eq(fw_data),
                     c_chain.eq(c_v & (c_addr == b_addr))]
        c_old = Signal(signed(ACC_BITS))     # C's word, forwarded up to the write of cycle B
        m.d.comb += c_old.eq(Mux(c_fwd, c_fw_data, c_word))

        # C: add (the word C wrote last cycle if it was the same), write back;
        # read-and-clear (only while no event is in flight) writes 0 from B
        old = Mux(c_chain, fw_data, c_old)
        with m.If(c_v):
            m.d.comb += [wr.addr.eq(c_addr), wr.data.eq(old + c_delta), wr.en.eq(1)]
        with m.Elif(rc_v & ~rc_bad):
            m.d.comb += [wr.addr.eq(rc_addr), wr.data.eq(0), wr.en.eq(1)]
        with m.Else():
            m.d.comb += [wr.addr.eq(self.bus.addr), wr.data.eq(self.bus.wdata), wr.en.eq(self.bus.we)]
        m.d.sync += [fw_data.eq(wr.data), b_fwd.eq(wr.en & (wr.addr == rd.addr))]
        m.d.comb += self.bus.rdata.eq(rd.data)

        m.d.sync += [ans_v.eq(rc_v), ans_bad.eq(rc_bad)]
        self._answers(m, queue, ans_v, Mux(ans_bad, 0, c_old))
        m.d.comb += self.rdata_r.eq(c_old)    # a host read's word (B's registers)
        m.d.comb += self.busy.eq(b_v | c_v | rc_v | ans_v | queue.r_rdy)
        return m

    def _answers(self, m: Module, queue: fifo.SyncFIFO, ans_v, answer) -> None:
        """Read-and-clear answers on `acc_resp`, in request order: the oldest
        queued one, else C's `answer` (registers only, a multiplexer after
        them); C's answer is queued when it is not taken now."""
        resp = self.acc_resp
        m.d.comb += [
            resp.valid.eq(queue.r_rdy | ans_v),
            resp.payload.eq(Mux(queue.r_rdy, queue.r_data, answer)),
            queue.r_en.eq(resp.ready),
            queue.w_en.eq(ans_v & (queue.r_rdy | ~resp.ready)),
            queue.w_data.eq(answer),
        ]
