"""The packet format: Python encoders agree with the Amaranth layout, bit for
bit, and reject values that do not fit their field."""
import random

import numpy as np
import pytest
from amaranth.hdl import Const

from kilauea.hw import packet as p
from kilauea.hw.params import ChipParams


def _layout_bits(kind: p.Kind, dst: p.Dest, body_name: str, body: dict) -> int:
    """The flit as Amaranth's own data.Const packs it."""
    init = {"kind": kind, "dst": {"x": dst.x, "y": dst.y, "host": int(dst.host)},
            "body": {body_name: body}}
    c = p.Packet.const(init)
    return Const.cast(c).value & ((1 << p.FLIT_BITS) - 1)


def _random_packet(rng: random.Random) -> tuple[p.AnyPacket, str, dict]:
    dst = p.HOST if rng.random() < 0.2 else p.Dest(rng.randrange(16), rng.randrange(16))
    k = rng.randrange(5)
    if k == 0:
        body = dict(axon=rng.randrange(1 << 16), payload=rng.randint(p.PAYLOAD_MIN, p.PAYLOAD_MAX),
                    step=rng.randrange(256))
        return p.Spike(dst, **body), "spike", body
    if k == 1:
        body = dict(mem=rng.randrange(16), addr=rng.randrange(1 << 16), data=rng.randrange(1 << 32))
        return p.Write(dst, **body), "write", body
    if k == 2:
        reply = p.HOST if rng.random() < 0.5 else p.Dest(rng.randrange(16), rng.randrange(16))
        body = dict(mem=rng.randrange(16), addr=rng.randrange(1 << 16), tag=rng.randrange(256))
        pkt = p.Read(dst, reply=reply, **body)
        body["reply"] = {"x": reply.x, "y": reply.y, "host": int(reply.host)}
        return pkt, "read", body
    if k == 3:
        body = dict(data=rng.randrange(1 << 32), tag=rng.randrange(256),
                    src_x=rng.randrange(16), src_y=rng.randrange(16))
        return p.ReadResp(dst, **body), "read_resp", body
    body = dict(op=rng.choice(list(p.CtrlOp)), arg=rng.randrange(1 << 32),
                src_x=rng.randrange(16), src_y=rng.randrange(16))
    return p.Ctrl(dst, **body), "ctrl", body


def test_flit_is_64_bits():
    assert p.FLIT_BITS == 64
    assert p.field_span("kind") == (0, 3, False)
    assert p.field_span("body", "spike", "payload")[1:] == (24, True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_encode_matches_amaranth_layout_and_round_trips(seed):
    rng = random.Random(seed)
    for _ in range(300):
        pkt, body_name, body = _random_packet(rng)
        word = pkt.encode()
        assert word == _layout_bits(pkt.KIND, pkt.dst, body_name, body), (seed, pkt)
        assert p.decode(word) == pkt, (seed, pkt)


def test_out_of_range_fields_are_rejected_by_name():
    with pytest.raises(ValueError, match="payload=8388608"):
        p.Spike(p.Dest(0, 0), axon=0, payload=1 << 23).encode()
    with pytest.raises(ValueError, match="dst.x=16"):
        p.Write(p.Dest(16, 0), mem=0, addr=0, data=0).encode()
    with pytest.raises(ValueError, match="data=-1"):
        p.Write(p.Dest(0, 0), mem=0, addr=0, data=-1).encode()
    with pytest.raises(ValueError, match="unknown kind 7"):
        p.decode(7)


def test_encode_array_equals_scalar_encoder():
    rng = np.random.default_rng(5)
    n = 200
    x, y = rng.integers(0, 16, n), rng.integers(0, 16, n)
    axon = rng.integers(0, 1 << 16, n)
    payload = rng.integers(p.PAYLOAD_MIN, p.PAYLOAD_MAX + 1, n)
    step = rng.integers(0, 256, n)
    words = p.encode_array(p.Kind.SPIKE, x, y, 0, axon=axon, payload=payload, step=step)
    for i in range(n):
        assert int(words[i]) == p.Spike(p.Dest(int(x[i]), int(y[i])), int(axon[i]),
                                        int(payload[i]), int(step[i])).encode()
    np.testing.assert_array_equal(p.decode_field(words, "body", "spike", "payload"), payload)
    np.testing.assert_array_equal(p.decode_field(words, "dst", "y"), y)
    with pytest.raises(ValueError, match="addr=65536"):
        p.encode_array(p.Kind.WRITE, 0, 0, 0, mem=1, addr=[1, 65536], data=0)


def test_chip_params_checks():
    assert ChipParams().max_delay == 14
    with pytest.raises(ValueError, match="mesh_w=17"):
        ChipParams(mesh_w=17)
    with pytest.raises(ValueError, match="n_delay_slots=12"):
        ChipParams(n_delay_slots=12)
    with pytest.raises(ValueError, match="synapse has 131072 words"):
        ChipParams(n_synapses=131072)
    assert len(ChipParams(mesh_w=3, mesh_h=2).tiles()) == 6
