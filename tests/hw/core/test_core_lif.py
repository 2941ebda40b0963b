"""The neurocore with the real microcode neuron engine running LIF (two
accumulator groups), random connectivity, delays and graded inputs, in the
Amaranth simulator against the golden chip model (microcode interpreter):
every spike packet, every STATE and ACCUM word, the counters."""
from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from kilauea import neurons
from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.neurocore.core import Core
from kilauea.sim.golden.chip import GoldenChip, MicrocodeNeuronModel

from core_helpers import SMALL, SlotDriver, backdoor_read, lif_image, spike_tuple, write_packets

P = SMALL
ME = packet.Dest(0, 0)


@pytest.mark.parametrize("seed", [5])
def test_core_lif_vs_golden(seed):
    rng = np.random.default_rng(seed)
    img = lif_image(P, rng, 12)
    core = Core(P, 0, 0)
    gold = GoldenChip(P, MicrocodeNeuronModel)
    tile = gold.tile(0, 0)
    for mem, words in img.words.items():
        tile.load(mem, words)
    tile.write(Mem.CONFIG, 0, img.n_compartments)
    n_steps = 4
    plan = [[(int(a), int(v)) for a, v in zip(rng.integers(0, P.n_axons, 10), rng.integers(-40, 40, 10))]
            for _ in range(n_steps)]
    total = {"spikes": 0}

    async def tb(ctx):
        drv = SlotDriver(core)
        drv.queue += write_packets(img)
        await drv.run_until_idle(ctx)
        for t in range(1, n_steps + 1):
            ax, pay = zip(*plan[t - 1])
            tile.receive(ax, pay, t - 1)
            sent = tile.run_step(t)
            drv.queue += [packet.Spike(ME, a, v, t - 1).encode() for a, v in plan[t - 1]]
            drv.queue += [packet.Ctrl(ME, packet.CtrlOp.STEP, t).encode()]
            await drv.run_until_idle(ctx)
            got = [spike_tuple(pk) for pk in drv.take()]
            assert got == sent.tuples(), f"seed {seed} step {t}"
            total["spikes"] += len(sent)
            for mem in (Mem.STATE, Mem.ACCUM):
                want = tile.read
                words = np.array([want(mem, a) for a in range(len(backdoor_read(ctx, core, mem)))])
                np.testing.assert_array_equal(backdoor_read(ctx, core, mem), words,
                                              err_msg=f"seed {seed} step {t}: {mem!r}")
            drv.queue += [packet.Read(ME, Mem.COUNTERS.value, c, c).encode() for c in cm.Counter]
            await drv.run_until_idle(ctx)
            r = {pk.tag: pk.data for pk in drv.take()}
            for c in (cm.Counter.SYN_EVENTS, cm.Counter.UPDATES, cm.Counter.PACKETS_OUT):
                assert r[c] == tile.counters[c], f"step {t}: {c.name}"
        assert tile.errors == 0

    sim = Simulator(core)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    assert total["spikes"] > 0


def test_undefined_opcode_sets_status_with_real_engine():
    """An undefined opcode in the LIF program (executed as NOP by the engine):
    STATUS.FLAGS gets BAD_OPCODE, STATUS.ERRORS counts one per compartment,
    and every STATE word still equals the golden model's."""
    rng = np.random.default_rng(9)
    img = lif_image(P, rng, 5)
    ucode = img.words[Mem.UCODE].copy()
    n_prog = len(neurons.lif(P.n_acc_groups))
    # replace the program's first instruction by opcode 30 (undefined)
    ucode[0] = (int(ucode[0]) & ~0x3F) | 30
    img.words[Mem.UCODE] = ucode
    assert n_prog > 1
    core = Core(P, 0, 0)
    gold = GoldenChip(P, MicrocodeNeuronModel)
    tile = gold.tile(0, 0)

    async def tb(ctx):
        drv = SlotDriver(core)
        pk = write_packets(img) + [packet.Ctrl(ME, packet.CtrlOp.STEP, 1).encode(),
                                   packet.Read(ME, Mem.STATUS.value, 0, 1).encode(),
                                   packet.Read(ME, Mem.STATUS.value, 1, 2).encode()]
        want = []
        for w in pk:
            want += tile.handle(w)
        drv.queue += pk
        await drv.run_until_idle(ctx)
        got = drv.take()
        assert got == want
        assert (got[-2].data, got[-1].data) == (1 << cm.ErrorFlag.BAD_OPCODE, 5)
        st = backdoor_read(ctx, core, Mem.STATE)
        np.testing.assert_array_equal(st, tile.neuron_mems[Mem.STATE].astype(np.int64))

    sim = Simulator(core)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
