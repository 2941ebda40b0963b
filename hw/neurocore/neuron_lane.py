"""One lane of the neuron engine: an interleaved (barrel) pipeline of
`isa.LANE_SLOTS` slots, each running one compartment's program.

Compartments go to the lanes in runs of K = `isa.LANE_SLOTS`: lane `i` of
`n_lanes` (L) runs compartments ``K i + j + K L m`` (j < K), in its slot j.
So consecutive compartments run in consecutive slots, whose turns come in
consecutive cycles, and retire in order without waiting for one another.
The slots take turns, one per cycle: the instruction of slot ``t mod K``
enters the pipeline in cycle t, and a slot's next instruction enters K
cycles after its last, when that one has left the pipeline. So no
instruction ever waits for another's result, and nothing is forwarded:

==== ===== =================================================================
 0   F     UCODE addressed with the slot's program counter
 1   D     the word read; an ACC's read-and-clear request decided; the
           slot's state and the register file's read indices selected
 2   R     registers read (`RegisterFile`, LUT RAM); memory addresses formed;
           the ACC's request queued (it leaves in X1)
 3   X1    STATE / PARAM / PROFILE read; STS written; b = R[rb] + imm;
           WRAP / SAT's bound and b's flags as a shift amount decoded;
           MULT / MULF operands into the multiplier; MOD to the divider
 4   X2    ALU, first stage; the read data registered; a + imm for SPK
 5   X3    ALU, second stage; the memory read, or the SPK payload, chosen
 6   X4    the value to write chosen (that or the ALU's result); the
           multiplier's shift
 7   W     retire or retry; the register written; the slot's state updated
==== ===== =================================================================

An instruction that cannot complete when it reaches W (END before the
compartments below its own have retired or while its spike waits, SPK while
its slot's one-spike buffer is full, ACC before its answer is in, MOD
before the divider's answer) changes nothing and runs again in its slot's
next turn; other slots go on meanwhile. The spike buffer of the slot whose
compartment retires next is the one the lane offers the fan-out engine, so
spikes leave in compartment order. A slot's compartment begins with two turns of its own: in
the turn of the previous compartment's END (or, first in a step, a turn of
its own) it reads the compartment's PARAM header, in the next its profile's
PROFILE header; the turn after runs the program's first instruction. Cycle
costs: `neuron_engine.py`.
"""
from __future__ import annotations

from amaranth.hdl import Array, Cat, Module, Mux, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out, connect, flipped

from .. import isa
from ..isa import Opcode
from ..params import ChipParams
from . import compartment_memory as cm
from .interfaces import phase_members
from .neuron_alu import MUL_OPS, NeuronAlu, NeuronMultiplier
from .neuron_divider import ModDivider
from .neuron_lane_acc import AccQueue
from .neuron_lane_regs import (DivState, HeaderChecks, PlanRegs, Result, RRegs, SlotMode,
                               SlotRegs, X1Regs, X2Regs, token_layout)
from .neuron_turns import STAGES
from .neuron_operands import (WORD, LoadSource, RegisterFile, amount_flags, immediate_layout,
                              wrap_half)

__all__ = ["NeuronLane", "MemAccess", "load_data_layout"]

K = isa.LANE_SLOTS
W_STAGE = STAGES - 1

_DEFINED = [op for op in Opcode]
_WRITES_RD = [op for op, info in isa.OPINFO.items() if info.writes_rd]


def load_data_layout() -> data.StructLayout:
    """The read data of STATE, PARAM and PROFILE a lane's loads take (signed 32)."""
    return data.StructLayout({src.name.lower(): WORD for src in LoadSource})


class MemAccess(wiring.Signature):
    """A lane's accesses to STATE, PARAM and PROFILE while busy: read
    addresses (X1) and the STATE write (STS, X1)."""

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


class NeuronLane(wiring.Component):
    """One lane (see the module docstring).

    start, step, n_compartments, busy, updates, error, acc_req, acc_resp,
    spike    as in `interfaces.NeuronEngineSignature`, for this lane's
             compartments
    turn     In(1)   every compartment below the lane's oldest has retired
    mem      Out(MemAccess)  STATE / PARAM / PROFILE addresses, STS
    fetch_addr, fetch_en  Out  the lane's UCODE read port
    instr    In(Instruction)  its read data
    load_data In(load_data_layout)  read data of the lane's STATE, PARAM and
             PROFILE ports
    """

    def __init__(self, params: ChipParams, lane: int):
        if not 0 <= lane < params.n_lanes:
            raise ValueError(f"NeuronLane: lane {lane} outside 0..{params.n_lanes - 1}")
        self.params, self.lane = params, lane
        self.stride = params.n_lanes * K        # a slot's next compartment is this far on
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
        m.submodules.regs = rf = RegisterFile(K)
        m.submodules.alu = alu = NeuronAlu(p)
        m.submodules.mul = mul = NeuronMultiplier()
        m.submodules.divider = div = ModDivider()
        sl = SlotRegs(p)
        tok = [Signal(token_layout(), name=f"tok{s}") for s in range(STAGES)]
        ins = [None, None] + [Signal(isa.Instruction, name=f"ins{s}") for s in range(2, STAGES)]
        for s in range(1, STAGES):
            m.d.sync += tok[s].eq(tok[s - 1])
        for s in range(3, STAGES):
            m.d.sync += ins[s].eq(ins[s - 1])
        m.d.sync += ins[2].eq(self.instr)

        self._fetch(m, sl, tok[0])
        self._start(m, sl)
        r = self._select(m, sl, tok[1])
        acc = self._acc_request(m, sl, tok[0], tok[1], tok[2])
        x1 = self._read(m, r, rf, tok[2], ins[2])
        x2 = self._execute(m, x1, mul, div, tok[3], ins[3])
        val, fits, rc_nz, heads_bad = self._values(m, alu, x2, ins[4], tok[5], ins[5])
        plan = self._plan(m, sl, tok[6], ins[6], fits, rc_nz)
        m.d.comb += acc.next_slot.eq(tok[6].slot)      # whose ACC answer W checks next
        self._retire(m, sl, rf, mul, div, acc, tok[W_STAGE], ins[W_STAGE], val, heads_bad, plan)
        return m

    # -- F, D: fetch and the ACC request ------------------------------------------------
    def _fetch(self, m: Module, sl: SlotRegs, tok) -> None:
        """F: the slot whose turn it is (a count modulo K). Lane i's slot j
        has its first turn (j + i) mod K cycles after `start`: lanes a cycle
        apart, so that their slots' accumulator requests come in different
        cycles."""
        ctr = Signal.like(tok.slot)
        m.d.sync += ctr.eq(Mux(self.start, -self.lane % K, ctr + 1))
        m.d.comb += [tok.slot.eq(ctr), tok.mode.eq(sl.mode[ctr]),
                     tok.forced.eq(sl.forced[ctr]),
                     self.fetch_addr.eq(sl.pc[ctr]), self.fetch_en.eq(1)]

    def _start(self, m: Module, sl: SlotRegs) -> None:
        """`start`: slot j takes the lane's compartment j (if there is one)."""
        p = self.params
        with m.If(self.start):
            for j in range(K):
                first = K * self.lane + j
                m.d.sync += [sl.comp[j].eq(first if first < p.n_compartments else 0),
                             sl.forced[j].eq(0),
                             sl.mode[j].eq(Mux(first < self.n_compartments,
                                               SlotMode.HEAD, SlotMode.DONE))]

    def _acc_request(self, m: Module, sl: SlotRegs, tok_f, tok_d, tok_r) -> AccQueue:
        """F, D, R: an ACC's read-and-clear request is decided when its word
        is read (D; whether the slot may ask, from F) and queued in R
        (`AccQueue`: one request outstanding per slot; a retried ACC does not
        ask again), so it can leave in X1. The slot's `pending` bit does not
        change between its F and D: only its own ACC sets or clears it."""
        p = self.params
        m.submodules.acc = q = AccQueue(p)
        word = self.instr
        may_ask = Signal()
        m.d.sync += may_ask.eq((tok_f.mode == SlotMode.RUN) & ~tok_f.forced
                               & ~q.pending.bit_select(tok_f.slot, 1))
        go, row = Signal(), Signal(p.acc_row_bits)      # row: the slot's, selected in D
        group = Signal(max(1, (p.n_acc_groups - 1).bit_length()))
        m.d.sync += [go.eq(may_ask & (word.op == Opcode.ACC)), row.eq(sl.row[tok_d.slot]),
                     group.eq(immediate_layout(p)(word.imm).group[:len(group)]
                              if p.n_acc_groups > 1 else 0)]
        m.d.comb += [q.issue.eq(go), q.issue_row.eq(row + group), q.issue_slot.eq(tok_r.slot)]
        connect(m, q.acc_req, flipped(self.acc_req))
        connect(m, flipped(self.acc_resp), q.acc_resp)
        return q

    # -- R: registers and addresses -----------------------------------------------------
    def _select(self, m: Module, sl: SlotRegs, tok) -> "RRegs":
        """D: the slot's compartment, the next one and its profile,
        registered for R (a slot's registers change only in its own W, which
        comes before its F), and the register file's read indices."""
        p, r = self.params, RRegs(self.params)
        comp = sl.comp[tok.slot]
        m.d.sync += [r.comp.eq(comp), r.comp_next.eq((comp + self.stride)[:p.compartment_bits]),
                     r.prof.eq(sl.prof[tok.slot])]
        # the register file's read indices (slot * 8 + register), each a
        # register of its own by the LUT RAM (0 in a turn that runs nothing:
        # no turn but a running one uses what they read)
        run = (tok.mode == SlotMode.RUN) & ~tok.forced
        word = self.instr
        for index, reg in ((r.ra, word.ra), (r.rb, word.rb), (r.rc, word.rc)):
            m.d.sync += index.eq(Mux(run, Cat(reg, tok.slot), 0))
        return r

    def _read(self, m: Module, r: "RRegs", rf: RegisterFile, tok, word) -> "X1Regs":
        """R: the slot's registers, and the addresses X1 reads (HEAD and END
        read a PARAM header: their own compartment's, the next one's)."""
        p, x = self.params, X1Regs(self.params)
        imm = immediate_layout(p)(word.imm)
        comp, prof = r.comp, r.prof
        run = (tok.mode == SlotMode.RUN) & ~tok.forced
        ends = (tok.mode == SlotMode.RUN) & (tok.forced | (word.op == Opcode.END))
        header_comp = Mux(ends, r.comp_next, comp)
        m.d.comb += [rf.ra.eq(r.ra), rf.rb.eq(r.rb), rf.rc.eq(r.rc)]
        source = Mux(run & (word.op == Opcode.LDS), LoadSource.STATE,
                     Mux((tok.mode == SlotMode.PROFILE) | (run & (word.op == Opcode.LDC)),
                         LoadSource.PROFILE, LoadSource.PARAM))
        # the multiplier's own copies of ra and rb, zero unless MULT / MULF
        # (so not merged with a and rb): next to the MULT18X18Ds, where the
        # lane's operand registers need not be
        multiplies = Cat(word.op == op for op in MUL_OPS).any()
        m.d.sync += [
            x.mul_a.eq(Mux(multiplies, rf.a, 0)), x.mul_b.eq(Mux(multiplies, rf.b, 0)),
            x.a.eq(rf.a), x.rb.eq(rf.b), x.rc_nz.eq(rf.c_nonzero),
            x.state_addr.eq(comp * cm.STATE_WORDS + imm.state_word),
            x.param_addr.eq(Mux(ends | (tok.mode == SlotMode.HEAD),
                                header_comp * cm.PARAM_WORDS,
                                comp * cm.PARAM_WORDS + imm.param_word)),
            x.profile_addr.eq(prof * cm.PROFILE_WORDS
                              + Mux(tok.mode == SlotMode.PROFILE, 0, imm.profile_word)),
            x.source.eq(source), x.sts.eq(run & (word.op == Opcode.STS)),
            x.mod.eq(run & (word.op == Opcode.MOD)),
        ]
        return x

    # -- X1, X2: memories, multiplier, divider, ALU ------------------------------------
    def _execute(self, m: Module, x: "X1Regs", mul, div, tok, word) -> "X2Regs":
        """X1: the memories read and STS written (addresses from R); b =
        R[rb] + imm; MULT / MULF into the multiplier; MOD to the divider when
        it is free (one division per lane; the MOD of another slot retries)."""
        y = X2Regs()
        mem = self.mem
        b = Signal(WORD)
        m.d.comb += [b.eq((x.rb + word.imm)[:isa.WORD_BITS]),
                     mem.state_raddr.eq(x.state_addr), mem.param_raddr.eq(x.param_addr),
                     mem.profile_raddr.eq(x.profile_addr),
                     mem.state_we.eq(x.sts), mem.state_waddr.eq(x.state_addr),
                     mem.state_wdata.eq(x.a),
                     mul.a.eq(x.mul_a), mul.b.eq(x.mul_b), mul.shift.eq(word.imm[:6]),
                     mul.trunc.eq(word.op == Opcode.MULT),
                     div.i.payload.dividend.eq(x.a), div.i.payload.divisor.eq(b)]
        d = DivState()
        self.div_state = d
        m.d.comb += [div.i.valid.eq(x.mod & ~d.busy), div.o.ready.eq(1)]
        with m.If(div.i.valid & div.i.ready):
            m.d.sync += [d.busy.eq(1), d.slot.eq(tok.slot)]
        with m.If(div.o.valid):         # the answer, registered, until its MOD takes it
            m.d.sync += [d.have.eq(1), d.remainder.eq(div.o.payload.remainder),
                         d.by_zero.eq(div.o.payload.by_zero)]
        width = immediate_layout(self.params)(word.imm).width
        m.d.sync += [y.a.eq(x.a), y.b.eq(b), y.rb.eq(x.rb), y.rc_nz.eq(x.rc_nz),
                     y.half.eq(wrap_half(width)),
                     *(getattr(y.amount, f).eq(v) for f, v in amount_flags(b).items()),
                     y.source.eq(x.source)]
        return y

    def _values(self, m: Module, alu: NeuronAlu, y: "X2Regs", word, tok3, word3):
        """X2 to X4: the ALU (two stages, its result in X4); the memories'
        read data and SPK's a + imm registered (X2), the one of them the
        instruction writes chosen (X3), then that or the ALU's result (X4). Returns
        (value, SPK payload fits 24 bits, rc != 0, the value's checks as a
        header), registered for W (`tok3`, `word3`: X3's turn)."""
        ops = alu.operands
        m.d.comb += [alu.op.eq(word.op), ops.a.eq(y.a), ops.b.eq(y.b), ops.rb.eq(y.rb),
                     ops.rc_nz.eq(y.rc_nz), ops.imm.value.eq(word.imm), ops.half.eq(y.half),
                     ops.amount.eq(y.amount)]
        # X2: each memory's read data registered as it comes (a block RAM's
        # clock-to-out leaves no time for a choice before the register)
        read = Signal(load_data_layout())
        source3 = Signal(LoadSource)
        full, rc3 = Signal(isa.WORD_BITS + 1), Signal()
        m.d.sync += [read.eq(self.load_data), source3.eq(y.source), full.eq(y.a + word.imm),
                     rc3.eq(y.rc_nz)]
        loaded = Signal(WORD)
        with m.Switch(source3):
            with m.Case(LoadSource.STATE):
                m.d.comb += loaded.eq(read.state)
            with m.Case(LoadSource.PARAM):
                m.d.comb += loaded.eq(read.param)
            with m.Default():
                m.d.comb += loaded.eq(read.profile)
        # X3: the read data or the SPK payload; whether the ALU's result wins
        bits = len(self.spike.payload.payload)
        fs = full.as_signed()
        op3 = word3.op
        from_memory = (tok3.mode != SlotMode.RUN) | tok3.forced | (op3 == Opcode.END) | \
            (op3 == Opcode.LDS) | (op3 == Opcode.LDP) | (op3 == Opcode.LDC)
        other, use_alu, fits4, rc4 = Signal(WORD), Signal(), Signal(), Signal()
        m.d.sync += [other.eq(Mux(from_memory, loaded, full[:isa.WORD_BITS])),
                     use_alu.eq(~from_memory & (op3 != Opcode.SPK)),
                     fits4.eq((fs >= -(1 << (bits - 1))) & (fs < (1 << (bits - 1)))),
                     rc4.eq(rc3)]
        # X4: the value for W
        value = Signal(WORD)
        m.d.sync += value.eq(Mux(use_alu, alu.result, other))
        # ... and, when it is a header (HEAD, PROFILE, END: read data, never
        # the ALU's), its checks, so W compares nothing
        bad = HeaderChecks(profile=Signal(name="bad_profile"), entry=Signal(name="bad_entry"))
        m.d.sync += [
            bad.profile.eq(cm.PARAM_HEADER(other[:cm.PARAM_HEADER.size]).profile
                           >= self.params.n_profiles),
            bad.entry.eq(cm.PROFILE_HEADER(other[:cm.PROFILE_HEADER.size]).entry
                         >= self.params.n_ucode)]
        return value, fits4, rc4, bad

    # -- X4, W: retire or retry -------------------------------------------------------
    def _plan(self, m: Module, sl: SlotRegs, tok, word, fits, rc_nz) -> "PlanRegs":
        """X4: what W needs that does not depend on the cycle W comes in,
        registered: the kind of turn, where the result comes from, the
        errors known now, the slot's next program counter and compartment."""
        p, w = self.params, PlanRegs(self.params)
        run = (tok.mode == SlotMode.RUN) & ~tok.forced
        op, slot = word.op, tok.slot
        writes, defined = Signal(), Signal()
        with m.Switch(op):
            with m.Case(*_WRITES_RD):
                m.d.comb += writes.eq(1)
        with m.Switch(op):
            with m.Case(*_DEFINED):
                m.d.comb += defined.eq(1)
        source = Result.VALUE
        for ops, src in ((MUL_OPS, Result.PRODUCT), ({Opcode.MOD}, Result.REMAINDER),
                         ({Opcode.ACC}, Result.ACC), ({Opcode.LDT}, Result.STEP)):
            source = Mux(Cat(op == o for o in ops).any(), src, source)
        comp_next = sl.comp[slot] + self.stride
        m.d.sync += [
            w.ends.eq((tok.mode == SlotMode.RUN) & (tok.forced | (op == Opcode.END))),
            w.spk.eq(run & (op == Opcode.SPK) & rc_nz),
            w.acc.eq(run & (op == Opcode.ACC)), w.mod.eq(run & (op == Opcode.MOD)),
            w.live.eq(tok.mode != SlotMode.DONE),
            w.write.eq(run & writes), w.source.eq(source),
            w.error.eq((tok.mode == SlotMode.RUN) & tok.forced | run & ~defined
                       | run & (op == Opcode.SPK) & rc_nz & ~fits),
            w.pc_next.eq(sl.pc[slot] + 1), w.at_end.eq(sl.pc[slot] == p.n_ucode - 1),
            w.comp_next.eq(comp_next), w.more.eq(comp_next < self.n_compartments),
        ]
        return w

    def _retire(self, m: Module, sl: SlotRegs, rf: RegisterFile, mul, div, a: AccQueue,
                tok, word, val, heads_bad: "HeaderChecks", w: "PlanRegs") -> None:
        """W: the turn completes (`done`) or changes nothing and runs again."""
        d, slot = self.div_state, tok.slot
        oldest = Signal.like(slot)
        # a spike buffer per slot; the oldest slot's goes out
        spike, bits = self.spike, len(self.spike.payload.payload)
        spk_valid = Signal(K)
        spk_payload = Array(Signal(bits, name=f"spk_payload{j}") for j in range(K))
        m.d.comb += [spike.valid.eq(spk_valid.bit_select(oldest, 1)),
                     spike.payload.compartment.eq(sl.comp[oldest]),
                     spike.payload.payload.eq(spk_payload[oldest])]
        with m.If(spike.valid & spike.ready):
            m.d.sync += spk_valid.bit_select(oldest, 1).eq(0)
        sent = ~spk_valid.bit_select(slot, 1) | ((oldest == slot) & spike.ready)
        divided = d.have & (d.slot == slot)
        # whether the turn completes, per kind of turn (the kinds exclude each
        # other), so the ACC answer's late `ready` does not reach the spike buffers
        done_ends, done_spk, done_acc, done_mod, done = (
            Signal(name=f"done_{n}") for n in ("ends", "spk", "acc", "mod", "any"))
        other = ~(w.ends | w.spk | w.acc | w.mod)
        m.d.comb += [done_ends.eq(w.ends & (oldest == slot) & self.turn & sent),
                     done_spk.eq(w.spk & ~spk_valid.bit_select(slot, 1)),
                     done_acc.eq(w.acc & a.ready), done_mod.eq(w.mod & divided),
                     done.eq(done_ends | done_spk | done_acc | done_mod | other & w.live)]
        result = Signal(WORD)
        with m.Switch(w.source):
            for src, value in ((Result.PRODUCT, mul.product),
                               (Result.REMAINDER, d.remainder),
                               (Result.ACC, a.data), (Result.STEP, self.step),
                               (Result.VALUE, val)):
                with m.Case(src):
                    m.d.comb += result.eq(value)
        m.d.comb += [rf.write_slot.eq(slot), rf.write.rd.eq(word.rd), rf.write.data.eq(result),
                     rf.write.en.eq(done & w.write),
                     a.slot.eq(slot), a.pop.eq(done_acc)]
        with m.If(done_mod):
            m.d.sync += [d.busy.eq(0), d.have.eq(0)]
        with m.If(done_spk):
            m.d.sync += [spk_valid.bit_select(slot, 1).eq(1), spk_payload[slot].eq(val[:bits])]
        # errors are counted a cycle later (registered: nothing waits on them)
        m.d.sync += self.error.eq(done & w.error | done_mod & d.by_zero)
        m.d.comb += self.updates.eq(done_ends)
        with m.If(done_ends):
            m.d.sync += oldest.eq(oldest + 1)
        with m.If(self.start):
            m.d.sync += oldest.eq(0)
        self._advance(m, sl, rf, tok, val, heads_bad, done, w)
        started = Signal()          # the cycle after `start` (busy even with no compartment)
        m.d.sync += started.eq(self.start)
        busy = (Cat(mode != SlotMode.DONE for mode in sl.mode).any() | spk_valid.any() | started
                | self.error)
        m.d.comb += self.busy.eq(busy)

    def _advance(self, m: Module, sl: SlotRegs, rf: RegisterFile, tok, val,
                 bad: "HeaderChecks", done, w: "PlanRegs") -> None:
        """W: the slot's state after a turn that completed: the next
        instruction, the next compartment (its PARAM header `val`, read in
        END's turn), or the program's entry (its PROFILE header `val`);
        `bad`: the header's checks, made in X4."""
        slot = tok.slot
        header = cm.PARAM_HEADER(val[:cm.PARAM_HEADER.size])
        entry = cm.PROFILE_HEADER(val[:cm.PROFILE_HEADER.size]).entry
        take_header = [sl.prof[slot].eq(header.profile), sl.row[slot].eq(header.acc_row),
                       sl.bad[slot].eq(bad.profile), sl.mode[slot].eq(SlotMode.PROFILE)]
        with m.If(done):
            with m.Switch(tok.mode):
                with m.Case(SlotMode.HEAD):
                    m.d.sync += take_header
                with m.Case(SlotMode.PROFILE):
                    skip = sl.bad[slot] | bad.entry
                    m.d.comb += rf.clear.eq(1)
                    m.d.sync += [sl.pc[slot].eq(entry), sl.forced[slot].eq(skip),
                                 sl.mode[slot].eq(SlotMode.RUN)]
                with m.Case(SlotMode.RUN):
                    with m.If(w.ends):
                        m.d.sync += sl.comp[slot].eq(w.comp_next)
                        with m.If(w.more):
                            m.d.sync += take_header
                        with m.Else():
                            m.d.sync += sl.mode[slot].eq(SlotMode.DONE)
                    with m.Elif(w.at_end):
                        m.d.sync += sl.forced[slot].eq(1)   # ran past the end: END next
                    with m.Else():
                        m.d.sync += sl.pc[slot].eq(w.pc_next)

