"""The packet format: one 64-bit flit, defined once as Amaranth data layouts.

Everything that sends or receives packets imports this module: the router and
host port RTL (through the layouts), the neurocore, the compiler (memory
images become WRITE packets), the golden model and the host runtime (through
the Python dataclasses and the numpy helpers below). Field offsets are read off
the layouts, so the Python encoders cannot drift from the RTL.

Bit layout (LSB first)::

    [2:0]    kind        Kind (SPIKE, WRITE, READ, READ_RESP, CTRL)
    [6:3]    dst.x       destination tile column (0..15)
    [10:7]   dst.y       destination tile row    (0..15)
    [11]     dst.host    1: the packet goes to the host (dst.x/dst.y ignored)
    [63:12]  body        52 bits, a union selected by `kind`:

    SPIKE      axon[16]  payload[24, signed]  step[8]              (4 spare)
    WRITE      mem[4]    addr[16]   data[32]
    READ       mem[4]    addr[16]   tag[8]   reply{x[4] y[4] host[1]} (15 spare)
    READ_RESP  data[32]  tag[8]     src_x[4] src_y[4]               (4 spare)
    CTRL       op[4]     src_x[4]   src_y[4] arg[32]                (8 spare)

`docs/packet-format.md` is the human-readable version of this module.
"""
from __future__ import annotations

from dataclasses import dataclass, fields as dc_fields
from typing import ClassVar, NamedTuple, Union

import numpy as np
from amaranth.hdl import Shape, signed, unsigned
from amaranth.lib import data, enum

from . import words
from .fixed_point import PAYLOAD_BITS, PAYLOAD_MAX, PAYLOAD_MIN

__all__ = [
    "COORD_BITS", "ADDR_BITS", "DATA_BITS", "MEM_BITS", "TAG_BITS", "AXON_BITS",
    "PAYLOAD_BITS", "STEP_BITS", "FLIT_BITS", "PAYLOAD_MIN", "PAYLOAD_MAX",
    "Kind", "CtrlOp", "TileAddr", "SpikeBody", "WriteBody", "ReadBody", "ReadRespBody",
    "CtrlBody", "Body", "Packet", "Dest", "HOST",
    "Spike", "Write", "Read", "ReadResp", "Ctrl", "AnyPacket", "decode", "kind_of",
    "field_span", "encode_array", "decode_field",
]

# -- field widths ------------------------------------------------------------
COORD_BITS = 4      # tile x / y: meshes up to 16 x 16
ADDR_BITS = 16      # word address inside one core memory (largest: 65536 words)
DATA_BITS = 32      # memory data word
MEM_BITS = 4        # memory selector (see the neurocore's memory map)
TAG_BITS = 8        # host read tag (the host caps outstanding reads)
AXON_BITS = 16      # input axon index at the destination (or host port index)
STEP_BITS = 8       # sender's time step mod 256, carried by spikes
# PAYLOAD_BITS (24, graded spike payload, signed), PAYLOAD_MIN, PAYLOAD_MAX:
# from kilauea.hw.fixed_point, re-exported here.


class Kind(enum.Enum, shape=3):
    """Packet type."""
    SPIKE = 0      # to a tile's input axon, or to the host
    WRITE = 1      # host -> tile: write one memory word
    READ = 2       # host -> tile: read one memory word
    READ_RESP = 3  # tile -> host: the word a READ asked for
    CTRL = 4       # step control and status, see CtrlOp


class CtrlOp(enum.Enum, shape=4):
    """Control operations carried by CTRL packets (`arg` is 32 bits)."""
    STEP = 0        # host -> tile: run step `arg` (time_step, counting from 1)
    DONE = 1        # tile -> host: finished step `arg`
    STATUS_REQ = 2  # host -> tile: report status
    STATUS = 3      # tile -> host: status word in `arg` (busy, error flags)


TileAddr = data.StructLayout({
    "x": unsigned(COORD_BITS),
    "y": unsigned(COORD_BITS),
    "host": unsigned(1),
})

SpikeBody = data.StructLayout({
    "axon": unsigned(AXON_BITS),
    "payload": signed(PAYLOAD_BITS),
    # The sender's time step, mod 256. A spike sent in step t lands in the
    # receiver's accumulator slot (t + 1 + delay) mod D whenever it arrives,
    # so delivery timing inside a step can never move it to another slot.
    # The host sends input meant for step t with step = t - 1.
    "step": unsigned(STEP_BITS),
})

WriteBody = data.StructLayout({
    "mem": unsigned(MEM_BITS),
    "addr": unsigned(ADDR_BITS),
    "data": unsigned(DATA_BITS),
})

ReadBody = data.StructLayout({
    "mem": unsigned(MEM_BITS),
    "addr": unsigned(ADDR_BITS),
    "tag": unsigned(TAG_BITS),
    "reply": TileAddr,
})

ReadRespBody = data.StructLayout({
    "data": unsigned(DATA_BITS),
    "tag": unsigned(TAG_BITS),
    "src_x": unsigned(COORD_BITS),
    "src_y": unsigned(COORD_BITS),
})

CtrlBody = data.StructLayout({
    "op": CtrlOp,
    "src_x": unsigned(COORD_BITS),
    "src_y": unsigned(COORD_BITS),
    "arg": unsigned(DATA_BITS),
})

BODY_BITS = 52

Body = data.UnionLayout({
    "spike": SpikeBody,
    "write": WriteBody,
    "read": ReadBody,
    "read_resp": ReadRespBody,
    "ctrl": CtrlBody,
    "raw": unsigned(BODY_BITS),
})

Packet = data.StructLayout({
    "kind": Kind,
    "dst": TileAddr,
    "body": Body,
})

FLIT_BITS = Packet.size
assert FLIT_BITS == 64, FLIT_BITS
for _name, _f in Body:
    assert _f.shape is not None and Shape.cast(_f.shape).width <= BODY_BITS, _name


# -- field offsets, read off the layouts -------------------------------------
def field_span(*path: str) -> tuple[int, int, bool]:
    """(offset, width, signed) of a field of `Packet`, e.g. field_span("body",
    "spike", "payload") or field_span("dst", "x")."""
    span = words.field_span(Packet, *path)
    return span.offset, span.width, span.signed


class Dest(NamedTuple):
    """A packet destination: a tile (x, y), or the host."""
    x: int = 0
    y: int = 0
    host: bool = False

    def __str__(self) -> str:
        return "host" if self.host else f"tile({self.x},{self.y})"


HOST = Dest(0, 0, True)
_WHAT = "packet field"     # error prefix: "packet field dst.x=16 does not fit ..."


def _dest_fields(dst: Dest) -> dict[str, int]:
    """The TileAddr fields of a destination (x, y are 0 for the host)."""
    if dst.host:
        return {"host": 1}
    return {"x": dst.x, "y": dst.y, "host": 0}


def _dest(fields: dict[str, int]) -> Dest:
    return HOST if fields["host"] else Dest(fields["x"], fields["y"])


class _PacketBase:
    """Common encode/decode for the per-kind dataclasses below."""
    KIND: ClassVar[Kind]
    BODY: ClassVar[str]
    dst: Dest

    def encode(self) -> int:
        """This packet as a 64-bit integer (the flit's bits)."""
        body = {}
        for f in dc_fields(self):
            if f.name != "dst":
                v = getattr(self, f.name)
                body[f.name] = _dest_fields(v) if f.name == "reply" else v
        return words.pack(Packet, what=_WHAT, kind=self.KIND, dst=_dest_fields(self.dst),
                          body={self.BODY: body})

    @classmethod
    def _decode_body(cls, body: dict, dst: Dest) -> "_PacketBase":
        kw = {}
        for f in dc_fields(cls):
            if f.name != "dst":
                v = body[f.name]
                kw[f.name] = _dest(v) if f.name == "reply" else v
        if "op" in kw:
            kw["op"] = CtrlOp(kw["op"])
        return cls(dst=dst, **kw)


@dataclass(frozen=True)
class Spike(_PacketBase):
    """A spike for input axon `axon` of tile `dst` (or host port index `axon`
    when dst is the host). `payload` is the graded value (24-bit signed);
    binary spikes carry 1. `step` is the sender's time step mod 256."""
    KIND: ClassVar[Kind] = Kind.SPIKE
    BODY: ClassVar[str] = "spike"
    dst: Dest
    axon: int
    payload: int = 1
    step: int = 0


@dataclass(frozen=True)
class Write(_PacketBase):
    """Write `data` (32 bits) to word `addr` of memory `mem` in tile `dst`."""
    KIND: ClassVar[Kind] = Kind.WRITE
    BODY: ClassVar[str] = "write"
    dst: Dest
    mem: int
    addr: int
    data: int


@dataclass(frozen=True)
class Read(_PacketBase):
    """Read word `addr` of memory `mem` in tile `dst`; the answer is a
    ReadResp with the same `tag`, sent to `reply`."""
    KIND: ClassVar[Kind] = Kind.READ
    BODY: ClassVar[str] = "read"
    dst: Dest
    mem: int
    addr: int
    tag: int = 0
    reply: Dest = HOST


@dataclass(frozen=True)
class ReadResp(_PacketBase):
    """The answer to a Read: `data`, the read's `tag`, and the answering tile."""
    KIND: ClassVar[Kind] = Kind.READ_RESP
    BODY: ClassVar[str] = "read_resp"
    dst: Dest
    data: int
    tag: int
    src_x: int = 0
    src_y: int = 0


@dataclass(frozen=True)
class Ctrl(_PacketBase):
    """A control packet: `op` with a 32-bit `arg`, from tile (src_x, src_y)
    when a tile sends it."""
    KIND: ClassVar[Kind] = Kind.CTRL
    BODY: ClassVar[str] = "ctrl"
    dst: Dest
    op: CtrlOp
    arg: int = 0
    src_x: int = 0
    src_y: int = 0


AnyPacket = Union[Spike, Write, Read, ReadResp, Ctrl]
_BY_KIND = {cls.KIND.value: cls for cls in (Spike, Write, Read, ReadResp, Ctrl)}


def kind_of(word: int) -> Kind:
    return Kind(words.unpack(Packet, word)["kind"])


def decode(word: int) -> AnyPacket:
    """The dataclass for a 64-bit flit. Raises ValueError on an unknown kind."""
    word = int(word)
    f = words.unpack(Packet, word)
    cls = _BY_KIND.get(f["kind"])
    if cls is None:
        raise ValueError(f"packet {word:#018x}: unknown kind {f['kind']}")
    return cls._decode_body(f["body"][cls.BODY], _dest(f["dst"]))


# -- vectorised helpers (bulk loading, host-bound spike decoding) -------------
_BODY_OF = {Kind.SPIKE: "spike", Kind.WRITE: "write", Kind.READ: "read",
            Kind.READ_RESP: "read_resp", Kind.CTRL: "ctrl"}


def encode_array(kind: Kind, dst_x, dst_y, dst_host=0, **body) -> np.ndarray:
    """Encode many packets of one kind at once; every argument broadcasts.

    `body` keys are the body field names of `kind` (e.g. mem=, addr=, data=
    for WRITE). Values are range-checked like the scalar encoders. Returns a
    uint64 array.
    """
    return words.pack_array(Packet, what=_WHAT, kind=kind,
                            dst={"x": dst_x, "y": dst_y, "host": dst_host},
                            body={_BODY_OF[kind]: body})


def decode_field(flits: np.ndarray, *path: str) -> np.ndarray:
    """One field of many flits (uint64 array) as int64, sign-extended where
    the field is signed. `path` as for field_span."""
    return words.unpack_field(Packet, flits, *path)
