"""The neurocore under random back-pressure on its transmit stream, with long
fan-out lists (5 to 40 destinations per compartment, longer than the neuron
program), against the golden tile model: every spike packet and every READ
answer comes out once, in order, equal to the model's; STATE, ACCUM and the
counters agree after every step.

A core that ignores tx `ready`, or a fan-out engine that loses, repeats or
reorders a destination when the next spike is already waiting, fails here
(the tests with tx always ready and at most 3 destinations do not see it)."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
from amaranth.sim import Simulator

from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.neurocore.core import Core
from kilauea.sim.golden.chip import MicrocodeNeuronModel

from core_helpers import (SMALL, Image, SlotDriver, ThresholdEngine, ThresholdModel, golden_tile,
                          lif_image, random_image, read_pkt, steps_vs_golden, write_packets)

# room for 16 compartments x 40 destinations
P = SMALL.with_(n_fanout=1024)
FANOUT = {"min_fanout": 5, "max_fanout": 40}


def random_ready(seed: int, p_ready: float, max_run: int = 24) -> Callable[[int], bool]:
    """tx `ready` as runs of random length (1..max_run cycles), each high with
    probability `p_ready`: toggles every cycle at times, holds for a while at
    others. Deterministic for a seed; the cycle argument is ignored (one draw
    per call, one call per cycle)."""
    rng = np.random.default_rng(seed)
    state = {"left": 0, "ready": True}

    def ready(_cycle: int) -> bool:
        if state["left"] == 0:
            state["left"] = int(rng.integers(1, max_run + 1))
            state["ready"] = bool(rng.random() < p_ready)
        state["left"] -= 1
        return state["ready"]
    return ready


def rand_spikes(rng, n):
    return rng.integers(0, P.n_axons, n), rng.integers(-300, 300, n)


def simulate(core, testbench) -> None:
    sim = Simulator(core)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()


def run_vs_golden(seed: int, core, tile, img, n_steps: int, n_in: int, p_ready: float) -> dict:
    """`n_steps` steps of random input (n_in spikes before and after each
    STEP) with back-pressure; returns the totals of `steps_vs_golden`, the
    driver's stall cycles and STATUS.ERRORS (equal to the golden model's)."""
    rng = np.random.default_rng(seed)
    plan = [(rand_spikes(rng, n_in), rand_spikes(rng, n_in)) for _ in range(n_steps)]
    seen = {}
    label = f"seed {seed} (p_ready {p_ready:.2f})"

    async def tb(ctx):
        drv = SlotDriver(core, tx_ready=random_ready(seed, p_ready))
        drv.queue += write_packets(img)
        await drv.run_until_idle(ctx)
        assert drv.take() == [], label
        seen.update(await steps_vs_golden(ctx, drv, core, tile, plan, label))
        drv.queue += [read_pkt(Mem.STATUS, 0, 1), read_pkt(Mem.STATUS, 1, 2)]
        await drv.run_until_idle(ctx)
        r = drv.take()
        assert [(pk.tag, pk.data) for pk in r] == [(1, tile.flags), (2, tile.errors)], label
        seen["driver_stalls"] = drv.stalls
        seen["errors"] = tile.errors

    simulate(core, tb)
    print(f"seed={seed} p_ready={p_ready:.2f} seen={seen}")
    return seen


def fanout_at_memory_end(p, img: Image) -> Image:
    """The same fan-out lists moved to the top of the FANOUT memory: the last
    list ends at its last word."""
    fi = cm.unpack_fanout_index(img.words[Mem.FANOUT_INDEX])
    total = int(fi["count"].sum())
    shift = p.n_fanout - total
    fan = np.zeros(p.n_fanout, dtype=np.uint32)
    fan[shift:] = img.words[Mem.FANOUT][:total]
    img.words[Mem.FANOUT] = fan
    img.words[Mem.FANOUT_INDEX] = cm.pack_fanout_index(fi["base"] + shift, fi["count"])
    return img


def with_off_mesh_entries(p, img: Image, rng, frac: float) -> Image:
    """A fraction of the fan-out entries point at tiles just off the mesh
    (column mesh_w or row mesh_h, the other coordinate on it): dropped, one
    BAD_FANOUT each."""
    fan = img.words[Mem.FANOUT]
    e = cm.unpack_fanout(fan)
    pick = (rng.random(len(fan)) < frac) & (e["host"] == 0)
    col = rng.random(len(fan)) < 0.5
    x = np.where(pick & col, p.mesh_w, e["x"])
    y = np.where(pick & ~col, p.mesh_h, e["y"])
    img.words[Mem.FANOUT] = cm.pack_fanout(e["axon"], x, y, e["host"])
    return img


# seed -> table variant: plain; every compartment in use (CONFIG = n_compartments)
# with the lists at the top of the memory; some entries off the mesh
VARIANTS = {31: "plain", 32: "plain", 33: "full_at_end", 34: "off_mesh"}


@pytest.mark.parametrize("seed", sorted(VARIANTS))
def test_threshold_core_backpressure_long_fanout(seed):
    variant = VARIANTS[seed]
    rng = np.random.default_rng(seed)
    n = P.n_compartments if variant == "full_at_end" else P.n_compartments - 2
    img = random_image(P, rng, n_compartments=n, thr=(20, 300), **FANOUT)
    if variant == "full_at_end":
        img = fanout_at_memory_end(P, img)
        img.words[Mem.STATE][n - 1] = 1 << 20     # the last list's owner spikes at step 1
    if variant == "off_mesh":
        img = with_off_mesh_entries(P, img, rng, 0.2)
    p_ready = float(rng.uniform(0.25, 0.75))
    core = Core(P, 0, 0, make_engine=ThresholdEngine)
    tile = golden_tile(P, ThresholdModel, img)
    seen = run_vs_golden(seed, core, tile, img, n_steps=4, n_in=12, p_ready=p_ready)
    assert seen["host"] + seen["tile"] >= 100, f"seed {seed}: too few packets to judge: {seen}"
    assert seen["stalls"] > 0 and seen["driver_stalls"] > 0, f"seed {seed}: no back-pressure: {seen}"
    assert (seen["errors"] > 0) == (variant == "off_mesh"), f"seed {seed}: {seen}"


@pytest.mark.parametrize("seed", [41])
def test_lif_core_backpressure_long_fanout(seed):
    """The microcode engine's spikes wait on a blocked fan-out engine."""
    rng = np.random.default_rng(seed)
    img = lif_image(P, rng, 12, n_graded=2, **FANOUT)
    p_ready = float(rng.uniform(0.25, 0.75))
    core = Core(P, 0, 0)
    tile = golden_tile(P, MicrocodeNeuronModel, img)
    seen = run_vs_golden(seed, core, tile, img, n_steps=4, n_in=10, p_ready=p_ready)
    assert seen["host"] + seen["tile"] >= 40, f"seed {seed}: too few packets to judge: {seen}"
    assert seen["driver_stalls"] > 0, f"seed {seed}: no back-pressure: {seen}"
