"""TernaryLIF: hand values, a loop transcription of Lava's fixed-point
equations, and chip (program ternary_lif on the golden engine) == CPU
fixed_pt."""
import numpy as np
import pytest

from kilauea import LIF, Dense
from kilauea.neurons import library
from kilauea.proc.io import sink, source
from kilauea.proc.lif.ncmodels import NcTernaryLifModel
from kilauea.proc.lif.process import TernaryLIF

import newproc_kit as kit


def test_vars_defaults_and_checks():
    t = TernaryLIF(shape=(3,))
    assert t.vth_hi.init == 10 and t.vth_lo.init == -10
    assert not hasattr(t, "vth")
    assert t.s_out.shape == (3,) and t.a_in.shape == (3,)
    with pytest.raises(ValueError, match="vth_lo"):
        TernaryLIF(shape=(2,), vth_hi=1, vth_lo=2)
    from kilauea.lava.proc.lif.process import TernaryLIF as LT
    from kilauea.lava.proc.lif.models import PyTernLifModelFixed, PyTernLifModelFloat  # noqa
    assert LT is TernaryLIF


def test_fixed_and_float_hand_values():
    # bias 100 / -100 / 0, thresholds +-2 (fixed: +-128): v = 100, 200 -> spike, ...
    for cfg, bias, hi, lo in ((kit.cpu_fixed(), [100, -100, 0], 2, -2),
                              (kit.cpu_float(), [100.0, -100.0, 0.0], 128.0, -128.0)):
        t = TernaryLIF(shape=(3,), bias_mant=bias, vth_hi=hi, vth_lo=lo, name="T")
        rec = kit.record(t, [(t, "v"), (t, "s_out")], 4, cfg)
        np.testing.assert_array_equal(rec[("T", "s_out")],
                                      [[0, 0, 0], [1, -1, 0], [0, 0, 0], [1, -1, 0]])
        np.testing.assert_array_equal(rec[("T", "v")],
                                      [[100, -100, 0], [0, 0, 0], [100, -100, 0], [0, 0, 0]])


def _loop_reference(a_in, u0, v0, du, dv, bias_mant, bias_exp, hi, lo):
    """Lava's PyTernLifModelFixed, one neuron at a time in plain ints."""
    n_steps, n = a_in.shape
    us, vs, ss = [], [], []
    u, v = list(u0), list(v0)
    for t in range(n_steps):
        su, sv, sout = [], [], []
        for i in range(n):
            b = bias_mant[i] << bias_exp[i] if bias_exp[i] >= 0 else bias_mant[i] >> -bias_exp[i]
            x = u[i] * (4096 - (du + 1))
            x = (1 if x > 0 else -1) * (abs(x) >> 12) + (int(a_in[t, i]) << 6)
            if x > 2 ** 23:
                x -= 2 ** 24
            elif x <= -2 ** 23:
                x += 2 ** 24
            y = v[i] * (4096 - dv)
            y = (1 if y > 0 else -1) * (abs(y) >> 12) + x + b
            y = max(-(2 ** 23 - 1), min(2 ** 23 - 1, y))
            s = int(y > hi * 64) - int(y < lo * 64)
            if s:
                y = 0
            u[i], v[i] = x, y
            su.append(x), sv.append(y), sout.append(s)
        us.append(su), vs.append(sv), ss.append(sout)
    return np.array(us), np.array(vs), np.array(ss)


@pytest.mark.parametrize("seed", range(3))
def test_fixed_model_equals_loop_transcription(seed):
    rng = np.random.default_rng(seed)
    n, steps = 7, 30
    a_in = rng.integers(-40, 40, (n, steps))
    kw = dict(du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
              bias_mant=rng.integers(-200, 200, n), bias_exp=rng.integers(-3, 3, n),
              vth_hi=int(rng.integers(1, 60)), vth_lo=-int(rng.integers(1, 60)),
              u=rng.integers(-3000, 3000, n), v=rng.integers(-3000, 3000, n))
    src = source.RingBuffer(data=a_in.astype(np.int32), name="SRC")
    t = TernaryLIF(shape=(n,), name="T", **kw)
    src.s_out.connect(t.a_in)
    rec = kit.record(src, [(t, "u"), (t, "v"), (t, "s_out")], steps, kit.cpu_fixed())
    u, v, s = _loop_reference(a_in.T, kw["u"], kw["v"], kw["du"], kw["dv"], kw["bias_mant"],
                              kw["bias_exp"], kw["vth_hi"], kw["vth_lo"])
    assert (s == 1).any() and (s == -1).any()
    np.testing.assert_array_equal(rec[("T", "u")], u)
    np.testing.assert_array_equal(rec[("T", "v")], v)
    np.testing.assert_array_equal(rec[("T", "s_out")], s)


def test_fixed_rejects_out_of_range_thresholds():
    t = TernaryLIF(shape=(2,), vth_hi=2 ** 23, vth_lo=0)
    with pytest.raises(Exception, match="vth_hi"):
        kit.record(t, [(t, "v")], 1, kit.cpu_fixed())


def _network(seed):
    rng = np.random.default_rng(seed)
    n_in, n1, n2 = (int(x) for x in rng.integers(5, 14, 3))
    src = source.RingBuffer(data=(rng.random((n_in, 11)) < 0.4).astype(np.int32), name="SRC")
    ts = [TernaryLIF(shape=(n,), du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
                     bias_mant=rng.integers(-30, 30, n), bias_exp=rng.integers(-2, 3, n),
                     vth_hi=int(rng.integers(1, 20)), vth_lo=-int(rng.integers(1, 20)),
                     name=f"T{i}") for i, n in enumerate((n1, n2))]
    lif = LIF(shape=(n2,), du=400, dv=300, vth=int(rng.integers(5, 40)), name="L")
    d0 = Dense(weights=rng.integers(-60, 60, (n1, n_in)), name="D0")
    d1 = Dense(weights=rng.integers(-50, 50, (n2, n1)), num_message_bits=2,
               weight_exp=-1, name="D1")                             # graded +-1
    d2 = Dense(weights=rng.integers(-40, 80, (n2, n1)), name="D2")   # binary
    src.s_out.connect(d0.s_in)
    d0.a_out.connect(ts[0].a_in)
    ts[0].s_out.connect(d1.s_in)
    d1.a_out.connect(ts[1].a_in)
    ts[0].s_out.connect(d2.s_in)
    d2.a_out.connect(lif.a_in)
    ts[1].s_out.connect(sink.RingBuffer(shape=(n2,), buffer=3, name="SINK").a_in)
    probes = [(p, v) for p in ts for v in ("u", "v", "s_out")] + [(lif, "v")]
    return src, probes


@pytest.mark.parametrize("seed", range(2))
def test_chip_equals_cpu_fixed(seed):
    steps = 40
    root, probes = _network(seed)
    want = kit.record(root, probes, steps, kit.cpu_fixed())
    assert (want[("T0", "s_out")] == -1).any() and (want[("T0", "s_out")] == 1).any()
    root, probes = _network(seed)
    got = kit.record(root, probes, steps, kit.chip_cfg())
    kit.assert_same(got, want, f"seed {seed}:")


def test_chip_model_declares_program():
    assert NcTernaryLifModel.graded_out
    prog = library.ternary_lif()
    assert prog.word("vth_lo").space == "profile" and prog.word("v").space == "state"
    assert library.PROGRAMS["ternary_lif"] is library.ternary_lif
