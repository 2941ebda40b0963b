"""GoldenEngine: the golden model behind the ChipEngine interface."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.sim.engine import StepResult
from kilauea.sim.engines import GoldenEngine, make_engine
from kilauea.sim.golden.chip import GoldenChip

from sim_chip_images import SMALL, build_images, host_inputs, snapshot


def test_make_engine_names():
    assert isinstance(make_engine("model", SMALL), GoldenEngine)
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("nope", SMALL)


def test_write_read_round_trip():
    e = GoldenEngine(SMALL)
    rng = np.random.default_rng(3)
    for mem, n in ((Mem.SYNAPSE, 40), (Mem.STATE, 20), (Mem.FANOUT, 10), (Mem.UCODE, 8)):
        words = rng.integers(0, 1 << 32, n, dtype=np.int64)
        e.write_words((1, 0), mem, 5, words)
        assert e.read_words((1, 0), mem, np.arange(5, 5 + n)).tolist() == words.tolist()
        assert e.read_words((0, 1), mem, np.arange(5, 5 + n)).tolist() == [0] * n
    # scattered addresses
    e.write_words((1, 1), Mem.AXON, [3, 9, 1], [7, 8, 9])
    assert e.read_words((1, 1), Mem.AXON, [1, 3, 9]).tolist() == [9, 7, 8]
    # CONFIG.TILE reads the tile's coordinates; writing it is an error (STATUS)
    assert e.read_words((1, 1), Mem.CONFIG, [cm.Config.TILE]).tolist() == [1 | 1 << 4]
    e.write_words((1, 1), Mem.CONFIG, cm.Config.TILE, [5])
    assert e.read_words((1, 1), Mem.STATUS, [cm.Status.FLAGS]).tolist() == [1 << cm.ErrorFlag.BAD_MEM]


def test_steps_match_golden_chip_driven_directly():
    """The engine's packet decoding + step == GoldenChip driven by hand."""
    images = build_images()
    e = GoldenEngine(SMALL)
    e.load_images(images)
    ref = GoldenChip(SMALL)
    for tile, mems in images.items():
        for mem, words in mems.items():
            for a, w in enumerate(words.tolist()):
                ref.write(*tile, int(mem.value), a, w)
    total = 0
    for t in range(1, 9):
        inp = host_inputs(SMALL, t)
        for w in inp.tolist():
            pk = packet.decode(w)
            ref.inject(pk.dst.x, pk.dst.y, [pk.axon], pk.payload, pk.step)
        want = ref.step()
        r = e.step(t, inp)
        assert isinstance(r, StepResult) and r.t == t and r.cycles is None
        assert r.host_axon.tolist() == want.axon.tolist()
        assert r.host_payload.tolist() == want.payload.tolist()
        total += len(r.host_axon)
    assert total > 20            # the network is active
    snap = snapshot(e, SMALL)
    assert all(s["counters"][0] == 8 for s in snap.values())
    assert sum(s["counters"][1] for s in snap.values()) > 100   # synaptic events


def test_bad_inputs_are_refused():
    e = GoldenEngine(SMALL)
    w = packet.Write(packet.Dest(0, 0), int(Mem.STATE.value), 0, 1).encode()
    with pytest.raises(ValueError, match="not a tile-bound SPIKE"):
        e.step(1, np.array([w], np.uint64))
    off = packet.Spike(packet.Dest(3, 0), 1).encode()
    with pytest.raises(ValueError, match="outside"):
        e.step(1, np.array([off], np.uint64))
    e.step(1, np.zeros(0, np.uint64))
    with pytest.raises(ValueError, match="in order"):
        e.step(3, np.zeros(0, np.uint64))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batched_steps_equal_steps_one_by_one(seed):
    """`run_steps` (every step's host input decoded at once, one delivery
    per step for all tiles) == `step` called step by step: host-bound
    spikes, counters, STATUS and state of every tile, with random input
    flits to every tile, some steps without input, some flits naming an
    axon out of range (BAD_AXON on that tile)."""
    images = build_images()
    batched, single = GoldenEngine(SMALL), GoldenEngine(SMALL)
    for e in (batched, single):
        e.load_images(images)
    rng = np.random.default_rng(seed)
    inputs = []
    for t in range(1, 13):
        inp = host_inputs(SMALL, t, seed=seed, n=int(rng.integers(0, 12)))
        if t % 5 == 0:                  # an axon past the axon memory on a random tile
            x, y = (int(v) for v in rng.integers(0, 2, 2))
            bad = packet.Spike(packet.Dest(x, y), SMALL.n_axons + 1, 1, (t - 1) % 256)
            inp = np.concatenate([inp, [bad.encode()]]).astype(np.uint64)
        inputs.append(inp)
    tiles = list(SMALL.tiles())
    got = batched.run_steps(1, inputs, tiles, tiles)
    assert len(got.results) >= 4, f"seed {seed}"
    for j, r in enumerate(got.results):
        want = single.step(j + 1, inputs[j])
        assert r.host_axon.tolist() == want.host_axon.tolist(), f"seed {seed} step {j + 1}"
        assert r.host_payload.tolist() == want.host_payload.tolist(), f"seed {seed} step {j + 1}"
        assert got.counters[j].tolist() == single.read_counters(tiles).tolist(), \
            f"seed {seed} step {j + 1}"
    assert snapshot(batched, SMALL) == snapshot(single, SMALL), f"seed {seed}"
    assert got.status[-1].any(), f"seed {seed}: the bad axon left no error flag"
