"""kilauea: an open neuromorphic chip with Lava's host Python API.

The flat namespace: ``from kilauea import LIF, Dense, RunSteps, CpuSimCfg``.
"""
from .core.decorators import implements, requires, tag
from .core.exceptions import (DeadlockError, KilaueaError, ModelNotFoundError,
                              PortConnectionError, ProcessModelError,
                              RuntimeStateError, RuntimeStoppedError)
from .core.model import (AbstractNcProcessModel, AbstractProcessModel,
                         AbstractPyProcessModel, AbstractSubProcessModel,
                         PyAsyncProcessModel, PyLoihiProcessModel)
from .core.ports import (ConcatPort, ImplicitVarPort, InPort, OutPort, RefPort,
                         ReshapePort, TransposePort, VarPort)
from .core.process import AbstractProcess, ProcessParameters
from .core.protocols import AsyncProtocol, LoihiProtocol
from .core.pytypes import (LavaPyType, PyInPort, PyOutPort, PyRefPort,
                           PyVarPort)
from .core.resources import (CPU, GPU, KilaueaNeuroCore, Loihi1NeuroCore,
                             Loihi2NeuroCore, NeuroCore)
from .core.run_conditions import RunContinuous, RunSteps
from .core.run_configs import (ChipCfg, CpuSimCfg, Loihi1SimCfg, Loihi2SimCfg,
                               RunConfig)
from .core.variable import Var
from .runtime.runtime import Runtime

__all__ = [
    "AbstractProcess", "ProcessParameters", "Var",
    "InPort", "OutPort", "RefPort", "VarPort", "ImplicitVarPort",
    "ReshapePort", "TransposePort", "ConcatPort",
    "AbstractProcessModel", "AbstractPyProcessModel", "PyLoihiProcessModel",
    "PyAsyncProcessModel", "AbstractSubProcessModel", "AbstractNcProcessModel",
    "LavaPyType", "PyInPort", "PyOutPort", "PyRefPort", "PyVarPort",
    "implements", "requires", "tag",
    "CPU", "GPU", "NeuroCore", "Loihi1NeuroCore", "Loihi2NeuroCore", "KilaueaNeuroCore",
    "LoihiProtocol", "AsyncProtocol",
    "RunSteps", "RunContinuous",
    "RunConfig", "CpuSimCfg", "Loihi1SimCfg", "Loihi2SimCfg", "ChipCfg",
    "Runtime",
    "KilaueaError", "PortConnectionError", "ModelNotFoundError", "ProcessModelError",
    "DeadlockError", "RuntimeStoppedError", "RuntimeStateError",
]

# --- process library ---
# (maintained by the process-library engineer; only this block)
from .numerics.weights import SignMode  # noqa: E402
from .proc.lif.process import LIF, LIFReset, LIFRefractory  # noqa: E402
from .proc.dense.process import Dense, DelayDense  # noqa: E402
from .proc.sparse.process import Sparse  # noqa: E402
from .proc.monitor.process import Monitor  # noqa: E402
from .proc.io import source, sink  # noqa: E402

__all__ += ["SignMode", "LIF", "LIFReset", "LIFRefractory", "Dense",
            "DelayDense", "Sparse", "Monitor", "source", "sink"]

# --- compiler ---
from .compiler import CompileError, compile_network  # noqa: E402
from .compiler.quantize import QuantizeReport, quantize  # noqa: E402

__all__ += ["compile_network", "CompileError", "quantize", "QuantizeReport"]

# --- graded and sigma-delta neurons (maintained by the graded-neurons engineer; only this block)
from .proc.graded.process import GradedVec, GradedReluVec  # noqa: E402
from .proc.sdn.process import SigmaDelta, ActivationMode  # noqa: E402

__all__ += ["GradedVec", "GradedReluVec", "SigmaDelta", "ActivationMode"]

# --- lava-nc 0.10 processes added for porting (maintained by the new-process engineer; only this block)
from .proc.lif.process import TernaryLIF  # noqa: E402
from .proc.sparse.process import DelaySparse  # noqa: E402
from .proc.sdn.process import Sigma, Delta  # noqa: E402
from .proc.conv.process import Conv  # noqa: E402
from .proc.io.injector import Injector  # noqa: E402
from .proc.io.extractor import Extractor  # noqa: E402
from .proc.io.dataloader import SpikeDataloader, StateDataloader  # noqa: E402
from .proc.io.utils import ChannelConfig  # noqa: E402

__all__ += ["TernaryLIF", "DelaySparse", "Sigma", "Delta", "Conv", "Injector", "Extractor",
            "SpikeDataloader", "StateDataloader", "ChannelConfig"]
