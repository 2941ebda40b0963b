"""The compiled engine on the chip (kilauea.hw.chip.Chip, SMALL 2 x 2):
identical spikes (in arrival order), cycle counts, state words, counters and
read results to the Amaranth-simulator engine, and identical spikes, state
words and event counters to the golden model, on random seeded images."""
import numpy as np
import pytest

from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.sim.engines import GoldenEngine, make_engine
from kilauea.sim.engines.compiled import CompiledEngine
from kilauea.sim.engines.pysim import PysimEngine

from sim_chip_images import CXX_SMALL, SMALL, build_images, host_inputs, snapshot


def trimmed(images):
    return {tile: {mem: np.trim_zeros(np.asarray(w), "b") for mem, w in mems.items()}
            for tile, mems in images.items()}


def spikes(r):
    return sorted(zip(r.host_axon.tolist(), r.host_payload.tolist()))


def exact(r):
    return r.t, r.cycles, r.host_axon.tolist(), r.host_payload.tolist()


def test_compiled_equals_pysim_and_golden(chip_model):
    seed = 4
    images = trimmed(build_images(SMALL, seed))
    gold = GoldenEngine(SMALL)
    gold.load_images(images)
    with CompiledEngine(SMALL) as ce, PysimEngine(SMALL, backdoor=False) as pe:
        ce.load_images(images)
        pe.load_images(images)
        assert ce.io_cycles == pe.io_cycles > 0
        n_host = 0
        for t in range(1, 5):
            inp = host_inputs(SMALL, t, seed)
            c, p, g = ce.step(t, inp), pe.step(t, inp), gold.step(t, inp)
            assert exact(c) == exact(p), f"seed {seed} step {t}"
            assert spikes(c) == spikes(g), f"seed {seed} step {t}"
            n_host += len(c.host_axon)
            if t in (2, 4):
                snap = snapshot(ce, SMALL)
                assert snap == snapshot(pe, SMALL), f"seed {seed} step {t}"
                assert snap == snapshot(gold, SMALL), f"seed {seed} step {t}"
                busy = [ce.read_words(tile, Mem.COUNTERS, [cm.Counter.CYCLES]).tolist()
                        for tile in SMALL.tiles()]
                assert busy == [pe.read_words(tile, Mem.COUNTERS, [cm.Counter.CYCLES]).tolist()
                                for tile in SMALL.tiles()]
        assert ce.io_cycles == pe.io_cycles
    assert n_host >= 5
    assert sum(s["counters"][1] for s in snap.values()) >= 20     # synaptic events (last step)


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_compiled_equals_golden_longer(chip_model, seed):
    """Longer random runs against the golden model only (pysim is too slow)."""
    images = trimmed(build_images(SMALL, seed, n_neurons=16, syn_per_axon=6))
    gold = GoldenEngine(SMALL)
    gold.load_images(images)
    with CompiledEngine(SMALL) as ce:
        ce.load_images(images)
        for t in range(1, 31):
            inp = host_inputs(SMALL, t, seed, n=10)
            c, g = ce.step(t, inp), gold.step(t, inp)
            assert spikes(c) == spikes(g), f"seed {seed} step {t}"
        assert snapshot(ce, SMALL, 16) == snapshot(gold, SMALL, 16), f"seed {seed}"


def test_backdoor_equals_packets(cxxrtl_chip_model):
    """CXXRTL's backdoor against packet loads on the default back end
    (CXX_SMALL: the CXXRTL tests' chip)."""
    seed = 5
    images = trimmed(build_images(CXX_SMALL, seed))
    with CompiledEngine(CXX_SMALL) as a, \
            CompiledEngine(CXX_SMALL, backdoor=True, backend="cxxrtl") as b:
        a.load_images(images)
        b.load_images(images)
        for t in range(1, 4):
            inp = host_inputs(CXX_SMALL, t, seed)
            assert exact(a.step(t, inp)) == exact(b.step(t, inp)), f"step {t}"
        assert snapshot(a, CXX_SMALL) == snapshot(b, CXX_SMALL)
        for tile in CXX_SMALL.tiles():
            for mem, words in images[tile].items():
                if mem in (Mem.CONFIG, Mem.STATE) or not len(words):
                    continue
                assert (b.read_words(tile, mem, np.arange(len(words)))
                        == a.read_words(tile, mem, np.arange(len(words)))).all(), (tile, mem)


def test_make_engine_compiled(chip_model):
    with make_engine("compiled", SMALL) as e:
        assert isinstance(e, CompiledEngine) and e.cycle_accurate
        r = e.step(1, None)
        assert r.cycles > 0 and len(r.host_axon) == 0
        with pytest.raises(ValueError, match="steps run in order"):
            e.step(3, None)
        with pytest.raises(ValueError, match="outside"):
            e.read_words((2, 0), Mem.STATE, [0])


def test_step_flit():
    from kilauea.hw import packet
    from kilauea.sim.engines.compiled import step_flit
    for t in (1, 2, 255, 256, 70000, 2**32 - 1):
        assert step_flit(t) == packet.Ctrl(packet.HOST, packet.CtrlOp.STEP, arg=t).encode()
    with pytest.raises(ValueError):
        step_flit(2**32)
