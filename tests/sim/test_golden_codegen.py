"""The generated neuron programs (`kilauea.sim.golden.codegen`) against the
ISA's Python definition, where the generator does the most: operands that
come from PARAM / PROFILE words (folded when the plan is built), the same
for every compartment (shift amounts specialised, literals) or not, extreme
values (wraps left out only where bounds allow), every ALU opcode.

The reference (`python_run`, `opcode_program`: every opcode with random
immediates, every result sent out as spikes, registers stored) is the one
the RTL neuron engine is checked against in tests/hw/neuron/test_engine.py.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from kilauea.hw import isa
from kilauea.hw.isa import Instr, Opcode
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.words import to_s32
from kilauea.sim.golden.neuron import run_neuron_phase

_spec = importlib.util.spec_from_file_location(
    "kilauea_test_neuron_engine", Path(__file__).parents[1] / "hw" / "neuron" / "test_engine.py")
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

N = 24                      # compartments
_SHIFTS = (Opcode.SHL, Opcode.SHR, Opcode.TSHR, Opcode.ASH)


def known_loads(rng, code: list) -> list:
    """opcode_program's program with its three STATE loads turned into PARAM
    / PROFILE loads (mostly): every operand then is known when the plan is
    built, and the generator folds whole chains of instructions; half the
    shifts by an immediate (specialised to their amount)."""
    out = [Instr(i.op, rd=i.rd, ra=i.ra, rb=0, rc=i.rc, imm=i.imm)      # shift by an immediate
           if i.op in _SHIFTS and rng.random() < 0.5 else i for i in code]
    for i in range(3):
        if rng.random() < 0.8:
            op = Opcode.LDP if rng.random() < 0.5 else Opcode.LDC
            out[i] = Instr(op, rd=out[i].rd, imm=int(rng.integers(1, 4)))
    return out


def images(rng, code, uniform: bool):
    ucode = np.zeros(ref.P.n_ucode, dtype=np.int64)
    ucode[:len(code)] = [isa.encode(i) for i in code]
    profile = np.zeros(ref.P.n_profiles * cm.PROFILE_WORDS, dtype=np.int64)
    profile[1:cm.PROFILE_WORDS] = [ref.random_value(rng) for _ in range(cm.PROFILE_WORDS - 1)]
    param = np.zeros(N * cm.PARAM_WORDS, dtype=np.int64)
    state = np.array([ref.random_value(rng) for _ in range(N * cm.STATE_WORDS)], dtype=np.int64)
    words = [ref.random_value(rng) for _ in range(3)]
    for c in range(N):
        if not uniform and rng.random() < 0.7:
            words = [ref.random_value(rng) for _ in range(3)]
        param[c * cm.PARAM_WORDS + 1:(c + 1) * cm.PARAM_WORDS] = words
    return ucode, profile, param, state


@pytest.mark.parametrize("seed", range(40))
def test_generated_programs_equal_the_definition(seed):
    rng = np.random.default_rng(seed)
    uniform = seed % 2 == 0
    code = known_loads(rng, ref.opcode_program(rng, 30))
    ucode, profile, param, state = images(rng, code, uniform)
    acc = np.array([[ref.random_value(rng) for _ in range(N)] for _ in range(2)], dtype=np.int64)
    step = int(rng.integers(1, 1 << 31))
    g = run_neuron_phase(ucode, profile, param, state, step, acc, N, n_groups=2)
    words = lambda img, c: to_s32(img[c * 4:(c + 1) * 4]).tolist()     # noqa: E731
    runs = [ref.python_run(code, words(state, c), words(param, c), to_s32(profile[:16]).tolist(),
                           step, tuple(int(v) for v in acc[:, c])) for c in range(N)]
    exp_state = [w for st, _ in runs for w in st]
    exp_sc = [c for c, (_, spk) in enumerate(runs) for _ in spk]
    exp_sp = [p for _, spk in runs for p in spk]
    msg = f"seed {seed} (uniform PARAM: {uniform})"
    assert list(to_s32(g.state[:4 * N])) == exp_state, msg
    assert list(g.spike_compartments) == exp_sc, msg
    assert list(g.spike_payloads) == exp_sp, msg


@pytest.mark.parametrize("width", [1, 2, 8, 24, 32])
def test_wrap_near_its_bounds(width):
    """WRAP (`ops._wrapw`, which returns its operand when every value is
    inside (-h, h]) on batches inside the range and batches with one value
    just outside, against the ISA's definition (the generated code wraps
    its result to 32 bits where it can leave them: width 32)."""
    from kilauea.sim.golden.ops import _wrapw
    h = 1 << ((width - 1) & 31)
    near = [v for v in (-2 * h, -h - 1, -h, -h + 1, 0, h - 1, h, h + 1, 2 * h)
            if -(1 << 31) <= v < 1 << 31]
    inside = np.array([v for v in near if -h < v <= h] * 3, dtype=np.int64)
    for out in [None] + [v for v in near if not -h < v <= h]:
        a = inside if out is None else np.append(inside, out)
        want = [to_s32(v - 2 * h if v > h else v + 2 * h if v <= -h else v) for v in a.tolist()]
        assert to_s32(_wrapw(a, h)).tolist() == want, (width, out)   # codegen wraps (`fit`)


@pytest.mark.parametrize("seed", range(6))
def test_truncating_products_and_shifts_at_the_extremes(seed):
    """MULT (trunc(a * b / 2**k)) by a PROFILE constant and by a STATE word,
    and TSHR by an immediate, on every extreme 32-bit value: the generated
    code takes trunc in float64 where the bounds prove it exact (|a * b| <
    2**53: constants of up to 22 bits), integer shifts elsewhere (a wider
    constant, a STATE word); both against the ISA's definition."""
    rng = np.random.default_rng(seed)
    c = [3685, -4096, (1 << 21) - 1, -(1 << 21), (1 << 22) + 3, 123456789][seed]
    k, n = [1, 2, 5, 12, 3, 5][seed], int(rng.integers(1, 32))
    code = [Instr(Opcode.LDS, rd=1, imm=0), Instr(Opcode.LDC, rd=2, imm=1),
            Instr(Opcode.LDS, rd=5, imm=1),
            Instr(Opcode.MULT, rd=3, ra=1, rb=2, imm=k),
            Instr(Opcode.MULT, rd=6, ra=1, rb=5, imm=k),
            Instr(Opcode.TSHR, rd=4, ra=1, imm=n), Instr(Opcode.STS, ra=3, imm=1),
            Instr(Opcode.STS, ra=4, imm=2), Instr(Opcode.STS, ra=6, imm=3)]
    vals = ref.EXTREMES + [int(v) for v in rng.integers(-(1 << 31), 1 << 31, 40)]
    n_c = len(vals)
    ucode = np.zeros(ref.P.n_ucode, dtype=np.int64)
    ucode[:len(code)] = [isa.encode(i) for i in code]
    profile = np.zeros(ref.P.n_profiles * cm.PROFILE_WORDS, dtype=np.int64)
    profile[1] = c
    state = np.zeros(n_c * cm.STATE_WORDS, dtype=np.int64)
    state[0::cm.STATE_WORDS] = vals
    state[1::cm.STATE_WORDS] = rng.permutation(vals)
    g = run_neuron_phase(ucode, profile, np.zeros(n_c * cm.PARAM_WORDS, dtype=np.int64), state,
                         1, np.zeros((1, n_c), dtype=np.int64), n_c)
    got = to_s32(g.state).reshape(n_c, cm.STATE_WORDS)
    for i, (a, b) in enumerate(zip(vals, state[1::cm.STATE_WORDS].tolist())):
        want = [ref.py_op(Opcode.MULT, a, c, 0, k), ref.py_op(Opcode.TSHR, a, 0, 0, n),
                ref.py_op(Opcode.MULT, a, b, 0, k)]
        assert got[i, 1:].tolist() == want, (seed, c, k, n, a, b)
