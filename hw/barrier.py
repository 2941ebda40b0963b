"""The step barrier: an AND tree over per-tile "done" bits.

The mesh makes one bit per tile, `done[i] = idle & (step_seen == step) &
router_empty` (tile index i = y * mesh_w + x, row-major as
`ChipParams.tiles()`). `Barrier` reduces them row by row and then over the
rows, registered once, and names the first tile that is not done (for the
hang report). It is generated from the number of tiles alone, so adding tiles
or cores never changes its logic, only its width.

Latency: `all_done` is the AND of the bits sampled one cycle earlier. That is
safe because quiescence is stable: when every core is idle and every FIFO is
empty nothing can move until the host port injects again, and the host port
injects nothing while it waits for the barrier.
"""
from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from .packet import COORD_BITS

__all__ = ["Barrier"]


class Barrier(wiring.Component):
    """Members
    -------
    done : ``In(mesh_w * mesh_h)``, one bit per tile, row-major.
    all_done : ``Out(1)``, registered AND of `done`.
    busy_x, busy_y : ``Out(4)`` each, registered: the first tile (row-major)
        whose bit is low; (0, 0) when all are done.
    """

    def __init__(self, mesh_w: int, mesh_h: int):
        self.mesh_w, self.mesh_h = mesh_w, mesh_h
        super().__init__({
            "done": In(mesh_w * mesh_h),
            "all_done": Out(1),
            "busy_x": Out(COORD_BITS),
            "busy_y": Out(COORD_BITS),
        })

    def elaborate(self, platform):
        m = Module()
        w, h = self.mesh_w, self.mesh_h
        rows = Signal(h)
        for y in range(h):
            m.d.comb += rows[y].eq(self.done[y * w:(y + 1) * w].all())
        m.d.sync += self.all_done.eq(rows.all())
        bx = Signal(COORD_BITS)
        by = Signal(COORD_BITS)
        # priority encoder: the last assignment wins, so walk backwards
        for i in reversed(range(w * h)):
            with m.If(~self.done[i]):
                m.d.comb += [bx.eq(i % w), by.eq(i // w)]
        m.d.sync += [self.busy_x.eq(bx), self.busy_y.eq(by)]
        return m
