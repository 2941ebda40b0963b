"""Pass 2, fixed-point check: chip parameters must be integers in the spec's
widths; errors name the process and the parameter and point to quantize."""
import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import LIF, Dense, LIFReset
from kilauea.compiler import CompileError
from kilauea.compiler.fixcheck import check_fixed_point
from kilauea.compiler.ncmodel import VarValues
from kilauea.compiler.partition import partition
from kilauea.runtime.builder import build_network


def _check(root):
    g = partition(build_network(root, tk.ChipTestCfg()), VarValues())
    check_fixed_point(g, VarValues())
    return g


def _pair(**kw):
    a = LIF(shape=(3,), name="pre", **kw.get("a", {}))
    d = Dense(weights=kw.get("w", np.ones((2, 3), dtype=int)), name="syn")
    b = LIF(shape=(2,), name="post")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    return a


def test_float_decay_is_rejected_naming_process_and_parameter():
    with pytest.raises(CompileError, match=r"process 'pre': parameter 'du' must hold integers.*"
                                           r"kilauea.quantize"):
        _check(_pair(a=dict(du=0.1)))


@pytest.mark.parametrize("name,value,rng", [("vth", 1 << 17, "0..131071"), ("dv", 4096, "0..4095"),
                                            ("bias_mant", 5000, "-4096..4095"),
                                            ("bias_exp", 9, "-8..7"), ("du", -1, "0..4095"),
                                            ("vth", -1, "0..131071"),
                                            ("bias_exp", -9, "-8..7")])
def test_out_of_range_parameters(name, value, rng):
    with pytest.raises(CompileError, match=rf"process 'pre': parameter '{name}'={value} is outside "
                                           rf"the chip's fixed-point range {rng}"):
        _check(_pair(a={name: value}))


def test_fractional_weights_are_rejected():
    with pytest.raises(CompileError, match=r"process 'syn': parameter 'weights'.*0.5"):
        _check(_pair(w=np.full((2, 3), 0.5)))


def test_integer_valued_floats_pass_and_values_are_kept():
    g = _check(_pair(a=dict(du=100.0, vth=7.0, bias_mant=[1.0, 2.0, 3.0]), w=np.full((2, 3), 3.0)))
    vals = g.populations[0].values
    assert vals["du"] == 100 and vals["vth"] == 7 and vals["bias_mant"].tolist() == [1, 2, 3]


def test_lif_reset_values():
    a = LIFReset(shape=(2,), reset_interval=4, reset_offset=6, name="r")
    d = Dense(weights=np.ones((2, 2), dtype=int))
    b = LIF(shape=(2,))
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    g = _check(a)
    assert g.populations[0].values["reset_interval"] == 4
    assert g.populations[0].values["reset_offset"] == 6


def test_nonzero_initial_a_buff_is_rejected():
    a = _pair()
    d = Dense(weights=np.ones((2, 3), dtype=int), name="buffered")
    b = LIF(shape=(2,), name="b2")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    d.a_buff.init = np.array([0, 5])
    with pytest.raises(CompileError, match=r"process 'buffered': a nonzero initial 'a_buff'"):
        _check(a)
