"""The neuron engine's sequencer: which compartment runs, which instruction
executes, and what each instruction does besides its ALU result.

`NeuronSequencer` is the control of one lane of the engine: lane `i` of
`n_lanes` runs compartments i, i + n_lanes, i + 2 n_lanes, ... It is an
`m.FSM` over the step (IDLE -> LAUNCH -> RUN -> DRAIN -> IDLE) plus the
execute stage's control:

* IDLE: on `start`, requests compartment i's program from the prefetcher
  (or goes straight to DRAIN when the lane has no compartment);
* LAUNCH: waits for the prefetched program, then begins compartment i;
* RUN: one instruction per cycle; END begins the lane's next compartment
  (whose program was prefetched while this one ran) or, after its last
  one, DRAIN;
* DRAIN: waits until the last spike was accepted.

Lanes finish their compartments in compartment order: END retires only on
the lane's `turn` (every lower compartment has retired) and once the
lane's spike buffer is empty, so spikes leave the engine in compartment
order. STS writes the lane's own STATE bank in the cycle it executes.

Per instruction the sequencer decodes the opcode, stalls on the ACC
scoreboard, issues loads and stores on the memories, sends ACC requests and
spikes, hands MOD to the divider stream and writes back the ALU, LDT, ACC or
MOD result. Cycle costs and error rules: `neuron_engine.py`.
"""
from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..isa import Opcode
from ..params import ChipParams
from . import compartment_memory as cm
from .interfaces import phase_members
from .neuron_alu import ALU_OPS, MUL_OPS
from .neuron_divider import DivRequest, DivResult
from .neuron_operands import WORD, LoadIssue, LoadSource, RegWrite, operand_layout
from .neuron_prefetch import next_program_layout

__all__ = ["MemAccess", "NeuronSequencer"]


class MemAccess(wiring.Signature):
    """The execute stage's accesses to STATE, PARAM and PROFILE while busy:
    read addresses (LDS / LDP / LDC) and the STATE write (STS)."""

    def __init__(self, params: ChipParams):
        depths = cm.memory_depths(params)
        super().__init__({
            "state_raddr": Out(range(depths["state"])),
            "param_raddr": Out(range(depths["param"])),
            "profile_raddr": Out(range(depths["profile"])),
            "state_we": Out(1),
            "state_waddr": Out(range(depths["state"])),
            "state_wdata": Out(WORD),
        })


class NeuronSequencer(wiring.Component):
    """Step FSM and execute control (see the module docstring).

    start, step, n_compartments, busy, updates, error, acc_req, acc_resp,
    spike    as in `interfaces.NeuronEngineSignature`
    prefetch Out(stream)  the compartment whose program to prefetch
    next     In(stream)   the prefetched program (`next_program_layout`)
    flush    Out(1)       empties the prefetcher (start of a step)
    instr    In(Instruction)  the UCODE read data (the word in decode)
    exec_instr Out(Instruction)  the word in execute (registered), to the operand fetch
    fetch_addr, fetch_en  Out  the UCODE read port's address and enable
    op       Out(Opcode)  the opcode executed (END when forced), to the ALU
    operands In(operand_layout)  from the operand fetch
    alu_result In(signed 32)
    mul_load Out(1)   the ALU registers MULT / MULF operands (their first cycle)
    div, div_result       the MOD stream pair
    load     Out(LoadIssue)  a load issued this cycle
    write    Out(RegWrite)   the result written at the end of this cycle
    acc_fwd  Out(RegWrite)   the ACC answer arriving this cycle
    clear    Out(1)          a compartment begins: r1..r7 := 0
    mem      Out(MemAccess)
    turn     In(1)   every compartment below the current one has retired
    """

    def __init__(self, params: ChipParams, lane: int = 0):
        if not 0 <= lane < params.n_lanes:
            raise ValueError(f"NeuronSequencer: lane {lane} outside 0..{params.n_lanes - 1}")
        self.params, self.lane = params, lane
        super().__init__({
            **phase_members(params),
            "prefetch": Out(stream.Signature(unsigned(params.compartment_bits))),
            "next": In(stream.Signature(next_program_layout(params))),
            "flush": Out(1),
            "instr": In(isa.Instruction),
            "exec_instr": Out(isa.Instruction),
            "fetch_addr": Out(params.ucode_addr_bits),
            "fetch_en": Out(1),
            "op": Out(Opcode),
            "operands": In(operand_layout(params)),
            "alu_result": In(WORD),
            "mul_load": Out(1),
            "div": Out(stream.Signature(DivRequest)),
            "div_result": In(stream.Signature(DivResult)),
            "load": Out(LoadIssue()),
            "write": Out(RegWrite()),
            "acc_fwd": Out(RegWrite()),
            "clear": Out(1),
            "mem": Out(MemAccess(params)),
            "turn": In(1),
        })

    def elaborate(self, platform):
        m = Module()
        s = _State(self.params)
        self._decode(m, s)
        self._scoreboard(m, s)
        m.d.comb += s.hazard.eq(s.acc_hazard | s.load_hazard)
        with m.If(s.running & s.hazard & ~s.forced):
            m.d.comb += s.stall.eq(1)
        self._result(m, s)
        with m.If(s.running & ~(s.hazard & ~s.forced)):
            self._execute(m, s)
            with m.If(s.wr_en & ~s.stall & (s.ins.rd != 0)):
                m.d.comb += self.write.en.eq(1)
        self._sequence(m, s)
        return m

    # -- decode and the ACC scoreboard -----------------------------------------------
    def _decode(self, m: Module, s: "_State") -> None:
        m.d.comb += [s.forced.eq(s.force_end | s.skip),
                     s.more.eq((s.cur_comp + self.params.n_lanes) < self.n_compartments)]
        with m.If(s.forced):            # ran off UCODE or skipped: END, whatever the word
            m.d.comb += self.op.eq(Opcode.END)
        with m.Else():
            m.d.comb += self.op.eq(s.ins.op)
        with m.Switch(self.op):
            with m.Case(*[o for o, info in isa.OPINFO.items() if info.writes_rd]):
                m.d.comb += s.writes_rd.eq(1)
        # spikes: a one-entry buffer, emptied when the fan-out engine takes it
        m.d.comb += self.spike.valid.eq(s.spk_valid)
        with m.If(self.spike.valid & self.spike.ready):
            m.d.sync += s.spk_valid.eq(0)

    def _scoreboard(self, m: Module, s: "_State") -> None:
        """The one outstanding ACC: an instruction that reads its register
        waits for the answer (or takes it by forwarding in the cycle it
        arrives); one that writes it waits until it has arrived; END waits
        for it too. A load: the instruction right after it that reads or
        writes its register waits one cycle."""
        ins, resp = s.ins, self.acc_resp
        m.d.comb += [resp.ready.eq(s.acc_pend),
                     self.acc_fwd.en.eq(s.acc_pend & resp.valid),
                     self.acc_fwd.rd.eq(s.acc_rd), self.acc_fwd.data.eq(resp.payload)]
        with m.If(self.acc_fwd.en):
            m.d.sync += s.acc_pend.eq(0)
        waiting = Signal()
        m.d.comb += waiting.eq(s.acc_pend & ~resp.valid & (s.acc_rd != 0))
        m.d.comb += s.acc_hazard.eq(waiting & (
            (ins.ra == s.acc_rd) | (ins.rb == s.acc_rd) | (ins.rc == s.acc_rd) |
            (s.writes_rd & (ins.rd == s.acc_rd))))
        m.d.comb += s.end_wait.eq(s.acc_pend & ~resp.valid)
        # a load issued last cycle writes its register a cycle from now (isa.LOAD_LATENCY)
        m.d.sync += s.load_rd.eq(Mux(self.load.valid, self.load.rd, 0))
        m.d.comb += s.load_hazard.eq((s.load_rd != 0) & (
            (ins.ra == s.load_rd) | (ins.rb == s.load_rd) | (ins.rc == s.load_rd) |
            (s.writes_rd & (ins.rd == s.load_rd))))

    # -- execute ------------------------------------------------------------------------
    def _result(self, m: Module, s: "_State") -> None:
        """What does not depend on the stalls: the value written to rd (by
        the opcode alone; `write.en` says whether it is written), the memory
        addresses and STS data (`state_we` and the loads say whether they are
        used) and the MOD request's operands."""
        with m.Switch(self.op):
            with m.Case(Opcode.LDT):
                m.d.comb += s.wr_val.eq(self.step)
            with m.Case(Opcode.MOD):
                m.d.comb += s.wr_val.eq(self.div_result.payload.remainder)
            with m.Default():
                m.d.comb += s.wr_val.eq(self.alu_result)
        ins, ops, mem = s.ins, self.operands, self.mem
        state_addr = s.cur_comp * cm.STATE_WORDS + ops.imm.state_word
        m.d.comb += [self.write.rd.eq(ins.rd), self.write.data.eq(s.wr_val),
                     mem.state_raddr.eq(state_addr), mem.state_waddr.eq(state_addr),
                     mem.state_wdata.eq(ops.a),
                     mem.param_raddr.eq(s.cur_comp * cm.PARAM_WORDS + ops.imm.param_word),
                     mem.profile_raddr.eq(s.cur_prof * cm.PROFILE_WORDS
                                          + ops.imm.profile_word),
                     self.div.payload.dividend.eq(ops.a), self.div.payload.divisor.eq(ops.b)]

    def _execute(self, m: Module, s: "_State") -> None:
        mem = self.mem
        with m.Switch(self.op):
            with m.Case(Opcode.END):
                m.d.comb += s.ends.eq(1)
                spike_held = s.spk_valid & ~self.spike.ready
                with m.If((s.more & ~s.d_first) | s.end_wait | ~self.turn | spike_held):
                    m.d.comb += s.stall.eq(1)
                with m.If(s.forced & ~s.stall):     # one pulse, however long END waits
                    m.d.comb += self.error.eq(1)
            with m.Case(Opcode.NOP):
                pass
            with m.Case(Opcode.LDS):
                self._load(m, s, LoadSource.STATE)
            with m.Case(Opcode.STS):
                m.d.comb += mem.state_we.eq(1)
            with m.Case(Opcode.LDP):
                self._load(m, s, LoadSource.PARAM)
            with m.Case(Opcode.LDC):
                self._load(m, s, LoadSource.PROFILE)
            with m.Case(Opcode.LDT):
                m.d.comb += s.wr_en.eq(1)
            with m.Case(Opcode.ACC):
                self._acc(m, s)
            with m.Case(*MUL_OPS):
                # cycle 0: the ALU registers the operands; 1: partial products; 2: result
                with m.If(s.mul_cycle == isa.MUL_CYCLES - 1):
                    m.d.comb += s.wr_en.eq(1)
                    m.d.sync += s.mul_cycle.eq(0)
                with m.Else():
                    m.d.comb += [self.mul_load.eq(s.mul_cycle == 0), s.stall.eq(1)]
                    m.d.sync += s.mul_cycle.eq(s.mul_cycle + 1)
            with m.Case(*(ALU_OPS - MUL_OPS)):
                m.d.comb += s.wr_en.eq(1)
            with m.Case(Opcode.MOD):
                self._mod(m, s)
            with m.Case(Opcode.SPK):
                self._spike(m, s)
            with m.Default():
                m.d.comb += self.error.eq(1)     # undefined opcode: a NOP

    def _load(self, m: Module, s: "_State", source: LoadSource) -> None:
        m.d.comb += [self.load.valid.eq(1), self.load.rd.eq(s.ins.rd),
                     self.load.source.eq(source)]

    def _acc(self, m: Module, s: "_State") -> None:
        """Issue the read-and-clear request and go on; the answer is written
        when it arrives. One ACC outstanding at a time."""
        req = self.acc_req
        group = self.operands.imm.group[:(self.params.n_acc_groups - 1).bit_length()]  # mod G
        m.d.comb += req.payload.row.eq(s.cur_row + group)       # wraps to acc_row_bits
        with m.If(s.acc_pend & ~self.acc_resp.valid):
            m.d.comb += s.stall.eq(1)
        with m.Else():
            m.d.comb += req.valid.eq(1)
            with m.If(req.ready):
                m.d.sync += [s.acc_pend.eq(1), s.acc_rd.eq(s.ins.rd)]
            with m.Else():
                m.d.comb += s.stall.eq(1)

    def _mod(self, m: Module, s: "_State") -> None:
        """MOD through the divider: request held while MOD is in execute."""
        ops = self.operands
        m.d.comb += [self.div.valid.eq(1), self.div_result.ready.eq(1)]
        with m.If(self.div_result.valid):
            m.d.comb += [s.wr_en.eq(1),
                         self.error.eq(self.div_result.payload.by_zero)]
        with m.Else():
            m.d.comb += s.stall.eq(1)

    def _spike(self, m: Module, s: "_State") -> None:
        """SPK: a payload outside the spike's payload range is sent truncated
        and pulses error."""
        ops = self.operands
        payload = self.spike.payload.payload
        bits = len(payload)
        full = Signal(signed(isa.WORD_BITS + 1))
        m.d.comb += full.eq(ops.a + ops.imm.value)
        fits = (full >= -(1 << (bits - 1))) & (full < (1 << (bits - 1)))
        with m.If(ops.rc != 0):
            with m.If(~s.spk_valid | self.spike.ready):
                m.d.sync += [s.spk_valid.eq(1), self.spike.payload.compartment.eq(s.cur_comp),
                             payload.eq(full[:bits])]
                m.d.comb += self.error.eq(~fits)
            with m.Else():
                m.d.comb += s.stall.eq(1)

    # -- sequencing ---------------------------------------------------------------------
    def _sequence(self, m: Module, s: "_State") -> None:
        m.d.comb += self.busy.eq(s.busy)
        self._fetch(m, s)
        with m.FSM(name="phase") as fsm:
            with m.State("IDLE"):
                m.d.sync += [s.x_valid.eq(0), s.force_end.eq(0), s.skip.eq(0),
                             s.acc_pend.eq(0), s.mul_cycle.eq(0), s.d_first.eq(0)]
                with m.If(self.start):
                    m.d.comb += self.flush.eq(1)
                    with m.If(self.n_compartments <= self.lane):
                        m.next = "DRAIN"
                    with m.Else():
                        m.d.comb += [self.prefetch.valid.eq(1),
                                     self.prefetch.payload.eq(self.lane)]
                        m.next = "LAUNCH"
            with m.State("LAUNCH"):
                m.d.comb += s.launching.eq(1)
                with m.If(s.d_first):
                    m.d.comb += [s.begin.eq(1), s.begin_comp.eq(self.lane)]
                    m.next = "RUN"
            with m.State("RUN"):
                self._retire(m, s)
            with m.State("DRAIN"):
                with m.If(~s.spk_valid):
                    m.next = "IDLE"
        # unconditional, so that they are continuous assignments in Verilog too
        # (Icarus never evaluates an always @* block whose inputs never change)
        m.d.comb += [s.busy.eq(~fsm.ongoing("IDLE")),
                     s.running.eq(fsm.ongoing("RUN") & s.x_valid)]
        self._begin(m, s)

    def _fetch(self, m: Module, s: "_State") -> None:
        """The fetch and decode stages: the UCODE read port is addressed with
        the word after the one in decode (`instr`, the read data), which
        enters execute (`s.ins`, a register) when execute advances. The
        next compartment's entry is fetched (`s.d_first`) as soon as its
        program is prefetched and the current one's END is in decode or in
        execute, so that END can hand over to it with no bubble."""
        advance = s.running & ~s.stall                 # execute takes the word in decode
        end_next = advance & ~s.ends & (self.instr.op == Opcode.END)
        m.d.comb += s.fetch_first.eq(self.next.valid & ~s.d_first & (
            s.launching | (s.running & s.more & (s.ends | end_next))))
        m.d.comb += [self.fetch_en.eq(~s.busy | advance | s.begin | s.fetch_first),
                     self.exec_instr.eq(s.ins)]
        with m.If(s.busy):
            m.d.comb += self.fetch_addr.eq(s.pc + 2)
        with m.If(s.fetch_first):
            m.d.comb += self.fetch_addr.eq(self.next.payload.entry)
            m.d.sync += s.d_first.eq(1)
        with m.If(advance | s.begin):
            m.d.sync += s.ins.eq(self.instr)
        with m.If(s.begin):
            m.d.sync += s.d_first.eq(0)

    def _retire(self, m: Module, s: "_State") -> None:
        """RUN: the instruction in execute completes (no stall)."""
        with m.If(s.x_valid & ~s.stall):
            with m.If(s.ends):
                m.d.comb += self.updates.eq(1)
                m.d.sync += [s.force_end.eq(0), s.skip.eq(0)]
                with m.If(s.more):
                    m.d.comb += [s.begin.eq(1),
                                 s.begin_comp.eq(s.cur_comp + self.params.n_lanes)]
                with m.Else():
                    m.d.sync += s.x_valid.eq(0)
                    m.next = "DRAIN"
            with m.Elif(s.pc == self.params.n_ucode - 1):
                m.d.sync += s.force_end.eq(1)   # ran past the end: END next cycle
            with m.Else():
                m.d.sync += s.pc.eq(s.pc + 1)

    def _begin(self, m: Module, s: "_State") -> None:
        """A compartment starts executing next cycle: fetch its entry, clear
        r1..r7 and prefetch the compartment after it."""
        nxt = self.next.payload
        with m.If(s.begin):
            m.d.comb += [self.fetch_addr.eq(nxt.entry + 1), self.next.ready.eq(1),
                         self.clear.eq(1)]
            m.d.sync += [s.pc.eq(nxt.entry), s.x_valid.eq(1),
                         s.cur_comp.eq(s.begin_comp[:self.params.compartment_bits]),
                         s.cur_prof.eq(nxt.profile), s.cur_row.eq(nxt.acc_row),
                         s.skip.eq(nxt.skip)]
            after = s.begin_comp + self.params.n_lanes     # the lane's next compartment
            with m.If(after < self.n_compartments):
                m.d.comb += [self.prefetch.valid.eq(1), self.prefetch.payload.eq(after)]


class _State:
    """The sequencer's registers and internal control signals."""

    def __init__(self, params: ChipParams):
        cbits = params.compartment_bits
        self.busy = Signal()
        self.running = Signal()             # RUN with an instruction in execute
        self.x_valid = Signal()             # an instruction is in execute
        self.force_end = Signal()           # previous word was the last of UCODE
        self.skip = Signal()                # the compartment is skipped: one END
        self.forced = Signal()              # END, whatever the word
        self.pc = Signal(params.ucode_addr_bits)
        self.cur_comp = Signal(cbits)
        self.cur_prof = Signal(cm.profile_bits(params))
        self.cur_row = Signal(params.acc_row_bits)  # the compartment's accumulator row base
        self.more = Signal()                # a compartment follows the current one
        self.begin = Signal()               # a compartment starts executing next cycle
        self.begin_comp = Signal(cbits + 1)
        self.stall = Signal()
        self.ends = Signal()
        self.wr_en = Signal()
        self.wr_val = Signal(WORD)
        self.writes_rd = Signal()
        self.hazard = Signal()              # the instruction in execute waits (ACC or load)
        self.acc_hazard = Signal()
        self.load_hazard = Signal()
        self.load_rd = Signal(isa.REG_BITS)  # register of the load issued last cycle (0: none)
        self.end_wait = Signal()
        self.acc_pend = Signal()            # an ACC was accepted, its answer not yet in
        self.acc_rd = Signal(isa.REG_BITS)
        self.spk_valid = Signal()
        self.mul_cycle = Signal(range(isa.MUL_CYCLES))  # MULT / MULF: its cycle in execute
        self.ins = Signal(isa.Instruction)  # the word in execute (registered from decode)
        self.d_first = Signal()             # the word in decode is the next compartment's first
        self.fetch_first = Signal()         # fetch the next compartment's entry this cycle
        self.launching = Signal()           # LAUNCH: the first compartment's entry is awaited
