"""Var.get / Var.set of the new chip neuron models between runs under
ChipCfg == the same sequence on CPU fixed_pt (the program words of
var_words)."""
import numpy as np

from kilauea import Dense, RunSteps
from kilauea.proc.io import source
from kilauea.proc.lif.process import TernaryLIF
from kilauea.proc.sdn.process import Delta

import newproc_kit as kit


def _ternary():
    rng = np.random.default_rng(5)
    src = source.RingBuffer(data=(rng.random((6, 7)) < 0.5).astype(np.int32), name="SRC")
    d = Dense(weights=rng.integers(-5, 6, (9, 6)), name="D")
    t = TernaryLIF(shape=(9,), du=700, dv=300, bias_mant=rng.integers(-20, 20, 9),
                   vth_hi=30, vth_lo=-30, name="T")
    src.s_out.connect(d.s_in)
    d.a_out.connect(t.a_in)
    return src, t


def _delta():
    rng = np.random.default_rng(6)
    src = source.RingBuffer(data=rng.integers(-3, 4, (5, 7)).astype(np.int32), name="SRC")
    d = Dense(weights=rng.integers(-3, 4, (8, 5)), num_message_bits=24, name="D")
    dl = Delta(shape=(8,), vth=20, name="DL")
    src.s_out.connect(d.s_in)
    d.a_out.connect(dl.a_in)
    return src, dl


def _sequence(make, var, new_value, cfg, state_vars):
    root, proc = make()
    root.run(condition=RunSteps(num_steps=8), run_cfg=cfg)
    first = {v: np.asarray(getattr(proc, v).get()).copy() for v in state_vars}
    getattr(proc, var).set(np.asarray([new_value]))
    root.run(condition=RunSteps(num_steps=8))
    second = {v: np.asarray(getattr(proc, v).get()).copy() for v in state_vars + (var,)}
    root.stop()
    return first, second


def test_ternary_and_delta_vars_on_chip():
    for make, var, value, state in ((_ternary, "vth_hi", 4, ("u", "v")),
                                    (_delta, "vth", 3, ("act", "residue"))):
        want = _sequence(make, var, value, kit.cpu_fixed(), state)
        got = _sequence(make, var, value, kit.chip_cfg(), state)
        for w, g in zip(want, got):
            for k in w:
                np.testing.assert_array_equal(np.asarray(g[k]).reshape(-1),
                                              np.asarray(w[k]).reshape(-1), err_msg=k)
        assert got[1][var].reshape(-1)[0] == value
        unset = _sequence(make, var, {"vth_hi": 30, "vth": 20}[var], kit.cpu_fixed(), state)
        assert any((np.asarray(unset[1][k]) != np.asarray(want[1][k])).any() for k in state), \
            f"setting {var} changed nothing: a weak test"


def test_chip_rejects_out_of_range_parameters():
    import pytest
    from kilauea import CompileError
    for proc, param in ((TernaryLIF(shape=(2,), du=0.1, name="tf"), "du"),
                        (TernaryLIF(shape=(2,), vth_hi=2 ** 24, name="tb"), "vth_hi"),
                        (Delta(shape=(2,), vth=1.5, name="df"), "vth")):
        with pytest.raises(CompileError, match=f"'{param}'"):
            proc.run(condition=RunSteps(num_steps=1), run_cfg=kit.chip_cfg())
