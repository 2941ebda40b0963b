"""Issue 13, item 6: input that used to be changed silently is refused with
an error naming the object, the value and the rule (lava-nc 0.10 refuses
the string shape too; it reshapes, casts or overwrites the others)."""
import numpy as np
import pytest

from kilauea import (ChipCfg, CpuSimCfg, DelayDense, LIF, Monitor, RunSteps)
from kilauea.core.exceptions import RuntimeStateError

CPU = CpuSimCfg(select_tag="fixed_pt")
CHIP = ChipCfg(engine="model", mesh=(1, 1))


def test_string_shape_is_refused():
    with pytest.raises(TypeError, match=r"LIF 'shape' must be a tuple of ints, got the "
                                        r"string '12'"):
        LIF(shape="12")


@pytest.mark.parametrize("built", [False, True])
def test_complex_set_is_refused(built):
    lif = LIF(shape=(2,), name="cx")
    if built:
        lif.run(condition=RunSteps(num_steps=1), run_cfg=CPU)
    with pytest.raises(ValueError, match=r"Var cx\.v: cannot set the complex value \(1\+2j\)"):
        lif.v.set(np.array([1 + 2j, 0]))
    lif.v.set(np.array([3 + 0j, 4]))          # no imaginary part: a real value
    assert np.array_equal(lif.v.get(), [3, 4])
    if built:
        lif.stop()


@pytest.mark.parametrize("built", [False, True])
def test_transposed_set_is_refused(built):
    lif = LIF(shape=(2, 3), name="tr")
    if built:
        lif.run(condition=RunSteps(num_steps=1), run_cfg=CPU)
    with pytest.raises(ValueError, match=r"Var tr\.v: cannot set a value of shape \(3, 2\)"):
        lif.v.set(np.arange(6).reshape(3, 2))
    lif.v.set(np.arange(6))                       # flat, C order: as Lava sends it
    assert np.array_equal(lif.v.get(), np.arange(6).reshape(2, 3))
    lif.v.set(np.array([1, 2, 3]))                # broadcast over rows
    assert np.array_equal(lif.v.get(), [[1, 2, 3], [1, 2, 3]])
    if built:
        lif.stop()


def test_duplicate_probe_is_refused():
    lif = LIF(shape=(2,), bias_mant=1, vth=3, name="dup")
    mon = Monitor(name="m")
    mon.probe(lif.v, 3)
    with pytest.raises(ValueError, match=r"Monitor m already probes dup\.v"):
        mon.probe(lif.v, 3)
    lif.run(condition=RunSteps(num_steps=3), run_cfg=CPU)
    assert mon.get_data()["dup"]["v"].shape == (3, 2)
    lif.stop()


def test_monitor_outside_the_run_is_an_error():
    ran = LIF(shape=(2,), bias_mant=1, vth=3, name="ran")
    other = LIF(shape=(2,), bias_mant=1, vth=3, name="other")
    mon = Monitor(name="m_out")
    mon.probe(other.v, 3)
    ran.run(condition=RunSteps(num_steps=3), run_cfg=CPU)
    with pytest.raises(RuntimeStateError, match=r"Monitor m_out was not part of any run.*"
                                                r"other\.v"):
        mon.get_data()
    ran.stop()


@pytest.mark.parametrize("cfg", [CPU, CHIP], ids=["cpu", "chip"])
@pytest.mark.parametrize("bad", [-1, 1.5])
def test_delay_set_out_of_range_names_the_var(cfg, bad):
    a = LIF(shape=(2,), bias_mant=5, vth=3)
    b = LIF(shape=(2,))
    d = DelayDense(weights=np.eye(2, dtype=int) * 10, delays=1, name="dd")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    a.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    with pytest.raises(ValueError, match=r"Var dd\.delays: (delay -1 is negative|"
                                         r"delays are whole time steps)"):
        d.delays.set(np.full((2, 2), bad))
    a.run(condition=RunSteps(num_steps=2))            # the old delays are kept
    assert np.array_equal(d.delays.get(), np.ones((2, 2)))
    a.stop()
