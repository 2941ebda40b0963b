"""NoC performance in RTL simulation (Amaranth's simulator).

1. Zero-load latency: one flit at a time between every ordered pair of tiles
   of a 4 x 4 mesh; cycles from the core's tx handshake to the flit being
   offered on the destination core's rx, fitted against the XY hop count
   (links crossed): the slope is the per-hop latency.
2. Accepted throughput versus offered load on 4 x 4, uniform random traffic:
   every local port offers a flit with probability p each cycle to a
   uniformly chosen other tile (unbounded source queues, cores always
   ready), 500 warm-up cycles, then 2000 measured; accepted = flits
   delivered to cores in the measured window per node per cycle.
   Saturation throughput is the accepted rate at p = 1.

    python bench/noc.py [--loads 0.1,0.3,...] [--fifo-depth 4] [--seed 1]

The last line is
``per-hop latency: X cycles; saturation throughput: Y flits/node/cycle``.
"""
from __future__ import annotations

import argparse
import random
import time
from collections import deque

import numpy as np
from amaranth.sim import Simulator

from kilauea.hw.noc import Noc
from kilauea.hw.packet import Dest, Spike
from kilauea.hw.params import ChipParams

MESH = 4
WARMUP = 500
MEASURE = 2000


def _sim(dut, testbench):
    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()


def zero_load(params: ChipParams) -> tuple[float, float, np.ndarray]:
    """(slope, intercept, samples[hops, cycles]) of latency versus hops."""
    dut = Noc(params)
    tiles = params.tiles()
    samples = []

    async def tb(ctx):
        for x, y in tiles:
            ctx.set(dut.tiles[x][y].idle, 1)
            ctx.set(dut.tiles[x][y].rx.ready, 1)
        for s in tiles:
            for d in tiles:
                if s == d:
                    continue
                tx = dut.tiles[s[0]][s[1]].tx
                rx = dut.tiles[d[0]][d[1]].rx
                ctx.set(tx.payload.as_value(), Spike(Dest(*d), axon=1).encode())
                ctx.set(tx.valid, 1)
                while not ctx.get(tx.ready):
                    await ctx.tick()
                await ctx.tick()                       # handshake at this edge
                ctx.set(tx.valid, 0)
                c = 1
                while not ctx.get(rx.valid):
                    await ctx.tick()
                    c += 1
                await ctx.tick()                       # taken
                hops = abs(s[0] - d[0]) + abs(s[1] - d[1])
                samples.append((hops, c))

    _sim(dut, tb)
    a = np.array(samples, dtype=float)
    slope, intercept = np.polyfit(a[:, 0], a[:, 1], 1)
    return float(slope), float(intercept), a


def offered_load(params: ChipParams, p: float, seed: int) -> dict:
    """Uniform random traffic at offered load p (flits/node/cycle)."""
    dut = Noc(params)
    tiles = params.tiles()
    rng = random.Random(seed)
    queues = {t: deque() for t in tiles}
    txs = {t: dut.tiles[t[0]][t[1]].tx for t in tiles}
    rxs = {t: dut.tiles[t[0]][t[1]].rx for t in tiles}
    others = {t: [Dest(*d) for d in tiles if d != t] for t in tiles}
    out = {"delivered": 0, "latency_sum": 0}
    born: dict[int, int] = {}
    serial = [0]

    async def tb(ctx):
        shown = {t: None for t in tiles}
        for t in tiles:
            ctx.set(dut.tiles[t[0]][t[1]].idle, 1)
            ctx.set(rxs[t].ready, 1)
        for c in range(WARMUP + MEASURE):
            for t in tiles:
                if rng.random() < p:
                    serial[0] += 1
                    w = Spike(rng.choice(others[t]), axon=serial[0] & 0xFFFF,
                              payload=serial[0] >> 16).encode()
                    born[w] = c
                    queues[t].append(w)
                q = queues[t]
                if q:
                    if shown[t] != q[0]:
                        ctx.set(txs[t].payload.as_value(), q[0])
                        if shown[t] is None:
                            ctx.set(txs[t].valid, 1)
                        shown[t] = q[0]
                elif shown[t] is not None:
                    ctx.set(txs[t].valid, 0)
                    shown[t] = None
            for t in tiles:
                if shown[t] is not None and ctx.get(txs[t].ready):
                    queues[t].popleft()
                if ctx.get(rxs[t].valid):
                    w = ctx.get(rxs[t].payload.as_value())
                    if c >= WARMUP:
                        out["delivered"] += 1
                        out["latency_sum"] += c - born[w]
                    del born[w]
            await ctx.tick()

    t0 = time.time()
    _sim(dut, tb)
    n = params.n_tiles
    acc = out["delivered"] / (n * MEASURE)
    return {"offered": p, "accepted": acc,
            "latency": out["latency_sum"] / max(1, out["delivered"]),
            "backlog": sum(len(q) for q in queues.values()), "seconds": time.time() - t0}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loads", default="0.1,0.2,0.3,0.4,0.5,0.6,0.8,1.0",
                    help="offered loads p, comma separated (1.0 is always run)")
    ap.add_argument("--fifo-depth", type=int, default=ChipParams().fifo_depth)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    params = ChipParams(mesh_w=MESH, mesh_h=MESH, fifo_depth=a.fifo_depth)
    loads = sorted({float(v) for v in a.loads.split(",")} | {1.0})

    t0 = time.time()
    slope, intercept, s = zero_load(params)
    print(f"zero-load latency on {MESH}x{MESH} (fifo depth {a.fifo_depth}), "
          f"{len(s)} pairs, {time.time() - t0:.1f} s:")
    for h in sorted(set(s[:, 0].astype(int))):
        v = s[s[:, 0] == h, 1]
        print(f"  {h} hops: {v.mean():.2f} cycles (min {v.min():.0f}, max {v.max():.0f})")
    print(f"  fit: {slope:.3f} cycles/hop + {intercept:.3f}")

    print(f"uniform random traffic, {MESH}x{MESH}, {WARMUP} warm-up + {MEASURE} measured cycles:")
    print("  offered  accepted  mean latency  backlog  (flits/node/cycle, cycles, flits)")
    sat = None
    for p in loads:
        r = offered_load(params, p, a.seed)
        print(f"  {r['offered']:7.2f}  {r['accepted']:8.3f}  {r['latency']:12.1f}  "
              f"{r['backlog']:7d}  [{r['seconds']:.1f} s]", flush=True)
        if p == 1.0:
            sat = r["accepted"]
    print(f"per-hop latency: {slope:.2f} cycles; saturation throughput: {sat:.3f} flits/node/cycle")


if __name__ == "__main__":
    main()
