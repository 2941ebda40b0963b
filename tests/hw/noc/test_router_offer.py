"""A router's outputs keep a refused offer (the stream rule: a flit offered
and not taken is offered again, unchanged, the next cycle) under sparse,
random traffic on every input and random back-pressure on every output, so
the set of inputs competing for an output changes while it is blocked; and
every flit still arrives once, in order per source and destination."""
from __future__ import annotations

import pytest

from noc_harness import Scoreboard, Sink, Source, pump, run, seeded
from kilauea.hw import packet
from kilauea.hw.packet import Dest
from kilauea.hw.router import Port, Router


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocked_outputs_keep_their_offer(seed):
    rng = seeded(seed)
    dut = Router(1, 1, fifo_depth=2)
    sb = Scoreboard()
    sources = {p: Source(dut.inp[p], name=p.name) for p in Port}
    where = {Port.N: Dest(1, 0), Port.E: Dest(2, 1), Port.S: Dest(1, 2), Port.W: Dest(0, 1),
             Port.L: Dest(1, 1)}
    p_ready = rng.uniform(0.2, 0.6)
    sinks = [Sink(dut.out[o], (lambda d: lambda w: sb.got(d, w))(where[o]),
                  ready_fn=lambda c: rng.random() < p_ready, name=o.name) for o in Port]
    rate = rng.uniform(0.15, 0.35)
    dests = list(where.values())

    fed = [False]

    def feed(c):
        fed[0] = c >= 2500
        if c < 2500:
            for p, s in sources.items():
                if rng.random() < rate and len(s.queue) < 2:
                    s.queue.append(sb.make(int(p), rng.choice(dests)))

    async def tb(ctx):
        await pump(ctx, sources.values(), sinks, 6000, before=feed,
                   until=lambda: fed[0] and sb.pending() == 0 and not any(
                       s.queue for s in sources.values()))

    run(dut, tb)
    sb.check()
    assert sb.sent > 300, f"seed {seed}: {sb.sent} flits"
    assert sum(k.blocked for k in sinks) > 200, f"seed {seed}: too little back-pressure"
    bad = [v for k in sinks for v in k.violations]
    assert not bad, f"seed {seed}: {len(bad)} broken offers, first {bad[:3]}"
