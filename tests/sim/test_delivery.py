"""The one synaptic-delivery function (sim/golden/delivery.py) against a
per-event Python reference, and the golden tile using it."""
import numpy as np

from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.params import ChipParams
from kilauea.sim.golden.chip import GoldenTile, MicrocodeNeuronModel
from kilauea.sim.golden.delivery import deliver


def _tables(p, rng, n_axons=6, per_axon=5):
    syn_r = rng.integers(0, p.acc_rows, n_axons * per_axon)
    syn_w = rng.integers(-100, 100, n_axons * per_axon)
    syn_d = rng.integers(0, p.max_delay + 1, n_axons * per_axon)
    syn = cm.pack_synapse(p, syn_r, syn_w, syn_d)
    graded = rng.integers(0, 2, n_axons)
    ax = cm.pack_axon(np.arange(n_axons) * per_axon, np.full(n_axons, per_axon), graded)
    return ax, syn, (syn_r, syn_w, syn_d), graded


def test_deliver_matches_per_event_reference():
    p = ChipParams()
    rng = np.random.default_rng(3)
    ax, syn, (r, w, d), graded = _tables(p, rng)
    axon = rng.integers(0, 6, 40)
    pay = rng.integers(1, 1 << 20, 40)
    step = rng.integers(0, 256, 40)
    got = np.zeros((p.n_delay_slots, 1 << p.acc_row_bits), np.int64)
    dl = deliver(p, ax, syn, axon, pay, step)
    np.add.at(got, dl.index, dl.delta)
    ref = np.zeros_like(got)
    for a, py, s in zip(axon, pay, step):
        for i in range(a * 5, a * 5 + 5):
            ref[(s + 1 + d[i]) % p.n_delay_slots, r[i]] += w[i] * (py if graded[a] else 1)
    assert np.array_equal(got, ref)
    assert dl.bad_axons == 0 and dl.bad_synapses == 0


def test_bad_axons_are_dropped_and_counted():
    p = ChipParams()
    rng = np.random.default_rng(4)
    ax, syn, _, _ = _tables(p, rng)
    dl = deliver(p, ax, syn, [0, p.n_axons + 3, 1], 1, 0)
    assert dl.bad_axons == 1 and len(dl) == 10


def test_golden_tile_receive_uses_it():
    p = ChipParams()
    rng = np.random.default_rng(5)
    ax, syn, _, _ = _tables(p, rng)
    tile = GoldenTile(p, 0, 0, MicrocodeNeuronModel(p))
    tile.load(Mem.AXON, ax)
    tile.load(Mem.SYNAPSE, syn)
    axon, pay, step = rng.integers(0, 6, 20), rng.integers(1, 99, 20), rng.integers(0, 256, 20)
    tile.receive(axon, pay, step)
    ref = np.zeros_like(tile.acc)
    dl = deliver(p, tile.mems[Mem.AXON], tile.mems[Mem.SYNAPSE], axon, pay, step)
    np.add.at(ref, dl.index, dl.delta)
    assert np.array_equal(tile.acc, ref)
    assert tile.counters[cm.Counter.SYN_EVENTS] == len(dl)
