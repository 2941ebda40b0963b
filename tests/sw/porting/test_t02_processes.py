"""Porting Lava's in-depth tutorial 02 (Processes) to kilauea.

Pattern: a user-defined Process whose ``__init__`` pops its parameters from
``**kwargs`` and declares Vars and ports; a floating-point
PyLoihiProcessModel for it; ``Var.get``/``set`` before and after a run.
Only the import lines differ from Lava.
"""
import numpy as np
import pytest

from kilauea.lava.magma.core.process.process import AbstractProcess
from kilauea.lava.magma.core.process.variable import Var
from kilauea.lava.magma.core.process.ports.ports import InPort, OutPort
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from kilauea.lava.magma.core.model.py.ports import PyInPort, PyOutPort
from kilauea.lava.magma.core.model.py.type import LavaPyType
from kilauea.lava.magma.core.resources import CPU
from kilauea.lava.magma.core.decorator import implements, requires, tag
from kilauea.lava.magma.core.model.py.model import PyLoihiProcessModel
from kilauea.lava.magma.core.run_configs import Loihi1SimCfg, Loihi2SimCfg
from kilauea.lava.magma.core.run_conditions import RunSteps


class Neurons(AbstractProcess):
    """Integrate-and-fire group written the way tutorial 02 writes its LIF."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        shape = kwargs.get("shape", (1,))
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=0)
        self.v = Var(shape=shape, init=0)
        self.du = Var(shape=(1,), init=kwargs.pop("du", 0))
        self.dv = Var(shape=(1,), init=kwargs.pop("dv", 0))
        self.bias = Var(shape=shape, init=kwargs.pop("bias", 0))
        self.vth = Var(shape=(1,), init=kwargs.pop("vth", 10))

    def describe(self):
        """A custom API method, as the tutorial's print_vars."""
        return {var.name: var.get() for var in self.vars}


@implements(proc=Neurons, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyNeuronsModel(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    u: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)
    du: float = LavaPyType(float, float)
    dv: float = LavaPyType(float, float)
    vth: float = LavaPyType(float, float)

    def run_spk(self):
        a_in_data = self.a_in.recv()
        self.u[:] = self.u * (1 - self.du)
        self.u[:] += a_in_data
        self.v[:] = self.v * (1 - self.dv) + self.u + self.bias
        s_out = self.v >= self.vth
        self.v[s_out] = 0
        self.s_out.send(s_out)


def test_vars_before_run_hold_init():
    group = Neurons(shape=(4,), du=0, dv=0, bias=2, vth=7)
    assert np.all(group.v.get() == 0)
    vals = group.describe()
    assert set(vals) == {"u", "v", "du", "dv", "bias", "vth"}
    assert np.all(vals["bias"] == 2) and np.all(vals["vth"] == 7)
    # Vars are registered under their attribute names, with their Process
    assert group.vars.v.name == "v" and group.v.process is group
    assert [p.name for p in group.in_ports] == ["a_in"]
    assert [p.name for p in group.out_ports] == ["s_out"]


def test_var_get_before_run_returns_raw_init():
    group = Neurons(shape=(4,), bias=2)
    assert np.ndim(group.bias.get()) == 0


def test_run_one_step_then_set_and_get():
    group = Neurons(shape=(3,), du=0, dv=0, bias=4, vth=10)
    group.run(condition=RunSteps(num_steps=1), run_cfg=Loihi1SimCfg())
    try:
        np.testing.assert_array_equal(group.v.get(), [4.0, 4.0, 4.0])
        group.v.set(np.array([1, 5, 9]))
        np.testing.assert_array_equal(group.v.get(), [1.0, 5.0, 9.0])
        # one more step: v + bias, >= vth resets the third neuron
        group.run(condition=RunSteps(num_steps=1), run_cfg=Loihi1SimCfg())
        np.testing.assert_array_equal(group.v.get(), [5.0, 9.0, 0.0])
        assert group.v.get().dtype == np.float64
    finally:
        group.stop()


def test_same_process_runs_under_loihi2_sim_cfg():
    group = Neurons(shape=(2,), bias=3, vth=10)
    group.run(condition=RunSteps(num_steps=5), run_cfg=Loihi2SimCfg())
    # 3, 6, 9, 12 -> spike (>= 10) and reset, 3
    np.testing.assert_array_equal(group.v.get(), [3.0, 3.0])
    group.stop()
