"""docs/packet-format.md's field table must match kilauea.hw.packet's layout."""
import re
from pathlib import Path

from amaranth.lib import data

from kilauea.hw import packet

DOC = Path(__file__).resolve().parents[3] / "docs" / "packet-format.md"


def _layout_fields(layout, path=()):
    """Every leaf field of the flit (the union's `raw` view excluded)."""
    for name, f in layout:
        if name == "raw":
            continue
        if isinstance(f.shape, data.Layout):
            yield from _layout_fields(f.shape, path + (name,))
        else:
            yield path + (name,)


def test_field_table_matches_layout():
    rows = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r"\|\s*`([\w.]+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(yes|no)\s*\|", line)
        if m:
            rows[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4) == "yes")
    want = {".".join(p): packet.field_span(*p) for p in _layout_fields(packet.Packet)}
    assert rows == want


def test_spans_tile_the_flit_without_overlap():
    # per kind, header + body fields never overlap and stay inside 64 bits
    header = [packet.field_span(*p) for p in (("kind",), ("dst", "x"), ("dst", "y"), ("dst", "host"))]
    for body in ("spike", "write", "read", "read_resp", "ctrl"):
        spans = header + [packet.field_span(*p) for p in _layout_fields(packet.Packet)
                          if p[:2] == ("body", body)]
        used = 0
        for off, width, _ in spans:
            mask = ((1 << width) - 1) << off
            assert not used & mask, body
            used |= mask
        assert used < (1 << packet.FLIT_BITS)
