"""The chip's Verilog with one neurocore module for every tile.

Amaranth writes one module per instance, each core with its tile's
coordinates as constants: generating the Verilog of an N-tile chip costs N
elaborations of a core (about 12 s of Python each) and Verilator then
compiles N copies of it. Here the chip is assembled from two designs:

* ``kl_noc``: `kilauea.hw.noc.Noc` without cores (mesh + host port; the
  tile slots are its ports, ``tiles__X__Y__rx__valid`` ...);
* ``kl_core``: one `kilauea.hw.neurocore.core.Core` inside `CoreTile`, whose
  coordinates are input ports (``x``, ``y``, `packet.COORD_BITS` bits) instead of
  constants;

and a top module ``top`` (the ports of `kilauea.hw.chip.Chip`: host streams,
``stepping``, ``hang``, ``status``) that instantiates ``kl_noc`` once and
``kl_core`` per tile, its coordinates tied to the tile's. The circuit is the
one `Chip` elaborates (`Noc.elaborate` connects a core to its slot with
`kilauea.hw.mesh.connect_slot`: the four slot members, wire for wire); the
compiled-engine equivalence tests check it against the golden model.
"""
from __future__ import annotations

from amaranth.hdl import Module, Shape, Signal, Value, ValueCastable
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from ...hw.mesh import TileSlot
from ...hw.neurocore.core import Core
from ...hw.noc import Noc
from ...hw.packet import COORD_BITS
from ...hw.params import ChipParams

__all__ = ["CoreTile", "chip_rtlil"]

SLOT_MEMBERS = ("rx", "tx", "idle", "step_seen")


class CoreTile(wiring.Component):
    """A `Core` whose tile coordinates are the inputs `x`, `y`
    (`COORD_BITS` bits each); the other members are the tile slot's."""

    def __init__(self, params: ChipParams):
        members = dict(TileSlot().members)
        members["x"] = In(COORD_BITS)
        members["y"] = In(COORD_BITS)
        super().__init__(wiring.Signature(members))
        self.core = Core(params, self.x, self.y)
        # the memory clear after reset off, as every simulation engine builds
        # the chip (`kilauea.sim.engines.pysim.build_chip`)
        self.core.clear.at_reset = False

    def elaborate(self, platform):
        m = Module()
        m.submodules.core = core = self.core
        wiring.connect(m, wiring.flipped(self.rx), core.rx)
        wiring.connect(m, core.tx, wiring.flipped(self.tx))
        m.d.comb += [self.idle.eq(core.idle), self.step_seen.eq(core.step_seen)]
        return m


def _ports(component) -> list[tuple[tuple, int, bool]]:
    """(path, width, is_input) of each port of a component's signature."""
    out = []
    for path, member, value in component.signature.flatten(component):
        if isinstance(value, ValueCastable):
            value = value.as_value()
        if isinstance(value, Value):
            out.append((path, Shape.cast(value.shape()).width, member.flow == In))
    return out


def _name(path) -> str:
    return "__".join(map(str, path))


def _decl(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def glue_verilog(params: ChipParams, noc: Noc, tile: CoreTile) -> str:
    """Verilog of ``top``: ``kl_noc`` plus one ``kl_core`` per tile."""
    noc_ports = _ports(noc)
    outer = [(p, w, i) for p, w, i in noc_ports if p[0] != "tiles"]
    lines = ["module top(input clk, input rst"
             + "".join(f", {'input' if i else 'output'} {_decl(w)}{_name(p)}"
                       for p, w, i in outer) + ");"]
    conns = [".clk(clk)", ".rst(rst)"] + [f".{_name(p)}({_name(p)})" for p, _, _ in outer]
    for x, y in params.tiles():
        cell = [".clk(clk)", ".rst(rst)", f".x({COORD_BITS}'d{x})", f".y({COORD_BITS}'d{y})"]
        for path, width, _ in _ports(tile):
            if path[0] not in SLOT_MEMBERS:
                continue
            wire = f"t_{x}_{y}__{_name(path)}"
            lines.append(f"  wire {_decl(width)}{wire};")
            cell.append(f".{_name(path)}({wire})")
            conns.append(f".{_name(('tiles', x, y) + tuple(path))}({wire})")
        lines.append(f"  kl_core core_{x}_{y}({', '.join(cell)});")
    lines.append(f"  kl_noc noc({', '.join(conns)});")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def chip_rtlil(params: ChipParams) -> tuple[str, str]:
    """(RTLIL of ``kl_noc`` and ``kl_core``, Verilog of ``top``)."""
    from amaranth.back import rtlil
    noc, tile = Noc(params), CoreTile(params)
    glue = glue_verilog(params, noc, tile)
    text = (rtlil.convert(noc, name="kl_noc", emit_src=False)
            + rtlil.convert(tile, name="kl_core", emit_src=False))
    return text, glue
