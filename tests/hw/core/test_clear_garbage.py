"""No reliance on zero-initialised memories: every memory of the chip starts
with random garbage (as SRAM on silicon would), the memory clear runs after
reset, the network is loaded, and the RTL (Amaranth simulator) still matches
the golden model step by step; the clear itself zeroes what it must and
nothing else."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from amaranth.hdl import Const, Shape, Value
from amaranth.lib import data
from amaranth.lib.memory import Memory
from amaranth.sim import Simulator

from kilauea.hw.neurocore.compartment_memory import Banked, banks_of
from kilauea.hw.neurocore.core import Core
from kilauea.hw.neurocore.memory_clear import CLEARED_MEMS, clear_cycles
from kilauea.sim.engines import GoldenEngine
from kilauea.sim.engines.pysim import PysimEngine, build_chip

sys.path.insert(0, str(Path(__file__).parents[2] / "sim"))
from sim_chip_images import MIXED, build_images, host_inputs, snapshot  # noqa: E402

SEED = 5
STEPS = 6


def chip_memories(obj, seen=None) -> list[Memory]:
    """Every `Memory` reachable from `obj`'s attributes (components built
    in constructors: the cores' and the host port's memories; FIFO storage
    made during elaboration is not reached, and its content is never read
    before it is written)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, Memory):
        return [obj]
    found = []
    children = (obj if isinstance(obj, (list, tuple)) else obj.values() if isinstance(obj, dict)
                else obj.banks if isinstance(obj, Banked)
                else vars(obj).values() if hasattr(obj, "elaborate") else ())
    for child in children:
        if isinstance(child, (list, tuple, dict, Memory, Banked)) or hasattr(child, "elaborate"):
            found += chip_memories(child, seen)
    return found


def garbage_chip(params, seed: int, clear: bool):
    """The chip with every memory's initial content random (32-bit words)."""
    chip = build_chip(params, clear_memories=clear)
    rng = np.random.default_rng(seed)
    mems = chip_memories(chip)
    for mem in mems:
        random_init(mem, rng)
    return chip, mems


def random_init(mem: Memory, rng) -> None:
    """Give `mem` random nonzero initial words of its shape."""
    shape = Shape.cast(mem.shape)
    words = rng.integers(1, 1 << shape.width, mem.depth, dtype=np.uint64).tolist()
    if isinstance(mem.shape, data.Layout):
        mem.init = [data.Const(mem.shape, w) for w in words]
    elif shape.signed:
        half = 1 << (shape.width - 1)
        mem.init = [w - 2 * half if w >= half else w for w in words]
    else:
        mem.init = words


def run(params, seed: int, clear: bool):
    """(RTL, golden) spikes per step and the final state snapshots."""
    images = build_images(params, seed, mixed=True)
    chip, mems = garbage_chip(params, seed + 100, clear)
    assert len(mems) >= 9 * params.n_tiles            # every core memory got garbage
    gold = GoldenEngine(params)
    gold.load_images(images)
    got, want = [], []
    with PysimEngine(params, chip=chip, max_cycles=20_000) as rtl:
        rtl.load_images(images)
        for t in range(1, STEPS + 1):
            inp = host_inputs(params, t, seed)
            r, g = rtl.step(t, inp), gold.step(t, inp)
            got.append(sorted(zip(r.host_axon.tolist(), r.host_payload.tolist())))
            want.append(sorted(zip(g.host_axon.tolist(), g.host_payload.tolist())))
        return got, want, snapshot(rtl, params), snapshot(gold, params)


def test_garbage_memories_cleared_match_the_golden_model():
    params = MIXED.with_(mesh_w=2, mesh_h=1)
    got, want, snap_rtl, snap_gold = run(params, SEED, clear=True)
    for t, (g, w) in enumerate(zip(got, want), 1):
        assert g == w, f"seed {SEED} step {t}"
    assert snap_rtl == snap_gold, f"seed {SEED}"
    assert sum(len(w) for w in want) >= 3, f"seed {SEED}: too few host spikes to compare"


def test_the_clear_zeroes_accum_and_holds_the_core_busy():
    """A core with garbage in every memory: busy (not idle) for exactly
    `clear_cycles` cycles after reset, then every ACCUM word is zero and the
    other memories keep their content (the host loads those)."""
    params = MIXED.with_(mesh_w=1, mesh_h=1)
    core = Core(params)
    rng = np.random.default_rng(SEED)
    for memory in core.memories().values():
        for mem in banks_of(memory):
            random_init(mem, rng)
    n = clear_cycles(params)
    seen = {}

    async def tb(ctx):
        busy = 0
        while ctx.get(core.clear.busy):
            assert not ctx.get(core.idle)
            busy += 1
            await ctx.tick()
        seen["busy"] = busy
        await ctx.tick()
        seen["idle"] = ctx.get(core.idle)
        for mem, memories in core.memories().items():
            rows, init = [], []
            for memory in banks_of(memories):
                rows += [int(ctx.get(Value.cast(memory.data[i]))) for i in range(memory.depth)]
                init += [int(Const.cast(Value.cast(w)).value) if isinstance(w, data.Const)
                         else w for w in memory.init]
            seen[mem] = (rows, init)

    sim = Simulator(core)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    assert seen["busy"] == n and seen["idle"]
    for mem in CLEARED_MEMS:
        assert not any(seen[mem][0]), mem
    for mem in core.memories():
        if mem not in CLEARED_MEMS:
            assert seen[mem][0] == seen[mem][1], mem


def test_without_the_clear_garbage_shows():
    """The clear is what makes the difference: off, the garbage in ACCUM
    reaches the neurons."""
    params = MIXED.with_(mesh_w=2, mesh_h=1)
    got, want, snap_rtl, snap_gold = run(params, SEED, clear=False)
    assert got != want or snap_rtl != snap_gold, f"seed {SEED}"


def test_clear_cycles():
    assert CLEARED_MEMS
    p = MIXED
    assert clear_cycles(p) == p.n_delay_slots * p.n_acc_groups * (1 << p.compartment_bits)


@pytest.mark.parametrize("clear", [True, False])
def test_load_waits_for_the_clear(clear):
    """Backdoor loading waits until the cores are idle: after the clear."""
    params = MIXED.with_(mesh_w=1, mesh_h=1)
    chip = build_chip(params, clear_memories=clear)
    with PysimEngine(params, chip=chip) as rtl:
        rtl.load_images(build_images(params, 1, mixed=True))
        assert (rtl.io_cycles >= clear_cycles(params) - 1) == clear    # the pick-up edge uncounted
