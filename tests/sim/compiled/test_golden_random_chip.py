"""Random neuron programs on a whole chip: the golden model (which runs each
program once over all compartments of the mesh that share it) against the
compiled RTL, step by step.

What the other equivalence tests do not cover together: several different
random programs per core (every defined opcode, undefined opcodes, random
registers and immediates, spikes with payloads outside 24 bits), the same
program on several tiles at different entry addresses, profiles sharing a
program with different constants, compartments skipped for a bad profile
index or entry, a program running into the last UCODE word without END,
and the delivery of its spikes with delays to other tiles and the host.
Compared every step: host-bound spikes; at the end and halfway: every STATE
word, every accumulator, the counters and STATUS of every tile.
"""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.hw import isa
from kilauea.hw.isa import Instr, Opcode
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import compartment_memory as ncm
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.words import pack, to_word
from kilauea.sim.engines import GoldenEngine
from kilauea.sim.engines.compiled import CompiledEngine
from kilauea.sim.golden import fused as golden_fused
from kilauea.sim.golden import neuron as golden_neuron
from kilauea.sim.golden.mesh import MeshStore

from sim_chip_images import SMALL, build_images, host_inputs, snapshot

N = 12                                  # compartments per core (build_images' fan-out)
BINARY = [Opcode.ADD, Opcode.SUB, Opcode.SHL, Opcode.SHR, Opcode.TSHR, Opcode.ASH, Opcode.CGT,
          Opcode.CGE, Opcode.CEQ, Opcode.MAX, Opcode.MIN, Opcode.AND, Opcode.OR, Opcode.XOR,
          Opcode.MOD]


def _imm(rng) -> int:
    return int(rng.choice([0, 1, -1, 6, 24, 31, 32, 63, -64, int(rng.integers(-8192, 8192))]))


def random_instr(rng) -> int:
    """One random instruction word (unused fields 0, as the assembler writes them)."""
    r = [int(v) for v in rng.integers(0, 8, 4)]
    u = rng.random()
    if u < 0.04:                                            # undefined opcode
        return pack(isa.Instruction, op=int(rng.integers(30, 64)), rd=0, ra=0, rb=0, rc=0, imm=0)
    op = Opcode(int(rng.integers(1, 30)))                   # any defined opcode but END
    if op in BINARY:
        i = Instr(op, rd=r[0], ra=r[1], rb=r[2], imm=_imm(rng))
    elif op in (Opcode.MULT, Opcode.MULF):
        i = Instr(op, rd=r[0], ra=r[1], rb=r[2], imm=int(rng.integers(0, 64)))
    elif op in (Opcode.WRAP, Opcode.SAT):
        i = Instr(op, rd=r[0], ra=r[1], imm=int(rng.integers(1, 33)))
    elif op == Opcode.SEL:
        i = Instr(op, rd=r[0], ra=r[1], rb=r[2], rc=r[3])
    elif op == Opcode.ABS:
        i = Instr(op, rd=r[0], ra=r[1])
    elif op == Opcode.SPK:
        i = Instr(op, rc=r[3], ra=r[1], imm=int(rng.integers(-3, 4)))
    elif op in (Opcode.LDS, Opcode.STS, Opcode.LDP):
        i = Instr(op, rd=r[0] if op != Opcode.STS else 0, ra=r[1] if op == Opcode.STS else 0,
                  imm=int(rng.integers(0, 4)))
    elif op == Opcode.LDC:
        i = Instr(op, rd=r[0], imm=int(rng.integers(0, 16)))
    elif op in (Opcode.LDT, Opcode.ACC):
        i = Instr(op, rd=r[0])
    else:
        i = Instr(op)
    return isa.encode(i)


def random_program(rng, n: int, end: bool = True) -> list[int]:
    """Loads into r1..r4, n random instructions, a spike on r1, then END."""
    head = [Instr(Opcode.LDS, rd=1, imm=0), Instr(Opcode.ACC, rd=2),
            Instr(Opcode.LDC, rd=3, imm=1), Instr(Opcode.LDP, rd=4, imm=1)]
    words = [isa.encode(i) for i in head] + [random_instr(rng) for _ in range(n)]
    words += [isa.encode(Instr(Opcode.STS, ra=2, imm=1)),
              isa.encode(Instr(Opcode.SPK, rc=1, ra=4))]
    return words + ([isa.encode(Instr(Opcode.END))] if end else [])


def neuron_images(rng, tile_index: int, shared: list[int]) -> dict:
    """UCODE with the shared program (at an entry that depends on the tile),
    two programs of this tile, the last one running into the end of UCODE on
    odd tiles; 4 profiles (one with a bad entry on some tiles); 12
    compartments with random profiles (some out of range) and state."""
    p = SMALL
    own = [random_program(rng, int(rng.integers(3, 10))) for _ in range(2)]
    ucode = np.zeros(p.n_ucode, np.int64)
    entries, at = [], tile_index            # the shared program moves with the tile
    for prog in [shared] + own:
        entries.append(at)
        ucode[at:at + len(prog)] = prog
        at += len(prog)
    if tile_index % 2:                      # last program: no END, ends at the last word
        tail = random_program(rng, 4, end=False)
        entries[-1] = p.n_ucode - len(tail)
        ucode[entries[-1]:] = tail
    assert at <= p.n_ucode
    profile = rng.integers(-(1 << 31), 1 << 31, p.n_profiles * ncm.PROFILE_WORDS)
    heads = entries + [p.n_ucode + 3 if tile_index == 0 else entries[0]]
    profile[::ncm.PROFILE_WORDS] = [ncm.pack_profile_header(e) for e in heads]
    param = rng.integers(-(1 << 31), 1 << 31, p.n_compartments * ncm.PARAM_WORDS)
    prof = rng.integers(0, p.n_profiles + 1, p.n_compartments)     # n_profiles: skipped
    # disjoint accumulator rows (G per compartment, anywhere in the ring), the
    # header's row base with random bits above acc_row_bits (the core wraps it)
    G, R = p.n_acc_groups, 1 << p.acc_row_bits
    base = rng.permutation(R // G)[:p.n_compartments] * G
    base = base + (rng.integers(0, 1 << (ncm.ACC_ROW_FIELD_BITS - p.acc_row_bits), base.size)
                   << p.acc_row_bits)
    param[::ncm.PARAM_WORDS] = ncm.pack_param_headers(prof, base)
    state = rng.integers(-(1 << 20), 1 << 20, p.n_compartments * ncm.STATE_WORDS)
    return {Mem.UCODE: to_word(ucode), Mem.PROFILE: to_word(profile), Mem.PARAM: to_word(param),
            Mem.STATE: to_word(state), Mem.CONFIG: np.array([N], np.uint32)}


def host_spikes(r) -> list:
    """A step's host-bound spikes as sorted (axon, payload) pairs (the order
    across tiles is the mesh's)."""
    return sorted(zip(r.host_axon.tolist(), r.host_payload.tolist()))


def accumulators(engine) -> list:
    n = SMALL.n_delay_slots * SMALL.n_acc_groups * (1 << SMALL.compartment_bits)
    return [engine.read_words(t, Mem.ACCUM, np.arange(n)).tolist() for t in SMALL.tiles()]


@pytest.mark.parametrize("way", ["presummed", "packets"])
@pytest.mark.parametrize("split", [False, True], ids=["one-batch", "split-by-profile"])
@pytest.mark.parametrize("seed", [21, 22, 23])
def test_random_programs_golden_equals_compiled(chip_model, seed, split, way, monkeypatch):
    """split: the golden plan runs each (program, PROFILE words) as its own
    batch (as for large populations), else each program as one batch.
    way: the golden fan-out + delivery pre-summed per spiking compartment
    wherever no error is on the way (`kilauea.sim.golden.fused`), or
    packet by packet."""
    print(f"seed {seed}, split {split}, {way}")
    monkeypatch.setattr(golden_neuron, "SPLIT_MIN", 0 if split else 10**9)
    if way == "presummed":
        monkeypatch.setattr(golden_fused, "FUSED_MAX_FILL", 10**9)
    else:
        monkeypatch.setattr(MeshStore, "fused_rows", lambda self: None)
    rng = np.random.default_rng(seed)
    images = build_images(SMALL, seed, n_neurons=N)
    shared = random_program(rng, 8)
    for i, tile in enumerate(SMALL.tiles()):
        images[tile].update(neuron_images(rng, i, shared))
    spikes = 0
    with CompiledEngine(SMALL) as rtl:
        gold = GoldenEngine(SMALL)
        for e in (rtl, gold):
            e.load_images(images)
        for t in range(1, 9):
            inp = host_inputs(SMALL, t, seed)
            got, want = (host_spikes(e.step(t, inp)) for e in (rtl, gold))
            assert got == want, f"seed {seed} step {t}"
            spikes += len(got)
            if t in (4, 8):
                assert snapshot(rtl, SMALL, N) == snapshot(gold, SMALL, N), f"seed {seed} step {t}"
                assert accumulators(rtl) == accumulators(gold), f"seed {seed} step {t}"
    status = snapshot(gold, SMALL, N)
    assert spikes > 0, f"seed {seed}: no host-bound spikes to compare"
    assert all(s["status"][1] > 0 for s in status.values()), "every tile saw errors"
    assert sum(s["counters"][1] for s in status.values()) > 0, "synaptic events"
    assert (gold.chip.store.last_way == "fused") == (way == "presummed")
