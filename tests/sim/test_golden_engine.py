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
