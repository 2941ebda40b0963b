"""kilauea: an open neuromorphic chip with Lava's host Python API.

The flat namespace: ``from kilauea import LIF, Dense, RunSteps, CpuSimCfg``.

Every top-level name is loaded on first use (PEP 562): ``import kilauea`` itself
imports nothing, so ``import kilauea.hw.packet`` loads only the hardware modules it
needs. `_EXPORTS` says which module defines each name; ``from kilauea import *``
imports them all.
"""
import importlib

# module (relative to kilauea) -> the public names it provides here
_EXPORTS: dict[str, tuple[str, ...]] = {
    ".core.process": ("AbstractProcess", "ProcessParameters"),
    ".core.variable": ("Var",),
    ".core.ports": ("InPort", "OutPort", "RefPort", "VarPort", "ImplicitVarPort",
                    "ReshapePort", "TransposePort", "ConcatPort"),
    ".core.model": ("AbstractProcessModel", "AbstractPyProcessModel", "PyLoihiProcessModel",
                    "PyAsyncProcessModel", "AbstractSubProcessModel", "AbstractNcProcessModel"),
    ".core.pytypes": ("LavaPyType", "PyInPort", "PyOutPort", "PyRefPort", "PyVarPort"),
    ".core.decorators": ("implements", "requires", "tag"),
    ".core.resources": ("CPU", "GPU", "NeuroCore", "Loihi1NeuroCore", "Loihi2NeuroCore",
                        "KilaueaNeuroCore"),
    ".core.protocols": ("LoihiProtocol", "AsyncProtocol"),
    ".core.run_conditions": ("RunSteps", "RunContinuous"),
    ".core.run_configs": ("RunConfig", "CpuSimCfg", "Loihi1SimCfg", "Loihi2SimCfg", "ChipCfg"),
    ".runtime.runtime": ("Runtime",),
    ".core.exceptions": ("KilaueaError", "PortConnectionError", "ModelNotFoundError",
                         "ProcessModelError", "DeadlockError", "RuntimeStoppedError",
                         "RuntimeStateError"),
    # process library
    ".numerics.weights": ("SignMode",),
    ".proc.lif.process": ("LIF", "LIFReset", "LIFRefractory", "TernaryLIF"),
    ".proc.dense.process": ("Dense", "DelayDense"),
    ".proc.sparse.process": ("Sparse", "DelaySparse"),
    ".proc.monitor.process": ("Monitor",),
    ".proc.io": ("source", "sink"),
    ".proc.graded.process": ("GradedVec", "GradedReluVec"),
    ".proc.sdn.process": ("SigmaDelta", "ActivationMode", "Sigma", "Delta"),
    ".proc.conv.process": ("Conv",),
    ".proc.io.injector": ("Injector",),
    ".proc.io.extractor": ("Extractor",),
    ".proc.io.dataloader": ("SpikeDataloader", "StateDataloader"),
    ".proc.io.utils": ("ChannelConfig",),
    ".proc.lif.learning": ("LearningLIF",),
    ".proc.dense.learning": ("LearningDense",),
    ".proc.sparse.learning": ("LearningSparse",),
    ".proc.lifsub.process": ("LIFSubtract",),
    ".proc.atrlif.process": ("ATRLIF",),
    ".proc.rf.process": ("RF",),
    ".proc.rf_iz.process": ("RF_IZ",),
    ".proc.resfire.process": ("RFZero",),
    ".proc.s4d.process": ("S4d", "SigmaS4dDelta", "SigmaS4dDeltaLayer"),
    ".proc.spiker.process": ("Spiker", "Spiker32bit"),
    ".proc.bit_check.process": ("BitCheck",),
    ".proc.prodneuron.process": ("ProdNeuron",),
    ".proc.conv_in_time.process": ("ConvInTime",),
    ".proc.graded.vector_process": ("NormVecDelay", "InvSqrt"),
    # learning
    ".learning.learning_rule": ("Loihi2FLearningRule", "Loihi3FLearningRule"),
    ".learning.rules": ("STDPLoihi", "RewardModulatedSTDP"),
    # compiler and tools
    ".compiler": ("compile_network", "CompileError"),
    ".tools.quantize": ("quantize", "QuantizeReport"),
}

_WHERE: dict[str, str] = {name: module for module, names in _EXPORTS.items() for name in names}

# the subpackages reachable as attributes (``kilauea.compiler``) without importing them first
_SUBPACKAGES = frozenset({"core", "compiler", "runtime", "proc", "neurons", "numerics", "tools",
                          "learning", "nir", "lava", "hw", "sim"})

__all__ = list(_WHERE)


def __getattr__(name: str) -> object:
    """Import the module that defines `name` on first use and cache the value here."""
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'kilauea' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE) | _SUBPACKAGES)
