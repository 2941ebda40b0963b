"""The vectorised golden chip model against a plain per-event Python
transcription of the step semantics (docs/architecture.md), on random 2 x 2
meshes over many steps: host-bound spikes, every accumulator and state word,
counters and error counts."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.sim.golden.chip import GoldenChip

from core_helpers import SMALL, ThresholdModel, random_image


def s32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >> 31 else v


class NaiveChip:
    """One event at a time, dicts and ints only."""

    def __init__(self, p, images):
        self.p, self.t = p, 0
        self.img = {xy: {m: [int(w) for w in words] for m, words in im.words.items()}
                    for xy, im in images.items()}
        self.n = {xy: im.n_compartments for xy, im in images.items()}
        self.acc = {xy: {} for xy in images}
        self.events = {xy: 0 for xy in images}
        self.errors = {xy: 0 for xy in images}

    def receive(self, xy, axon, payload, step):
        p, im = self.p, self.img[xy]
        if axon >= p.n_axons:
            self.errors[xy] += 1
            return
        a = cm.unpack_axon(im[Mem.AXON][axon])
        base, count, graded = int(a["base"]), int(a["count"]), int(a["graded"])
        if base + count > p.n_synapses:
            self.errors[xy] += 1
            return
        for i in range(base, base + count):
            s = {k: int(v) for k, v in cm.unpack_synapse(p, im[Mem.SYNAPSE][i]).items()}
            key = ((step + 1 + s["delay"]) % p.n_delay_slots, s["row"])
            d = s["weight"] * (payload if graded else 1)
            self.acc[xy][key] = s32(self.acc[xy].get(key, 0) + d)
            self.events[xy] += 1

    def step(self):
        p = self.p
        self.t += 1
        t = self.t
        out = []
        for xy, im in self.img.items():
            for c in range(self.n[xy]):
                par = im[Mem.PARAM][c]
                thr = s32(par << 8) >> 8
                v = s32(im[Mem.STATE][c])
                for g in range(p.n_acc_groups):
                    row = c * p.n_acc_groups + g        # ThresholdModel's rows
                    v = s32(v + self.acc[xy].pop((t % p.n_delay_slots, row), 0))
                if v > thr:
                    pay = s32((v & 0xFFFFFF) << 8) >> 8
                    v = 0
                    fi = cm.unpack_fanout_index(im[Mem.FANOUT_INDEX][c])
                    for e in range(int(fi["base"]), int(fi["base"] + fi["count"])):
                        ent = {k: int(v_) for k, v_ in cm.unpack_fanout(im[Mem.FANOUT][e]).items()}
                        out.append((ent, pay))
                im[Mem.STATE][c] = v & 0xFFFFFFFF
        host = []
        for ent, pay in out:
            if ent["host"]:
                host.append((ent["axon"], pay))
            else:
                self.receive((ent["x"], ent["y"]), ent["axon"], pay, t % 256)
        return host


@pytest.mark.parametrize("seed", range(4))
def test_golden_chip_matches_naive(seed):
    p = SMALL
    rng = np.random.default_rng(100 + seed)
    images = {xy: random_image(p, rng, n_compartments=int(rng.integers(8, 17)), thr=(0, 300))
              for xy in p.tiles()}
    gold = GoldenChip(p, ThresholdModel)
    for (x, y), im in images.items():
        for mem, words in im.words.items():
            gold.load(x, y, mem, words)
        gold.write(x, y, Mem.CONFIG, 0, im.n_compartments)
    ref = NaiveChip(p, images)
    n_host = 0
    for t in range(1, 41):
        for xy in p.tiles():
            ax = rng.integers(0, p.n_axons + 2, 5)   # a few bad axons too
            pay = rng.integers(-500, 500, 5)
            gold.inject(*xy, ax, pay)
            for a, v in zip(ax, pay):
                ref.receive(xy, int(a), int(v), (t - 1) % 256)
        hs = gold.step()
        want = ref.step()
        assert sorted(zip(hs.axon.tolist(), hs.payload.tolist())) == sorted(want), f"seed {seed} step {t}"
        n_host += len(want)
        for xy in p.tiles():
            tile = gold.tile(*xy)
            np.testing.assert_array_equal(tile.neuron_mems[Mem.STATE],
                                          np.array(ref.img[xy][Mem.STATE], dtype=np.uint32))
            acc = np.zeros_like(tile.acc)
            for (s, r), v in ref.acc[xy].items():
                acc[s, r] = v
            np.testing.assert_array_equal(tile.acc, acc, err_msg=f"seed {seed} step {t} {xy}")
            assert tile.errors == ref.errors[xy]
    assert n_host > 0
    assert sum(ref.events.values()) > 1000


def test_golden_read_write_and_errors():
    p = SMALL
    gold = GoldenChip(p, ThresholdModel)
    gold.write(1, 0, Mem.SYNAPSE, 7, 0xDEADBEEF)
    assert gold.read(1, 0, Mem.SYNAPSE, 7) == 0xDEADBEEF
    gold.write(1, 0, Mem.ACCUM, 9, 0xFFFFFFFF)
    assert gold.tile(1, 0).acc.reshape(-1)[9] == -1
    assert gold.read(1, 0, Mem.ACCUM, 9) == 0xFFFFFFFF
    assert gold.read(1, 0, Mem.CONFIG, cm.Config.TILE) == 1
    assert gold.tile(1, 0).errors == 0
    assert gold.read(1, 0, Mem.AXON, p.n_axons) == 0
    assert gold.tile(1, 0).flags == 1 << cm.ErrorFlag.BAD_ADDR
    with pytest.raises(ValueError, match="does not fit"):
        gold.load(0, 0, Mem.FANOUT, np.zeros(p.n_fanout + 1))


def test_golden_send_packets_like_the_host_port():
    from kilauea.hw import packet
    p = SMALL
    rng = np.random.default_rng(5)
    a = GoldenChip(p, ThresholdModel)
    b = GoldenChip(p, ThresholdModel)
    for (x, y) in p.tiles():
        im = random_image(p, rng, thr=(0, 200))
        for mem, words in im.words.items():
            a.load(x, y, mem, words)
            for i, w in enumerate(words):
                assert b.send(packet.Write(packet.Dest(x, y), mem.value, i, int(w)).encode()) == []
        a.write(x, y, Mem.CONFIG, 0, im.n_compartments)
        b.send(packet.Write(packet.Dest(x, y), Mem.CONFIG.value, 0, im.n_compartments).encode())
    for t in range(1, 6):
        a.inject(1, 1, [3, 4], [7, 8])
        b.send(packet.Spike(packet.Dest(1, 1), 3, 7, t - 1).encode())
        b.send(packet.Spike(packet.Dest(1, 1), 4, 8, t - 1).encode())
        hs = a.step()
        got = b.send(packet.Ctrl(packet.HOST, packet.CtrlOp.STEP, t).encode())
        assert got[-1] == packet.Ctrl(packet.HOST, packet.CtrlOp.DONE, t)
        assert [(s.axon, s.payload) for s in got[:-1]] == list(zip(hs.axon.tolist(), hs.payload.tolist()))
    r = b.send(packet.Read(packet.Dest(0, 1), Mem.STATE.value, 2, 9).encode())
    assert r == [packet.ReadResp(packet.HOST, a.read(0, 1, Mem.STATE, 2), 9, 0, 1)]


def test_golden_send_refuses_what_the_host_port_refuses():
    """As the RTL host port: only the host reads, only the host port steps."""
    from kilauea.hw import packet
    g = GoldenChip(SMALL, ThresholdModel)
    for pk in (packet.Read(packet.Dest(1, 0), Mem.STATE.value, 0, reply=packet.Dest(7, 7)),
               packet.Read(packet.Dest(1, 0), Mem.STATE.value, 0, reply=packet.Dest(0, 0)),
               packet.Ctrl(packet.Dest(1, 0), packet.CtrlOp.STEP, 1)):
        with pytest.raises(ValueError, match="refused"):
            g.send(pk.encode())
    assert g.t == 0 and g.tile(1, 0).flags == 0
    st = g.send(packet.Ctrl(packet.Dest(1, 0), packet.CtrlOp.STATUS_REQ).encode())
    assert st == [packet.Ctrl(packet.HOST, packet.CtrlOp.STATUS, 0, 1, 0)]
