"""Fault injection through the RTL engines' public `inject` / `step_injecting`
(docs/engines.md): garbage is refused or flagged and changes nothing; the
fuzzer's harm check (bench/fuzz_inject.py) reports a packet that is real
input (a WRITE to a live word, a spike to a live axon), so a harmful packet
cannot go unnoticed; the garbage generator draws only garbage."""
import importlib.util
import pathlib
import sys

import numpy as np
import pytest

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _bench(name):
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(f"kilauea_bench_{name}", ROOT / "bench" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fz():
    return _bench("fuzz")


@pytest.fixture(scope="module")
def fi():
    return _bench("fuzz_inject")


@pytest.fixture(scope="module")
def net1(fz, fi):
    """A seeded random network compiled for the 1 x 1 shape, with live axons."""
    for seed in range(1, 60, 3):
        net = fz.random_net(seed, 6, extreme=False)
        cn, _ = fz.compile_for(net, fz.chip_params((1, 1)))
        if cn is not None and len(fi.live_axons(cn.images, (0, 0))):
            return net, cn
    raise AssertionError("no network with live axons")


def test_garbage_is_refused_or_flagged_and_steps_agree(fz, net1):
    from kilauea.sim.engines import make_engine
    net, cn = net1
    hv = fz.host_values(net)
    bad_kind = 7 | (3 << 20)
    off_mesh = packet.Spike(packet.Dest(5, 0), axon=1, payload=1, step=0).encode()
    with make_engine(fz.rtl_engine(), cn.params) as a, make_engine(fz.rtl_engine(), cn.params) as b:
        a.load_images(cn.images)
        b.load_images(cn.images)
        ans = a.inject([bad_kind], delay=7)
        assert [packet.decode(int(f)).op for f in ans] == [packet.CtrlOp.STATUS]
        for t in range(1, 4):
            inputs = np.concatenate([hi.flits(t, hv(hi, t)) for hi in cn.inputs])
            ra = a.step(t, inputs)
            rb, other = b.step_injecting(t, inputs, [off_mesh], position=t - 1, delay=t)
            assert sorted(zip(ra.host_axon, ra.host_payload)) == sorted(zip(rb.host_axon,
                                                                           rb.host_payload))
            assert len(other) == 1        # the refusal notice
        for mem in (Mem.STATE, Mem.ACCUM):
            n = 256
            assert (a.read_words((0, 0), mem, np.arange(n)) ==
                    b.read_words((0, 0), mem, np.arange(n))).all()


def test_harm_check_catches_real_input(fz, fi, net1):
    """Break it on purpose: well-formed WRITEs are input, not garbage; the
    harm check must see them (a STATE word, seen before the step rewrites
    it; a live axon's table entry, between or among a step's flits)."""
    net, cn = net1
    axon = int(fi.live_axons(cn.images, (0, 0))[0])
    writes = [(packet.Write(packet.Dest(0, 0), mem=Mem.STATE, addr=0, data=12345).encode(), False),
              (packet.Write(packet.Dest(0, 0), mem=Mem.AXON, addr=axon, data=0).encode(), False),
              (packet.Write(packet.Dest(0, 0), mem=Mem.AXON, addr=axon, data=0).encode(), True)]
    for word, during in writes:
        assert not fi.is_garbage(word, cn.params, {(0, 0): fi.live_axons(cn.images, (0, 0))})
        shot = fi.Shot(word, "real input", 2, during, 0, 3)
        assert fi.rerun_inject(cn, fz.rtl_engine(), 4, fz.host_values(net), shot) is not None


def test_generator_draws_only_garbage(fi, net1):
    _, cn = net1
    live = {t: fi.live_axons(cn.images, t) for t in cn.params.tiles()}
    rng = np.random.default_rng(11)
    shots = fi.draw_shots(rng, cn.params, cn.images, 6, 400)
    assert {s.category for s in shots} == set(fi.CATEGORIES)
    assert all(fi.is_garbage(s.flit, cn.params, live) for s in shots)
    axon = int(live[(0, 0)][0])
    spike = packet.Spike(packet.Dest(0, 0), axon=axon, payload=1, step=9).encode()
    step = packet.Ctrl(packet.HOST, packet.CtrlOp.STEP, arg=3).encode()
    assert not fi.is_garbage(spike, cn.params, live)       # input for another step
    assert not fi.is_garbage(step, cn.params, live)
