"""cocotb bench: one router (tile (1,1), all five ports) under Icarus.

Random spikes enter all five inputs (destinations over a 3x3 mesh and the
host) while every output is randomly not ready. Each flit must leave on the
output the XY rule names (kilauea.hw.router.route_xy), exactly once, in order
per (input, output); a blocked output must keep offering the same flit.
"""
from collections import defaultdict, deque
import os

import cocotb

from noc_cocotb_common import CycleLoop, StreamSink, StreamSource, rng_from_env
from kilauea.hw import packet
from kilauea.hw.packet import HOST, Dest, Spike
from kilauea.hw.router import Port, route_xy

X, Y = 1, 1


@cocotb.test()
async def router_random_traffic(dut):
    rng = rng_from_env()
    n_flits = int(os.environ.get("NOC_FLITS", "150"))
    loop = CycleLoop(dut)
    expected = defaultdict(deque)          # (input, output) -> words
    errors = []
    dests = [Dest(x, y) for x in range(3) for y in range(3)] + [HOST]
    seq = defaultdict(int)
    srcs = [StreamSource(dut, f"inp__{int(p)}") for p in Port]
    loop.sources = srcs
    delivered = [0]

    def on_flit(o):
        def take(w):
            pk = packet.decode(w)
            q = expected[pk.axon, o]
            if not q or q[0] != w:
                errors.append(f"output {Port(o).name}: unexpected {pk}")
            else:
                q.popleft()
            delivered[0] += 1
        return take

    loop.sinks = [StreamSink(dut, f"out__{int(o)}", on_flit(int(o)),
                             ready_fn=lambda: rng.random() < 0.6) for o in Port]
    for p in Port:
        for _ in range(n_flits):
            d = rng.choice(dests)
            w = Spike(d, axon=int(p), payload=seq[p]).encode()
            seq[p] += 1
            srcs[p].queue.append(w)
            expected[int(p), int(route_xy(X, Y, d.x, d.y, d.host))].append(w)
    total = 5 * n_flits

    held = {}

    def check_stable():
        for o, k in enumerate(loop.sinks):
            v = int(k.valid.value)
            if o in held and not (v and int(k.payload.value) == held[o]):
                errors.append(f"output {Port(o).name} changed its offer while blocked")
            if v and not k._r:
                held[o] = int(k.payload.value)
            else:
                held.pop(o, None)

    await loop.reset()
    n = await loop.run(50 * n_flits, after=check_stable, until=lambda: delivered[0] == total)
    assert not errors, errors[:5]
    assert delivered[0] == total, f"{total - delivered[0]} flits not delivered after {n} cycles"
    assert all(not q for q in expected.values())
    dut._log.info(f"{total} flits through the router in {n} cycles")
