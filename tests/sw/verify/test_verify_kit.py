"""The parts of kilauea.verify that run without a simulator: the in-order
scoreboard (a bug it must catch for each rule), the golden oracles (the chip
oracle's expectations equal the golden engine's step output), the image
loader's WRITE flits, the coverage summary and the Icarus source fix-up."""
from __future__ import annotations

import random

import numpy as np
import pytest

from kilauea.hw import packet
from kilauea.hw.hostport import STATUS_REJECTED
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.packet import HOST, Ctrl, CtrlOp, Dest, Read, ReadResp, Spike
from kilauea.hw.params import ChipParams
from kilauea.sim.engines.golden import GoldenEngine
from kilauea.verify import ChipOracle, Coverage, Expected, InOrderScoreboard, TileOracle
from kilauea.verify.coverage import ERROR_FLAGS, MEMORIES, PACKETS_IN
from kilauea.verify.driver import image_flits
from kilauea.verify.runner import icarus_kick
from kilauea.verify.traffic import random_reads, random_spikes, readable_words

P = ChipParams(mesh_w=2, mesh_h=2, n_compartments=16, n_synapses=256, n_axons=32, n_fanout=64,
               n_ucode=64, n_profiles=4)


def _spike(src: int, n: int) -> int:
    return Spike(HOST, axon=src, payload=n + 1).encode()


def test_scoreboard_takes_interleaved_sources_in_order():
    sb = InOrderScoreboard()
    for n in range(3):
        for src in "ab":
            sb.expect("host", Expected(src, _spike(ord(src), n)))
    for w in [_spike(97, 0), _spike(98, 0), _spike(98, 1), _spike(97, 1), _spike(97, 2),
              _spike(98, 2)]:
        sb.got("host", w)
    sb.check()


@pytest.mark.parametrize("arrivals,what", [
    ([0, 2, 1], "unexpected"),          # reordered within one source
    ([0, 1], "never arrived"),          # lost
    ([0, 0, 1, 2], "unexpected"),       # duplicated
])
def test_scoreboard_catches_reorder_loss_and_duplicates(arrivals, what):
    sb = InOrderScoreboard()
    for n in range(3):
        sb.expect("host", Expected("a", _spike(1, n)))
    for n in arrivals:
        sb.got("host", _spike(1, n))
    with pytest.raises(AssertionError, match=what):
        sb.check()


def test_scoreboard_barrier_and_mask():
    sb = InOrderScoreboard()
    sb.expect("host", Expected("tile", _spike(1, 0)))
    done = Ctrl(HOST, CtrlOp.DONE, 1).encode()
    sb.expect("host", Expected("port", done, barrier=True))
    sb.got("host", done)                 # before the spike that was due first
    sb.got("host", _spike(1, 0))
    with pytest.raises(AssertionError, match="before"):
        sb.check()
    data = packet.field_span("body", "read_resp", "data")
    sb = InOrderScoreboard()
    want = ReadResp(HOST, 5, 1).encode()
    sb.expect("host", Expected("t", want, ~(((1 << data[1]) - 1) << data[0])))
    sb.got("host", ReadResp(HOST, 77, 1).encode())     # other data: masked
    sb.check()
    sb.expect("host", Expected("t", want))
    sb.got("host", ReadResp(HOST, 5, 2).encode())      # other tag: caught
    assert sb.errors


def _lif_images(rng: np.random.Generator) -> dict:
    """Random LIF tiles: the compiler's path for a small random network."""
    from kilauea import LIF, Dense, ChipCfg
    from kilauea.compiler import compile_network
    from kilauea.proc.io import sink, source
    from kilauea.runtime.builder import build_network

    src = source.RingBuffer(data=(rng.random((6, 12)) < 0.5).astype(np.int32))
    d1 = Dense(weights=rng.integers(0, 60, (20, 6)))
    l1 = LIF(shape=(20,), du=300, dv=300, vth=10, bias_mant=rng.integers(0, 20, 20))
    d2 = Dense(weights=rng.integers(-20, 80, (12, 20)))
    l2 = LIF(shape=(12,), du=500, dv=500, vth=15)
    src.s_out.connect(d1.s_in)
    d1.a_out.connect(l1.a_in)
    l1.s_out.connect(d2.s_in)
    d2.a_out.connect(l2.a_in)
    for lif in (l1, l2):
        lif.s_out.connect(sink.RingBuffer(shape=lif.s_out.shape, buffer=12).a_in)
    return compile_network(build_network(l2, ChipCfg(params=P)), P)


@pytest.mark.parametrize("seed", [0, 1])
def test_chip_oracle_expects_what_the_golden_engine_sends(seed):
    """Per step, the oracle's host-bound spikes (per tile, then DONE) are the
    golden engine's, in its order, on images loaded through WRITE flits."""
    cn = _lif_images(np.random.default_rng(seed))
    oracle, eng = ChipOracle(P), GoldenEngine(P)
    eng.load_images(cn.images)
    for w in image_flits(cn.images).tolist():
        assert oracle.send(w) == []
    n_spikes = 0
    for t in range(1, 13):
        ins = [hi.flits(t, np.asarray(hi.port.process.data.init)[..., (t - 1) % 12])
               for hi in cn.inputs]
        ins = np.concatenate(ins)
        res = eng.step(t, ins)
        for w in ins.tolist():
            assert oracle.send(w) == []
        exp = oracle.send(Ctrl(HOST, CtrlOp.STEP, t).encode())
        assert exp[-1].barrier and packet.decode(exp[-1].word) == Ctrl(HOST, CtrlOp.DONE, t)
        got = [packet.decode(e.word) for e in exp[:-1]]
        assert [(s.axon, s.payload) for s in got] == list(zip(res.host_axon.tolist(),
                                                               res.host_payload.tolist()))
        n_spikes += len(got)
    assert n_spikes > 10, f"seed {seed}: too few spikes to test anything"


def test_chip_oracle_rejections_and_masked_status():
    oracle = ChipOracle(P)
    [e] = oracle.send(Read(Dest(1, 0), Mem.STATE.value, 0, 3, reply=Dest(0, 0)).encode())
    busy_reads = STATUS_REJECTED | (2 << 8)          # timing bits differ: still a match
    assert e.matches(Ctrl(HOST, CtrlOp.STATUS, busy_reads).encode())
    assert not e.matches(Ctrl(HOST, CtrlOp.STATUS, 0).encode())
    [e] = oracle.send(Ctrl(Dest(3, 0), CtrlOp.STATUS_REQ).encode())     # off the mesh
    assert e.matches(Ctrl(HOST, CtrlOp.STATUS, STATUS_REJECTED, 1, 1).encode())
    with pytest.raises(ValueError, match="steps run in order"):
        oracle.send(Ctrl(HOST, CtrlOp.STEP, 5).encode())


def test_tile_oracle_masks_cycle_counters_only():
    oracle = TileOracle(P)
    [cyc] = oracle.send(Read(Dest(0, 0), Mem.COUNTERS.value, int(cm.Counter.CYCLES), 1).encode())
    assert cyc.matches(ReadResp(HOST, 1234, 1).encode())
    [stp] = oracle.send(Read(Dest(0, 0), Mem.COUNTERS.value, int(cm.Counter.STEP), 2).encode())
    assert not stp.matches(ReadResp(HOST, 1234, 2).encode())


def test_image_flits_skip_zeros_and_load_config_last():
    images = {(1, 0): {Mem.CONFIG: np.array([3]), Mem.STATE: np.array([0, 5, 0, 7]),
                       Mem.SYNAPSE: np.zeros(4)}}
    got = [packet.decode(w) for w in image_flits(images).tolist()]
    assert [(p.dst, p.mem, p.addr, p.data) for p in got] == [
        (Dest(1, 0), Mem.STATE.value, 1, 5), (Dest(1, 0), Mem.STATE.value, 3, 7),
        (Dest(1, 0), Mem.CONFIG.value, 0, 3)]


def test_traffic_stays_inside_the_memories_and_the_mesh():
    rng = random.Random(5)
    sizes = readable_words(P)
    for w in random_reads(rng, P, [(0, 0), (1, 1)], 200):
        assert 0 <= w.addr < sizes[w.mem] and w.tile in ((0, 0), (1, 1))
    flits = random_spikes(rng, P, 100, step=300)
    assert (packet.decode_field(flits, "dst", "x") < P.mesh_w).all()
    assert (packet.decode_field(flits, "body", "spike", "axon") < P.n_axons).all()
    assert (packet.decode_field(flits, "body", "spike", "step") == 300 % 256).all()


def test_coverage_counts_and_reports_missed_bins():
    cov = Coverage("unit")
    cov.expect(PACKETS_IN, "WRITE", "READ")
    cov.packet("in", packet.Write(Dest(0, 0), Mem.SYNAPSE.value, 1, 2).encode())
    cov.flags(1 << cm.ErrorFlag.BAD_AXON | 1 << cm.ErrorFlag.BAD_MEM)
    assert cov.count(MEMORIES, "WRITE SYNAPSE") == 1
    assert cov.count(ERROR_FLAGS, "BAD_AXON") == cov.count(ERROR_FLAGS, "BAD_MEM") == 1
    assert cov.missed() == [(PACKETS_IN, "READ")]
    text = cov.summary()
    assert "packets in    WRITE 1" in text and "MISSED        packets in: READ" in text


def test_icarus_kick_runs_every_comb_block_once():
    src = ("module m (a, y);\n  reg \\$auto$verilog_backend.cc:2355:dump_module$4  = 0;\n"
           "  always @* begin\n    if (\\$auto$verilog_backend.cc:2355:dump_module$4 ) begin end\n"
           "    y = a;\n  end\nendmodule\n")
    out = icarus_kick(src)
    assert "  initial #1 \\$auto$verilog_backend.cc:2355:dump_module$4 = 1;\n" in out
    assert out.count("initial") == 1 and "if (\\$auto$verilog_backend" in out
