"""One lane of the neuron engine: a sequencer, its program prefetcher,
register file, ALU and MOD divider, wired together.

Lane `i` of `params.n_lanes` runs compartments i, i + n_lanes, ... one
instruction per cycle (`neuron_sequencer.py`). It reaches the engine's
memories through the ports the engine gives it (`neuron_engine.py`): its
own read ports on STATE, PARAM, PROFILE and UCODE, which execute and the
prefetcher share (the prefetcher reads PARAM only while END executes or
before the first instruction, and waits for PROFILE while an LDC executes),
and the write port of its own STATE bank (`mem.state_we`).

::

                 start, step, n_compartments, turn
                                 │
      ┌───────────────────┐next  ▼             acc_req / acc_resp, spike
      │ ProgramPrefetcher ├────►┌────────────────────┐ ◄──►
      │ (PARAM, PROFILE   │◄────┤ NeuronSequencer    ├──► mem, fetch_addr
      │  addresses)       │     └─┬──────────────▲───┘
      └───────────────────┘       │ load, write   │ alu_result, div
                  instr, load_data▼               │
                           ┌──────────────┐  ┌───────────┐ ┌────────────┐
                           │ OperandFetch ├─►│ NeuronAlu │ │ ModDivider │
                           └──────────────┘  └───────────┘ └────────────┘
"""
from __future__ import annotations

from amaranth.hdl import Module, Mux
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out, connect, flipped

from .. import isa
from ..params import ChipParams
from .interfaces import phase_members
from .neuron_alu import NeuronAlu
from .neuron_divider import ModDivider
from .neuron_operands import WORD, LoadSource, OperandFetch
from .neuron_prefetch import ProgramPrefetcher
from .neuron_sequencer import MemAccess, NeuronSequencer

__all__ = ["NeuronLane", "load_data_layout"]


def load_data_layout() -> data.StructLayout:
    """The read data of STATE, PARAM and PROFILE a lane's loads take (signed 32)."""
    return data.StructLayout({src.name.lower(): WORD for src in LoadSource})


class NeuronLane(wiring.Component):
    """One lane (see the module docstring).

    start, step, n_compartments, busy, updates, error, acc_req, acc_resp,
    spike    as in `interfaces.NeuronEngineSignature`, for this lane's
             compartments
    turn     In(1)   every compartment below the lane's current one has retired
    mem      Out(MemAccess)  execute's STATE / PARAM / PROFILE addresses, STS
    fetch_addr, fetch_en  Out  the lane's UCODE read port
    instr    In(Instruction)  its read data
    load_data In(load_data_layout)  read data of the lane's STATE, PARAM and
             PROFILE ports
    """

    def __init__(self, params: ChipParams, lane: int):
        self.params, self.lane = params, lane
        super().__init__({
            **phase_members(params),
            "turn": In(1),
            "mem": Out(MemAccess(params)),
            "fetch_addr": Out(params.ucode_addr_bits),
            "fetch_en": Out(1),
            "instr": In(isa.Instruction),
            "load_data": In(load_data_layout()),
        })

    def elaborate(self, platform):
        p = self.params
        m = Module()
        m.submodules.sequencer = seq = NeuronSequencer(p, self.lane)
        m.submodules.prefetch = pf = ProgramPrefetcher(p)
        m.submodules.operands = opf = OperandFetch(p)
        m.submodules.alu = alu = NeuronAlu(p)
        m.submodules.divider = div = ModDivider()

        self._ports(m, seq, pf)
        connect(m, seq.prefetch, pf.request)
        connect(m, pf.next, seq.next)
        connect(m, seq.div, div.i)
        connect(m, div.o, seq.div_result)
        connect(m, seq.load, opf.load)
        connect(m, seq.write, opf.write)
        connect(m, seq.acc_fwd, opf.acc)
        connect(m, flipped(self.acc_req), seq.acc_req)
        connect(m, flipped(self.acc_resp), seq.acc_resp)
        connect(m, flipped(self.spike), seq.spike)
        m.d.comb += [
            seq.start.eq(self.start), seq.step.eq(self.step),
            seq.n_compartments.eq(self.n_compartments), pf.flush.eq(seq.flush),
            seq.turn.eq(self.turn),
            self.busy.eq(seq.busy), self.updates.eq(seq.updates), self.error.eq(seq.error),
            opf.clear.eq(seq.clear),
            alu.op.eq(seq.op), alu.operands.eq(opf.operands), alu.mul_load.eq(seq.mul_load),
            seq.operands.eq(opf.operands), seq.alu_result.eq(alu.result),
            self.fetch_addr.eq(seq.fetch_addr), self.fetch_en.eq(seq.fetch_en),
            seq.instr.eq(self.instr), opf.instr.eq(seq.exec_instr),
            opf.load_data.eq(self.load_data),
        ]
        return m

    def _ports(self, m: Module, seq: NeuronSequencer, pf: ProgramPrefetcher) -> None:
        """Execute's and the prefetcher's addresses onto the lane's ports."""
        pa, pr, mem = pf.param_port, pf.profile_port, self.mem
        m.d.comb += [
            mem.state_raddr.eq(seq.mem.state_raddr), mem.state_we.eq(seq.mem.state_we),
            mem.state_waddr.eq(seq.mem.state_waddr), mem.state_wdata.eq(seq.mem.state_wdata),
            mem.param_raddr.eq(Mux(pa.en, pa.addr, seq.mem.param_raddr)),
            mem.profile_raddr.eq(Mux(pr.en, pr.addr, seq.mem.profile_raddr)),
            pa.data.eq(self.load_data.param), pr.data.eq(self.load_data.profile),
            pf.profile_busy.eq(seq.load.valid & (seq.load.source == LoadSource.PROFILE)),
        ]
