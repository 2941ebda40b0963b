"""The neurocore alone in the Amaranth simulator (with the test-only threshold
neuron engine) against the golden tile model: every spike packet, every
STATE and ACCUM word and the cycle-independent counters, step by step."""
from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.neurocore.core import Core
from kilauea.sim.golden.chip import GoldenChip

from core_helpers import (ME, SMALL, SlotDriver, ThresholdEngine, ThresholdModel, backdoor_load,
                          backdoor_read, golden_tile, packet_mem, random_image, read_pkt, spikes,
                          step_pkt, steps_vs_golden, write_packets)

P = SMALL


def run(testbench, core, vcd=None):
    sim = Simulator(core)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()


def rand_spikes(p, rng, n, lo=-300, hi=300):
    return rng.integers(0, p.n_axons, n), rng.integers(lo, hi, n)


SHAPES = {
    "small": P,
    # one accumulator group, 8 delay slots, compartments not a power of two
    "g1_d8_n12": P.with_(n_acc_groups=1, n_delay_slots=8, n_compartments=12, n_axons=20,
                         n_synapses=200, n_fanout=40, n_acc_rows=12),
}


@pytest.mark.parametrize("seed,shape", [(1, "small"), (2, "small"), (3, "g1_d8_n12")])
def test_core_random_vs_golden(seed, shape):
    P = SHAPES[shape]
    rng = np.random.default_rng(seed)
    img = random_image(P, rng, n_compartments=P.n_compartments - 2)
    core = Core(P, 0, 0, make_engine=ThresholdEngine)
    tile = golden_tile(P, ThresholdModel, img)
    n_steps = 5
    plan = [(rand_spikes(P, rng, 12), rand_spikes(P, rng, 16)) for _ in range(n_steps)]
    seen = {}

    async def tb(ctx):
        drv = SlotDriver(core)
        drv.queue += write_packets(img)
        await drv.run_until_idle(ctx)
        assert drv.take() == []
        seen.update(await steps_vs_golden(ctx, drv, core, tile, plan, f"seed {seed}"))
        drv.queue += [read_pkt(Mem.STATUS, cm.Status.FLAGS), read_pkt(Mem.STATUS, cm.Status.ERRORS)]
        await drv.run_until_idle(ctx)
        r = drv.take()
        assert (r[0].data, r[1].data) == (0, 0) == (tile.flags, tile.errors)

    run(tb, core)
    assert min(seen.values()) > 0, f"seed {seed}: the run did not exercise everything: {seen}"


def test_packet_and_backdoor_loading_agree():
    """WRITE packets and the simulation backdoor leave the same words; READ
    packets return them (with the read's tag, from this tile, to `reply`);
    ACCUM too (its words read back from the accumulators' own register)."""
    rng = np.random.default_rng(7)
    img = random_image(P, rng)
    img.words[Mem.ACCUM] = rng.integers(0, 2**32, cm.acc_words(P), dtype=np.uint32)
    core_a = Core(P, 1, 0, make_engine=ThresholdEngine)

    async def tb_a(ctx):
        drv = SlotDriver(core_a)
        drv.queue += write_packets(img, 1, 0)
        await drv.run_until_idle(ctx)
        for mem, words in img.words.items():
            np.testing.assert_array_equal(backdoor_read(ctx, core_a, mem), words.astype(np.int64),
                                          err_msg=f"packet-loaded {mem!r}")

    run(tb_a, core_a)
    core_b = Core(P, 1, 1, make_engine=ThresholdEngine)

    async def tb_b(ctx):
        await backdoor_load(ctx, core_b, img)
        drv = SlotDriver(core_b)
        reqs = []
        for mem, words in img.words.items():
            for a in rng.choice(len(words), 10, replace=False):
                reqs.append((mem, int(a), int(words[a])))
        reply = packet.Dest(1, 0)
        drv.queue += [packet.Read(packet.Dest(1, 1), mem.value, a, i % 256, reply).encode()
                      for i, (mem, a, _) in enumerate(reqs)]
        await drv.run_until_idle(ctx)
        got = drv.take()
        assert len(got) == len(reqs)
        for i, (pk, (mem, a, w)) in enumerate(zip(got, reqs)):
            assert isinstance(pk, packet.ReadResp)
            assert (pk.dst, pk.tag, pk.data, pk.src_x, pk.src_y) == (reply, i % 256, w, 1, 1), \
                f"READ {mem!r}[{a}]"
        drv.queue += [read_pkt(Mem.CONFIG, cm.Config.TILE)]
        await drv.run_until_idle(ctx)
        assert drv.take()[0].data == 1 | 1 << 4

    run(tb_b, core_b)


def test_synapse_and_fanout_throughput():
    """One synaptic event per cycle and one fan-out packet per cycle at steady state."""
    p = P
    img = random_image(p, np.random.default_rng(3), n_compartments=1, thr=(0, 1))
    # axon 0: 100 synapses, axon 1: 100 synapses; compartment 0: 40 fan-out entries
    img.words[Mem.AXON][:] = cm.pack_axon(0, 0)
    img.words[Mem.AXON][0] = cm.pack_axon(0, 100)
    img.words[Mem.AXON][1] = cm.pack_axon(100, 100, graded=1)
    img.words[Mem.SYNAPSE][:200] = cm.pack_synapse(p, np.arange(200) % 3, 5, 0)
    img.words[Mem.FANOUT_INDEX][:] = cm.pack_fanout_index(0, 0)
    img.words[Mem.FANOUT_INDEX][0] = cm.pack_fanout_index(0, 40)
    img.words[Mem.FANOUT][:40] = cm.pack_fanout(np.arange(40), np.arange(40) % 2, 0, 0)
    core = Core(p, 0, 0, make_engine=ThresholdEngine)

    async def tb(ctx):
        await backdoor_load(ctx, core, img)
        drv = SlotDriver(core)
        drv.queue += [packet.Write(ME, Mem.CONFIG.value, 0, 1).encode()]
        await drv.run_until_idle(ctx)
        drv.queue += spikes([0, 1, 0, 1], [1, 2, 3, 4], 0)
        cycles = await drv.run_until_idle(ctx)
        # + the pipeline's fill: packet in, rx slice, decode, AX, AX2, GEN,
        # S1, S2, S3 (registered event), accumulator A-C
        assert cycles <= 400 + 12, f"400 synaptic events took {cycles} cycles"
        drv.queue += [step_pkt(1)]
        first = None
        for _ in range(300):
            await drv.cycle(ctx)
            if drv.out and first is None:
                first = drv.cycles
            if len(drv.out) == 40:
                break
        assert len(drv.out) == 40, f"{len(drv.out)} fan-out packets, expected 40"
        assert drv.cycles - first == 39, "fan-out packets are not back to back"
        await drv.run_until_idle(ctx)

    run(tb, core)


def write_pkt(mem, addr, data):
    return packet.Write(ME, packet_mem(mem), int(addr), int(data)).encode()


def test_bad_input_sets_flag_and_changes_nothing_else():
    """Each bad input sets its STATUS flag, counts one error, answers a bad
    READ with 0, and leaves every memory as the golden model (which drops the
    input) has it; WRITE to STATUS clears."""
    p = P
    rng = np.random.default_rng(11)
    img = random_image(p, rng, n_compartments=4, thr=(0, 1))
    F = cm.ErrorFlag
    kind = packet.field_span("kind")[0]
    ctrl_done = packet.Ctrl(ME, packet.CtrlOp.DONE, 5).encode()
    bad_kind = (packet.Write(ME, 0, 0, 0).encode() & ~7) | 7 << kind
    bad_delay = int(cm.pack_synapse(p, 0, 1, 0)) | (p.max_delay + 1) << p.acc_row_bits
    cases = [
        ("write to memory 12", [write_pkt(12, 0, 1)], F.BAD_MEM, 1),
        ("read of memory 15", [read_pkt(15, 0)], F.BAD_MEM, 1),
        ("write past AXON", [write_pkt(Mem.AXON, p.n_axons, 1)], F.BAD_ADDR, 1),
        ("read past FANOUT", [read_pkt(Mem.FANOUT, p.n_fanout)], F.BAD_ADDR, 1),
        ("write past STATE", [write_pkt(Mem.STATE, 1 << 15, 1)], F.BAD_ADDR, 1),
        ("write to COUNTERS", [write_pkt(Mem.COUNTERS, 1, 5)], F.BAD_MEM, 1),
        ("write to CONFIG.TILE", [write_pkt(Mem.CONFIG, cm.Config.TILE, 5)], F.BAD_MEM, 1),
        ("too many compartments", [write_pkt(Mem.CONFIG, 0, p.n_compartments + 1)], F.BAD_ADDR, 1),
        ("CTRL DONE to a tile", [ctrl_done], F.BAD_PACKET, 1),
        ("undefined packet kind", [bad_kind], F.BAD_PACKET, 1),
        ("spike to axon past the table", spikes([p.n_axons + 3], [1], 0), F.BAD_AXON, 1),
        ("axon range past SYNAPSE", [write_pkt(Mem.AXON, 5, cm.pack_axon(p.n_synapses - 2, 5))]
         + spikes([5], [1], 0), F.BAD_AXON, 1),
        ("synapse delay > D-2", [write_pkt(Mem.AXON, 6, cm.pack_axon(p.n_synapses - 1, 1)),
                                 write_pkt(Mem.SYNAPSE, p.n_synapses - 1, bad_delay)]
         + spikes([6], [1], 0), F.BAD_SYNAPSE, 1),
        ("undefined opcode", [write_pkt(Mem.PARAM, 2, 1 << 31), step_pkt(1)], F.BAD_OPCODE, 1),
        ("fan-out entry off the mesh", [write_pkt(Mem.PARAM, 2, 0), write_pkt(Mem.FANOUT_INDEX, 1, cm.pack_fanout_index(p.n_fanout - 1, 1)),
                                        write_pkt(Mem.FANOUT, p.n_fanout - 1, cm.pack_fanout(3, 3, 0)),
                                        write_pkt(Mem.PARAM, 1, 0), write_pkt(Mem.STATE, 1, 1 << 20),
                                        step_pkt(2)], F.BAD_FANOUT, 1),
        ("fan-out range past FANOUT", [write_pkt(Mem.FANOUT_INDEX, 1, cm.pack_fanout_index(p.n_fanout - 1, 2)),
                                       write_pkt(Mem.STATE, 1, 1 << 20), step_pkt(3)], F.BAD_FANOUT, 1),
    ]
    core = Core(p, 0, 0, make_engine=ThresholdEngine)
    gold = GoldenChip(p, ThresholdModel)
    tile = gold.tile(0, 0)
    for mem, words in img.words.items():
        tile.load(mem, words)
    tile.write(Mem.CONFIG, 0, img.n_compartments)
    all_mems = [Mem.AXON, Mem.SYNAPSE, Mem.ACCUM, Mem.FANOUT_INDEX, Mem.FANOUT, Mem.STATE, Mem.PARAM]

    def gold_words(mem):
        return np.array([tile.read(mem, a) for a in range(tile.words.get(mem, tile.neuron_words.get(mem)))],
                        dtype=np.int64)

    async def tb(ctx):
        await backdoor_load(ctx, core, img)
        drv = SlotDriver(core)
        drv.queue += [write_pkt(Mem.CONFIG, 0, img.n_compartments)]
        await drv.run_until_idle(ctx)
        for name, pkts, flag, n in cases:
            expect = []
            for w in pkts:
                expect += tile.handle(w)
            assert (tile.flags, tile.errors) == (1 << flag, n), name   # the golden model agrees
            drv.queue += pkts + [read_pkt(Mem.STATUS, cm.Status.FLAGS, 1),
                                 read_pkt(Mem.STATUS, cm.Status.ERRORS, 2)]
            await drv.run_until_idle(ctx)
            got = drv.take()
            assert got[:-2] == expect, name
            assert (got[-2].data, got[-1].data) == (1 << flag, n), name
            for mem in all_mems:
                np.testing.assert_array_equal(backdoor_read(ctx, core, mem), gold_words(mem),
                                              err_msg=f"{name}: {mem!r} changed")
            tile.handle(write_pkt(Mem.STATUS, 0, 0))
            drv.queue += [write_pkt(Mem.STATUS, 0, 0), read_pkt(Mem.STATUS, cm.Status.FLAGS, 1),
                          read_pkt(Mem.STATUS, cm.Status.ERRORS, 2)]
            await drv.run_until_idle(ctx)
            assert [r.data for r in drv.take()] == [0, 0], f"{name}: STATUS not cleared"

    run(tb, core)


@pytest.mark.parametrize("w_bits", [12, 18, 20])
def test_partial_products_sum_to_the_product(w_bits):
    """The synapse engine's split multiply: the terms of `partial_products`,
    shifted and summed, give weight x payload mod 2**32 (random signed
    operands, the extremes included)."""
    from amaranth.hdl import Module, Signal, signed
    from amaranth.sim import Simulator
    from kilauea.hw.neurocore.synapse_engine import partial_products
    rng = np.random.default_rng(w_bits)
    w, x = Signal(signed(w_bits)), Signal(signed(packet.PAYLOAD_BITS))
    got = Signal(32)
    m = Module()
    m.d.comb += got.eq(sum(v << s for v, s in partial_products(w, x))[:32])
    lo_w, hi_w = -(1 << (w_bits - 1)), (1 << (w_bits - 1)) - 1
    lo_x, hi_x = -(1 << (packet.PAYLOAD_BITS - 1)), (1 << (packet.PAYLOAD_BITS - 1)) - 1
    cases = [(lo_w, lo_x), (lo_w, hi_x), (hi_w, lo_x), (hi_w, hi_x), (-1, -1), (0, lo_x)]
    cases += list(zip(rng.integers(lo_w, hi_w + 1, 300), rng.integers(lo_x, hi_x + 1, 300)))

    async def tb(ctx):
        for a, b in cases:
            ctx.set(w, int(a))
            ctx.set(x, int(b))
            assert ctx.get(got) == (int(a) * int(b)) % (1 << 32), (w_bits, a, b)

    sim = Simulator(m)
    sim.add_testbench(tb)
    sim.run()
