"""The neuron engine: runs every compartment's microcode program once per step.

Component diagram (docs/neurocore.md draws it too)::

                          start, step,         acc_req / acc_resp     spike
                          n_compartments       (to the core)          (to fan-out)
                                │                    ▲ │                 ▲
      ┌───────────────────┐next ▼                    │ ▼                 │
      │ ProgramPrefetcher ├────►┌──────────────────────────────────────────────┐
      │ PARAM and PROFILE │◄────┤ NeuronSequencer: m.FSM IDLE→LAUNCH→RUN→DRAIN  │
      │ header reads      │pre- │ decode, ACC scoreboard, loads and stores,    │
      └───────────────────┘fetch│ SPK, write-back                              │
                                └─┬───────────┬─────────────┬────────▲───┬───▲─┘
                        fetch_addr│ load, write,          op│  result│div│   │div_result
                                  ▼ acc_fwd, clear          ▼        │   ▼   │ (streams)
      UCODE memory ──instr──► ┌──────────────┐ operands ┌───────────┐ ┌────────────┐
      (isa.Instruction)       │ OperandFetch ├─────────►│ NeuronAlu │ │ ModDivider │
      STATE/PARAM/PROFILE ───►│ r0..r7, load │──────────┴───────────┴►│            │
      read data               │ and ACC fwd  │                        └────────────┘
                              └──────────────┘

Implements `NeuronEngineSignature` (see `interfaces.py`). It owns four
memories (word layouts in `compartment_memory.py`): STATE, PARAM, PROFILE and
UCODE, reachable by the host through the four MemBus ports while not busy.

Pipeline (one instruction per cycle when nothing stalls):

* fetch: the UCODE read port (1-cycle latency) is addressed with the next pc,
  or, when the instruction in execute is END, with the next compartment's
  entry address, so consecutive programs run back to back;
* execute: the instruction word read last cycle is decoded, registers read,
  the result written at the end of the cycle. Loads (LDS/LDP/LDC) address
  their memory in execute and write the register one cycle later; the
  following instruction gets the loaded word by forwarding from the memory's
  read data, so loads cost one cycle too;
* prefetch: while compartment c runs, a second read port on PARAM and on
  PROFILE fetches compartment c+1's profile index and entry address.

Cycle costs: 1 per instruction, and

* ACC: 1. It issues the read-and-clear request and goes on; a one-entry
  scoreboard stalls an instruction that reads or writes its register before
  the core's answer is in (the answer is forwarded in the cycle it arrives);
  END and a second ACC wait for it too;
* MOD: 1 + the bit length of |ra| (at most 33; 1 when ra is 0);
* SPK: stalls only while the one-entry spike buffer is still full;
* END: stalls only until the next compartment's prefetch (3 cycles) is
  ready, i.e. after programs shorter than 3 instructions.

Per step there are 4 cycles of start-up before the first instruction.
Registers r1..r7 are cleared at the start of every compartment.

Errors (one-cycle `error` pulse, nothing else changes): undefined opcode
(executed as NOP), MOD by zero (result 0), a program running past the last
UCODE word (it ends there, one extra cycle), a spike payload outside the
24-bit range (sent with its low 24 bits). A compartment whose profile index
is >= n_profiles, or whose profile's entry address is >= n_ucode, is skipped:
it runs nothing (no state change, no spike) and takes the cycle of one END,
which pulses `error` once.
"""
from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import connect, flipped

from .. import isa
from ..params import ChipParams
from . import compartment_memory as cm
from .interfaces import NeuronEngineSignature
from .neuron_alu import NeuronAlu
from .neuron_divider import ModDivider
from .neuron_operands import OperandFetch
from .neuron_prefetch import ProgramPrefetcher
from .neuron_sequencer import NeuronSequencer

__all__ = ["NeuronEngine"]


class NeuronEngine(wiring.Component):
    """Neuron engine for one neurocore (sizes from `params`).

    Owns STATE, PARAM and PROFILE (32-bit words, layouts in
    `compartment_memory.py`) and UCODE (shaped by `isa.Instruction`), and
    joins the sequencer, prefetcher, operand fetch, ALU and divider."""

    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__(NeuronEngineSignature(params))
        depths = cm.memory_depths(params)
        self.state_mem = memory.Memory(shape=32, depth=depths["state"], init=[])
        self.param_mem = memory.Memory(shape=32, depth=depths["param"], init=[])
        self.profile_mem = memory.Memory(shape=32, depth=depths["profile"], init=[])
        self.ucode_mem = memory.Memory(shape=isa.Instruction, depth=depths["ucode"], init=[])

    def elaborate(self, platform):
        p = self.params
        m = Module()
        m.submodules.state_mem = self.state_mem
        m.submodules.param_mem = self.param_mem
        m.submodules.profile_mem = self.profile_mem
        m.submodules.ucode_mem = self.ucode_mem
        m.submodules.sequencer = seq = NeuronSequencer(p)
        m.submodules.prefetch = pf = ProgramPrefetcher(p)
        m.submodules.operands = opf = OperandFetch(p)
        m.submodules.alu = alu = NeuronAlu(p)
        m.submodules.divider = div = ModDivider()

        connect(m, pf.param_port, self.param_mem.read_port())
        connect(m, pf.profile_port, self.profile_mem.read_port())
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
            self.busy.eq(seq.busy), self.updates.eq(seq.updates), self.error.eq(seq.error),
            opf.clear.eq(seq.clear),
            alu.op.eq(seq.op), alu.operands.eq(opf.operands),
            seq.operands.eq(opf.operands), seq.alu_result.eq(alu.result),
        ]
        self._memory_ports(m, seq, opf)
        return m

    def _memory_ports(self, m: Module, seq: NeuronSequencer, opf: OperandFetch) -> None:
        """The host's MemBus ports reach the memories while the engine is idle;
        while busy the sequencer addresses them (loads, STS, UCODE fetch)."""
        busy = seq.busy
        ports = {}
        for name, mem, bus in (("state", self.state_mem, self.state_bus),
                               ("param", self.param_mem, self.param_bus),
                               ("profile", self.profile_mem, self.profile_bus),
                               ("ucode", self.ucode_mem, self.ucode_bus)):
            rp, wp = mem.read_port(), mem.write_port()
            ports[name] = rp
            m.d.comb += [bus.rdata.eq(rp.data), wp.addr.eq(bus.addr), wp.data.eq(bus.wdata),
                         wp.en.eq(bus.we & ~busy)]
            with m.If(~busy):
                m.d.comb += rp.addr.eq(bus.addr)
            if name == "state":
                with m.If(seq.mem.state_we):
                    m.d.comb += [wp.addr.eq(seq.mem.state_waddr),
                                 wp.data.eq(seq.mem.state_wdata), wp.en.eq(1)]
        with m.If(busy):
            m.d.comb += [ports["state"].addr.eq(seq.mem.state_raddr),
                         ports["param"].addr.eq(seq.mem.param_raddr),
                         ports["profile"].addr.eq(seq.mem.profile_raddr),
                         ports["ucode"].addr.eq(seq.fetch_addr)]
        m.d.comb += [ports["ucode"].en.eq(seq.fetch_en),
                     seq.instr.eq(ports["ucode"].data), opf.instr.eq(ports["ucode"].data),
                     opf.load_data.state.eq(ports["state"].data),
                     opf.load_data.param.eq(ports["param"].data),
                     opf.load_data.profile.eq(ports["profile"].data)]
