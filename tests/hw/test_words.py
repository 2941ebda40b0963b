"""kilauea.hw.words: pack / unpack over every layout the chip defines, checked
against Amaranth's own `Layout.const`, and the wraps against Python integers.

Random tests take their seed from the parameter (override with
KILAUEA_WORDS_SEED=<n>); every assertion message names it.
"""
from __future__ import annotations

import enum as py_enum
import os

import numpy as np
import pytest
from amaranth.hdl import Shape
from amaranth.lib import data

from kilauea.hw import fixed_point as fp
from kilauea.hw import isa, packet, words
from kilauea.hw.neurocore import compartment_memory as ncm
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.neurocore import interfaces, synapse_engine
from kilauea.hw.params import ChipParams

SEEDS = ([int(os.environ["KILAUEA_WORDS_SEED"])] if "KILAUEA_WORDS_SEED" in os.environ
         else [0, 1, 2])

_SHAPES = [ChipParams(), ChipParams(n_compartments=12, n_acc_groups=2, n_delay_slots=8),
           ChipParams(n_compartments=100, n_acc_groups=4, n_delay_slots=16)]

LAYOUTS: dict[str, data.Layout] = {
    "packet": packet.Packet, "tile_addr": packet.TileAddr, "body": packet.Body,
    "spike_body": packet.SpikeBody, "write_body": packet.WriteBody,
    "read_body": packet.ReadBody, "read_resp_body": packet.ReadRespBody,
    "ctrl_body": packet.CtrlBody,
    "axon_entry": cm.AXON_LAYOUT, "fanout_index": cm.FANOUT_INDEX_LAYOUT,
    "fanout_entry": cm.FANOUT_LAYOUT, "instruction": isa.Instruction,
    "syn_spike": synapse_engine.syn_spike_layout,
    "param_header": ncm.PARAM_HEADER, "profile_header": ncm.PROFILE_HEADER,
    **{f"synapse_word[{i}]": cm.synapse_layout(p) for i, p in enumerate(_SHAPES)},
    **{f"acc_req[{i}]": interfaces.acc_req_layout(p) for i, p in enumerate(_SHAPES)},
    **{f"spike_out[{i}]": interfaces.spike_out_layout(p) for i, p in enumerate(_SHAPES)},
}


def _random_value(rng: np.random.Generator, shape, for_amaranth: bool):
    """A random in-range value of a field shape (dict for a sub-layout; an
    enum member for an enum shape when `for_amaranth`)."""
    sub = shape if isinstance(shape, data.Layout) else None
    if sub is not None:
        return _random_fields(rng, sub, for_amaranth)
    if isinstance(shape, type) and issubclass(shape, py_enum.Enum):
        member = list(shape)[int(rng.integers(len(shape)))]
        return member if for_amaranth else member.value
    lo, hi = words.shape_range(shape)
    return int(rng.integers(lo, hi, endpoint=True))


def _random_fields(rng: np.random.Generator, layout: data.Layout, for_amaranth: bool = True) -> dict:
    names = [n for n, _ in layout]
    if isinstance(layout, data.UnionLayout):
        names = [names[int(rng.integers(len(names)))]]     # a union takes one member
    else:
        names = [n for n in names if rng.random() < 0.85]  # some fields left at 0
    return {n: _random_value(rng, layout[n].shape, for_amaranth) for n in names}


def _plain(fields):
    """Enum members as their values, recursively (what unpack returns)."""
    if isinstance(fields, dict):
        return {k: _plain(v) for k, v in fields.items()}
    return fields.value if isinstance(fields, py_enum.Enum) else fields


def _subset(got: dict, want: dict) -> bool:
    """Every field of `want` has its value in `got` (nested); unpack also
    returns the fields left at 0 and every union member."""
    return all(_subset(got[k], v) if isinstance(v, dict) else got[k] == v for k, v in want.items())


def _zero_rest(got: dict, want: dict, layout: data.Layout) -> bool:
    """Fields not given unpack as 0 (struct layouts only; a union's members overlap)."""
    if isinstance(layout, data.UnionLayout):
        return True
    for name, fld in layout:
        if name not in want:
            if any(v != 0 for v in _leaves(got[name])):
                return False
        elif isinstance(fld.shape, data.Layout) and not _zero_rest(got[name], want[name], fld.shape):
            return False
    return True


def _leaves(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    else:
        yield x


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_pack_equals_layout_const_and_round_trips(name, seed):
    layout = LAYOUTS[name]
    rng = np.random.default_rng(seed)
    for i in range(200):
        fields = _random_fields(rng, layout)
        word = words.pack(layout, **fields)
        ref = layout.const(fields).as_value().value
        assert word == ref, f"seed {seed} {name} #{i}: pack {word:#x} != Layout.const {ref:#x} for {fields}"
        assert 0 <= word < 1 << layout.size, f"seed {seed} {name}: {word:#x} wider than {layout.size} bits"
        got = words.unpack(layout, word)
        assert _subset(got, _plain(fields)), f"seed {seed} {name} #{i}: {fields} -> {got}"
        assert _zero_rest(got, fields, layout), f"seed {seed} {name} #{i}: {fields} -> {got}"
        # unpack agrees with Amaranth's reading of the same bits
        view = layout.from_bits(word)
        for fname, fld in layout:
            if not isinstance(fld.shape, data.Layout) and not isinstance(layout, data.UnionLayout):
                assert _plain(view[fname]) == got[fname], f"seed {seed} {name}.{fname}: {word:#x}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(n for n, l in LAYOUTS.items()
                                        if not isinstance(l, data.UnionLayout)))
def test_pack_array_matches_scalar_pack(name, seed):
    layout = LAYOUTS[name]
    rng = np.random.default_rng(seed)
    keys = _random_fields(rng, layout, for_amaranth=False)   # one field set (and union member)
    rows = [{k: _full(rng, layout, k, v) for k, v in keys.items()} for _ in range(64)]
    arrays = {k: _stack([r[k] for r in rows]) for k in keys}
    packed = words.pack_array(layout, **arrays)
    assert packed.dtype == (np.uint32 if layout.size <= 32 else np.uint64), f"{name}: {packed.dtype}"
    scalar = [words.pack(layout, **r) for r in rows]
    assert [int(w) for w in packed] == scalar, f"seed {seed} {name}"
    back = words.unpack_array(layout, packed)
    for i, w in enumerate(scalar):
        one = words.unpack(layout, w)
        assert _pick(back, i) == one, f"seed {seed} {name} #{i}"


def _full(rng, layout, key, example):
    """A fresh random value of field `key`, shaped like `example`."""
    shape = layout[key].shape
    if isinstance(shape, data.Layout):
        return {k: _full(rng, shape, k, v) for k, v in example.items()}
    return _random_value(rng, shape, for_amaranth=False)


def _stack(values):
    if isinstance(values[0], dict):
        return {k: _stack([v[k] for v in values]) for k in values[0]}
    return np.asarray(values, dtype=np.int64)


def _pick(tree, i):
    if isinstance(tree, dict):
        return {k: _pick(v, i) for k, v in tree.items()}
    return int(tree[i])


def test_field_span_reads_the_layout():
    sp = words.field_span(packet.Packet, "body", "spike", "payload")
    assert (sp.offset, sp.width, sp.signed) == (packet.field_span("body", "spike", "payload"))
    assert sp.width == fp.PAYLOAD_BITS and sp.signed
    with pytest.raises(ValueError, match="no field 'body.spike.bogus'"):
        words.field_span(packet.Packet, "body", "spike", "bogus")
    spans = sorted((s.offset, s.offset + s.width) for _, s in words.leaf_fields(isa.Instruction))
    assert spans[0][0] == 0 and spans[-1][1] == isa.WORD_BITS
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


def test_check_fits_names_field_value_and_range():
    words.check_fits("w", 255, Shape(9, True))
    with pytest.raises(ValueError, match=r"field w=256 does not fit signed\(9\) \[-256, 255\]"):
        words.check_fits("w", 256, Shape(9, True))
    with pytest.raises(ValueError, match=r"packet field count=-1 does not fit unsigned\(15\)"):
        words.check_fits("count", np.array([3, -1, 5]), Shape(15, False), "packet field")
    with pytest.raises(ValueError, match="field rd=8"):
        words.pack(isa.Instruction, rd=8)
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['bogus'\]"):
        words.pack(cm.AXON_LAYOUT, bogus=1)
    with pytest.raises(ValueError, match="union field body takes one member"):
        words.pack(packet.Packet, body={"spike": {}, "write": {}})


def _ref_unsigned(x: int, bits: int) -> int:
    return x % (1 << bits)


def _ref_signed(x: int, bits: int) -> int:
    return (x + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))


@pytest.mark.parametrize("seed", SEEDS)
def test_wraps_match_python_integers(seed):
    rng = np.random.default_rng(seed)
    info = np.iinfo(np.int64)
    x = rng.integers(info.min, info.max, size=2000, endpoint=True, dtype=np.int64)
    x[:6] = [info.min, info.max, 0, -1, 1 << 31, -(1 << 31) - 1]
    for bits in sorted({1, 8, fp.PAYLOAD_BITS, 31, 32, 33, 63, *rng.integers(1, 64, 4).tolist()}):
        u, s = words.wrap_unsigned(x, bits), words.wrap_signed(x, bits)
        assert u.dtype == np.int64 and s.dtype == np.int64
        ref_u = [_ref_unsigned(int(v), bits) for v in x]
        ref_s = [_ref_signed(int(v), bits) for v in x]
        assert u.tolist() == ref_u, f"seed {seed}: wrap_unsigned bits={bits}"
        assert s.tolist() == ref_s, f"seed {seed}: wrap_signed bits={bits}"
        for v in x[:50].tolist() + [1 << 70, -(1 << 70) - 3]:      # Python ints: any size
            assert words.wrap_unsigned(v, bits) == _ref_unsigned(v, bits), f"seed {seed}: {v}"
            got = words.wrap_signed(v, bits)
            assert type(got) is int and got == _ref_signed(v, bits), f"seed {seed}: {v}"
    assert words.to_u32(x).tolist() == [_ref_unsigned(int(v), 32) for v in x]
    assert words.to_s32(x).tolist() == [_ref_signed(int(v), 32) for v in x]
    w = words.to_word(x)
    assert w.dtype == np.uint32 and w.tolist() == [_ref_unsigned(int(v), 32) for v in x]
    assert words.to_s32(w).tolist() == [_ref_signed(int(v), 32) for v in x]
    with pytest.raises(ValueError, match="bits=64"):
        words.wrap_signed(x, 64)


def test_fixed_point_constants_agree_with_the_layouts():
    assert words.field_span(packet.Packet, "body", "spike", "payload").width == fp.PAYLOAD_BITS
    assert (packet.PAYLOAD_MIN, packet.PAYLOAD_MAX) == tuple(fp.PAYLOAD)
    assert fp.DECAY_ONE == 1 << fp.DECAY_BITS == 4096 and fp.VTH_SHIFT == 6
    assert fp.WEIGHT.lo == -(1 << fp.WEIGHT_BITS)
    assert words.shape_range(Shape(fp.SYNAPSE_WEIGHT_MIN_BITS, True)) == tuple(fp.WEIGHT)
    for p in _SHAPES:
        assert cm.synapse_layout(p)["weight"].shape.width >= fp.SYNAPSE_WEIGHT_MIN_BITS
    assert 7 in fp.WEIGHT_EXP and -9 not in fp.WEIGHT_EXP and str(fp.WEIGHT_EXP) == "-8..7"
