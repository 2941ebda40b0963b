"""DelaySparse: hand-computed timing, equality with DelayDense on the same
matrices (CPU float and fixed), chip == CPU fixed_pt."""
import numpy as np
import pytest
from scipy.sparse import csr_matrix

from kilauea import LIF, DelayDense
from kilauea.proc.io import sink, source
from kilauea.proc.sparse.process import DelaySparse

import newproc_kit as kit


def test_vars_and_checks():
    w = csr_matrix(np.array([[2, 0, 1], [0, 3, 0]]))
    d = DelaySparse(weights=w, delays=4)
    assert d.s_in.shape == (3,) and d.a_out.shape == (2,) and d.a_buff.shape == (2, 5)
    np.testing.assert_array_equal(d.delays.init.toarray(), [[4, 0, 4], [0, 4, 0]])
    assert DelaySparse(weights=w, delays=2, max_delay=7).a_buff.shape == (2, 8)
    with pytest.raises(ValueError, match="delays"):
        DelaySparse(weights=w, delays=64)
    with pytest.raises(ValueError, match="delays"):
        DelaySparse(weights=w, delays=np.ones((3, 2), dtype=int))
    with pytest.raises(ValueError, match="integer"):
        DelaySparse(weights=w, delays=np.ones((2, 3)))
    from kilauea.lava.proc.sparse.process import DelaySparse as LD
    from kilauea.lava.proc.sparse.models import PyDelaySparseModelBitAcc  # noqa: F401
    assert LD is DelaySparse


@pytest.mark.parametrize("cfg", [kit.cpu_fixed, kit.cpu_float])
def test_hand_timing(cfg):
    # spikes of both sources at step 1: delay 1 lands at step 3, delay 2 at step 4
    src = source.RingBuffer(data=np.array([[1, 0, 0, 0, 0], [1, 0, 0, 0, 0]]), name="SRC")
    d = DelaySparse(weights=csr_matrix(np.array([[2, 0], [5, 3]])),
                    delays=csr_matrix(np.array([[1, 0], [0, 2]])), name="DS")
    snk = sink.RingBuffer(shape=(2,), buffer=5, name="SNK")
    src.s_out.connect(d.s_in)
    d.a_out.connect(snk.a_in)
    src.run(condition=kit.RunSteps(num_steps=5), run_cfg=cfg())
    got = np.asarray(snk.data.get())
    src.stop()
    # the missing delay entry of weight 5 is delay 0: lands at step 2
    np.testing.assert_array_equal(got.T, [[0, 0], [0, 5], [2, 0], [0, 3], [0, 0]])


def _pair(seed, cls, max_d=5):
    rng = np.random.default_rng(seed)
    n_in, n_out = 9, 6
    w = rng.integers(-100, 100, (n_out, n_in)) * (rng.random((n_out, n_in)) < 0.5)
    dl = rng.integers(0, max_d + 1, (n_out, n_in))
    nmb = int(rng.choice([0, 8]))
    data = (rng.integers(-20, 20, (n_in, 12)) if nmb else (rng.random((n_in, 12)) < 0.5))
    src = source.RingBuffer(data=data.astype(np.int32), name="SRC")
    kw = dict(weight_exp=int(rng.integers(-3, 2)), num_message_bits=nmb, name="C")
    conn = (DelaySparse(weights=csr_matrix(w), delays=csr_matrix(dl), **kw)
            if cls is DelaySparse else DelayDense(weights=w, delays=np.where(w != 0, dl, 0), **kw))
    lif = LIF(shape=(n_out,), du=500, dv=700, vth=50, name="L")
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(lif.a_in)
    return src, [(lif, "u"), (lif, "v"), (lif, "s_out")]


@pytest.mark.parametrize("seed", range(3))
def test_equals_delay_dense(seed):
    for cfg in (kit.cpu_fixed, kit.cpu_float):
        root, probes = _pair(seed, DelaySparse)
        got = kit.record(root, probes, 20, cfg())
        root, probes = _pair(seed, DelayDense)
        want = kit.record(root, probes, 20, cfg())
        assert np.abs(want[("L", "u")]).max() > 0
        kit.assert_same(got, want, f"seed {seed} {cfg.__name__}:")


@pytest.mark.parametrize("seed", range(2))
def test_chip_equals_cpu_fixed(seed):
    # delays 0..3: a weight_exp < 0 needs an accumulator group per delay (4)
    root, probes = _pair(seed, DelaySparse, 3)
    want = kit.record(root, probes, 20, kit.cpu_fixed())
    root, probes = _pair(seed, DelaySparse, 3)
    got = kit.record(root, probes, 20, kit.chip_cfg())
    kit.assert_same(got, want, f"seed {seed}:")
