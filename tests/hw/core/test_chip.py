"""The 2 x 2 chip (mesh + host port + four neurocores running LIF) in the
Amaranth simulator against the golden chip model: host-bound spikes of
every step, every STATE and ACCUM word of every tile, counters."""
from __future__ import annotations

import numpy as np
from amaranth.sim import Simulator

from kilauea.hw import packet
from kilauea.hw.chip import Chip
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.sim.golden.chip import GoldenChip

from core_helpers import SMALL, SlotDriver, backdoor_load, backdoor_read, lif_image

P = SMALL


def test_chip_2x2_lif_vs_golden():
    seed = 21
    rng = np.random.default_rng(seed)
    images = {xy: lif_image(P, rng, int(rng.integers(4, 9)), n_graded=3) for xy in P.tiles()}
    chip = Chip(P)
    gold = GoldenChip(P)
    for (x, y), img in images.items():
        for mem, words in img.words.items():
            gold.load(x, y, mem, words)
        gold.write(x, y, Mem.CONFIG, 0, img.n_compartments)
    n_steps = 4
    seen = {"host": 0, "events": 0, "graded_tile_spikes": 0}

    async def tb(ctx):
        for (x, y), img in images.items():
            await backdoor_load(ctx, chip.core(x, y), img)
        drv = SlotDriver(chip, chip.host_in, chip.host_out)
        drv.queue += [packet.Write(packet.Dest(x, y), Mem.CONFIG.value, 0, img.n_compartments).encode()
                      for (x, y), img in images.items()]
        for t in range(1, n_steps + 1):
            for (x, y) in P.tiles():
                ax = rng.integers(0, P.n_axons, 4)
                pay = rng.integers(-40, 40, 4)
                gold.inject(x, y, ax, pay)
                drv.queue += [packet.Spike(packet.Dest(x, y), int(a), int(v), t - 1).encode()
                              for a, v in zip(ax, pay)]
            drv.queue.append(packet.Ctrl(packet.HOST, packet.CtrlOp.STEP, t).encode())
            want = gold.step()
            for tile in gold.tiles.values():
                seen["graded_tile_spikes"] += int(((tile.sent.host == 0) & (tile.sent.payload != 1)).sum())
            for _ in range(5000):
                await drv.cycle(ctx)
                if drv.out and packet.kind_of(drv.out[-1]) == packet.Kind.CTRL:
                    break
            got = drv.take()
            assert got[-1] == packet.Ctrl(packet.HOST, packet.CtrlOp.DONE, t), f"step {t}: {got[-1]}"
            spikes = sorted((pk.axon, pk.payload, pk.step) for pk in got[:-1])
            assert all(isinstance(pk, packet.Spike) and pk.dst.host for pk in got[:-1])
            assert spikes == sorted(zip(want.axon.tolist(), want.payload.tolist(), want.step.tolist())), \
                f"seed {seed} step {t}: host-bound spikes"
            seen["host"] += len(spikes)
            for (x, y) in P.tiles():
                tile = gold.tile(x, y)
                for mem in (Mem.STATE, Mem.ACCUM):
                    got_w = backdoor_read(ctx, chip.core(x, y), mem)
                    want_w = np.array([tile.read(mem, a) for a in range(len(got_w))])
                    np.testing.assert_array_equal(got_w, want_w, err_msg=f"step {t} tile {x},{y} {mem!r}")
        # counters of the last step through READ packets
        for (x, y) in P.tiles():
            drv.queue += [packet.Read(packet.Dest(x, y), Mem.COUNTERS.value, c, c).encode()
                          for c in (cm.Counter.SYN_EVENTS, cm.Counter.UPDATES,
                                    cm.Counter.PACKETS_IN, cm.Counter.PACKETS_OUT)]
            for _ in range(200):
                await drv.cycle(ctx)
                if len(drv.out) == 4:
                    break
            resps = drv.take()
            assert [(pk.src_x, pk.src_y) for pk in resps] == [(x, y)] * 4
            r = {pk.tag: pk.data for pk in resps}
            for c, v in r.items():
                assert v == gold.tile(x, y).counters[c], f"tile {x},{y} {cm.Counter(c).name}"
            seen["events"] += r[cm.Counter.SYN_EVENTS]
            assert gold.tile(x, y).errors == 0

    sim = Simulator(chip)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    assert min(seen.values()) > 0, seen
