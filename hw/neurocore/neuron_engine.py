"""The neuron engine: runs every compartment's microcode program once per step.

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

from amaranth.hdl import Array, Cat, Const, Module, Mux, Signal, signed
from amaranth.lib import memory, wiring

from .. import isa
from ..isa import Opcode
from ..params import ChipParams
from . import compartment_memory as cm
from .interfaces import NeuronEngineSignature

__all__ = ["NeuronEngine"]


class NeuronEngine(wiring.Component):
    """Neuron engine for one neurocore (sizes from `params`)."""

    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__(NeuronEngineSignature(params))
        depths = cm.memory_depths(params)
        self.state_mem = memory.Memory(shape=32, depth=depths["state"], init=[])
        self.param_mem = memory.Memory(shape=32, depth=depths["param"], init=[])
        self.profile_mem = memory.Memory(shape=32, depth=depths["profile"], init=[])
        self.ucode_mem = memory.Memory(shape=32, depth=depths["ucode"], init=[])

    def elaborate(self, platform):
        p = self.params
        m = Module()
        m.submodules.state_mem = self.state_mem
        m.submodules.param_mem = self.param_mem
        m.submodules.profile_mem = self.profile_mem
        m.submodules.ucode_mem = self.ucode_mem

        st_r = self.state_mem.read_port()
        st_w = self.state_mem.write_port()
        pa_r = self.param_mem.read_port()       # LDP and host
        pa_pf = self.param_mem.read_port()      # prefetch
        pa_w = self.param_mem.write_port()
        pr_r = self.profile_mem.read_port()     # LDC and host
        pr_pf = self.profile_mem.read_port()    # prefetch
        pr_w = self.profile_mem.write_port()
        uc_r = self.ucode_mem.read_port()
        uc_w = self.ucode_mem.write_port()

        cbits = p.compartment_bits
        ubits = p.ucode_addr_bits
        pbits = cm.profile_bits(p)

        # -- control state -----------------------------------------------------
        IDLE, LAUNCH, RUN, DRAIN = range(4)
        phase = Signal(2, init=IDLE)
        busy = Signal()
        m.d.comb += busy.eq(phase != IDLE)
        m.d.comb += self.busy.eq(busy)

        x_valid = Signal()                  # an instruction is in execute
        force_end = Signal()                # previous word was the last of UCODE
        pc = Signal(ubits)
        cur_comp = Signal(cbits)
        cur_prof = Signal(pbits)
        n = self.n_compartments

        next_ready = Signal()
        next_entry = Signal(ubits)
        next_prof = Signal(pbits)
        next_skip = Signal()                # the next compartment is skipped (bad input)
        skip = Signal()                     # the current one is: it executes one END
        pf_stage = Signal(2)
        pf_prof = Signal(pbits)
        pf_bad_prof = Signal()
        pf_trigger = Signal()
        pf_comp = Signal(cbits + 1)

        regs = Array(Signal(signed(32), name=f"r{i}") for i in range(isa.N_REGS))
        pl_valid = Signal()                 # a load is writing back this cycle
        pl_rd = Signal(isa.REG_BITS)
        pl_src = Signal(2)                  # 0 state, 1 param, 2 profile

        acc_pend = Signal()                 # an ACC was accepted, its answer not yet in
        acc_pend_rd = Signal(isa.REG_BITS)
        acc_in = Signal()                   # its answer arrives this cycle
        mod_busy = Signal()
        mod_cnt = Signal(6)
        mod_dvd = Signal(32)
        mod_dvs = Signal(32)
        mod_rem = Signal(33)
        mod_neg_a = Signal()
        mod_neg_b = Signal()

        spk_valid = Signal()
        spk_comp = Signal(cbits)
        spk_payload = Signal(signed(24))
        m.d.comb += [
            self.spike.valid.eq(spk_valid),
            self.spike.payload.compartment.eq(spk_comp),
            self.spike.payload.payload.eq(spk_payload),
        ]
        with m.If(self.spike.valid & self.spike.ready):
            m.d.sync += spk_valid.eq(0)

        # -- host access (only while idle) --------------------------------------
        for rp, wp, bus in ((st_r, st_w, self.state_bus), (pa_r, pa_w, self.param_bus),
                            (pr_r, pr_w, self.profile_bus), (uc_r, uc_w, self.ucode_bus)):
            m.d.comb += [
                bus.rdata.eq(rp.data),
                wp.addr.eq(bus.addr),
                wp.data.eq(bus.wdata),
                wp.en.eq(bus.we & ~busy),
            ]
            with m.If(~busy):
                m.d.comb += rp.addr.eq(bus.addr)
        m.d.comb += [st_r.en.eq(1), pa_r.en.eq(1), pr_r.en.eq(1), pa_pf.en.eq(1), pr_pf.en.eq(1)]

        # -- prefetch of the next compartment's profile and entry ---------------
        m.d.comb += pa_pf.addr.eq(pf_comp[:cbits] * cm.PARAM_WORDS)
        pf_idx = Signal(cm.PROFILE_FIELD_BITS)
        m.d.comb += pf_idx.eq(pa_pf.data[:cm.PROFILE_FIELD_BITS])
        with m.If(pf_trigger):
            m.d.sync += pf_stage.eq(1)
        with m.If(pf_stage == 1):
            m.d.comb += pr_pf.addr.eq(pf_idx[:pbits] * cm.PROFILE_WORDS)
            m.d.sync += [pf_prof.eq(pf_idx[:pbits]), pf_bad_prof.eq(pf_idx >= p.n_profiles),
                         pf_stage.eq(2)]
        with m.If(pf_stage == 2):
            # a profile index >= n_profiles or an entry >= n_ucode: skip it
            m.d.sync += [next_entry.eq(pr_pf.data[:ubits]), next_prof.eq(pf_prof),
                         next_skip.eq(pf_bad_prof | (pr_pf.data[:cm.ENTRY_BITS] >= p.n_ucode)),
                         next_ready.eq(1), pf_stage.eq(0)]

        # -- decode -------------------------------------------------------------
        ins = Signal(isa.Instruction)
        m.d.comb += ins.eq(uc_r.data)
        op = Signal(isa.OP_BITS)
        forced = Signal()                   # END, whatever the word: ran off UCODE or skipped
        m.d.comb += forced.eq(force_end | skip)
        m.d.comb += op.eq(Mux(forced, Opcode.END.value, ins.op.as_value()))
        imm = Signal(signed(isa.IMM_BITS))
        m.d.comb += imm.eq(ins.imm)

        load_data = Signal(signed(32))
        m.d.comb += load_data.eq(Mux(pl_src == 0, st_r.data,
                                     Mux(pl_src == 1, pa_r.data, pr_r.data)))

        m.d.comb += [self.acc_resp.ready.eq(acc_pend),
                     acc_in.eq(acc_pend & self.acc_resp.valid)]

        def read_reg(idx, name):
            v = Signal(signed(32), name=name)
            m.d.comb += v.eq(regs[idx])
            with m.If(pl_valid & (pl_rd == idx) & (idx != 0)):
                m.d.comb += v.eq(load_data)
            with m.If(acc_in & (acc_pend_rd == idx)):
                m.d.comb += v.eq(self.acc_resp.payload)
            with m.If(idx == 0):
                m.d.comb += v.eq(0)
            return v

        A = read_reg(ins.ra, "opa")
        Rb = read_reg(ins.rb, "opr")
        Rc = read_reg(ins.rc, "opc")
        B = Signal(signed(32))
        m.d.comb += B.eq((Rb + imm)[:32])

        # shift amounts
        sh_u = Signal(6)   # clamp(B, 0, 63)
        m.d.comb += sh_u.eq(Mux(B < 0, 0, Mux(B > isa.SHIFT_MAX, isa.SHIFT_MAX, B[:6])))
        sh_n = Signal(6)   # clamp(-B, 0, 63)
        m.d.comb += sh_n.eq(Mux(B >= 0, 0, Mux(B < -isa.SHIFT_MAX, isa.SHIFT_MAX, (-B)[:6])))
        shl = Signal(signed(32))
        m.d.comb += shl.eq((A << sh_u)[:32])
        shr = Signal(signed(32))
        m.d.comb += shr.eq(A >> sh_u)
        negA = Signal(signed(33))
        m.d.comb += negA.eq(-A)
        tshr = Signal(signed(32))
        m.d.comb += tshr.eq(Mux(A < 0, -(negA >> sh_u), A >> sh_u)[:32])
        ash = Signal(signed(32))
        m.d.comb += ash.eq(Mux(B >= 0, shl, A >> sh_n))

        # multiply with a 64-bit product
        prod = Signal(signed(64))
        m.d.comb += prod.eq(A * Rb)
        mshift = Signal(6)
        m.d.comb += mshift.eq(imm[:6])
        negprod = Signal(signed(65))
        m.d.comb += negprod.eq(-prod)
        mult = Signal(signed(32))
        m.d.comb += mult.eq(Mux(prod < 0, -(negprod >> mshift), prod >> mshift)[:32])
        mulf = Signal(signed(32))
        m.d.comb += mulf.eq((prod >> mshift)[:32])

        # wrap / saturate to a width
        width = Signal(6)
        m.d.comb += width.eq(imm[:6])
        half = Signal(signed(35))
        m.d.comb += half.eq(Const(1, 34) << (width - 1)[:5])
        wrapv = Signal(signed(32))
        m.d.comb += wrapv.eq(Mux(A > half, A - 2 * half, Mux(A <= -half, A + 2 * half, A))[:32])
        satv = Signal(signed(32))
        m.d.comb += satv.eq(Mux(A > half - 1, half - 1, Mux(A < 1 - half, 1 - half, A))[:32])

        # MOD: restoring division on magnitudes, one bit of |A| per cycle
        absA = Signal(32)
        m.d.comb += absA.eq(Mux(A < 0, negA, A)[:32])
        absA_len = Signal(6)            # bit length of |A| (0..32)
        for i in range(32):
            with m.If(absA[i]):
                m.d.comb += absA_len.eq(i + 1)
        absB = Signal(32)
        m.d.comb += absB.eq(Mux(B < 0, -B, B)[:32])
        rem_sh = Signal(33)
        m.d.comb += rem_sh.eq(Cat(mod_dvd[31], mod_rem[:32]))
        rem_nx = Signal(33)
        m.d.comb += rem_nx.eq(Mux(rem_sh >= mod_dvs, rem_sh - mod_dvs, rem_sh))
        mod_fix = Signal(33)
        m.d.comb += mod_fix.eq(Mux((rem_nx != 0) & (mod_neg_a != mod_neg_b), mod_dvs - rem_nx, rem_nx))
        mod_res = Signal(signed(32))
        m.d.comb += mod_res.eq(Mux(mod_neg_b, -mod_fix, mod_fix)[:32])

        # graded payload: 24 bits; a value outside that range is sent truncated
        # and pulses error
        pay_full = Signal(signed(33))
        m.d.comb += pay_full.eq(A + imm)
        pay_fits = Signal()
        m.d.comb += pay_fits.eq((pay_full >= -(1 << 23)) & (pay_full < (1 << 23)))

        # -- execute ------------------------------------------------------------
        stall = Signal()
        wr_en = Signal()
        wr_val = Signal(signed(32))
        ends = Signal()
        more = Signal()
        m.d.comb += more.eq((cur_comp + 1) < n)

        m.d.sync += pl_valid.eq(0)
        with m.If(pl_valid):
            m.d.sync += regs[pl_rd].eq(load_data)
        with m.If(acc_in):                  # the outstanding ACC's answer
            m.d.sync += [regs[acc_pend_rd].eq(self.acc_resp.payload), acc_pend.eq(0)]

        # scoreboard of the one outstanding ACC: an instruction that reads its
        # register waits for the answer (or takes it by forwarding in the cycle
        # it arrives); one that writes it waits until it has arrived; END waits
        # for it too
        writes_rd = Signal()
        with m.Switch(op):
            with m.Case(*[o for o, info in isa.OPINFO.items() if info.writes_rd]):
                m.d.comb += writes_rd.eq(1)
        waiting = Signal()
        m.d.comb += waiting.eq(acc_pend & ~self.acc_resp.valid & (acc_pend_rd != 0))
        hazard = Signal()
        m.d.comb += hazard.eq(waiting & (
            (ins.ra == acc_pend_rd) | (ins.rb == acc_pend_rd) | (ins.rc == acc_pend_rd) |
            (writes_rd & (ins.rd == acc_pend_rd))))
        end_wait = Signal()
        m.d.comb += end_wait.eq(acc_pend & ~self.acc_resp.valid)

        state_addr = Signal(range(cm.memory_depths(p)["state"]))
        m.d.comb += state_addr.eq(cur_comp * cm.STATE_WORDS + imm[:2])

        with m.If((phase == RUN) & x_valid & hazard & ~forced):
            m.d.comb += stall.eq(1)
        with m.If((phase == RUN) & x_valid & ~(hazard & ~forced)):
            with m.Switch(op):
                with m.Case(Opcode.END):
                    m.d.comb += ends.eq(1)
                    with m.If((more & ~next_ready) | end_wait):
                        m.d.comb += stall.eq(1)
                    with m.If(forced & ~stall):     # one pulse, however long END waits
                        m.d.comb += self.error.eq(1)
                with m.Case(Opcode.NOP):
                    pass
                with m.Case(Opcode.LDS):
                    m.d.comb += st_r.addr.eq(state_addr)
                    m.d.sync += [pl_valid.eq(1), pl_rd.eq(ins.rd), pl_src.eq(0)]
                with m.Case(Opcode.STS):
                    m.d.comb += [st_w.addr.eq(state_addr), st_w.data.eq(A), st_w.en.eq(1)]
                with m.Case(Opcode.LDP):
                    m.d.comb += pa_r.addr.eq(cur_comp * cm.PARAM_WORDS + imm[:2])
                    m.d.sync += [pl_valid.eq(1), pl_rd.eq(ins.rd), pl_src.eq(1)]
                with m.Case(Opcode.LDC):
                    m.d.comb += pr_r.addr.eq(cur_prof * cm.PROFILE_WORDS + imm[:4])
                    m.d.sync += [pl_valid.eq(1), pl_rd.eq(ins.rd), pl_src.eq(2)]
                with m.Case(Opcode.LDT):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(self.step)]
                with m.Case(Opcode.ACC):
                    m.d.comb += [self.acc_req.payload.compartment.eq(cur_comp),
                                 self.acc_req.payload.group.eq(imm[:p.group_bits])]
                    # issue and go on; the answer is written when it arrives
                    with m.If(acc_pend & ~self.acc_resp.valid):
                        m.d.comb += stall.eq(1)     # one ACC outstanding at a time
                    with m.Else():
                        m.d.comb += self.acc_req.valid.eq(1)
                        with m.If(self.acc_req.ready):
                            m.d.sync += [acc_pend.eq(1), acc_pend_rd.eq(ins.rd)]
                        with m.Else():
                            m.d.comb += stall.eq(1)
                with m.Case(Opcode.ADD):
                    m.d.comb += [wr_en.eq(1), wr_val.eq((A + B)[:32])]
                with m.Case(Opcode.SUB):
                    m.d.comb += [wr_en.eq(1), wr_val.eq((A - B)[:32])]
                with m.Case(Opcode.MULT):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(mult)]
                with m.Case(Opcode.MULF):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(mulf)]
                with m.Case(Opcode.SHL):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(shl)]
                with m.Case(Opcode.SHR):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(shr)]
                with m.Case(Opcode.TSHR):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(tshr)]
                with m.Case(Opcode.ASH):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(ash)]
                with m.Case(Opcode.CGT):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(A > B)]
                with m.Case(Opcode.CGE):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(A >= B)]
                with m.Case(Opcode.CEQ):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(A == B)]
                with m.Case(Opcode.ABS):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(Mux(A < 0, negA, A)[:32])]
                with m.Case(Opcode.SEL):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(Mux(Rc != 0, A, Rb))]
                with m.Case(Opcode.MAX):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(Mux(A > B, A, B))]
                with m.Case(Opcode.MIN):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(Mux(A < B, A, B))]
                with m.Case(Opcode.AND):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(A & B)]
                with m.Case(Opcode.OR):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(A | B)]
                with m.Case(Opcode.XOR):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(A ^ B)]
                with m.Case(Opcode.WRAP):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(wrapv)]
                with m.Case(Opcode.SAT):
                    m.d.comb += [wr_en.eq(1), wr_val.eq(satv)]
                with m.Case(Opcode.MOD):
                    with m.If(~mod_busy):
                        with m.If(B == 0):
                            m.d.comb += [wr_en.eq(1), wr_val.eq(0), self.error.eq(1)]
                        with m.Elif(absA_len == 0):
                            m.d.comb += [wr_en.eq(1), wr_val.eq(0)]     # 0 mod B = 0
                        with m.Else():
                            # iterate only over the significant bits of |A|
                            m.d.comb += stall.eq(1)
                            m.d.sync += [mod_busy.eq(1), mod_cnt.eq(absA_len),
                                         mod_dvd.eq(absA << (32 - absA_len)[:6]),
                                         mod_dvs.eq(absB), mod_rem.eq(0),
                                         mod_neg_a.eq(A < 0), mod_neg_b.eq(B < 0)]
                    with m.Else():
                        m.d.sync += [mod_rem.eq(rem_nx), mod_dvd.eq(mod_dvd << 1),
                                     mod_cnt.eq(mod_cnt - 1)]
                        with m.If(mod_cnt == 1):
                            m.d.comb += [wr_en.eq(1), wr_val.eq(mod_res)]
                            m.d.sync += mod_busy.eq(0)
                        with m.Else():
                            m.d.comb += stall.eq(1)
                with m.Case(Opcode.SPK):
                    with m.If(Rc != 0):
                        with m.If(~spk_valid | self.spike.ready):
                            m.d.sync += [spk_valid.eq(1), spk_comp.eq(cur_comp),
                                         spk_payload.eq(pay_full[:24])]
                            m.d.comb += self.error.eq(~pay_fits)
                        with m.Else():
                            m.d.comb += stall.eq(1)
                with m.Default():
                    m.d.comb += self.error.eq(1)     # undefined opcode: a NOP

            with m.If(wr_en & ~stall & (ins.rd != 0)):
                m.d.sync += regs[ins.rd].eq(wr_val)

        # -- sequencing ---------------------------------------------------------
        begin = Signal()        # a compartment starts executing next cycle
        begin_comp = Signal(cbits + 1)
        m.d.comb += uc_r.en.eq(~(busy & stall))
        with m.If(busy):
            m.d.comb += uc_r.addr.eq(pc + 1)

        with m.Switch(phase):
            with m.Case(IDLE):
                m.d.sync += [x_valid.eq(0), force_end.eq(0), skip.eq(0), acc_pend.eq(0),
                             mod_busy.eq(0)]
                with m.If(self.start):
                    m.d.sync += next_ready.eq(0)
                    with m.If(n == 0):
                        m.d.sync += phase.eq(DRAIN)
                    with m.Else():
                        m.d.sync += phase.eq(LAUNCH)
                        m.d.comb += [pf_trigger.eq(1), pf_comp.eq(0)]
            with m.Case(LAUNCH):
                with m.If(next_ready):
                    m.d.comb += [begin.eq(1), begin_comp.eq(0)]
                    m.d.sync += phase.eq(RUN)
            with m.Case(RUN):
                with m.If(x_valid & ~stall):
                    with m.If(ends):
                        m.d.comb += self.updates.eq(1)
                        m.d.sync += [force_end.eq(0), skip.eq(0)]
                        with m.If(more):
                            m.d.comb += [begin.eq(1), begin_comp.eq(cur_comp + 1)]
                        with m.Else():
                            m.d.sync += [x_valid.eq(0), phase.eq(DRAIN)]
                    with m.Elif(pc == p.n_ucode - 1):
                        m.d.sync += force_end.eq(1)   # ran past the end: END next cycle
                    with m.Else():
                        m.d.sync += pc.eq(pc + 1)
            with m.Case(DRAIN):
                with m.If(~spk_valid):
                    m.d.sync += phase.eq(IDLE)

        with m.If(begin):
            m.d.comb += uc_r.addr.eq(next_entry)
            m.d.sync += [pc.eq(next_entry), x_valid.eq(1), cur_comp.eq(begin_comp[:cbits]),
                         cur_prof.eq(next_prof), skip.eq(next_skip), next_ready.eq(0)]
            for i in range(1, isa.N_REGS):
                m.d.sync += regs[i].eq(0)
            with m.If(begin_comp + 1 < n):
                m.d.comb += [pf_trigger.eq(1), pf_comp.eq(begin_comp + 1)]

        return m
