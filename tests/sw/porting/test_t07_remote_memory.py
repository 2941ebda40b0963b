"""Porting Lava's in-depth tutorial 07 (Remote memory access) to kilauea.

Patterns: a RefPort reading and writing another Process's Var in
``run_post_mgmt`` (``post_guard`` returns True), through an implicit
VarPort (``connect_var``) or an explicit one (``VarPort(var)`` +
``connect``); the same RefPort on a chip LIF's Var.
"""
import numpy as np

from kilauea.lava.magma.core.process.process import AbstractProcess
from kilauea.lava.magma.core.process.variable import Var
from kilauea.lava.magma.core.process.ports.ports import RefPort, VarPort
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from kilauea.lava.magma.core.model.py.ports import PyRefPort, PyVarPort
from kilauea.lava.magma.core.model.py.type import LavaPyType
from kilauea.lava.magma.core.resources import CPU
from kilauea.lava.magma.core.decorator import implements, requires
from kilauea.lava.magma.core.model.py.model import PyLoihiProcessModel
from kilauea.lava.magma.core.run_configs import Loihi1SimCfg, Loihi2SimCfg
from kilauea.lava.magma.core.run_configs import Loihi2HwCfg
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.proc.lif.process import LIF


class Accessor(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        shape = kwargs.get("shape", (1,))
        steps = kwargs.get("steps", 5)
        self.ref = RefPort(shape=shape)
        self.seen = Var(shape=(steps,) + tuple(shape), init=0)


class Holder(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.var = Var(shape=(1,), init=kwargs.get("init", 5))


class HolderExplicit(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.var = Var(shape=(1,), init=kwargs.get("init", 5))
        self.var_port = VarPort(self.var)


@implements(proc=Accessor, protocol=LoihiProtocol)
@requires(CPU)
class PyAccessorModel(PyLoihiProcessModel):
    ref: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, int)
    seen: np.ndarray = LavaPyType(np.ndarray, int)

    def post_guard(self):
        return True

    def run_post_mgmt(self):
        cur_val = self.ref.read()
        self.seen[self.time_step - 1] = cur_val
        if self.proc_params.get("write", True):
            self.ref.write(cur_val + self.time_step)


@implements(proc=Holder, protocol=LoihiProtocol)
@requires(CPU)
class PyHolderModel(PyLoihiProcessModel):
    var: np.ndarray = LavaPyType(np.ndarray, np.int32)


@implements(proc=HolderExplicit, protocol=LoihiProtocol)
@requires(CPU)
class PyHolderExplicitModel(PyLoihiProcessModel):
    var: np.ndarray = LavaPyType(np.ndarray, np.int32)
    var_port: PyVarPort = LavaPyType(PyVarPort.VEC_DENSE, int)


def test_implicit_var_port_read_write():
    proc1 = Accessor()
    proc2 = Holder()
    proc1.ref.connect_var(proc2.var)
    proc1.run(condition=RunSteps(num_steps=5), run_cfg=Loihi1SimCfg())
    # the tutorial prints 5, 6, 8, 11, 15 (adds the time step each step)
    np.testing.assert_array_equal(proc1.seen.get()[:, 0], [5, 6, 8, 11, 15])
    np.testing.assert_array_equal(proc2.var.get(), [20])
    proc1.stop()


def test_explicit_var_port_read_write():
    proc1 = Accessor()
    proc2 = HolderExplicit(init=2)
    proc1.ref.connect(proc2.var_port)
    proc1.run(condition=RunSteps(num_steps=5), run_cfg=Loihi1SimCfg())
    np.testing.assert_array_equal(proc1.seen.get()[:, 0], [2, 3, 5, 8, 12])
    np.testing.assert_array_equal(proc2.var.get(), [17])
    proc1.stop()


def test_var_port_connect_from_ref_port():
    proc1 = Accessor()
    proc2 = HolderExplicit(init=0)
    proc2.var_port.connect_from(proc1.ref)
    proc1.run(condition=RunSteps(num_steps=3), run_cfg=Loihi1SimCfg())
    np.testing.assert_array_equal(proc1.seen.get()[:3, 0], [0, 1, 3])
    proc1.stop()


def _read_lif_v(cfg):
    lif = LIF(shape=(2,), bias_mant=[40, 70], bias_exp=6, vth=150, dv=500)
    acc = Accessor(shape=(2,), steps=8, write=False)
    acc.ref.connect_var(lif.v)
    acc.run(condition=RunSteps(num_steps=8), run_cfg=cfg)
    seen = acc.seen.get().copy()
    acc.stop()
    return seen


def test_ref_port_reads_chip_var_like_cpu():
    cpu = _read_lif_v(Loihi2SimCfg(select_tag="fixed_pt"))
    chip = _read_lif_v(Loihi2HwCfg(engine="model"))
    assert cpu[0, 0] == 40 * 64
    np.testing.assert_array_equal(cpu, chip)
