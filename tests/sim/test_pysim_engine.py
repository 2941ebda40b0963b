"""PysimEngine: the chip RTL in Amaranth's simulator, driven through the host
port only, against the golden model (same spikes, state words, counters)."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.sim.engine import ChipHangError
from kilauea.sim.engines import GoldenEngine, make_engine
from kilauea.sim.engines.pysim import PysimEngine

from sim_chip_images import MIXED, SMALL, build_images, host_inputs, snapshot

SEED = 1
ONE = SMALL.with_(mesh_w=1, mesh_h=1)      # the lighter tests run on one tile
ROW = SMALL.with_(mesh_w=2, mesh_h=1)


def trimmed(images):
    """The images without their trailing zero words (a fresh chip holds zeros)."""
    return {tile: {mem: np.trim_zeros(np.asarray(w), "b") for mem, w in mems.items()}
            for tile, mems in images.items()}


def spikes(r):
    return sorted(zip(r.host_axon.tolist(), r.host_payload.tolist()))


def test_pysim_equals_golden_model():
    images = build_images(SMALL, SEED)
    gold = GoldenEngine(SMALL)
    gold.load_images(images)
    with PysimEngine(SMALL) as rtl:
        rtl.load_images(images)
        n_host = 0
        for t in range(1, 5):
            inp = host_inputs(SMALL, t, SEED)
            r, g = rtl.step(t, inp), gold.step(t, inp)
            assert spikes(r) == spikes(g), f"seed {SEED} step {t}"
            assert r.cycles is not None and r.cycles > 3 * 12     # 12 neuron updates per core at least
            n_host += len(g.host_axon)
            if t in (2, 4):
                assert snapshot(rtl, SMALL) == snapshot(gold, SMALL), f"seed {SEED} step {t}"
                # the step took at least as long as the busiest core was busy
                busy = [int(rtl.read_words(tile, Mem.COUNTERS, [cm.Counter.CYCLES])[0])
                        for tile in SMALL.tiles()]
                assert r.cycles >= max(busy) > 0
        assert n_host >= 5                   # host-bound spikes were compared
        snap = snapshot(gold, SMALL)
        assert sum(s["counters"][1] for s in snap.values()) > 50      # synaptic events
        assert rtl.io_cycles > 0


def test_pysim_equals_golden_model_graded_two_groups():
    """Two profiles per core (LIFRefractory, graded ReLU), two accumulator groups
    with their own weight exponents, graded axons and payloads, 8 delay slots."""
    params, seed = MIXED.with_(mesh_w=2, mesh_h=1), 3
    images = build_images(params, seed, mixed=True)
    gold = GoldenEngine(params)
    gold.load_images(images)
    graded = 0
    with PysimEngine(params) as rtl:
        rtl.load_images(images)
        for t in range(1, 6):
            inp = host_inputs(params, t, seed)
            r, g = rtl.step(t, inp), gold.step(t, inp)
            assert spikes(r) == spikes(g), f"seed {seed} step {t}"
            graded += int((g.host_payload > 1).sum())
        assert snapshot(rtl, params) == snapshot(gold, params), f"seed {seed}"
    assert graded > 0


def test_backdoor_equals_packets():
    images = trimmed(build_images(ROW, 2))
    # signed accumulators (negative, extreme) and a word wider than FANOUT's 25 bits
    images[(0, 0)][Mem.ACCUM] = np.array([5, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF], np.uint32)
    images[(1, 0)][Mem.ACCUM] = np.array([0, 0xFFFFFF00, 17], np.uint32)
    tile = (1, 0)
    with PysimEngine(ROW, backdoor=True) as a, PysimEngine(ROW, backdoor=False) as b:
        a.load_images(images)
        b.load_images(images)
        assert b.io_cycles >= sum(len(w) for m in images.values() for w in m.values())
        rng = np.random.default_rng(2)
        for mem in (Mem.CONFIG, Mem.AXON, Mem.SYNAPSE, Mem.FANOUT_INDEX, Mem.FANOUT, Mem.UCODE,
                    Mem.PROFILE, Mem.PARAM, Mem.STATE, Mem.ACCUM):
            n = len(images[tile][mem])
            if not n:
                continue
            at = np.unique(np.concatenate([[0, n - 1], rng.integers(0, n, 10)]))
            want = images[tile][mem].astype(np.int64)[at].tolist()
            assert a.read_words(tile, mem, at).tolist() == want, mem
            assert b.read_words(tile, mem, at).tolist() == want, mem
        for t in range(1, 3):
            inp = host_inputs(ROW, t, 2)
            ra, rb = a.step(t, inp), b.step(t, inp)
            assert ra.host_axon.tolist() == rb.host_axon.tolist()
            assert ra.host_payload.tolist() == rb.host_payload.tolist()
            assert ra.cycles == rb.cycles
        assert snapshot(a, ROW) == snapshot(b, ROW)


def test_write_read_round_trip():
    rng = np.random.default_rng(5)
    with PysimEngine(SMALL) as e:
        gold = GoldenEngine(SMALL)
        words = rng.integers(0, 1 << 32, 20, dtype=np.int64)
        addrs = rng.permutation(SMALL.n_synapses)[:20]
        for eng in (e, gold):
            eng.write_words((1, 0), Mem.SYNAPSE, addrs, words)
            eng.write_words((0, 1), Mem.STATE, 3, words[:5])
        # more reads than the host port's cap of outstanding reads, out of order
        assert SMALL.max_host_reads < 20
        assert e.read_words((1, 0), Mem.SYNAPSE, addrs[::-1]).tolist() == words[::-1].tolist()
        assert e.read_words((0, 1), Mem.STATE, np.arange(2, 9)).tolist() == \
            gold.read_words((0, 1), Mem.STATE, np.arange(2, 9)).tolist()
        assert e.read_words((1, 1), Mem.CONFIG, [cm.Config.TILE]).tolist() == [1 | 1 << 4]
        # a write to a read-only word: refused with the same STATUS as the model
        for eng in (e, gold):
            eng.write_words((1, 1), Mem.CONFIG, cm.Config.TILE, [7])
        assert e.read_words((1, 1), Mem.STATUS, [0, 1]).tolist() == \
            gold.read_words((1, 1), Mem.STATUS, [0, 1]).tolist() == [1 << cm.ErrorFlag.BAD_MEM, 1]
        assert e.io_cycles > 40


def test_hang_when_step_exceeds_bound():
    with PysimEngine(ONE, max_cycles=30) as e:
        e.load_images(build_images(ONE, SEED))
        with pytest.raises(ChipHangError) as info:
            e.step(1, host_inputs(ONE, 1, SEED))
    err = info.value
    assert err.step == 1
    assert err.busy_tiles                      # cores still running their neuron phase
    assert "step 1 did not complete within 30 cycles" in str(err)
    assert "core busy" in str(err)


def test_hang_when_host_stops_taking_packets():
    with PysimEngine(ONE, max_cycles=2000) as e:
        e.load_images(build_images(ONE, SEED))
        gold = GoldenEngine(ONE)
        gold.load_images(build_images(ONE, SEED))
        t = 0
        while True:                            # run to a step with host-bound spikes
            t += 1
            if len(gold.step(t, host_inputs(ONE, t, SEED)).host_axon):
                break
            e.step(t, host_inputs(ONE, t, SEED))
        e.hold_host_out()
        with pytest.raises(ChipHangError) as info:
            e.step(t, host_inputs(ONE, t, SEED))
    err = info.value
    assert err.step == t
    where = [w for w, _ in err.queued]
    assert "host port output" in where
    flits = dict(err.queued)["host port output"]
    assert any(isinstance(f, packet.Spike) and f.dst.host for f in flits)
    assert "host port output" in str(err)


def test_hang_of_a_read_names_the_queued_answer():
    with PysimEngine(ONE, max_cycles=100) as e:
        e.write_words((0, 0), Mem.SYNAPSE, 0, [11, 12])
        e.hold_host_out()
        with pytest.raises(ChipHangError) as info:
            e.read_words((0, 0), Mem.SYNAPSE, [0, 1])
        assert "read after step 0" in str(info.value)
        flits = dict(info.value.queued)["host port output"]
        assert [f.data for f in flits if isinstance(f, packet.ReadResp)] == [11, 12]
        e.hold_host_out(False)


def test_vcd_written(tmp_path):
    path = tmp_path / "run.vcd"
    images = build_images(ONE, SEED)
    with PysimEngine(ONE, trace=path, trace_steps=(2, 2)) as e:
        e.load_images(images)
        c = [e.step(t, host_inputs(ONE, t, SEED)).cycles for t in (1, 2, 3)]
    text = path.read_text()
    assert "$enddefinitions" in text and "host_in" in text
    times = [int(line[1:]) for line in text.splitlines() if line.startswith("#")]
    span = (max(times) - min(times)) / 1e9        # fs -> clock periods of 1 us
    assert c[1] <= span <= c[1] + 4
    assert not (tmp_path / "run.vcd.full").exists()
    # without a step range: every cycle simulated
    full = tmp_path / "all.vcd"
    with PysimEngine(ONE, trace=full) as e:
        e.step(1, host_inputs(ONE, 1, SEED))
        total = e.total_cycles
    times = [int(line[1:]) for line in full.read_text().splitlines() if line.startswith("#")]
    assert total - 1 <= max(times) / 1e9 <= total + 1


def test_make_engine_pysim_and_auto(capsys, monkeypatch):
    import kilauea.sim.engines as engines
    assert isinstance(make_engine("pysim", ONE, max_cycles=100), PysimEngine)
    # "auto" without a usable compiled engine: pysim, with a one-line notice
    monkeypatch.setattr(engines, "compiled_available", lambda: (False, "no C++ compiler found"))
    assert isinstance(make_engine("auto", ONE), PysimEngine)
    err = capsys.readouterr().err
    assert "no C++ compiler found" in err and "pysim" in err and err.count("\n") == 1
    monkeypatch.setattr(engines, "_compiled_class", lambda: 'engine "compiled" is not built yet')
    with pytest.raises(NotImplementedError, match="not built yet"):
        make_engine("compiled", ONE)
