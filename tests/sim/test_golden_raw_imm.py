"""Raw UCODE words whose immediate lies outside what the assembler accepts
(MULT/MULF shifts outside 0..63, WRAP/SAT widths outside 1..32) are bad input
a host can still write: the golden interpreter must compute what the RTL
neuron engine computes (it takes the low 6 bits of such an immediate), not
raise."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.hw import isa
from kilauea.hw.isa import Instr, Opcode
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.words import pack, to_s32, to_u32
from kilauea.sim.testbench.neuron import run_engine
from kilauea.hw.params import ChipParams
from kilauea.sim.golden.neuron import run_neuron_phase

P = ChipParams(mesh_w=1, mesh_h=1, n_compartments=4, n_delay_slots=4, n_acc_groups=2,
               n_profiles=2, n_ucode=256, n_synapses=16, n_axons=16, n_fanout=16)

ODD_IMMS = [-8192, -64, -1, 0, 33, 40, 63, 64, 65, 100, 8191]


def raw(op: Opcode, rd=0, ra=0, rb=0, rc=0, imm=0) -> int:
    """An instruction word with any 14-bit immediate (no assembler checks)."""
    return pack(isa.Instruction, op=op, rd=rd, ra=ra, rb=rb, rc=rc, imm=imm)


def program(rng) -> list[int]:
    """r2, r3 <- state; for each odd immediate of each op: r1 = op(...);
    r5 = 2 * r5 ^ r1 (a running hash of every result); r5 stored and sent."""
    enc = isa.encode
    code = [enc(Instr(Opcode.LDS, rd=2, imm=0)), enc(Instr(Opcode.LDS, rd=3, imm=1)),
            enc(Instr(Opcode.LDS, rd=4, imm=2))]
    for imm in ODD_IMMS:
        for op in (Opcode.MULT, Opcode.MULF, Opcode.WRAP, Opcode.SAT):
            ra = int(rng.choice([2, 3, 4]))
            code.append(raw(op, rd=1, ra=ra, rb=int(rng.choice([2, 3, 4])), imm=imm))
            code.append(enc(Instr(Opcode.ADD, rd=5, ra=5, rb=5)))
            code.append(enc(Instr(Opcode.XOR, rd=5, ra=5, rb=1)))
            code.append(enc(Instr(Opcode.STS, ra=1, imm=3)))
    code += [enc(Instr(Opcode.STS, ra=5, imm=0)),
             enc(Instr(Opcode.CEQ, rd=6, ra=0, rb=0)),
             enc(Instr(Opcode.SPK, rc=6, ra=5)),
             enc(Instr(Opcode.END))]
    return code


@pytest.mark.parametrize("seed", [1, 2])
def test_golden_equals_rtl_on_out_of_range_immediates(seed):
    rng = np.random.default_rng(seed)
    code = program(rng)
    assert len(code) <= P.n_ucode
    n = 3
    ucode = np.zeros(P.n_ucode, np.int64)
    ucode[:len(code)] = code
    profile = np.zeros(P.n_profiles * cm.PROFILE_WORDS, np.int64)
    param = np.zeros(P.n_compartments * cm.PARAM_WORDS, np.int64)
    extremes = [(1 << 31) - 1, -(1 << 31), (1 << 23) + 5, -(1 << 23) - 5, 3, -3, 0]
    state = np.zeros(P.n_compartments * cm.STATE_WORDS, np.int64)
    for c in range(n):
        state[c * 4:c * 4 + 3] = [int(rng.choice(extremes)) if rng.random() < 0.5
                                  else int(rng.integers(-(1 << 31), 1 << 31)) for _ in range(3)]
    acc = np.zeros((2, n), np.int64)
    rtl = run_engine(P, ucode, profile, param, to_u32(state), [(7, acc)], n)[0]
    g = run_neuron_phase(ucode, profile, param, to_u32(state), 7, acc, n)
    assert list(to_s32(g.state[:4 * n])) == list(rtl.state[:4 * n]), f"seed {seed}"
    assert list(g.spike_payloads) == list(rtl.spike_payloads), f"seed {seed}"
    assert g.errors == rtl.errors
