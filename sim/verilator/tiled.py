"""The chip's Verilog with one neurocore module for every tile.

Amaranth writes one module per instance, each core with its tile's
coordinates as constants: generating the Verilog of an N-tile chip costs N
elaborations of a core (about 12 s of Python each) and Verilator then
compiles N copies of it. Here the chip is assembled from two designs:

* ``kl_noc``: `kilauea.hw.noc.Noc` without cores (mesh + host port; the
  tile slots are its ports, ``tiles__X__Y__rx__valid`` ...), with the
  routers' coordinates as inputs (``coord_ports=True``: ``tile_x__X__Y``,
  ``tile_y__X__Y``, tied to X and Y by the top), each router an instance of
  the module of its kind (`RouterCell`: its ports decide it; at most nine,
  named by `router_module`, e.g. ``kl_router_NESWL``, each elaborated once),
  equal modules merged (`dedup`: one per FIFO, one per router cell kind);
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

from amaranth.hdl import ClockSignal, Instance, Module, ResetSignal, Shape, Value, ValueCastable
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from ...hw.mesh import TileSlot
from ...hw.neurocore.core import Core
from ...hw.noc import Noc
from ...hw.packet import COORD_BITS
from ...hw.params import ChipParams
from ...hw.router import Router
from .dedup import dedup

__all__ = ["CoreTile", "RouterCell", "chip_rtlil", "noc_rtlil", "router_module"]

SLOT_MEMBERS = ("rx", "tx", "idle", "step_seen")
#: the ports of ``kl_noc`` that give the routers their coordinates
COORD_PORTS = ("tile_x", "tile_y")


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


def _values(component) -> list[tuple[tuple, Value, bool]]:
    """(path, value, is_input) of each port of a component's signature."""
    out = []
    for path, member, value in component.signature.flatten(component):
        if isinstance(value, ValueCastable):
            value = value.as_value()
        if isinstance(value, Value):
            out.append((path, value, member.flow == In))
    return out


def _ports(component) -> list[tuple[tuple, int, bool]]:
    """(path, width, is_input) of each port of a component's signature."""
    return [(path, Shape.cast(value.shape()).width, input_)
            for path, value, input_ in _values(component)]


def _name(path) -> str:
    return "__".join(map(str, path))


def _decl(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def glue_verilog(params: ChipParams, noc: Noc, tile: CoreTile) -> str:
    """Verilog of ``top``: ``kl_noc`` plus one ``kl_core`` per tile."""
    noc_ports = _ports(noc)
    outer = [(p, w, i) for p, w, i in noc_ports if p[0] not in ("tiles", *COORD_PORTS)]
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
        if noc.mesh.coord_ports:
            conns += [f".tile_x__{x}__{y}({COORD_BITS}'d{x})",
                      f".tile_y__{x}__{y}({COORD_BITS}'d{y})"]
    lines.append(f"  kl_noc noc({', '.join(conns)});")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


class RouterCell(wiring.Component):
    """Stands in for a router of the mesh: an instance of the module of its
    kind (`router_module`), with the router's signature, so `Mesh` wires it
    as it wires the router. The mesh then elaborates no router (elaborating
    them all took minutes on large meshes); each kind is converted once."""

    def __init__(self, router: Router):
        for unused in (router, *router.fifos.values()):    # replaced, on purpose
            unused._MustUse__silence = True
        self.ports = router.ports
        self.kind = router_module(router.ports)[1:]
        super().__init__(router.signature)

    def elaborate(self, platform):
        m = Module()
        conns = {("i_" if input_ else "o_") + _name(path): value
                 for path, value, input_ in _values(self)}
        m.submodules.router = Instance(self.kind, i_clk=ClockSignal(), i_rst=ResetSignal(),
                                       **conns)
        return m


def chip_rtlil(params: ChipParams) -> tuple[str, str]:
    """(RTLIL of ``kl_noc``, the router kinds and ``kl_core``, Verilog of ``top``)."""
    from amaranth.back import rtlil
    noc, tile = Noc(params, coord_ports=True), CoreTile(params)
    glue = glue_verilog(params, noc, tile)
    return noc_rtlil(noc) + rtlil.convert(tile, name="kl_core", emit_src=False), glue


def noc_rtlil(noc: Noc) -> str:
    """The RTLIL of `noc` (built with ``coord_ports=True``) as module
    ``kl_noc``, its routers instances of one module per kind (named by
    `router_module`), equal modules merged (`dedup`)."""
    from amaranth.back import rtlil
    kinds: dict[str, Router] = {}
    for xy, router in list(noc.mesh.routers.items()):
        kinds.setdefault(router_module(router.ports), router)
        noc.mesh.routers[xy] = RouterCell(router)
    params = noc.params
    parts = [rtlil.convert(noc, name="kl_noc", emit_src=False)]
    for kind, router in sorted(kinds.items()):
        # coordinates: the inputs x, y (their initial values do not reach the module)
        parts.append(rtlil.convert(Router(0, 0, params.fifo_depth, router.ports),
                                   name=kind[1:], emit_src=False))
    return dedup("".join(parts))


def router_module(ports) -> str:
    """The RTLIL name of the router module with `ports` (a set of
    `kilauea.hw.router.Port`): ``\\kl_router_`` and the ports' letters in
    `Port` order, e.g. ``\\kl_router_NESWL``."""
    return "\\kl_router_" + "".join(p.name for p in sorted(ports))
