"""ISA: encodings, assembler / disassembler round trip, bad input."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import neurons
from kilauea.hw import isa
from kilauea.hw.isa import AsmError, Instr, Opcode
from kilauea.hw.words import leaf_fields


def random_instr(rng) -> Instr:
    op = list(Opcode)[int(rng.integers(len(Opcode)))]
    info = isa.OPINFO[op]
    f = {}
    for name in info.operands:
        if name == "imm":
            kind = info.imm_kind
            if kind == "width":
                f["imm"] = int(rng.integers(1, 33))
            elif kind == "shift":
                f["imm"] = int(rng.integers(0, 64))
            elif kind in ("state", "param", "profile", "group"):
                f["imm"] = int(rng.integers(0, 16))
            else:
                f["imm"] = int(rng.integers(isa.IMM_MIN, isa.IMM_MAX + 1))
        else:
            f[name] = int(rng.integers(0, 8))
    return Instr(op, **f)


def test_layout_is_32_bits_and_fields_do_not_overlap():
    assert isa.Instruction.size == 32
    spans = sorted((sp.offset, sp.offset + sp.width) for _, sp in leaf_fields(isa.Instruction))
    assert spans[0][0] == 0 and spans[-1][1] == 32
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


def test_encode_decode_roundtrip_random():
    rng = np.random.default_rng(3)
    for _ in range(3000):
        ins = random_instr(rng)
        w = isa.encode(ins)
        assert 0 <= w < 1 << 32
        assert isa.decode(w) == ins


def test_assemble_disassemble_roundtrip():
    rng = np.random.default_rng(4)
    words = [isa.encode(random_instr(rng)) for _ in range(500)]
    words.append(0x3F)                        # undefined opcode 63
    text = "\n".join(isa.disassemble(words))
    assert isa.assemble(text) == words
    # and every library program
    for make in neurons.PROGRAMS.values():
        p = make(2)
        assert isa.assemble(p.listing()) == p.words


def test_known_encodings():
    # mult r3, r1, r2, 12: op=10, rd=3, ra=1, rb=2, imm=12
    assert isa.assemble("mult r3, r1, r2, 12") == [10 | 3 << 6 | 1 << 9 | 2 << 12 | 12 << 18]
    assert isa.assemble("add r1, r0, r0, -1") == [8 | 1 << 6 | ((1 << 14) - 1) << 18]
    assert isa.assemble("end") == [0]
    assert isa.assemble("spk r4, r0, 1   ; binary spike") == [29 | 4 << 15 | 1 << 18]
    assert isa.disassemble([10 | 3 << 6 | 1 << 9 | 2 << 12 | 12 << 18]) == ["mult r3, r1, r2, 12"]
    assert isa.decode(0x3F) == 0x3F           # undefined: the raw opcode


@pytest.mark.parametrize("src, msg", [
    ("frob r1", "unknown mnemonic"),
    ("add r1, r2", "takes operands"),
    ("add r9, r1, r2", "register"),
    ("add r1, r1, r2, 9000", "immediate 9000"),
    ("wrap r1, r1, 33", "width 33"),
    ("mult r1, r1, r2, 64", "shift 64"),
    ("lds r1, -1", "negative"),
    ("add r1, r1, r2, x", "not an integer"),
])
def test_assembler_errors_name_the_fault(src, msg):
    with pytest.raises(AsmError, match=msg):
        isa.assemble("nop\n" + src)


def test_builder_errors():
    b = neurons.ProgramBuilder("t")
    b.declare_state("v")
    with pytest.raises(ValueError, match="declared twice"):
        b.declare_const("v")
    with pytest.raises(KeyError, match="not declared"):
        b.state("w")
    with pytest.raises(ValueError, match="immediate"):
        b.imm(1 << 20)
    with pytest.raises(TypeError, match="truth value"):
        bool(b.state("v") > 1)
    # too many live values
    b2 = neurons.ProgramBuilder("t2")
    b2.declare_state("v")
    vals = [b2.state("v") for _ in range(8)]
    s = vals[0]
    for v in vals[1:]:
        s = s + v
    with pytest.raises(ValueError, match="live"):
        b2.build()
    # parameter range checks name the value
    with pytest.raises(ValueError, match="du=5000"):
        neurons.lif().images(1, dict(du=5000))
    with pytest.raises(ValueError, match="unknown values"):
        neurons.lif().images(1, dict(tau=1))


def test_program_word_locations():
    p = neurons.lif_refractory(2)
    def ref(name):
        r = p.word(name)
        return (r.space, r.index)
    assert ref("u") == ("state", 0) and ref("v") == ("state", 1)
    assert ref("refractory_end") == ("state", 2)
    assert ref("bias_mant") == ("param", 1) and ref("bias_exp") == ("param", 2)
    assert ref("weight_exp0") == ("profile", 1) and ref("weight_exp1") == ("profile", 2)
    assert ref("du") == ("profile", 3)
    with pytest.raises(KeyError, match="tau"):
        p.word("tau")
