"""The neuron engine: runs every compartment's microcode program once per step.

Component diagram (docs/neurocore.md draws it too)::

      start, step, n_compartments
                │
                ▼                      (one per lane: n_lanes of them)
      ┌────────────────────────────────────────────────┐   STATE, PARAM
      │ NeuronLane i: 8 slots taking turns, compartments │◄─ bank i; read
      │ 8i .. 8i + 7, then 8 n_lanes on; registers, ALU, │   ports on PROFILE,
      │ multiplier, divider, ACC queue                   │   UCODE
      └──┬─────────────┬──────────────┬──────────────────┘
         │ acc_req/resp│ spike        │ turn
         ▼             ▼              │
      ┌────────────┐ ┌────────────────┴─────────────┐
      │ AccArbiter │ │ LaneOrder: retire order,     │
      │            │ │ spikes, pulses               │
      └─────┬──────┘ └──────────────┬───────────────┘
            ▼ acc_req / acc_resp    ▼ spike, updates, error (to the core)

Implements `NeuronEngineSignature` (see `interfaces.py`). It owns four
memories (word layouts in `compartment_memory.py`): STATE, PARAM, PROFILE and
UCODE, reachable by the host through the four MemBus ports (flat word
addresses whatever the banks below) in a cycle after one in which the
engine was neither busy nor started (the core's `idle_r` gives that): from
the cycle after `start` to the cycle after `busy` falls the lanes own the
ports, and a host write then is not made.

Lanes (`params.n_lanes`, a power of two) and slots (`isa.LANE_SLOTS`, K = 8
per lane): compartments go to the lanes in runs of K, lane i running
compartments K i + j + K n_lanes m in its slot j (`neuron_lane.py`). A
lane's slots take turns, one instruction per cycle in all: each slot's
instruction goes down an 8-stage pipeline and its next enters when it has
left, so no instruction waits for another's result. STATE and PARAM are
banked by lane (`compartment_memory.Banked`, runs of K compartments per
bank), so lane i reads and writes only bank i, through the bank's one read
and one write port; PROFILE and UCODE, which any lane may read, give each
lane a read port of its own (one copy per port in block RAM). The lanes
share only the accumulators (`neuron_join.AccArbiter`). Compartments retire
in compartment order (`neuron_join.LaneOrder`): an END whose compartment's
predecessor has not retired runs again in its slot's next turn, so spikes
and update pulses leave the engine in compartment order.

Cycle costs. A slot's turn comes every K cycles; an instruction takes one
turn, and runs again in the next (taking another) when it cannot complete:

* MOD: until the lane's divider has its answer (1, or 3 + the bit length
  of |ra|, cycles after X1; at most `isa.MOD_TURNS` = 5 turns; another
  slot's MOD waits while the divider is busy);
* ACC: its read-and-clear request leaves when its word is read (stage D);
  the answer is taken at W when it was in by X4, so at the core's latency
  (`accumulators.ACC_LATENCY`) it takes one turn (`neuron_turns.acc_turns`);
* SPK: while the slot's one-spike buffer still holds the compartment's
  previous spike (the oldest compartment's buffer is the one sent);
* END: until the compartment before it has retired and its spike is sent.

A compartment also takes one turn for its profile's PROFILE header (its
PARAM header is read in the turn of the END before it, or, first in a step,
in a turn of its own). So with every slot busy a lane spends
`NeuronProgram.cycles` (its turns) per update, and the engine that over
n_lanes (`update_cycles`); a step with fewer than K n_lanes compartments
pays the pipeline's length (K cycles per turn) instead. Registers read 0
at the start of every compartment.

Errors (a one-cycle `error` pulse per event, a cycle after it; nothing else
changes): undefined opcode (executed as NOP), MOD by zero (result 0), a
program running past the last UCODE word (it ends there: END's turn
follows), a spike payload outside the 24-bit range (sent with its low 24
bits). A compartment whose profile index is >= n_profiles, or whose
profile's entry address is >= n_ucode, is skipped: it runs nothing (no
state change, no spike) and takes the turn of one END, which pulses `error`
once. Pulses of several lanes in one cycle are given one per cycle (the
engine stays busy until all are given).
"""
from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import connect, flipped

from .. import isa
from ..params import ChipParams
from . import compartment_memory as cm
from .interfaces import NeuronEngineSignature
from .neuron_join import AccArbiter, LaneOrder, _select
from .neuron_lane import NeuronLane
from .neuron_turns import STAGES

__all__ = ["NeuronEngine", "update_cycles", "phase_cycles"]


def update_cycles(program_cycles: float, params: ChipParams) -> float:
    """Cycles per compartment update at steady state: one lane's cycles for
    the program (`NeuronProgram.cycles`: its turns, every slot busy) shared
    by the `n_lanes` lanes that run compartments side by side. The cost
    model every estimate uses (the compiler's report, the benches)."""
    return program_cycles / params.n_lanes


def phase_cycles(runs: list[tuple[int, float]], params: ChipParams) -> float:
    """Cycles of a whole neuron phase, small cores included: `runs` are
    (compartments, turns per compartment) in compartment order from 0.
    Compartment c runs in slot c mod (K * n_lanes) (K = `isa.LANE_SLOTS`),
    whose turn comes every K cycles, so the phase lasts K times the busiest
    slot's turns; and compartments retire in order, at most one per cycle,
    the first after K times its turns, so it lasts at least that and one
    cycle per further compartment; plus the pipeline's length
    (`neuron_turns.STAGES`). With every slot busy this is `update_cycles`
    per compartment; with fewer compartments than slots it is not less
    than K cycles per turn. A lower bound: within 20 % for one program,
    35 % for several (whose ENDs may wait for one another)."""
    slots = isa.LANE_SLOTS * params.n_lanes
    load = [0.0] * slots
    start = 0
    for count, turns in runs:
        for s in range(slots):
            # compartments c in [start, start + count) with c = s (mod slots)
            n = (start + count - 1 - s) // slots - (start - 1 - s) // slots
            load[s] += n * turns
        start += count
    if not start:
        return 0.0
    in_order = isa.LANE_SLOTS * next(turns for count, turns in runs if count) + start - 1
    return max(isa.LANE_SLOTS * max(load), in_order) + STAGES


class NeuronEngine(wiring.Component):
    """Neuron engine for one neurocore (sizes from `params`).

    Owns STATE, PARAM and PROFILE (32-bit words, layouts in
    `compartment_memory.py`) and UCODE (shaped by `isa.Instruction`), and
    joins the lanes (`NeuronLane`), `AccArbiter` and `LaneOrder`."""

    def __init__(self, params: ChipParams):
        self.params = params
        super().__init__(NeuronEngineSignature(params))
        depths = cm.memory_depths(params)
        bank_depth = {name: cm.bank_rows(params) * words for name, words in
                      (("state", cm.STATE_WORDS), ("param", cm.PARAM_WORDS))}
        self.state_mem = cm.Banked(tuple(
            memory.Memory(shape=32, depth=bank_depth["state"], init=[])
            for _ in range(params.n_lanes)), cm.STATE_WORDS, depths["state"], isa.LANE_SLOTS)
        self.param_mem = cm.Banked(tuple(
            memory.Memory(shape=32, depth=bank_depth["param"], init=[])
            for _ in range(params.n_lanes)), cm.PARAM_WORDS, depths["param"], isa.LANE_SLOTS)
        self.profile_mem = memory.Memory(shape=32, depth=depths["profile"], init=[])
        self.ucode_mem = memory.Memory(shape=isa.Instruction, depth=depths["ucode"], init=[])

    def elaborate(self, platform):
        p = self.params
        m = Module()
        for name in ("state", "param"):
            for i, bank in enumerate(getattr(self, f"{name}_mem").banks):
                m.submodules[f"{name}_mem{i}"] = bank
        m.submodules.profile_mem = self.profile_mem
        m.submodules.ucode_mem = self.ucode_mem
        lanes = [NeuronLane(p, i) for i in range(p.n_lanes)]
        for i, lane in enumerate(lanes):
            m.submodules[f"lane{i}"] = lane
        m.submodules.acc_arbiter = arb = AccArbiter(p)
        m.submodules.order = order = LaneOrder(p)

        connect(m, flipped(self.acc_req), arb.req)
        connect(m, flipped(self.acc_resp), arb.resp)
        connect(m, flipped(self.spike), order.spike)
        busy = Cat(lane.busy for lane in lanes).any() | arb.busy | order.busy
        m.d.comb += [order.start.eq(self.start), self.busy.eq(busy),
                     self.updates.eq(order.updates), self.error.eq(order.error)]
        for i, lane in enumerate(lanes):
            connect(m, lane.acc_req, arb.lane_req[i])
            connect(m, arb.lane_resp[i], lane.acc_resp)
            connect(m, lane.spike, order.lane_spike[i])
            m.d.comb += [lane.start.eq(self.start), lane.step.eq(self.step),
                         lane.n_compartments.eq(self.n_compartments),
                         lane.turn.eq(order.turn[i]),
                         order.lane_updates[i].eq(lane.updates),
                         order.lane_errors[i].eq(lane.error)]
        # the lanes own the memories' ports from the cycle after `start`
        # until the cycle after `busy` falls: registered, so that nothing of
        # the lanes' state reaches the memories' addresses and enables
        owned = Signal()
        m.d.sync += owned.eq(busy | self.start)
        self._shared_ports(m, lanes, owned)
        self._bank_ports(m, lanes, owned)
        return m

    def _shared_ports(self, m: Module, lanes: list, owned) -> None:
        """PROFILE and UCODE: one read port per lane (any lane runs any
        profile, so each memory is copied per port); lane 0's serve the host's
        MemBus reads while the lanes do not own them (`owned` low); one
        write port, the host's."""
        for name, mem in (("profile", self.profile_mem), ("ucode", self.ucode_mem)):
            bus = getattr(self, f"{name}_bus")
            for i, lane in enumerate(lanes):
                rp = mem.read_port()
                addr = lane.mem.profile_raddr if name == "profile" else lane.fetch_addr
                if i == 0:
                    m.d.comb += [rp.addr.eq(Mux(owned, addr, bus.addr)), bus.rdata.eq(rp.data)]
                else:
                    m.d.comb += rp.addr.eq(addr)
                if name == "profile":
                    m.d.comb += lane.load_data.profile.eq(rp.data)
                else:
                    m.d.comb += [rp.en.eq(lane.fetch_en), lane.instr.eq(rp.data)]
            wp = mem.write_port()
            m.d.comb += [wp.addr.eq(bus.addr), wp.data.eq(bus.wdata), wp.en.eq(bus.we & ~owned)]

    def _bank_ports(self, m: Module, lanes: list, owned) -> None:
        """STATE and PARAM: bank i is lane i's alone (one read port, for its
        loads and headers; STATE's write port for STS). The
        host reaches the bank its flat address names while the lanes do not
        own them (`owned` low): reads through the bank's read port (the data
        of the bank addressed in the previous cycle goes back), writes
        through its write port."""
        lb = self.params.lane_bits
        for name in ("state", "param"):
            banked, bus = getattr(self, f"{name}_mem"), getattr(self, f"{name}_bus")
            # the compartment's bank bits are above its slot bits (`Banked`)
            wl = banked.row_words.bit_length() - 1 + banked.run.bit_length() - 1
            host_bank, read_bank = _bank_of(bus.addr, wl, lb), Signal(max(1, lb))
            m.d.sync += read_bank.eq(host_bank)
            rdata = []
            for i, (lane, bank) in enumerate(zip(lanes, banked.banks)):
                rp, wp = bank.read_port(), bank.write_port()
                lane_addr = getattr(lane.mem, f"{name}_raddr")
                m.d.comb += [rp.addr.eq(Mux(owned, _bank_addr(lane_addr, wl, lb),
                                            _bank_addr(bus.addr, wl, lb))),
                             getattr(lane.load_data, name).eq(rp.data),
                             wp.addr.eq(_bank_addr(bus.addr, wl, lb)), wp.data.eq(bus.wdata),
                             wp.en.eq(bus.we & ~owned & (host_bank == i))]
                if name == "state":
                    with m.If(owned):
                        m.d.comb += [wp.addr.eq(_bank_addr(lane.mem.state_waddr, wl, lb)),
                                     wp.data.eq(lane.mem.state_wdata),
                                     wp.en.eq(lane.mem.state_we)]
                rdata.append(rp.data)
            m.d.comb += bus.rdata.eq(_select(read_bank, rdata))


def _bank_of(addr, word_bits: int, lane_bits: int):
    """The bank of a flat STATE / PARAM address (`compartment_memory.Banked`):
    the `lane_bits` bits of its compartment above the slot bits (0 with one
    lane); `word_bits` counts the word and slot bits below them."""
    return addr[word_bits:word_bits + lane_bits] if lane_bits else Const(0, 1)


def _bank_addr(addr, word_bits: int, lane_bits: int):
    """The address inside its bank of a flat STATE / PARAM address: the word
    index and the compartment's slot bits, then the compartment's bits above
    its bank bits."""
    return Cat(addr[:word_bits], addr[word_bits + lane_bits:])
