"""kilauea.lava mirrors Lava's module paths: porting is replacing ``lava.``
with ``kilauea.lava.`` in import lines."""
import importlib
import pathlib
import re

import numpy as np
import pytest

import kilauea
from kilauea.core.run_configs import CpuSimCfg

PATHS = {
    "proc.lif.process": ["LIF", "LIFReset", "LIFRefractory", "AbstractLIF"],
    "proc.lif.models": ["PyLifModelFloat", "PyLifModelBitAcc",
                        "PyLifResetModelBitAcc", "PyLifRefractoryModelFloat"],
    "proc.dense.process": ["Dense", "DelayDense"],
    "proc.dense.models": ["PyDenseModelFloat", "PyDenseModelBitAcc",
                          "PyDelayDenseModelBitAcc"],
    "proc.sparse.process": ["Sparse"],
    "proc.sparse.models": ["PySparseModelFloat", "PySparseModelBitAcc"],
    "proc.monitor.process": ["Monitor"],
    "proc.monitor.models": ["PyMonitorModel"],
    "proc.io.source": ["RingBuffer", "PySendModelFloat", "PySendModelFixed"],
    "proc.io.sink": ["RingBuffer", "PyReceiveModelFloat", "PyReceiveModelFixed"],
    "magma.core.process.variable": ["Var"],
    "magma.core.process.ports.ports": ["InPort", "OutPort", "RefPort", "VarPort"],
    "magma.core.model.py.model": ["PyLoihiProcessModel", "PyAsyncProcessModel"],
    "magma.core.model.py.type": ["LavaPyType"],
    "magma.core.model.py.ports": ["PyInPort", "PyOutPort", "PyRefPort",
                                  "PyVarPort"],
    "magma.core.model.sub.model": ["AbstractSubProcessModel"],
    "magma.core.resources": ["CPU", "Loihi2NeuroCore"],
    "magma.core.decorator": ["implements", "requires", "tag"],
    "magma.core.run_conditions": ["RunSteps", "RunContinuous"],
    "magma.core.run_configs": ["Loihi1SimCfg", "Loihi2SimCfg", "Loihi1HwCfg", "Loihi2HwCfg"],
    "proc.graded.process": ["GradedVec", "GradedReluVec"],
    "proc.sdn.process": ["SigmaDelta", "ActivationMode"],
    "magma.core.sync.protocols.loihi_protocol": ["LoihiProtocol"],
    "utils.weightutils": ["SignMode", "determine_sign_mode", "clip_weights",
                          "truncate_weights"],
    "magma.core.process.process": ["AbstractProcess", "LogConfig",
                                   "ProcessParameters"],
    "magma.core.process.ports.reduce_ops": ["AbstractReduceOp", "ReduceSum"],
    "magma.core.process.message_interface_enum": ["ActorType"],
    "magma.compiler.compiler": ["Compiler"],
    "magma.compiler.executable": ["Executable"],
    "magma.runtime.runtime": ["Runtime"],
    "utils.system": ["Loihi2"],
    "utils.loihi": ["is_lava_loihi_installed"],
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_lava_paths_export_lava_names(path):
    mod = importlib.import_module(f"kilauea.lava.{path}")
    for name in PATHS[path]:
        assert hasattr(mod, name), f"kilauea.lava.{path} lacks {name}"


def test_same_classes_as_kilauea():
    from kilauea.lava.proc.lif.process import LIF
    from kilauea.lava.proc.dense.process import Dense
    from kilauea.lava.proc.monitor.process import Monitor
    from kilauea.lava.proc import io
    from kilauea.lava.utils.weightutils import SignMode
    from kilauea.lava.magma.core.run_configs import Loihi1SimCfg, Loihi2SimCfg
    assert LIF is kilauea.LIF and Dense is kilauea.Dense
    assert Monitor is kilauea.Monitor and SignMode is kilauea.SignMode
    assert io.sink.RingBuffer is kilauea.sink.RingBuffer
    assert issubclass(Loihi1SimCfg, CpuSimCfg) and issubclass(Loihi2SimCfg,
                                                              CpuSimCfg)
    from kilauea.lava import LIF as L2, Loihi1SimCfg as C1
    assert L2 is LIF and C1 is Loihi1SimCfg


def test_ported_lava_script_runs():
    """The worked example written as Lava code, imports rewritten only."""
    from kilauea.lava.proc.lif.process import LIF
    from kilauea.lava.proc.dense.process import Dense
    from kilauea.lava.proc.monitor.process import Monitor
    from kilauea.lava.magma.core.run_conditions import RunSteps
    from kilauea.lava.magma.core.run_configs import Loihi2SimCfg

    lif1 = LIF(shape=(3,), du=0, dv=0, bias_mant=[2, 3, 4], bias_exp=6, vth=8)
    dense = Dense(weights=np.array([[100, 0, 0], [0, 60, 0], [50, 50, -80]]))
    lif2 = LIF(shape=(3,), du=1024, dv=512, vth=20, name="lif2")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    monitor = Monitor()
    monitor.probe(lif2.u, 6)
    lif2.run(condition=RunSteps(num_steps=6),
             run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    u = monitor.get_data()["lif2"]["u"][:, 2]
    lif2.stop()
    assert u.tolist() == [0, 0, 0, -1920, -1439, 2122]


def test_porting_namespace_is_a_leaf():
    sw = pathlib.Path(kilauea.__file__).parent
    offenders = []
    for py in sw.rglob("*.py"):
        if "lava" in py.relative_to(sw).parts[:1]:
            continue
        text = py.read_text()
        if re.search(r"(kilauea\.lava|from \.+lava\b)", text):
            offenders.append(str(py))
    assert offenders == []
