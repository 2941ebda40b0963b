"""cocotb bench for one neurocore's Verilog (the real microcode neuron engine
running LIF), built from `kilauea.verify`: loads every memory through WRITE
packets on rx, injects input spikes, runs steps with CTRL STEP, reads
counters and state, and checks every flit on tx against the golden core
(`TileOracle`), with random back-pressure on tx and fan-out lists of up to
FANOUT entries per compartment (longer than the neuron program's work per
compartment, so the fan-out engine really waits on tx)."""
from __future__ import annotations

import dataclasses
import os

import cocotb
import numpy as np

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.verify import Coverage, GoldenScoreboard, TileOracle
from kilauea.verify.coverage import BACK_PRESSURE, PACKETS_OUT
from kilauea.verify.driver import CoreDriver
from kilauea.verify.streams import BackPressure, CycleLoop, bench_rng

from core_helpers import SMALL, lif_image, write_packets

#: the bench's core: SMALL with room for long fan-out lists
PARAMS = dataclasses.replace(SMALL, n_fanout=256)
FANOUT = 16
ME = packet.Dest(0, 0)


@cocotb.test()
async def core_lif_steps_match_golden(dut):
    rng = bench_rng()
    nrng = np.random.default_rng(rng.getrandbits(32))
    steps = int(os.environ.get("CORE_STEPS", "6"))
    img = lif_image(PARAMS, nrng, 12, max_fanout=FANOUT)
    cov = Coverage("core bench")
    cov.expect(BACK_PRESSURE, "tx held")
    cov.expect(PACKETS_OUT, "SPIKE", "READ_RESP")
    loop = CycleLoop(dut)
    sb = GoldenScoreboard(TileOracle(PARAMS), name="core scoreboard")
    drv = CoreDriver(dut, loop, sb, cov, ready_fn=BackPressure(rng, p_ready=0.5))
    await loop.reset()

    drv.send_many(write_packets(img))
    await drv.settle()
    for t in range(1, steps + 1):
        for a, v in zip(nrng.integers(0, PARAMS.n_axons, 8), nrng.integers(-40, 40, 8)):
            drv.spike((0, 0), int(a), int(v), (t - 1) % 256)
        await drv.step(t)
        assert int(dut.step_seen.value) == t
        for c in cm.Counter:
            drv.read((0, 0), Mem.COUNTERS, int(c))
        for a in range(0, 48, 3):
            drv.read((0, 0), Mem.STATE, a)
        drv.read((0, 0), Mem.STATUS, int(cm.Status.FLAGS))
        await drv.settle()
    cov.streams(drv.source, drv.monitor)
    dut._log.info(cov.summary())
    assert cov.count(PACKETS_OUT, "SPIKE") > 0, "the run produced no spikes: it checks nothing"
    assert not cov.missed(), f"coverage holes: {cov.missed()}"
    dut._log.info(f"{steps} steps, {sb.received} flits from the core, all equal to the golden model")
