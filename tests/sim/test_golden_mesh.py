"""The golden chip's mesh-wide delivery (`MeshStore.deliver`: event gathers,
or rows of a dense weight matrix for busy batches) against the
per-event reference `kilauea.sim.golden.delivery.deliver`, tile by tile:
random tables with bad axons and synapses, graded payloads, several step
fields per batch, accumulators near the 32-bit limits (wrap)."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.params import ChipParams
from kilauea.hw.words import to_s32
from kilauea.sim.golden.chip import GoldenChip
from kilauea.sim.golden import synapses
from kilauea.sim.golden.delivery import deliver

P = ChipParams(mesh_w=3, mesh_h=2, n_compartments=12, n_synapses=512, n_axons=40,
               n_fanout=16, n_ucode=16, n_profiles=2, n_delay_slots=8, n_acc_groups=2)


def random_tables(rng, p: ChipParams, w_bits: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """AXON and SYNAPSE images: random spans (some past the synapse memory),
    synapse fields over their whole bit range (some out of range; weights
    of `w_bits` bits if given)."""
    base = rng.integers(0, p.n_synapses, p.n_axons)
    count = rng.integers(0, 40, p.n_axons)
    axon = cm.pack_axon(base, count, rng.integers(0, 2, p.n_axons))
    lay = cm.synapse_layout(p)
    w_bits = w_bits or lay.size - p.acc_row_bits - p.slot_bits
    syn = cm.pack_synapse(p, rng.integers(0, 1 << p.acc_row_bits, p.n_synapses),
                          rng.integers(-(1 << (w_bits - 1)), 1 << (w_bits - 1), p.n_synapses),
                          rng.integers(0, 1 << p.slot_bits, p.n_synapses))
    return axon, syn


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("n_packets", [3, 40, 400])
@pytest.mark.parametrize("way", ["events", "dense", "dense32"])
def test_mesh_delivery_equals_per_event_reference(seed, n_packets, way, monkeypatch):
    """dense: a float64 matrix (forced); dense32: small weights and payloads,
    a float32 matrix within its exactness bound."""
    print(f"seed {seed}, {n_packets} packets, {way}")
    rng = np.random.default_rng([seed, n_packets])
    if way != "events":                 # any batch, any fill
        monkeypatch.setattr(synapses, "DENSE_MIN_EVENTS", 0)
        monkeypatch.setattr(synapses, "DENSE_MAX_FILL", 10**9)
        if way == "dense":
            monkeypatch.setattr(synapses, "_EXACT32", 0)
    else:
        monkeypatch.setattr(synapses, "DENSE_MIN_EVENTS", 10**9)
    chip = GoldenChip(P)
    st = chip.store
    tabs = {}
    for tile in P.tiles():
        tabs[tile] = random_tables(rng, P, 8 if way == "dense32" else None)
        chip.load(*tile, Mem.AXON, tabs[tile][0])
        chip.load(*tile, Mem.SYNAPSE, tabs[tile][1])
    start = rng.choice([0, 5, -7, 2**31 - 3, -2**31 + 2], st.acc.shape)
    st.acc[...] = start
    ti = rng.integers(0, len(P.tiles()), n_packets)
    axon = rng.integers(0, P.n_axons + 4, n_packets)             # some out of range
    big = {"events": 1 << 23, "dense": 1 << 8, "dense32": 2}[way]  # within the exactness bound
    pay = rng.integers(-big, big, n_packets)
    step = rng.choice([7, 8, 255], n_packets)
    errs = st.deliver(ti, axon, pay, step)
    assert st.last_way == ("events" if way == "events" else "dense")
    if way != "events":
        assert st.tables.synapses.dense.matrix.dtype == (np.float32 if way == "dense32"
                                                         else np.float64)
    for i, tile in enumerate(P.tiles()):
        sel = ti == i
        d = deliver(P, *tabs[tile], axon[sel], pay[sel], step[sel])
        ref = start[i].copy()
        np.add.at(ref, d.index, d.delta)
        assert np.array_equal(st.acc[i], to_s32(ref)), f"seed {seed} tile {tile}"
        c = st.counters[i]
        assert c[cm.Counter.PACKETS_IN] == sel.sum()
        assert c[cm.Counter.SYN_EVENTS] == len(d)
        assert errs[cm.ErrorFlag.BAD_AXON][i] == d.bad_axons
        assert errs[cm.ErrorFlag.BAD_SYNAPSE][i] == d.bad_synapses


def test_dense_way_only_where_exact(monkeypatch):
    """Payload sums whose float32 / float64 sums could lose bits go event by event."""
    monkeypatch.setattr(synapses, "DENSE_MIN_EVENTS", 0)
    monkeypatch.setattr(synapses, "DENSE_MAX_FILL", 10**9)
    p = P.with_(mesh_w=1, mesh_h=1)
    chip = GoldenChip(p)
    w_max = (1 << 15) - 1
    chip.load(0, 0, Mem.AXON, cm.pack_axon([0], [1], [1]))
    chip.load(0, 0, Mem.SYNAPSE, cm.pack_synapse(p, [0], [w_max]))
    big = np.full(1 << 16, (1 << 23) - 1)       # w_max * sum|payload| >= 2**53
    chip.store.deliver(0, np.zeros(len(big), np.int64), big, 0)
    assert chip.store.last_way == "events"
    want = to_s32(w_max * int(big.sum()))
    assert chip.tile(0, 0).acc[1, 0] == want
    chip.store.deliver(0, [0, 0], [5, -2], 0)
    assert chip.store.last_way == "dense"
    want = to_s32(want + 3 * w_max)
    assert chip.tile(0, 0).acc[1, 0] == want
    assert chip.store.tables.synapses.dense.matrix.dtype == np.float32
    mid = np.full(64, (1 << 12) + 1)            # w_max * sum|payload| >= 2**24 (float32's bound)
    chip.store.deliver(0, np.zeros(len(mid), np.int64), mid, 0)
    assert chip.store.last_way == "events"
    assert chip.tile(0, 0).acc[1, 0] == to_s32(want + w_max * int(mid.sum()))
