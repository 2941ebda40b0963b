"""The single-line RTL mutants `scripts/mutate.py` applies, one at a time.

Each `Mutant` names a file under hw/, a fragment of one line that must occur
exactly once in that file (`original`), what replaces it, and the fast tests
(pytest paths, fastest first) that should notice. `equivalent` holds the
argument why a mutant cannot change behaviour, where that is so. `volatile`
marks mutants in files under active rewrite (the neuron engine): when their
fragment stops matching, re-anchor them on the new text.
"""
from __future__ import annotations

from dataclasses import dataclass

# test groups, fastest first (paths relative to the repository root)
ROUTER = ("tests/hw/noc/test_router.py", "tests/hw/noc/test_mesh.py")
NOC = ("tests/hw/noc/test_barrier.py", "tests/hw/noc/test_mesh.py", "tests/hw/noc/test_router.py")
HOSTPORT = ("tests/hw/noc/test_barrier.py", "tests/hw/noc/test_mesh.py")
CORE = ("tests/hw/core/test_core.py", "tests/hw/core/test_core_backpressure.py",
        "tests/hw/core/test_core_lif.py", "tests/hw/core/test_cycle_costs.py")
CORE_BP = ("tests/hw/core/test_core_backpressure.py", "tests/hw/core/test_core.py")
CORE_MEM = ("tests/hw/core/test_core_memory.py",) + CORE
NEURON = ("tests/hw/neuron/test_engine_parts.py", "tests/hw/neuron/test_engine.py",
          "tests/hw/neuron/test_programs.py")
NEURON_CORE = ("tests/hw/core/test_core_lif.py",) + NEURON


@dataclass(frozen=True)
class Mutant:
    """One single-line mutation of the RTL.

    id : unique short name (``area-what``).
    file : path under the repository root, inside hw/.
    original : a fragment of one line, occurring exactly once in `file`.
    replacement : the text that replaces `original` (one line).
    what : what the mutation does to the hardware, in words.
    tests : pytest paths that should kill it, fastest first.
    equivalent : why it cannot change behaviour ("" when it can).
    volatile : in a file being rewritten; re-anchor when it stops matching.
    """
    id: str
    file: str
    original: str
    replacement: str
    what: str
    tests: tuple[str, ...]
    equivalent: str = ""
    volatile: bool = False


R, MESH, BAR, HP, NOCF = "hw/router.py", "hw/mesh.py", "hw/barrier.py", "hw/hostport.py", "hw/noc.py"
FAN, SYN = "hw/neurocore/fanout_engine.py", "hw/neurocore/synapse_engine.py"
CORE_F, CMEM = "hw/neurocore/core.py", "hw/neurocore/core_memory.py"
ACC, ALU = "hw/neurocore/accumulators.py", "hw/neurocore/neuron_alu.py"

MUTANTS: tuple[Mutant, ...] = (
    # -- router -------------------------------------------------------------------
    Mutant("router-x-ge", R, "with m.If(tx > self.x):", "with m.If(tx >= self.x):",
           "XY routing: a flit already in its column still goes east", ROUTER),
    Mutant("router-south-north", R, "m.d.comb += want[Port.S].eq(1)",
           "m.d.comb += want[Port.N].eq(1)", "XY routing: southbound flits turn north", ROUTER),
    Mutant("router-host-local", R, "with m.Elif(head.dst.host):", "with m.Elif(0):",
           "a host-bound flit at tile (0, 0) goes to the core instead of the host port", ROUTER),
    Mutant("fifo-full-ready", R, "self.w.ready.eq(self.level != depth)", "self.w.ready.eq(1)",
           "input FIFO accepts while full (overwrites a flit)", ROUTER),
    Mutant("fifo-rdptr-wrap", R, "self.rd_ptr.eq(Mux(self.rd_ptr == depth - 1",
           "self.rd_ptr.eq(Mux(self.rd_ptr == depth - 2", "FIFO read pointer wraps one early",
           ROUTER),
    Mutant("rr-no-advance", R, "order = [(lp + 1 + k) % n_in for k in range(n_in)]",
           "order = [(lp + k) % n_in for k in range(n_in)]",
           "round robin starts at the input served last (it can starve the others)", ROUTER),
    Mutant("rr-no-hold", R, "with m.If(hold):", "with m.If(hold & 0):",
           "a blocked output may switch to another input's flit", ROUTER),
    Mutant("router-pop-no-ready", R, "pops[p].append(grant[k] & out.ready)",
           "pops[p].append(grant[k])", "FIFO head popped even when the output is blocked",
           ROUTER),
    Mutant("router-empty-any", R, "m.d.comb += self.empty.eq(Cat(f.level == 0 for f in self.fifos.values()).all())",
           "m.d.comb += self.empty.eq(Cat(f.level == 0 for f in self.fifos.values()).any())",
           "router reports empty when any one input FIFO is empty", NOC),
    # -- mesh, barrier, noc ----------------------------------------------------------
    Mutant("mesh-done-no-empty", MESH, "(slot.step_seen == self.step) & r.empty)",
           "(slot.step_seen == self.step))", "barrier bit ignores flits still in the router",
           NOC),
    Mutant("mesh-done-no-step", MESH, "m.d.comb += bit.eq(slot.idle & (slot.step_seen == self.step)",
           "m.d.comb += bit.eq(slot.idle & (1 == 1)",
           "barrier bit ignores whether the tile has seen STEP(t)", NOC),
    Mutant("barrier-row-any", BAR, "rows[y].eq(self.done[y * w:(y + 1) * w].all())",
           "rows[y].eq(self.done[y * w:(y + 1) * w].any())", "a row counts as done when one tile is",
           NOC),
    Mutant("barrier-rows-any", BAR, "self.all_done.eq(rows.all())", "self.all_done.eq(rows.any())",
           "the chip counts as done when one row is", NOC),
    Mutant("barrier-busy-xy", BAR, "m.d.comb += [bx.eq(i % w), by.eq(i // w)]",
           "m.d.comb += [bx.eq(i // w), by.eq(i % w)]", "hang report names the busy tile transposed",
           NOC),
    Mutant("noc-step-zero", NOCF, "mesh.step.eq(hp.step),", "mesh.step.eq(0),",
           "the barrier waits for step 0 instead of the current step", NOC),
    # -- host port ----------------------------------------------------------------
    Mutant("hp-read-cap", HP, "s.read_ok.eq((outstanding < p.max_host_reads)",
           "s.read_ok.eq((outstanding <= p.max_host_reads)",
           "one host read more than max_host_reads may be outstanding", HOSTPORT),
    Mutant("hp-no-reserve", HP, "room_plain.eq((out_fifo.level + self.outstanding) < depth)",
           "room_plain.eq(out_fifo.level < depth)",
           "output queue keeps no room reserved for outstanding read answers", HOSTPORT),
    Mutant("hp-reads-never-drop", HP, "m.d.sync += outstanding.eq(outstanding - 1)",
           "m.d.sync += outstanding.eq(outstanding)",
           "answered reads are never counted off (the cap fills up)", HOSTPORT),
    Mutant("hp-eject-over-gen", HP, "eject.ready.eq(~gen_write & Mux(eject_is_resp, room_any, room_plain))",
           "eject.ready.eq(Mux(eject_is_resp, room_any, room_plain))",
           "the mesh's flit and the port's own packet are written in the same cycle", HOSTPORT),
    Mutant("hp-bcast-bound", HP, "with m.If(s.bx == p.mesh_w - 1):", "with m.If(s.bx == p.mesh_w - 2):",
           "STEP broadcast skips the last column", HOSTPORT),
    Mutant("hp-done-stale", HP, "with m.If(self.all_done & (s.waited != 0)", "with m.If(self.all_done",
           "DONE may follow the stale barrier of the cycle before the last STEP left", HOSTPORT),
    Mutant("hp-offmesh-x", HP, "m.d.comb += s.tile_ok.eq((head.dst.x < p.mesh_w)",
           "m.d.comb += s.tile_ok.eq((head.dst.x <= p.mesh_w)",
           "a host packet for column mesh_w (off the mesh) is let in", HOSTPORT),
    Mutant("hp-timeout-late", HP, "with m.Elif((s.waited >= s.timeout)", "with m.Elif((s.waited > s.timeout)",
           "HANG is reported one cycle after the step cycle bound", HOSTPORT),
    # -- neurocore: fan-out engine -------------------------------------------------------
    Mutant("fan-drop-last", FAN, "((remaining == 1) & issue)", "((remaining == 2) & issue)",
           "the next spike's range is taken one entry early: a compartment with several "
           "destinations loses its last one when another spike waits", CORE_BP),
    Mutant("fan-count-short", FAN, "remaining.eq(iw.count), gen_payload", "remaining.eq(iw.count - 1), gen_payload",
           "every compartment's last destination is dropped", CORE_BP),
    Mutant("fan-range-end", FAN, "range_bad = (iw.base + iw.count) > p.n_fanout",
           "range_bad = (iw.base + iw.count) >= p.n_fanout",
           "a fan-out range ending at the last FANOUT word is refused", CORE_BP),
    Mutant("fan-offmesh-y", FAN, "((ent.x < p.mesh_w) & (ent.y < p.mesh_h))",
           "((ent.x < p.mesh_w) & (ent.y <= p.mesh_h))",
           "a fan-out entry in row mesh_w (off the mesh) is sent", CORE_BP),
    Mutant("fan-ignore-ready", FAN, "m.d.comb += out_done.eq(out_v & (~on_mesh | self.packet.ready))",
           "m.d.comb += out_done.eq(out_v)", "fan-out engine ignores back-pressure on its packets",
           CORE_BP),
    # -- neurocore: synapse engine -----------------------------------------------------
    Mutant("syn-delay-slot", SYN, "m.d.comb += slot.eq(s1_step + 1 + sw.delay)",
           "m.d.comb += slot.eq(s1_step + sw.delay)",
           "synaptic events land one delay slot early", CORE),
    Mutant("syn-delay-bound", SYN, "& (sw.delay <= p.max_delay))", "& (sw.delay < p.max_delay))",
           "synapses with the largest legal delay are refused", CORE),
    Mutant("syn-binary-payload", SYN, "gen_payload.eq(Mux(aw.graded, ax_payload, 1))",
           "gen_payload.eq(Mux(aw.graded, ax_payload, ax_payload))",
           "binary axons multiply the weight by the spike payload", CORE),
    Mutant("syn-take-late", SYN, "m.d.comb += ax_take.eq(ax_v & (remaining <= 1))",
           "m.d.comb += ax_take.eq(ax_v & (remaining == 0))",
           "one bubble between two axons' synapse streams (throughput)", CORE),
    Mutant("syn-prod-unsigned", SYN, "prod = Signal(signed(ACC_BITS))", "prod = Signal(unsigned(ACC_BITS))",
           "weight x payload product held unsigned", CORE,
           equivalent="prod is ACC_BITS wide and only its ACC_BITS bits go on, into the signed "
                      "ACC_BITS delta: the multiply is truncated to the same 32 bits either "
                      "way and reinterpreted as signed by event.delta"),
    # -- neurocore: core top ------------------------------------------------------------
    Mutant("core-tx-ignore-ready", CORE_F, "fan.packet.ready.eq(tx.ready),", "fan.packet.ready.eq(1),",
           "the core ignores back-pressure on its transmit stream", CORE_BP),
    Mutant("core-resp-no-ready", CORE_F, "with m.If(s.resp_v & ~fan.packet.valid & tx.ready):",
           "with m.If(s.resp_v & ~fan.packet.valid):",
           "a READ answer is dropped when tx is not ready", CORE_BP),
    Mutant("core-step-not-idle", CORE_F, "with m.Elif(s.is_write | s.is_step):",
           "with m.Elif(0):",
           "WRITE and STEP are taken while the engines still work", CORE),
    Mutant("core-config-limit", CORE_F, "(wb.data > p.n_compartments)", "(wb.data >= p.n_compartments)",
           "CONFIG.N_COMPARTMENTS = n_compartments (all of them) is refused", CORE),
    Mutant("core-acc-slot", CORE_F, "addr.append(s.step[:(p.n_delay_slots - 1).bit_length()])",
           "addr.append((s.step + 1)[:(p.n_delay_slots - 1).bit_length()])",
           "neuron engine reads the accumulators of slot t + 1 instead of t", CORE),
    Mutant("core-count-valid", CORE_F, "C.PACKETS_OUT: fan.sent,", "C.PACKETS_OUT: fan.packet.valid,",
           "PACKETS_OUT counts cycles offered instead of packets sent", CORE_BP),
    Mutant("cmem-counter-words", CMEM, "Mem.COUNTERS: len(Counter),", "Mem.COUNTERS: len(Counter) - 1,",
           "the last counter (STALLS) is not addressable", CORE_MEM),
    Mutant("cmem-index-words", CMEM, "Mem.FANOUT_INDEX: params.n_compartments,",
           "Mem.FANOUT_INDEX: params.n_compartments - 1,",
           "the last compartment's FANOUT_INDEX word is not addressable", CORE_MEM),
    # -- neurocore: accumulators and neuron engine (files under rewrite) -------------
    Mutant("acc-sub", ACC, "wr.data.eq(old + ev_delta)", "wr.data.eq(old - ev_delta)",
           "synaptic events subtract their weight", CORE, volatile=True),
    Mutant("acc-no-forward", ACC, "m.d.comb += old.eq(Mux(fw_v & (fw_addr == cur_addr), fw_data, rd.data))",
           "m.d.comb += old.eq(rd.data)",
           "back-to-back events on one accumulator lose the first sum", CORE, volatile=True),
    Mutant("alu-tshr-floor", ALU, "Opcode.TSHR: Mux(a < 0, -(neg_a >> sh_u), a >> sh_u)[:W],",
           "Opcode.TSHR: (a >> sh_u)[:W],", "TSHR rounds toward -inf instead of toward zero",
           NEURON, volatile=True),
    Mutant("alu-mult-floor", ALU, "Opcode.MULT: Mux(prod < 0, -(neg_prod >> shift), prod >> shift)[:W],",
           "Opcode.MULT: (prod >> shift)[:W],", "MULT rounds toward -inf instead of toward zero",
           NEURON_CORE, volatile=True),
)
