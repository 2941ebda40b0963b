"""cocotb bench: one router (tile (1,1), all five ports), built from
`kilauea.verify`. The router's coordinates are inputs (`x`, `y`); the bench
drives them with the tile's.

Random spikes enter all five inputs (destinations over a 3x3 mesh and the
host) while every output is randomly not ready. Each flit must leave on the
output the XY rule names (kilauea.hw.router.route_xy), exactly once, in order
per (input, output) (`InOrderScoreboard`); a blocked output must keep
offering the same flit (`StreamSink` checks it). Coverage: FIFO-full and
arbitration events inside the router (`FabricSampler`-style sampling of its
FIFOs).
"""
import os

import cocotb

from kilauea.hw.packet import HOST, Dest, Spike
from kilauea.hw.router import Port, route_xy
from kilauea.verify import Coverage, Expected, InOrderScoreboard
from kilauea.verify.coverage import ARBITRATION, FIFO_FULL, FabricSampler
from kilauea.verify.streams import BackPressure, CycleLoop, StreamSink, StreamSource, bench_rng

X, Y = 1, 1
DEPTH = 2


@cocotb.test()
async def router_random_traffic(dut):
    rng = bench_rng()
    n_flits = int(os.environ.get("NOC_FLITS", "150"))
    loop = CycleLoop(dut)
    sb = InOrderScoreboard("router scoreboard")
    cov = Coverage("router bench")
    cov.expect(FIFO_FULL, *(f"router ({X},{Y}) {p.name}" for p in Port))
    dests = [Dest(x, y) for x in range(3) for y in range(3)] + [HOST]
    srcs = [StreamSource(dut, f"inp__{int(p)}") for p in Port]
    sinks = [StreamSink(dut, f"out__{int(o)}", lambda w, o=o: sb.got(o.name, w),
                        ready_fn=BackPressure(rng, 0.6, 4)) for o in Port]
    loop.add(*srcs, *sinks)
    fabric = FabricSampler([(X, Y, dut)], DEPTH, cov)
    assert fabric.found == len(Port), fabric.found
    for p in Port:
        for n in range(n_flits):
            d = rng.choice(dests)
            w = Spike(d, axon=int(p), payload=n + 1).encode()     # never the all-zero flit
            srcs[p].queue.append(w)
            out = route_xy(X, Y, d.x, d.y, d.host)
            sb.expect(out.name, Expected(p.name, w))
            cov.packet("in", w)

    dut.x.value, dut.y.value = X, Y
    await loop.reset()
    n = await loop.run(50 * n_flits, after=fabric, until=lambda: not sb.pending())
    violations = [v for k in sinks for v in k.violations]
    assert not violations, violations[:5]
    sb.check()
    cov.streams(*srcs, *sinks)
    dut._log.info(cov.summary())
    assert not cov.missed(), f"coverage holes: {cov.missed()}"
    assert cov.count(ARBITRATION, f"router ({X},{Y}) -> W") > 0
    dut._log.info(f"{5 * n_flits} flits through the router in {n} cycles")
