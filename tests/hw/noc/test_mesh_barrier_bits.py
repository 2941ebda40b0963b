"""The mesh's barrier against its definition, with the tile slots driven
directly: tile (x, y) is done when its core is idle, has seen STEP(step)
(`step_seen == step`) and its router is empty; `all_done` is the AND over
the tiles one cycle later, and (`busy_x`, `busy_y`) the first tile in
row-major order that is not done ((0, 0) when all are)."""
from __future__ import annotations

import pytest

from noc_harness import run, seeded
from kilauea.hw.mesh import Mesh
from kilauea.hw.params import ChipParams


@pytest.mark.parametrize("w,h,seed", [(3, 2, 1), (2, 3, 2), (1, 1, 3)])
def test_barrier_follows_idle_step_seen_and_router_empty(w, h, seed):
    rng = seeded(seed)
    p = ChipParams(mesh_w=w, mesh_h=h)
    dut = Mesh(p)
    seen = {"all_done": 0, "idle_but_behind": 0}

    async def tb(ctx):
        for x, y in p.tiles():
            ctx.set(dut.tiles[x][y].tx.valid, 0)
            ctx.set(dut.tiles[x][y].rx.ready, 1)
        ctx.set(dut.west_in.valid, 0)
        ctx.set(dut.west_out.ready, 1)
        want = None
        for c in range(400):
            step = rng.choice([7, 8, 1 << 31])
            ctx.set(dut.step, step)
            done = []
            for x, y in p.tiles():            # row-major, as ChipParams.tiles()
                idle = rng.random() < 0.9
                behind = rng.random() < 0.1
                ctx.set(dut.tiles[x][y].idle, int(idle))
                ctx.set(dut.tiles[x][y].step_seen, step - 1 if behind else step)
                done.append(idle and not behind)
                seen["idle_but_behind"] += idle and behind
            if want is not None:
                got = (ctx.get(dut.all_done), ctx.get(dut.busy_x), ctx.get(dut.busy_y))
                assert got == want, f"seed {seed} cycle {c}: (all_done, busy_x, busy_y)"
            first = next((t for t, d in zip(p.tiles(), done) if not d), (0, 0))
            want = (int(all(done)), *first)
            seen["all_done"] += all(done)
            await ctx.tick()

    run(dut, tb)
    assert seen["all_done"] > 5 and seen["idle_but_behind"] > 5, f"seed {seed}: {seen}"
