"""Lava's manual compile/run path (tutorial 04), its system probes and its
reduce_ops module, under kilauea.lava."""
import numpy as np
import pytest

from kilauea.core.exceptions import RuntimeStateError, RuntimeStoppedError
from kilauea.lava import LIF, Dense, RunSteps, Loihi2SimCfg, Loihi2HwCfg
from kilauea.lava.magma.compiler.compiler import Compiler
from kilauea.lava.magma.compiler.executable import Executable
from kilauea.lava.magma.runtime.runtime import Runtime
from kilauea.lava.magma.core.process.message_interface_enum import ActorType


def _net():
    lif1 = LIF(shape=(2,), bias_mant=[3, 5], bias_exp=6, vth=20, du=0, dv=0)
    dense = Dense(weights=np.array([[40, 0], [0, 60]]))
    lif2 = LIF(shape=(2,), vth=10000, du=0, dv=0)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    return lif1, dense, lif2


def _direct(cfg, steps):
    lif1, _, lif2 = _net()
    lif2.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    out = lif2.v.get().copy(), lif1.v.get().copy()
    lif2.stop()
    return out


@pytest.mark.parametrize("cfg", [Loihi2SimCfg(select_tag="fixed_pt"),
                                 Loihi2HwCfg(engine="model")],
                         ids=["cpu", "chip"])
def test_compiler_then_runtime_equals_process_run(cfg):
    want = _direct(cfg, 9)
    lif1, dense, lif2 = _net()
    exe = Compiler().compile(lif1, run_cfg=cfg)
    assert isinstance(exe, Executable)
    assert {id(p) for p in exe.process_list} == {id(lif1), id(dense), id(lif2)}
    assert lif2.is_compiled and dense.is_compiled
    assert lif2.create_runtime(executable=exe) is exe.runtime
    with pytest.raises(ValueError, match="another network"):
        LIF(shape=(1,)).create_runtime(executable=exe)
    rt = Runtime(exe=exe, message_infrastructure_type=ActorType.MultiProcessing)
    exe.assign_runtime_to_all_processes(rt)
    with pytest.raises(RuntimeStateError, match="initialize"):
        rt.start(run_condition=RunSteps(num_steps=1))
    rt.initialize()
    rt.start(run_condition=RunSteps(num_steps=4))
    rt.start(run_condition=RunSteps(num_steps=5))      # continues: 9 steps
    assert rt.global_time == 9
    assert lif1.v.get().max() > 0 and lif2.v.get().max() > 0
    np.testing.assert_array_equal(lif2.v.get(), want[0])
    np.testing.assert_array_equal(lif1.v.get(), want[1])
    rt.stop()
    with pytest.raises(RuntimeStoppedError):
        lif2.v.get()


def test_runtime_over_process_compile_and_bad_inputs():
    lif = LIF(shape=(1,), bias_mant=1.0, vth=100.0)
    rt = Runtime(lif.compile(run_cfg=Loihi2SimCfg()), ActorType.MultiProcessing)
    rt.initialize()
    rt.start(RunSteps(num_steps=7))
    np.testing.assert_allclose(lif.v.get(), [7.0])
    with pytest.raises(TypeError, match="run condition|RunSteps"):
        rt.start(7)
    rt.stop()
    with pytest.raises(RuntimeStateError):
        rt.initialize()
    with pytest.raises(TypeError, match="Executable"):
        Runtime(exe="not compiled")
    with pytest.raises(TypeError, match="run_cfg"):
        Compiler().compile(LIF(shape=(1,)), run_cfg=None)
    assert int(ActorType.MultiProcessing) == 0


def test_system_probes_say_no_physical_loihi():
    from kilauea.lava.utils.system import Loihi2
    from kilauea.lava.utils import loihi
    assert Loihi2.is_loihi2_available is False
    assert loihi.is_lava_loihi_installed() is False
    assert loihi.is_lava_loihi_installed("numpy") is True
    assert loihi.is_lava_loihi_installed("no_such_module_xyz") is False
    with pytest.raises(ImportError, match="Loihi2HwCfg"):
        loihi.use_slurm_host()


def test_reduce_ops_are_the_ports_reduce_sum():
    import kilauea
    from kilauea.lava.magma.core.process.ports.reduce_ops import (
        AbstractReduceOp, ReduceSum)
    from kilauea.lava.magma.core.process.ports.ports import InPort
    assert issubclass(ReduceSum, AbstractReduceOp)
    assert InPort(shape=(2,), reduce_op=ReduceSum).reduce_op is ReduceSum
    with pytest.raises(ValueError, match="ReduceSum"):
        InPort(shape=(2,), reduce_op=AbstractReduceOp)
    assert kilauea.core.ports.ReduceSum is ReduceSum


def test_top_level_names_are_lavas():
    import kilauea.lava as lava
    from kilauea.lava.proc.io import sink, source
    assert lava.SourceRingBuffer is source.RingBuffer
    assert lava.SinkRingBuffer is sink.RingBuffer
    from kilauea.lava.magma.core.process.process import LogConfig
    assert lava.LogConfig is LogConfig
    from kilauea.lava.proc.conv.process import Conv
    from kilauea.lava.proc.io.dataloader import SpikeDataloader
    assert lava.Conv is Conv and lava.SpikeDataloader is SpikeDataloader
    assert [n for n in lava.__all__ if not hasattr(lava, n)] == []
