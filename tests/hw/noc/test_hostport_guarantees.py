"""Guarantees of the host port, checked cycle by cycle with test cores in
every tile: the hang report comes exactly at the step's cycle bound; an
answer to a host read never waits at the port (room is reserved for it in
the output queue, whatever else is queued for a blocked host); and the
port's own packets (STATUS answers) never push out a flit leaving the mesh
in the same cycle."""
from __future__ import annotations

from collections import Counter

import pytest

from host_bench import REG_LENGTH, REG_STUCK, HostBench, write_regs
from noc_harness import run, seeded
from kilauea.hw.packet import HOST, Ctrl, CtrlOp, Dest, Kind, Read, ReadResp, Spike, Write
from kilauea.hw.params import ChipParams


@pytest.mark.parametrize("bound", [20, 57])
def test_hang_comes_exactly_at_the_cycle_bound(bound):
    """The last STEP flit is handed to the mesh in cycle c (it is in the mesh
    from c + 1); `bound` cycles later the wait has lasted `bound` cycles and
    the port registers HANG: `hang` is high from cycle c + bound + 2."""
    p = ChipParams(mesh_w=2, mesh_h=2)
    b = HostBench(p)
    hp = b.dut.hostport
    seen = {"last_step": None, "hang": None}

    async def watch(ctx):
        if (ctx.get(hp.inject.valid) and ctx.get(hp.inject.ready)
                and ctx.get(hp.inject.payload.kind) == Kind.CTRL):
            seen["last_step"] = b.cycle
        if seen["hang"] is None and ctx.get(b.dut.hang):
            seen["hang"] = b.cycle

    async def tb(ctx):
        write_regs(b, {(1, 1): [0, 0, 0, 1]})                # tile (1, 1) never finishes
        b.send(Write(HOST, mem=0, addr=0, data=bound))
        b.send(Ctrl(HOST, CtrlOp.STEP, arg=1))
        await b.run_until(ctx, lambda: seen["hang"] is not None, bound + 200, each=watch)

    run(b.dut, tb)
    assert seen["hang"] - seen["last_step"] == bound + 2, seen


@pytest.mark.parametrize("seed", [1, 2])
def test_read_answers_never_wait_at_the_port(seed):
    """The host refuses everything for 300 cycles while it sends chains of
    spikes that end at the host (more than the output queue holds) mixed with
    reads: every READ_RESP the mesh offers the port is taken at once, and in
    the end every spike and every answer arrives once."""
    rng = seeded(seed)
    p = ChipParams(mesh_w=2, mesh_h=2, fifo_depth=2, max_host_reads=3)
    b = HostBench(p, host_ready=lambda c: c >= 300)
    ej = b.dut.hostport.eject
    waited = []
    regs = {xy: [0, 0, rng.getrandbits(16), 0] for xy in p.tiles()}

    async def watch(ctx):
        if (ctx.get(ej.valid) and ctx.get(ej.payload.kind) == Kind.READ_RESP
                and not ctx.get(ej.ready)):
            waited.append(b.cycle)

    async def tb(ctx):
        write_regs(b, regs)
        reads, spikes = [], []
        for i in range(30):
            xy = rng.choice(p.tiles())
            if i % 3 == 2:
                reads.append((len(reads), xy))
                b.send(Read(Dest(*xy), mem=0, addr=REG_LENGTH, tag=len(reads) - 1))
            else:
                spikes.append(i)
                b.send(Spike(Dest(*xy), axon=i, payload=rng.randrange(1, 4)))
        await b.run_until(ctx, lambda: len(b.got) == len(reads) + len(spikes), 1500, each=watch)
        answers = sorted((pk for pk in b.received(ReadResp)), key=lambda r: r.tag)
        assert answers == [ReadResp(HOST, data=regs[xy][REG_LENGTH], tag=t, src_x=xy[0],
                                    src_y=xy[1]) for t, xy in reads]
        assert sorted(pk.axon for pk in b.received(Spike)) == spikes

    run(b.dut, tb)
    assert not waited, f"seed {seed}: a read answer waited at the port in cycles {waited[:5]}"


@pytest.mark.parametrize("seed, ready", [(3, 0.7), (4, 0.7), (5, 0.15), (6, 0.15)])
def test_status_answers_push_out_no_flit(seed, ready):
    """STATUS_REQs to the port interleaved with chains ending at the host,
    random host back-pressure (the host takes a flit in a share `ready` of
    the cycles; at 0.15 the output queue is mostly full, so the port's own
    answer and a flit from the mesh often compete for its last places):
    every chain end arrives once, every request is answered."""
    rng = seeded(seed)
    p = ChipParams(mesh_w=2, mesh_h=2)
    b = HostBench(p, host_ready=lambda c: rng.random() < ready)

    async def tb(ctx):
        n_req = 0
        for i in range(80):
            if rng.random() < 0.4:
                b.send(Ctrl(HOST, CtrlOp.STATUS_REQ))
                n_req += 1
            else:
                b.send(Spike(Dest(*rng.choice(p.tiles())), axon=i, payload=rng.randrange(1, 4)))
        n_spk = 80 - n_req
        await b.run_until(ctx, lambda: len(b.got) == n_spk + n_req, 3000)
        got = Counter(type(pk).__name__ for _, pk in b.got)
        assert got == {"Spike": n_spk, "Ctrl": n_req}, got
        assert len({pk.axon for pk in b.received(Spike)}) == n_spk

    run(b.dut, tb)
