"""The chip node's host-port codecs (sw/runtime/chip/hostio.py) equal the
compiler's rules they speed up: ``InputEncoder.flits`` / ``flits_many``
equal ``HostInput.flits``, ``OutputDecoder.values`` equals
``HostOutput.values``, errors included. Random maps, seeded."""
import numpy as np
import pytest

from kilauea.compiler.ir import HostInput, HostOutput
from kilauea.runtime.chip.hostio import InputEncoder, OutputDecoder


class _Port:
    def full_name(self):
        return "src.s_out"


def _map(rng, graded, offset, fan):
    size = int(rng.integers(1, 30))
    cnt = rng.integers(0 if fan else 1, 4 if fan else 2, size)
    ptr = np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)
    n = int(ptr[-1])
    return HostInput(_Port(), size, ptr, rng.integers(0, 4, n), rng.integers(0, 4, n),
                     rng.integers(0, 2000, n), graded, offset)


def _values(rng, hin, kind):
    if kind == "bool":
        return rng.random(hin.size) < 0.3
    if kind == "float":
        return np.where(rng.random(hin.size) < 0.3, rng.integers(-5, 9, hin.size), 0.0)
    return np.where(rng.random(hin.size) < 0.3, rng.integers(-(1 << 23), 1 << 23, hin.size), 0)


@pytest.mark.parametrize("seed", range(12))
def test_input_encoder_equals_host_input_flits(seed):
    rng = np.random.default_rng(seed)
    for graded in (False, True):
        hin = _map(rng, graded, int(rng.choice([0, -1])), fan=bool(seed % 2))
        enc = InputEncoder(hin)
        ts = [int(t) for t in rng.integers(0, 600, 9)]
        vals = [_values(rng, hin, str(rng.choice(["bool", "int", "float"]))) for _ in ts]
        want = [hin.flits(t, v) for t, v in zip(ts, vals)]
        for t, v, w in zip(ts, vals, want):
            assert np.array_equal(enc.flits(t, v), w), f"seed {seed} graded {graded} t {t}"
        got = enc.flits_many(ts, vals)
        if graded and any(v.dtype.kind == "f" for v in vals):
            assert got is None          # graded floats: the checked path decides
            continue
        flits, counts = got
        assert np.array_equal(flits, np.concatenate(want)), f"seed {seed}"
        assert counts.tolist() == [len(w) for w in want]


def test_input_encoder_errors_are_host_input_errors():
    rng = np.random.default_rng(1)
    hin = _map(rng, True, 0, fan=False)
    enc = InputEncoder(hin)
    big = np.zeros(hin.size, dtype=np.int64)
    big[0] = 1 << 23                    # beyond the signed 24-bit payload
    for bad in (big, np.full(hin.size, 0.5), np.zeros(hin.size + 1, np.int64)):
        with pytest.raises(ValueError) as want:
            hin.flits(3, bad)
        with pytest.raises(ValueError) as got:
            enc.flits(3, bad)
        assert str(got.value) == str(want.value)
    assert enc.flits_many([3], [big]) is None


@pytest.mark.parametrize("seed", range(6))
def test_output_decoder_equals_host_output_values(seed):
    rng = np.random.default_rng(seed)
    for graded in (False, True):
        hout = HostOutput(None, int(rng.integers(1, 40)), int(rng.integers(0, 50)), graded)
        n = 7
        steps = [(rng.integers(0, 100, int(rng.integers(0, 20))),) for _ in range(n)]
        steps = [(a, rng.integers(-99, 99, a.size)) for (a,) in steps]
        rows = np.repeat(np.arange(n), [a.size for a, _ in steps])
        ax = np.concatenate([a for a, _ in steps]).astype(np.int64)
        pay = np.concatenate([p for _, p in steps]).astype(np.int64)
        got = OutputDecoder(hout).values(n, rows, ax, pay)
        for j, (a, p) in enumerate(steps):
            assert np.array_equal(got[j], hout.values(a, p)), f"seed {seed} step {j}"


def test_golden_bulk_reads_equal_its_reads():
    """GoldenEngine.read_counters / read_status (register reads) equal the
    words READ packets return (ChipEngine's defaults through read_words)."""
    from kilauea import ChipCfg, LIF, Dense, RunSteps
    from kilauea.sim.engine import ChipEngine
    a = LIF(shape=(5,), bias_mant=[3, 50, 7, 90, 11], vth=20, name="a")
    d = Dense(weights=np.arange(25).reshape(5, 5) % 7)
    b = LIF(shape=(5,), du=400, dv=300, vth=30, name="b")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    a.run(condition=RunSteps(num_steps=9), run_cfg=ChipCfg(engine="model", mesh=(2, 2)))
    eng = a.runtime.chip.engine
    tiles = list(eng.params.tiles())
    got = eng.read_counters(tiles)
    assert got.any()
    assert np.array_equal(got, ChipEngine.read_counters(eng, tiles))
    assert np.array_equal(eng.read_status(tiles), ChipEngine.read_status(eng, tiles))
    a.stop()


def test_input_encoder_all_zero_sends_nothing():
    rng = np.random.default_rng(2)
    for graded in (False, True):
        hin = _map(rng, graded, 0, fan=True)
        enc = InputEncoder(hin)
        zeros = [np.zeros(hin.size, np.int64)] * 3
        flits, counts = enc.flits_many([1, 2, 3], zeros)
        assert flits.size == 0 and counts.tolist() == [0, 0, 0]
        assert enc.flits(4, zeros[0]).size == 0 == hin.flits(4, zeros[0]).size
