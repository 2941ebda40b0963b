"""Porting Lava's in-depth tutorial 03 (ProcessModels) to kilauea.

Patterns: several LeafProcessModels for one Process told apart by
``@tag``; choosing one with ``select_tag`` or ``exception_proc_model_map``;
subclassing a library model; Lava's library LIF models by their Lava names.
"""
import numpy as np
import pytest

from kilauea.lava.magma.core.process.process import AbstractProcess
from kilauea.lava.magma.core.process.variable import Var
from kilauea.lava.magma.core.process.ports.ports import InPort, OutPort
from kilauea.lava.magma.core.decorator import implements, requires, tag
from kilauea.lava.magma.core.resources import CPU
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from kilauea.lava.magma.core.model.py.model import PyLoihiProcessModel
from kilauea.lava.magma.core.model.py.ports import PyInPort, PyOutPort
from kilauea.lava.magma.core.model.py.type import LavaPyType
from kilauea.lava.magma.core.run_configs import Loihi1SimCfg, Loihi2SimCfg
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.proc.lif.process import LIF
from kilauea.lava.proc.lif.models import PyLifModelFloat, PyLifModelBitAcc


class Cuba(AbstractProcess):
    """Tutorial 03's LIF interface (bias_mant and bias_exp Vars)."""

    def __init__(self, **kwargs):
        super().__init__()
        shape = kwargs.get("shape", (1,))
        self.shape = shape
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=0)
        self.v = Var(shape=shape, init=0)
        self.du = Var(shape=(1,), init=kwargs.pop("du", 0))
        self.dv = Var(shape=(1,), init=kwargs.pop("dv", 0))
        self.bias_mant = Var(shape=shape, init=kwargs.pop("bias_mant", 0))
        self.bias_exp = Var(shape=shape, init=kwargs.pop("bias_exp", 0))
        self.vth = Var(shape=(1,), init=kwargs.pop("vth", 10))


class _CubaBase(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    u: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, float)
    du: float = LavaPyType(float, float)
    dv: float = LavaPyType(float, float)
    vth: float = LavaPyType(float, float)

    def run_spk(self):
        a_in_data = self.a_in.recv()
        self.u[:] = self.u * (1 - self.du)
        self.u[:] += a_in_data
        bias = self.bias_mant * (2 ** self.bias_exp)
        self.v[:] = self.v * (1 - self.dv) + self.u + bias
        s_out = self.v >= self.vth
        self.v[s_out] = 0
        self.s_out.send(s_out)


@implements(proc=Cuba, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyCubaFloat(_CubaBase):
    pass


@implements(proc=Cuba, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyCubaDoubled(_CubaBase):
    """A second model: the bias counts twice (so selection is visible)."""

    def run_spk(self):
        self.bias_mant = self.bias_mant * 2
        super().run_spk()
        self.bias_mant = self.bias_mant / 2


def test_tutorial_values_ten_steps():
    # bias 3 per step, threshold 10 with >=: 3 6 9 0 3 6 9 0 3 6
    cuba = Cuba(shape=(3,), du=0, dv=0, bias_mant=3, vth=10)
    cuba.run(condition=RunSteps(num_steps=10), run_cfg=Loihi1SimCfg())
    np.testing.assert_array_equal(cuba.v.get(), [6.0, 6.0, 6.0])
    cuba.stop()


def test_bias_exp_used_by_float_model():
    cuba = Cuba(shape=(2,), bias_mant=[1, 3], bias_exp=[2, 1], vth=100)
    cuba.run(condition=RunSteps(num_steps=3), run_cfg=Loihi2SimCfg())
    np.testing.assert_array_equal(cuba.v.get(), [12.0, 18.0])
    cuba.stop()


def test_select_tag_picks_model():
    cuba = Cuba(shape=(1,), bias_mant=2, vth=100)
    cuba.run(condition=RunSteps(num_steps=2),
             run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    np.testing.assert_array_equal(cuba.v.get(), [8.0])
    cuba.stop()


def test_exception_proc_model_map_wins_over_tag():
    cuba = Cuba(shape=(1,), bias_mant=2, vth=100)
    cfg = Loihi2SimCfg(select_tag="fixed_pt",
                       exception_proc_model_map={Cuba: PyCubaFloat})
    cuba.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    np.testing.assert_array_equal(cuba.v.get(), [4.0])
    cuba.stop()


def test_library_lif_float_and_bit_accurate_models():
    # float: bias 1.5 per step, v > vth strictly: 1.5 3 4.5 6 -> spike at 4
    lif = LIF(shape=(1,), bias_mant=1.5, vth=5.0)
    lif.run(condition=RunSteps(num_steps=5),
            run_cfg=Loihi2SimCfg(select_tag="floating_pt"))
    np.testing.assert_allclose(lif.v.get(), [1.5])
    lif.stop()
    # fixed: bias = 3 << 6 = 192 per step, threshold vth << 6 = 640
    lif = LIF(shape=(1,), bias_mant=3, bias_exp=6, vth=10)
    lif.run(condition=RunSteps(num_steps=3),
            run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    np.testing.assert_array_equal(lif.v.get(), [576])
    lif.run(condition=RunSteps(num_steps=1),
            run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    np.testing.assert_array_equal(lif.v.get(), [0])  # 768 > 640: spiked
    lif.stop()


def test_library_model_forced_by_lava_name():
    lif = LIF(shape=(1,), bias_mant=3, bias_exp=6, vth=10)
    cfg = Loihi2SimCfg(exception_proc_model_map={LIF: PyLifModelBitAcc})
    lif.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    np.testing.assert_array_equal(lif.v.get(), [384])
    lif.stop()
    assert PyLifModelFloat is not PyLifModelBitAcc


def test_unknown_tag_raises():
    cuba = Cuba(shape=(1,))
    with pytest.raises(Exception):
        cuba.run(condition=RunSteps(num_steps=1),
                 run_cfg=Loihi2SimCfg(select_tag="no_such_tag"))
