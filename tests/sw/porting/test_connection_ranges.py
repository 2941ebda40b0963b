"""Connection parameters beyond the chip's ranges (issue 10, item 3: lava-nc's
CPU models take any integer ``weight_exp``, e.g. -10, ``num_weight_bits``
and ``num_message_bits``): the fixed-point CPU models compute with them as
lava-nc does (numbers from lava-nc 0.10, and a transcription of
``docs/numerics.md``'s ``a << weight_exp`` / ``a >> -weight_exp`` on random
connections); the chip compiler refuses a ``weight_exp`` outside -8..7 and a
``num_weight_bits`` outside 1..8 with a ``ChipRefusal`` naming the
connection, the value and the limit."""
import numpy as np
import pytest
from scipy import sparse

from kilauea import LIF, ChipCfg, DelayDense, Dense, RunSteps, Sparse
from kilauea.compiler.errors import ChipRefusal
from kilauea.core.run_configs import CpuSimCfg
from kilauea.hw.words import to_s32
from kilauea.numerics import SignMode
from kilauea.proc.io.sink import RingBuffer as Sink
from kilauea.proc.io.source import RingBuffer as Source

_CPU = CpuSimCfg(select_tag="fixed_pt")

#: LIF(du=4095, dv=0, vth=2**20) u after steps 1..4, fed binary spikes of
#: two always-on sources through Dense([[200, 255], [-256, 7]], weight_exp)
#: (lava-nc 0.10, Loihi2SimCfg(select_tag="fixed_pt"))
_LAVA_U = {-10: [[0, 0], [0, -64], [0, -64], [0, -64]],
           -12: [[0, 0], [0, -64], [0, -64], [0, -64]],
           9: [[0, 0], [-1900544, -8192000], [-1900544, -8192000], [-1900544, -8192000]],
           12: [[0, 0], [102236160, -48758784], [102236160, -48758784],
                [102236160, -48758784]]}


@pytest.mark.parametrize("weight_exp", sorted(_LAVA_U))
def test_lif_u_equals_lava_nc(weight_exp):
    src = Source(data=np.ones((2, 5), dtype=int))
    dense = Dense(weights=np.array([[200, 255], [-256, 7]]), weight_exp=weight_exp)
    lif = LIF(shape=(2,), du=4095, dv=0, vth=2**20)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    us = []
    for _ in range(4):
        lif.run(condition=RunSteps(num_steps=1), run_cfg=_CPU)
        us.append(lif.u.get().astype(int).tolist())
    lif.stop()
    assert us == _LAVA_U[weight_exp]


def _shift(a: np.ndarray, e: int) -> np.ndarray:
    return np.left_shift(a, e) if e > 0 else np.right_shift(a, -e)


@pytest.mark.parametrize("seed", range(6))
def test_connections_shift_as_the_transcription(seed):
    rng = np.random.default_rng(seed)
    e = int(rng.choice([-20, -12, -9, 8, 9, 12]))
    graded = bool(seed % 2)
    w = 2 * rng.integers(-128, 128, (3, 4))     # even: the mixed-sign preparation keeps them
    data = (rng.integers(-2**20, 2**20, (4, 6)) if graded
            else (rng.random((4, 6)) < 0.5).astype(int))
    kw = dict(weight_exp=e, num_message_bits=24 if graded else 0)
    conn = [Dense(weights=w, **kw), Sparse(weights=sparse.csr_matrix(w), **kw),
            DelayDense(weights=w, delays=0, **kw)][seed % 3]
    src, snk = Source(data=data), Sink(shape=(3,), buffer=6)
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(snk.a_in)
    src.run(condition=RunSteps(num_steps=6), run_cfg=_CPU)
    got = snk.data.get().astype(np.int64)
    src.stop()
    for t in range(1, 6):
        a = w.astype(np.int64) @ data[:, t - 1].astype(np.int64)
        if graded and not isinstance(conn, DelayDense):
            a = to_s32(_shift(to_s32(a), e))        # lava-nc's int32 W @ s_in
        else:
            a = _shift(a, e)
        np.testing.assert_array_equal(got[:, t], to_s32(a), err_msg=f"seed {seed} step {t + 1}")


#: seed -> (num_weight_bits, num_message_bits, sign_mode, Dense or Sparse,
#: lava-nc 0.10's a_out at steps 1..6 for _wide_case(seed))
_LAVA_WIDE = {
    21: (0, 32, SignMode.MIXED, Dense,
         [[0, -424854016, 364058624, -365579008, -436006656, -155962880],
          [0, -635471104, 526627072, -503353344, -528380160, -159438080],
          [0, -336696064, 305393664, -129974016, -20739840, 87578368]]),
    24: (9, 0, None, Dense, [[0, 396, 0, 344, -25, 485], [0, -361, 0, -35, 84, -284],
                             [0, 264, 0, 341, 338, 519]]),
    1: (9, 25, SignMode.MIXED, Sparse,
        [[0, -165079341, 128637713, 522161870, 204594243, -66910643],
         [0, -135075021, 105613583, 514820450, 198498633, -41501243],
         [0, 79184731, -448555908, 150521956, 72928470, 134149365]]),
}


@pytest.mark.parametrize("seed", sorted(_LAVA_WIDE))
def test_num_weight_bits_and_num_message_bits_beyond_the_chip_equal_lava_nc(seed):
    nwb, nmb, sign_mode, cls, want = _LAVA_WIDE[seed]
    rng = np.random.default_rng(seed)
    assert (rng.choice([-3, 0, 9, 10, 12, 40]), rng.choice([-2, 0, 25, 32, 64])) == (nwb, nmb)
    w = rng.integers(-600, 600, (3, 4))
    data = (rng.integers(-2**20, 2**20, (4, 6)) if nmb > 0
            else (rng.random((4, 6)) < 0.5).astype(int))
    kw = dict(num_weight_bits=nwb, num_message_bits=nmb, weight_exp=int(rng.integers(-3, 3)))
    if sign_mode is not None:
        kw["sign_mode"] = sign_mode
    conn = cls(weights=w if cls is Dense else sparse.csr_matrix(w), **kw)
    src, snk = Source(data=data), Sink(shape=(3,), buffer=6)
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(snk.a_in)
    src.run(condition=RunSteps(num_steps=6), run_cfg=_CPU)
    got = snk.data.get().astype(np.int64).tolist()
    src.stop()
    assert got == want


@pytest.mark.parametrize("param, value, limit", [("weight_exp", -10, r"-8\.\.7"),
                                                  ("num_weight_bits", 9, r"1\.\.8")])
def test_the_chip_refuses_it_naming_connection_value_and_limit(param, value, limit):
    src = Source(data=np.ones((2, 3), dtype=int))
    dense = Dense(weights=np.eye(2, dtype=int), name="conn", **{param: value})
    lif = LIF(shape=(2,))
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    with pytest.raises(ChipRefusal, match=rf"connection 'conn' \(Dense\), parameter {param}: "
                                          rf"{param}={value}; the chip's limit is {limit}"):
        lif.run(condition=RunSteps(num_steps=2), run_cfg=ChipCfg(engine="model"))
    lif.stop()
