"""The network-on-chip top: the mesh plus the host port.

``Noc(params, make_core=None)``:

* with `make_core`, ``make_core(x, y)`` is called once per tile and must
  return a component implementing the tile slot (`kilauea.hw.mesh.TileSlot`:
  members `rx`, `tx`, `idle`, `step_seen`; it may have more). The cores
  become submodules (``noc.cores[x, y]``) and the top's only ports are the
  host's streams and the status outputs;
* without it, every tile slot is a port of the top, ``tiles[x][y]``
  (``In(TileSlot())``: drive it as the core would). This is what the cocotb
  bench drives and what `kilauea.hw.export` writes.

Members: ``host_in`` (host -> chip), ``host_out`` (chip -> host), ``stepping``,
``hang``, ``status`` (see `kilauea.hw.hostport`), ``tiles`` when there
are no cores, and ``tile_x``, ``tile_y`` with ``coord_ports=True`` (the
routers' coordinates as inputs: see `kilauea.hw.mesh.Mesh`).
"""
from __future__ import annotations

from typing import Callable, Optional

from amaranth.hdl import Module
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .hostport import DEFAULT_TIMEOUT_CYCLES, HostPort
from .mesh import Mesh, TileSlot, check_slot, connect_slot
from .packet import Packet
from .params import ChipParams

__all__ = ["Noc"]


class Noc(wiring.Component):
    def __init__(self, params: ChipParams, make_core: Optional[Callable] = None,
                 timeout_cycles: int = DEFAULT_TIMEOUT_CYCLES, coord_ports: bool = False):
        self.params = params
        cores = {}
        if make_core is not None:          # before anything is built: fail clean
            try:
                for x, y in params.tiles():
                    core = make_core(x, y)
                    check_slot(core, f"make_core({x}, {y})")
                    cores[x, y] = core
            except Exception:
                self._MustUse__silence = True   # no "never used" warning for this Noc
                raise
        members = {
            "host_in": In(stream.Signature(Packet)),
            "host_out": Out(stream.Signature(Packet)),
            "stepping": Out(1),
            "hang": Out(1),
            "status": Out(32),
        }
        if make_core is None:
            members["tiles"] = In(TileSlot()).array(params.mesh_w, params.mesh_h)
        self.mesh = Mesh(params, coord_ports)
        if coord_ports:
            members["tile_x"] = self.mesh.signature.members["tile_x"]
            members["tile_y"] = self.mesh.signature.members["tile_y"]
        super().__init__(members)
        self.cores = cores
        self.hostport = HostPort(params, timeout_cycles)

    @property
    def routers(self):
        return self.mesh.routers

    def elaborate(self, platform):
        m = Module()
        m.submodules.mesh = mesh = self.mesh
        m.submodules.hostport = hp = self.hostport
        wiring.connect(m, wiring.flipped(self.host_in), hp.host_in)
        wiring.connect(m, hp.host_out, wiring.flipped(self.host_out))
        wiring.connect(m, hp.inject, mesh.west_in)
        wiring.connect(m, mesh.west_out, hp.eject)
        m.d.comb += [
            mesh.step.eq(hp.step),
            hp.all_done.eq(mesh.all_done),
            hp.busy_x.eq(mesh.busy_x),
            hp.busy_y.eq(mesh.busy_y),
            self.stepping.eq(hp.stepping),
            self.hang.eq(hp.hang),
            self.status.eq(hp.status),
        ]
        if self.mesh.coord_ports:
            for x, y in self.params.tiles():
                m.d.comb += [mesh.tile_x[x][y].eq(self.tile_x[x][y]),
                             mesh.tile_y[x][y].eq(self.tile_y[x][y])]
        for x, y in self.params.tiles():
            if self.cores:
                core = self.cores[x, y]
                m.submodules[f"core_{x}_{y}"] = core
                connect_slot(m, core, mesh.tiles[x][y], where=f"make_core({x}, {y})")
            else:
                wiring.connect(m, wiring.flipped(self.tiles[x][y]), mesh.tiles[x][y])
        return m
