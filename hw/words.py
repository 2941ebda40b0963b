"""Machine words, defined once: pack / unpack over Amaranth data layouts,
two's-complement wraps and range checks.

Every word the chip holds or sends (a packet flit, a memory word, an
instruction) is described by an `amaranth.lib.data` layout (`kilauea.hw.packet`,
`kilauea.hw.neurocore.core_memory`, `kilauea.hw.isa`). The Python side packs
and unpacks those words only through this module, so field offsets, widths
and signedness always come from the layout the RTL uses.

Scalar codec (Python ints)::

    pack(layout, **fields) -> int          # == layout.const(fields).as_value().value
    unpack(layout, word) -> dict           # nested dicts for nested layouts

Vectorised codec (numpy, for memory images and batches of flits)::

    pack_array(layout, **arrays) -> uint32 array (layouts up to 32 bits) or uint64 array
    unpack_array(layout, words) -> dict of int64 arrays (nested dicts for nested layouts)
    unpack_field(layout, words, *path) -> int64 array of one field

A field value may be an int, a `py_enum.Enum` member (its value is packed),
or, for a field whose shape is itself a layout, a mapping of its fields (a
union takes one member). Fields not given are 0. Every value is range-checked
against the field's shape before packing (`check_fits`); nothing is silently
truncated. Unpacked fields are plain ints (enum fields: the raw value, so an
undefined encoding can still be reported), sign-extended where the shape is
signed; a union yields every member's reading.

Wraps (two's complement, `bits` wide)::

    wrap_unsigned(x, bits)  -> 0 .. 2**bits - 1
    wrap_signed(x, bits)    -> -2**(bits-1) .. 2**(bits-1) - 1
    to_u32(x), to_s32(x)    the 32-bit cases (the chip's registers and memory words)
    to_word(x)              uint32 array: a memory image of 32-bit words

dtypes: a Python `int` in gives a Python `int` out; anything else (numpy
scalars, arrays, sequences) is taken as int64 and gives int64 (to_word: uint32).
Array wraps need bits <= 63.

`pack` is not `Layout.const` itself: `Layout.const` builds Amaranth constant
objects per field (some hundred times slower), too slow for the simulators'
packet traffic. `pack` reads the same offsets from the layout and the tests
(`tests/hw/test_words.py`) check it equals `layout.const(...)` on every layout
the chip defines.
"""
from __future__ import annotations

import enum as py_enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

import numpy as np
from amaranth.hdl import Shape, ShapeCastable
from amaranth.lib import data

__all__ = [
    "FieldSpan", "field_span", "leaf_fields", "shape_range", "check_fits",
    "pack", "unpack", "pack_array", "unpack_array", "unpack_field",
    "wrap_unsigned", "wrap_signed", "to_u32", "to_s32", "to_word",
]

AnyShape = Union[Shape, ShapeCastable, int]
IntLike = Union[int, np.integer, np.ndarray]


# -- field geometry, read off the layout -----------------------------------------
@dataclass(frozen=True)
class FieldSpan:
    """Where a leaf field sits in a word: bit `offset` (from the LSB),
    `width` in bits, and whether it is `signed`."""
    offset: int
    width: int
    signed: bool

    @property
    def mask(self) -> int:
        """The field's bits at offset 0 (``2**width - 1``)."""
        return (1 << self.width) - 1


def _sub_layout(shape: Any) -> data.Layout | None:
    """The layout of a field shape that has fields of its own, else None."""
    if isinstance(shape, data.Layout):
        return shape
    if isinstance(shape, type) and issubclass(shape, (data.Struct, data.Union)):
        return data.Layout.cast(shape)
    return None


def field_span(layout: data.Layout, *path: str) -> FieldSpan:
    """Offset, width and signedness of the field at `path` (names through
    nested layouts, e.g. ``field_span(Packet, "body", "spike", "payload")``)."""
    if not path:
        raise ValueError("field_span needs at least one field name")
    offset, shape, cur = 0, None, layout
    for i, name in enumerate(path):
        if cur is None:
            raise ValueError(f"field {'.'.join(path[:i])} has no sub-field {name!r}")
        try:
            fld = cur[name]
        except KeyError:
            raise ValueError(f"layout has no field {'.'.join(path[:i + 1])!r}; "
                             f"fields: {[n for n, _ in cur]}") from None
        offset += fld.offset
        shape = fld.shape
        cur = _sub_layout(shape)
    s = Shape.cast(shape)
    return FieldSpan(offset, s.width, s.signed)


@functools.lru_cache(maxsize=512)
def leaf_fields(layout: data.Layout) -> tuple[tuple[tuple[str, ...], FieldSpan], ...]:
    """Every leaf field of `layout` as (path, span), in layout order, nested
    layouts flattened (a union's members all appear, overlapping)."""
    out = []
    for name, fld in layout:
        sub = _sub_layout(fld.shape)
        if sub is None:
            s = Shape.cast(fld.shape)
            out.append(((name,), FieldSpan(fld.offset, s.width, s.signed)))
        else:
            for path, span in leaf_fields(sub):
                out.append(((name, *path),
                            FieldSpan(fld.offset + span.offset, span.width, span.signed)))
    return tuple(out)


# -- range checks --------------------------------------------------------------------
def shape_range(shape: AnyShape) -> tuple[int, int]:
    """Inclusive (lo, hi) of the integers a shape holds."""
    s = Shape.cast(shape)
    if s.signed:
        return -(1 << (s.width - 1)), (1 << (s.width - 1)) - 1
    return 0, (1 << s.width) - 1


def check_fits(name: str, value: Any, shape: AnyShape, what: str = "field") -> None:
    """Raise ValueError ``"<what> <name>=<value> does not fit signed(w) [lo, hi]"``
    unless every element of `value` (an int, enum member or int array) lies in
    the range of `shape`."""
    s = Shape.cast(shape)
    lo, hi = shape_range(s)
    if isinstance(value, py_enum.Enum):
        value = value.value
    if isinstance(value, (int, np.integer)):
        bad = None if lo <= int(value) <= hi else int(value)
    else:
        v = np.asarray(value)
        out = (v < lo) | (v > hi)
        bad = int(v[out].flat[0]) if v.size and out.any() else None
    if bad is not None:
        raise ValueError(f"{what} {name}={bad} does not fit "
                         f"{'signed' if s.signed else 'unsigned'}({s.width}) [{lo}, {hi}]")


# -- scalar codec ----------------------------------------------------------------------
@functools.lru_cache(maxsize=512)
def _children(layout: data.Layout) -> dict[str, data.Layout | None]:
    """Each field name of `layout` -> its sub-layout, or None for a leaf."""
    return {name: _sub_layout(fld.shape) for name, fld in layout}


def _flatten(layout: data.Layout, fields: Mapping, prefix: tuple[str, ...], out: dict) -> None:
    """Field values keyed by leaf path; nested mappings descend into sub-layouts."""
    children = _children(layout)
    for name, value in fields.items():
        if name not in children:
            raise ValueError(f"unknown field(s) {['.'.join((*prefix, name))]}; "
                             f"layout has {list(children)}")
        sub = children[name]
        if sub is not None and isinstance(value, Mapping):
            if isinstance(sub, data.UnionLayout) and len(value) > 1:
                raise ValueError(f"union field {'.'.join((*prefix, name))} takes one member, "
                                 f"got {sorted(value)}")
            _flatten(sub, value, (*prefix, name), out)
        else:   # a leaf, or a whole sub-layout given as raw bits
            out[(*prefix, name)] = value.value if isinstance(value, py_enum.Enum) else value


@functools.lru_cache(maxsize=4096)
def _placement(layout: data.Layout, path: tuple[str, ...]) -> tuple[int, int, int, int, Shape]:
    """(offset, mask, lo, hi, shape) of any field (a sub-layout given whole
    is unsigned bits)."""
    span = field_span(layout, *path)
    shape = Shape(span.width, span.signed)
    return (span.offset, span.mask, *shape_range(shape), shape)


def pack(layout: data.Layout, *, what: str = "field", **fields: Any) -> int:
    """The word (an unsigned int of `layout.size` bits) holding `fields`;
    equal to ``layout.const(fields).as_value().value`` for in-range values.
    Raises ValueError naming the field (prefixed by `what`) when a value does
    not fit its shape, or when a field name is unknown."""
    flat: dict[tuple[str, ...], Any] = {}
    _flatten(layout, fields, (), flat)
    word = 0
    for path, value in flat.items():
        offset, mask, lo, hi, shape = _placement(layout, path)
        value = int(value)
        if not lo <= value <= hi:
            check_fits(".".join(path), value, shape, what)   # raises, naming the field
        word |= (value & mask) << offset
    return word


def unpack(layout: data.Layout, word: int) -> dict[str, Any]:
    """The fields of `word` as a dict (nested dicts for nested layouts): ints,
    sign-extended where signed; enum fields as their raw value."""
    word = int(word)
    out: dict[str, Any] = {}
    for path, span in leaf_fields(layout):
        v = (word >> span.offset) & span.mask
        if span.signed and v >> (span.width - 1):
            v -= 1 << span.width
        node = out
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = v
    return out


# -- vectorised codec ----------------------------------------------------------------------
def pack_array(layout: data.Layout, *, what: str = "field", **arrays: Any) -> np.ndarray:
    """Pack broadcasting field arrays into words: uint32 for layouts of up to
    32 bits, else uint64. Values are range-checked as in `pack`."""
    flat: dict[tuple[str, ...], Any] = {}
    _flatten(layout, arrays, (), flat)
    paths = list(flat)
    vals = np.broadcast_arrays(*[np.asarray(flat[p], dtype=np.int64) for p in paths]) if paths \
        else [np.zeros((), dtype=np.int64)]
    out = np.zeros(vals[0].shape, dtype=np.uint64)
    for path, v in zip(paths, vals):
        offset, mask, _, _, shape = _placement(layout, path)
        check_fits(".".join(path), v, shape, what)
        out |= (v.astype(np.uint64) & np.uint64(mask)) << np.uint64(offset)
    return out.astype(np.uint32) if layout.size <= 32 else out


def _extract(w: np.ndarray, span: FieldSpan) -> np.ndarray:
    """The field at `span` of uint64 words, int64, sign-extended if signed."""
    v = ((w >> np.uint64(span.offset)) & np.uint64(span.mask)).astype(np.int64)
    return v - ((v >> (span.width - 1)) << span.width) if span.signed else v


def unpack_field(layout: data.Layout, words: Any, *path: str) -> np.ndarray:
    """One field (at `path`, as for `field_span`) of many words, as int64."""
    return _extract(np.asarray(words).astype(np.uint64), field_span(layout, *path))


def unpack_array(layout: data.Layout, words: Any) -> dict[str, Any]:
    """Fields of many words (any integer array) as int64 arrays, sign-extended
    where signed; nested dicts for nested layouts."""
    w = np.asarray(words).astype(np.uint64)
    out: dict[str, Any] = {}
    for path, span in leaf_fields(layout):
        v = _extract(w, span)
        node = out
        for name in path[:-1]:
            node = node.setdefault(name, {})
        node[path[-1]] = v
    return out


# -- wraps -------------------------------------------------------------------------------
def _int64(x: Any) -> np.ndarray:
    a = np.asarray(x)
    return a if a.dtype == np.int64 else a.astype(np.int64)


def _check_bits(bits: int, array: bool) -> None:
    if bits < 1 or (array and bits > 63):
        raise ValueError(f"wrap width bits={bits} must be >= 1 (arrays: 1..63)")


def wrap_unsigned(x: IntLike, bits: int) -> IntLike:
    """x mod 2**bits, in 0 .. 2**bits - 1 (int -> int; else int64 array)."""
    if isinstance(x, int):
        _check_bits(bits, False)
        return x & ((1 << bits) - 1)
    _check_bits(bits, True)
    return _int64(x) & np.int64((1 << bits) - 1)


def wrap_signed(x: IntLike, bits: int) -> IntLike:
    """x wrapped to `bits`-bit two's complement, in -2**(bits-1) ..
    2**(bits-1) - 1 (int -> int; else int64 array)."""
    u = wrap_unsigned(x, bits)
    if isinstance(u, int):
        return u - (1 << bits) if u >> (bits - 1) else u
    return u - ((u >> (bits - 1)) << bits)


def to_u32(x: IntLike) -> IntLike:
    """A 32-bit word as an unsigned value (`wrap_unsigned(x, 32)`)."""
    return wrap_unsigned(x, 32)


def to_s32(x: IntLike) -> IntLike:
    """A 32-bit word as a signed value (`wrap_signed(x, 32)`)."""
    return wrap_signed(x, 32)


def to_word(x: Any) -> np.ndarray:
    """Signed or unsigned values as 32-bit words: a uint32 array (a memory image)."""
    return wrap_unsigned(np.asarray(x), 32).astype(np.uint32)
