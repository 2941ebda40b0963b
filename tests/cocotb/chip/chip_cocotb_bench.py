"""cocotb bench for the whole chip's Verilog (2 x 2 mesh of neurocores with
the host port, `chip_networks.CHIP`), built from `kilauea.verify`: a network
compiled from a Process graph (``CHIP_NET``: the walkthrough network or a
random 200-neuron one) is loaded through the host port as WRITE packets and
run step by step with its host input; every host-bound packet (spikes in
order per tile, DONE after all of them) and every READ answer (random words
of random memories between steps) is checked against the golden engine on
the same images (`ChipOracle`), with random back-pressure on host_out.
Coverage: packet kinds, back-pressure, router FIFO-full and arbitration
events, error flags."""
from __future__ import annotations

import os

import cocotb

from kilauea.hw.neurocore.memory_clear import clear_cycles
from kilauea.verify import ChipOracle, Coverage, FabricSampler, GoldenScoreboard
from kilauea.verify.coverage import ARBITRATION, BACK_PRESSURE, PACKETS_OUT
from kilauea.verify.driver import HostPortDriver
from kilauea.verify.streams import BackPressure, CycleLoop, bench_rng
from kilauea.verify.traffic import random_reads

from chip_networks import CHIP, NETWORKS


@cocotb.test()
async def chip_network_matches_golden(dut):
    rng = bench_rng()
    name = os.environ.get("CHIP_NET", "walkthrough")
    steps = int(os.environ.get("CHIP_STEPS", "10"))
    bench = NETWORKS[name](rng.randrange(1 << 16), steps)
    cov = Coverage(f"chip bench ({bench.name}, {bench.n_neurons} neurons)")
    cov.expect(PACKETS_OUT, "SPIKE", "READ_RESP", "CTRL")
    cov.expect(BACK_PRESSURE, "host_out held")
    loop = CycleLoop(dut)
    sb = GoldenScoreboard(ChipOracle(CHIP), name="chip scoreboard")
    drv = HostPortDriver(dut, loop, sb, cov, ready_fn=BackPressure(rng, p_ready=0.6))
    fabric = FabricSampler.of_mesh(dut.mesh, CHIP.mesh_w, CHIP.mesh_h, CHIP.fifo_depth, cov)
    await loop.reset()

    n_writes = drv.load(bench.compiled.images)
    # the cores take no packet until they have zeroed ACCUM after reset
    load_cycles = await drv.settle(limit=20 * n_writes + 1000 + clear_cycles(CHIP))
    tiles = sorted(bench.compiled.images)
    spikes = 0
    for t in range(1, steps + 1):
        drv.send_many(bench.inputs(t))
        drv.send(_step_flit(t))
        before = cov.count(PACKETS_OUT, "SPIKE")
        n = await loop.run(200_000, after=fabric, until=drv.quiet)
        assert drv.quiet(), f"step {t} not over after {n} cycles: {sb.pending_text()}"
        sb.check()
        spikes += cov.count(PACKETS_OUT, "SPIKE") - before
        for w in random_reads(rng, CHIP, tiles, 6):
            drv.read(w.tile, w.mem, w.addr)
        await drv.settle()
    cov.streams(drv.source, drv.monitor)
    dut._log.info(cov.summary())
    assert spikes > 0, "no host-bound spike: the bench checks little"
    assert not cov.missed(), f"coverage holes: {cov.missed()}"
    if bench.n_neurons > 100 and steps >= 4:     # the traffic builds up over the first steps
        assert sum(cov.hits[ARBITRATION].values()) > 0, "no arbitration conflict seen"
    dut._log.info(f"{bench.name}: {n_writes} WRITEs in {load_cycles} cycles, {steps} steps, "
                  f"{spikes} host-bound spikes, {sb.received} flits, all equal to the golden model")


def _step_flit(t: int) -> int:
    from kilauea.hw import packet
    return packet.Ctrl(packet.HOST, packet.CtrlOp.STEP, t).encode()
