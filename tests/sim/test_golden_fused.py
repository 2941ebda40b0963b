"""The golden chip's pre-summed fan-out + delivery (`kilauea.sim.golden.fused`)
against its packet-by-packet way, and the invalidation of the pre-summed
rows when the host rewrites the routing memories.

Random chips (`sim_chip_images`: fan-out to other tiles and the host,
delays, graded axons, graded-ReLU payloads in the mixed images, host input
every step), some with bad fan-out entries, bad axons and bad synapses on
the way of some compartments (those steps go packet by packet): every step
the host-bound spikes, and every accumulator, STATE word, counter, error
flag and count of every tile equal the run with the pre-summed way off.
After WRITE packets, backdoor loads or the engine's `write_words` to
SYNAPSE / AXON / FANOUT_INDEX / FANOUT mid-run, the chip goes on exactly as
a fresh chip loaded with the new memories and the same state; and through
the Lava API, Dense weights set between runs change the chip as they change
the CPU model."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import ChipCfg, CpuSimCfg, Dense, LIF, RunSteps
from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.proc.io.sink import RingBuffer as Sink
from kilauea.sim.golden import fused
from kilauea.sim.golden.chip import GoldenChip
from kilauea.sim.golden.mesh import MeshStore

from sim_chip_images import MIXED, SMALL, build_images, host_inputs

STEPS = 24


def _load(chip: GoldenChip, images) -> None:
    for tile, mems in images.items():
        for mem, words in mems.items():
            chip.load(*tile, mem, words)


def _inject(chip: GoldenChip, t: int, seed: int) -> None:
    for w in host_inputs(chip.params, t, seed).tolist():
        pk = packet.decode(w)
        chip.inject(pk.dst.x, pk.dst.y, [pk.axon], pk.payload, pk.step)


def _state(chip: GoldenChip) -> dict:
    st = chip.store
    return {"acc": st.acc.copy(), "state": st.mems[Mem.STATE].copy(),
            "counters": st.counters.copy(),
            "status": [(t.flags, t.errors) for t in chip.tiles.values()]}


def _assert_same(a: dict, b: dict, what: str) -> None:
    for k in a:
        np.testing.assert_array_equal(np.asarray(a[k]), np.asarray(b[k]), err_msg=f"{what}: {k}")


def _corrupt(images, rng, p) -> None:
    """Bad words on the way of some compartments: a fan-out entry off the
    mesh, an axon past the axon memory, synapses with a delay past the
    longest or (where the row field has room) a row past the last, an axon
    whose span leaves the synapse memory."""
    tiles = list(images)
    m = images[tiles[0]]
    m[Mem.FANOUT][int(rng.integers(0, 4))] = cm.pack_fanout(1, p.mesh_w, 0, 0)
    m = images[tiles[1]]
    m[Mem.FANOUT][int(rng.integers(0, 4))] = cm.pack_fanout(p.n_axons + 1, 0, 0, 0)
    m = images[tiles[2]]
    m[Mem.SYNAPSE][int(rng.integers(0, 20))] = cm.pack_synapse(p, 0, 5, (1 << p.slot_bits) - 1)
    if p.acc_rows < 1 << p.acc_row_bits:
        m[Mem.SYNAPSE][int(rng.integers(20, 40))] = cm.pack_synapse(p, p.acc_rows, 7, 0)
    m = images[tiles[3]]
    m[Mem.AXON][int(rng.integers(0, 4))] = cm.pack_axon(p.n_synapses - 2, 5, 0)


def _one_host_entry(images, p) -> None:
    """Fan-out rows with several host-bound entries: all but the first sent
    to tile (0, 0) instead (every row then has at most one: the pre-summed
    rows keep their host entry in one array, `FusedRows.host_first`)."""
    for m in images.values():
        idx = cm.unpack_fanout_index(m[Mem.FANOUT_INDEX])
        fo = cm.unpack_fanout(m[Mem.FANOUT])
        for base, count in zip(idx["base"].tolist(), idx["count"].tolist()):
            ent = [e for e in range(base, base + count) if fo["host"][e]]
            for e in ent[1:]:
                m[Mem.FANOUT][e] = cm.pack_fanout(int(fo["axon"][e]) % p.n_axons, 0, 0, 0)


def _run(images, seed: int, way: str, monkeypatch) -> tuple[list, list, list]:
    """(host spikes per step, state per step, ways taken) with the
    pre-summed way forced ("fused") or off ("packets")."""
    with monkeypatch.context() as mp:
        if way == "fused":
            mp.setattr(fused, "FUSED_MAX_FILL", 10**9)
        else:
            mp.setattr(MeshStore, "fused_rows", lambda self: None)
        chip = GoldenChip(images["params"])
        _load(chip, images["mems"])
        out, states, ways = [], [], []
        for t in range(1, STEPS + 1):
            _inject(chip, t, seed)
            chip.store.last_way = ""
            hs = chip.step()
            out.append((hs.x.tolist(), hs.y.tolist(), hs.axon.tolist(), hs.payload.tolist(),
                        hs.step.tolist()))
            states.append(_state(chip))
            ways.append(chip.store.last_way)
    return out, states, ways


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("params", [SMALL, MIXED], ids=["lif", "mixed"])
@pytest.mark.parametrize("bad", [False, True], ids=["clean", "errors"])
@pytest.mark.parametrize("host", ["several", "one"])
def test_presummed_way_equals_packet_way(seed, params, bad, host, monkeypatch):
    """host: fan-out rows with several host entries, or at most one each."""
    print(f"seed {seed}, mixed {params is MIXED}, errors {bad}, host entries {host}")
    rng = np.random.default_rng(seed)
    mems = build_images(params, seed=seed, mixed=params is MIXED)
    if host == "one":
        _one_host_entry(mems, params)
    if bad:
        _corrupt(mems, rng, params)
    images = {"params": params, "mems": mems}
    want, want_states, _ = _run(images, seed, "packets", monkeypatch)
    got, got_states, ways = _run(images, seed, "fused", monkeypatch)
    assert sum(len(w[2]) for w in want) > 10            # spikes reach the host
    for t, (g, w, gs, ws) in enumerate(zip(got, want, got_states, want_states), 1):
        assert g == w, f"step {t}: host spikes differ"
        _assert_same(gs, ws, f"step {t}")
    assert "fused" in ways                              # the way under test was taken
    if bad:
        assert any(s["status"] != [(0, 0)] * 4 for s in want_states)   # errors were counted


def _rewrite(rng, p, images) -> list[tuple]:
    """New SYNAPSE weights, an AXON span, FANOUT_INDEX and FANOUT words:
    (tile, mem, addr, word) per write."""
    writes = []
    for tile, m in images.items():
        syn = cm.unpack_synapse(p, m[Mem.SYNAPSE])
        used = np.flatnonzero(m[Mem.SYNAPSE])[:40]
        w = rng.integers(-120, 120, len(used))
        new = cm.pack_synapse(p, syn["row"][used], w, syn["delay"][used])
        writes += [(tile, Mem.SYNAPSE, int(a), int(v)) for a, v in zip(used, new)]
        writes.append((tile, Mem.AXON, 3, int(cm.pack_axon(0, 12, 0))))
        fo = m[Mem.FANOUT]
        writes.append((tile, Mem.FANOUT, 0, int(cm.pack_fanout(7, 1, 1, 0))))
        writes.append((tile, Mem.FANOUT_INDEX, 1, int(cm.pack_fanout_index(0, 2))))
        assert fo[0] != cm.pack_fanout(7, 1, 1, 0)
    return writes


def _apply(chip: GoldenChip, writes, how: str, engine=None) -> None:
    for tile, mem, addr, word in writes:
        if how == "packet":
            chip.send(packet.Write(packet.Dest(*tile), int(mem.value), addr, word).encode())
        elif how == "load":
            chip.load(*tile, mem, [word], addr)
        else:
            engine.write_words(tile, mem, [addr], [word])


@pytest.mark.parametrize("how", ["packet", "load", "write_words"])
@pytest.mark.parametrize("seed", [5, 6])
def test_rewritten_routes_are_used_at_once(how, seed, monkeypatch):
    """Mid-run writes to the routing memories: the chip then runs as a fresh
    chip loaded with the new memories and the same STATE / accumulators."""
    from kilauea.sim.engines import GoldenEngine
    monkeypatch.setattr(fused, "FUSED_MAX_FILL", 10**9)
    print(f"seed {seed}, {how}")
    rng = np.random.default_rng(seed)
    p = SMALL
    mems = build_images(p, seed=seed)
    engine = GoldenEngine(p)
    engine.load_images(mems)
    chip = engine.chip
    for t in range(1, 9):
        _inject(chip, t, seed)
        chip.step()
    assert chip.store.last_way == "fused"
    writes = _rewrite(rng, p, mems)
    _apply(chip, writes, how, engine)
    fresh = GoldenChip(p)
    new = {tile: {m: w.copy() for m, w in ms.items()} for tile, ms in mems.items()}
    for tile, mem, addr, word in writes:
        new[tile][mem][addr] = word
    _load(fresh, new)
    fresh.store.mems[Mem.STATE][:] = chip.store.mems[Mem.STATE]
    fresh.store.acc[:] = chip.store.acc
    fresh.t = chip.t
    ways = []
    for t in range(9, 9 + STEPS):
        for c in (chip, fresh):
            _inject(c, t, seed)
        a, b = chip.step(), fresh.step()
        ways.append(chip.store.last_way)
        assert a.axon.tolist() == b.axon.tolist() and a.payload.tolist() == b.payload.tolist(), \
            f"step {t}: host spikes differ"
        _assert_same(_state(chip), _state(fresh), f"step {t}")
    assert "fused" in ways


def _lava_net(n: int, w: np.ndarray, steps: int):
    rng = np.random.default_rng(n)
    lif1 = LIF(shape=(n,), bias_mant=rng.integers(100, 131, n), du=410, dv=410, vth=1000,
               bias_exp=6)
    dense = Dense(weights=w)
    lif2 = LIF(shape=(n,), du=410, dv=410, vth=1000, bias_exp=6)
    sink = Sink(shape=(n,), buffer=steps)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    lif2.s_out.connect(sink.a_in)
    return lif1, dense, sink


@pytest.mark.parametrize("seed", [7])
def test_dense_weights_set_mid_run_as_on_the_cpu(seed):
    """LIF -> Dense -> LIF on the model engine: weights set between runs
    (the chip runtime rewrites SYNAPSE words in the running engine) change
    the spikes as they change the CPU model's."""
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    n, steps = 20, 60
    w0 = rng.integers(-128, 128, (n, n))
    w1 = rng.integers(-40, 128, (n, n))
    got = {}
    for name, cfg in (("cpu", CpuSimCfg(select_tag="fixed_pt")),
                      ("chip", ChipCfg(engine="model", mesh=(2, 2)))):
        lif1, dense, sink = _lava_net(n, w0, steps)
        try:
            lif1.run(condition=RunSteps(num_steps=steps // 2), run_cfg=cfg)
            dense.weights.set(w1)
            lif1.run(condition=RunSteps(num_steps=steps // 2), run_cfg=cfg)
            got[name] = sink.data.get()
        finally:
            lif1.stop()
    assert got["cpu"][:, steps // 2:].any()
    np.testing.assert_array_equal(got["chip"], got["cpu"])
