"""ATRLIF: the fixed-point and float CPU models against a loop transcription
of docs/processes.md ("ATRLIF"), numbers obtained from lava-nc 0.10, and the
lava namespace's path to the models (with lava-nc's defaults on the chip)."""
import math

import numpy as np
import pytest

from kilauea import ChipCfg, CpuSimCfg, Dense, RunSteps
from kilauea.proc.atrlif.process import ATRLIF
from kilauea.proc.io import source

import newproc_kit as kit


def _s32(x: int) -> int:
    return (x + 2 ** 31) % 2 ** 32 - 2 ** 31


def _trs(y: int) -> int:
    return (1 if y > 0 else -1) * (abs(y) >> 12)


def _fixed_reference(x, st, p):
    """docs/processes.md, ATRLIF fixed point, one neuron at a time in plain
    Python ints (input from an int32 sender). ``st``: dict of int lists,
    ``p``: the user's parameters. Returns the states after every step."""
    th0 = _s32(math.trunc(64 * p["theta_0"]))
    step = _s32(math.trunc(64 * p["theta_step"]))
    st = {k: list(v) for k, v in st.items()}
    st["theta"] = [th0] * len(st["i"])

    def factor(d):
        return math.trunc(4096 - 4096 * d)
    out = []
    for t in range(x.shape[0]):
        for n in range(x.shape[1]):
            i, v, th, r = st["i"][n], st["v"][n], st["theta"][n], st["r"][n]
            di = p["delta_i"]
            if isinstance(di, int):
                prod = _s32(i * (4096 - (4096 * di + 1)))
            else:
                prod = math.trunc(i * (4096 - (4096 * di + 1)))
            i = _s32(_trs(prod) + _s32(64 * int(x[t, n])))
            i = i - 2 ** 24 if i > 2 ** 23 else i
            i = i + 2 ** 24 if i <= -2 ** 23 else i
            me, ee = p["bias_mant"][n], p["bias_exp"][n]
            b = _s32(me << ee if ee >= 0 else me >> -ee)
            v = max(-(2 ** 23 - 1), min(2 ** 23 - 1, _s32(_trs(v * factor(p["delta_v"])) + i + b)))
            th = _s32(_s32(_trs(_s32(th - th0) * factor(p["delta_theta"]))) + th0)
            r = _s32(_trs(r * factor(p["delta_r"])))
            s = _s32(v - r) >= th
            if s:
                r = _s32(r + _s32(2 * th))
                th = _s32(th + step)
            for k, val in zip(("i", "v", "theta", "r", "s"), (i, v, th, r, int(s))):
                st[k][n] = val
        out.append({k: list(v) for k, v in st.items()})
    return out


def _random_case(rng):
    n, steps = 5, 10
    ints = bool(rng.integers(0, 2))

    def dec():
        return int(rng.integers(0, 2)) if ints else float(rng.choice([0.0, 0.1, 0.4, 0.77, 1.0]))
    p = dict(delta_i=dec(), delta_v=dec(), delta_theta=dec(), delta_r=dec(),
             theta_0=float(rng.integers(1, 400)) + 0.3, theta_step=float(rng.integers(0, 99)) + 0.55,
             bias_mant=[int(b) for b in rng.integers(-4096, 4096, n)],
             bias_exp=[int(e) for e in rng.integers(-3, 8, n)])
    st = dict(i=[int(a) for a in rng.integers(-10 ** 6, 10 ** 6, n)],
              v=[int(a) for a in rng.integers(-1000, 1000, n)], theta=[0] * n,
              r=[int(a) for a in rng.integers(0, 50, n)], s=[0] * n)
    x = rng.integers(-3000, 3000, size=(steps, n))
    return p, st, x


@pytest.mark.parametrize("seed", range(6))
def test_fixed_model_equals_the_transcription(seed):
    rng = np.random.default_rng(seed)
    p, st, x = _random_case(rng)
    neu = ATRLIF(shape=(x.shape[1],), name="A", i=st["i"], v=st["v"], r=st["r"], **p)
    src = source.RingBuffer(data=x.T)
    src.s_out.connect(neu.a_in)
    got = kit.record(neu, [(neu, k) for k in ("i", "v", "theta", "r", "s")], x.shape[0],
                     kit.cpu_fixed())
    want = _fixed_reference(x, st, p)
    for k in ("i", "v", "theta", "r", "s"):
        w = np.array([step[k] for step in want])
        assert np.array_equal(got[("A", k)], w), f"seed {seed}: {k} differs: {got[('A', k)]} vs {w}"


@pytest.mark.parametrize("seed", range(3))
def test_float_model_equals_the_equations(seed):
    rng = np.random.default_rng(100 + seed)
    n, steps = 4, 12
    p = dict(delta_i=rng.random(), delta_v=rng.random(), delta_theta=rng.random(),
             delta_r=rng.random(), theta_0=5 * rng.random(), theta_step=rng.random())
    bias = rng.random(n)
    x = rng.normal(size=(steps, n))
    neu = ATRLIF(shape=(n,), name="A", bias_mant=bias, theta=1.5, **p)
    src = source.RingBuffer(data=x.T)
    src.s_out.connect(neu.a_in)
    got = kit.record(neu, [(neu, "v"), (neu, "theta"), (neu, "s")], steps, kit.cpu_float())
    i, v, th, r = np.zeros(n), np.zeros(n), np.full(n, 1.5), np.zeros(n)
    for t in range(steps):
        i = (1 - p["delta_i"]) * i + x[t]
        v = (1 - p["delta_v"]) * v + i + bias
        th = (1 - p["delta_theta"]) * (th - p["theta_0"]) + p["theta_0"]
        r = (1 - p["delta_r"]) * r
        s = v - r >= th
        r = np.where(s, r + 2 * th, r)
        th = np.where(s, th + p["theta_step"], th)
        assert np.array_equal(got[("A", "v")][t], v), f"seed {seed} step {t + 1}"
        assert np.array_equal(got[("A", "theta")][t], th), f"seed {seed} step {t + 1}"
        assert np.array_equal(got[("A", "s")][t], s), f"seed {seed} step {t + 1}"


# Obtained by running lava-nc 0.10 (Loihi2SimCfg(select_tag="fixed_pt"),
# io.source.RingBuffer input, 4 steps): an int32 wrap of the current's decay
# product (delta_i = 0 as an int, i = 600000), a 24-bit wrap, float decays.
_DATA = np.array([[100, -40, 0, 7], [3000, 3000, -9000, 0], [0, 0, 0, 0]])
_LAVA_CASES = [
    (dict(delta_i=0, delta_v=1, delta_theta=0, delta_r=0, theta_0=100, theta_step=20.5),
     dict(i=[-444108, -192098, -2144], v=[-444068, -192102, 522016], theta=[6400, 9024, 11648],
          r=[0, 28224, 66944], s=[0, 0, 1], theta_0=[6400], theta_step=[1312])),
    (dict(delta_i=0.25, delta_v=0.4, delta_theta=0.3, delta_r=0.1, theta_0=50.7, theta_step=3.75),
     dict(i=[191302, -243010, 2650721], v=[564729, -275119, 8206816], theta=[3850, 3442, 3850],
          r=[23821, 10251, 23821], s=[1, 0, 1], theta_0=[3244], theta_step=[240])),
]


@pytest.mark.parametrize("case", range(len(_LAVA_CASES)))
def test_fixed_model_equals_lava_nc(case):
    kw, want = _LAVA_CASES[case]
    neu = ATRLIF(shape=(3,), i=[600000, -5, 2 ** 23 - 100], bias_mant=[5, -7, 4095],
                 bias_exp=[3, -1, 7], **kw)
    src = source.RingBuffer(data=_DATA)
    src.s_out.connect(neu.a_in)
    neu.run(condition=RunSteps(num_steps=4), run_cfg=kit.cpu_fixed())
    try:
        for k, w in want.items():
            assert getattr(neu, k).get().astype(int).tolist() == w, k
    finally:
        neu.stop()


def test_lava_path_and_the_defaults_on_the_chip():
    """lava-nc's defaults (delta_i=0.4: a float64 product) run on the chip,
    equal to the CPU model (test_atrlif_chip.py: random networks)."""
    from kilauea.lava.proc.atrlif.models import PyATRLIFModelFixed, PyATRLIFModelFloat  # noqa
    from kilauea.lava.proc.atrlif.process import ATRLIF as LavaATRLIF
    assert LavaATRLIF is ATRLIF
    got = []
    for cfg in (CpuSimCfg(select_tag="fixed_pt"), ChipCfg(engine="model")):
        src = source.RingBuffer(data=np.ones((2, 6), dtype=int))
        dense = Dense(weights=np.eye(2) * 90)
        neu = ATRLIF(shape=(2,), name="adaptive")
        src.s_out.connect(dense.s_in)
        dense.a_out.connect(neu.a_in)
        neu.run(condition=RunSteps(num_steps=6), run_cfg=cfg)
        got.append([getattr(neu, k).get().tolist() for k in ("i", "v", "theta", "r", "s")])
        neu.stop()
    assert got[0] == got[1]
    assert any(got[0][4])


from kilauea.core.decorators import implements, requires, tag  # noqa: E402
from kilauea.core.model import PyLoihiProcessModel  # noqa: E402
from kilauea.core.ports import OutPort  # noqa: E402
from kilauea.core.process import AbstractProcess  # noqa: E402
from kilauea.core.protocols import LoihiProtocol  # noqa: E402
from kilauea.core.pytypes import LavaPyType, PyOutPort  # noqa: E402
from kilauea.core.resources import CPU  # noqa: E402
from kilauea.core.variable import Var  # noqa: E402


class _Int16Once(AbstractProcess):
    """Sends ``vec`` (int16) at step 1, then zeros."""

    def __init__(self, vec):
        super().__init__()
        self.s_out = OutPort(shape=(len(vec),))
        self.vec = Var(shape=(len(vec),), init=vec)


@implements(proc=_Int16Once, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class _Int16OnceModel(PyLoihiProcessModel):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int16, precision=16)
    vec: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=16)

    def run_spk(self):
        self.s_out.send(self.vec if self.time_step == 1 else np.zeros_like(self.vec))


def test_int16_input_wraps_as_in_lava_nc():
    # lava-nc 0.10 (its test's int16 VecSendProcess): i = [-27136, 1536]:
    # 600 * 64 and -1000 * 64 wrap in int16
    src = _Int16Once(np.array([600, -1000], dtype=np.int16))
    neu = ATRLIF(shape=(2,), delta_i=0, delta_v=0, delta_theta=0, delta_r=0, theta_0=10 ** 5,
                 theta_step=0)
    src.s_out.connect(neu.a_in)
    neu.run(condition=RunSteps(num_steps=1), run_cfg=kit.cpu_fixed())
    try:
        assert neu.i.get().tolist() == [-27136, 1536]
    finally:
        neu.stop()
