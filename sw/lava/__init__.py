"""kilauea.lava: the porting namespace.

Lava code runs on kilauea by replacing ``lava.`` with ``kilauea.lava.`` in
its import lines: this package mirrors Lava's module paths
(``kilauea.lava.proc.lif.process``, ``kilauea.lava.magma.core.run_configs``,
...) and re-exports kilauea's classes under them; ``Loihi1SimCfg`` and
``Loihi2SimCfg`` are kilauea's CPU run configuration, ``Loihi1HwCfg`` and
``Loihi2HwCfg`` its chip configuration (``ChipCfg``). lava-nc 0.10's own ``lava``
package has no names at its top; for convenience this one also exports
the common names directly (``from kilauea.lava import LIF, Dense, Monitor,
RunSteps, Loihi1SimCfg``, ``SourceRingBuffer``, ``SinkRingBuffer``,
``ActivationMode``, ``LogConfig``, ``loihi``, ``Conv``,
``SpikeDataloader``, ...). Ported code imports from the mirrored module
paths and does not need them.

A leaf: nothing in kilauea imports it.
"""
from .proc.lif.process import (LIF, LIFReset, LIFRefractory,  # noqa: F401
                                TernaryLIF)
from .proc.dense.process import Dense, DelayDense  # noqa: F401
from .proc.sparse.process import Sparse, DelaySparse  # noqa: F401
from .proc.monitor.process import Monitor  # noqa: F401
from .proc.io import sink, source  # noqa: F401
from .proc.io.source import RingBuffer as SourceRingBuffer  # noqa: F401
from .proc.io.sink import RingBuffer as SinkRingBuffer  # noqa: F401
from .proc.io.dataloader import SpikeDataloader, StateDataloader  # noqa: F401
from .proc.io.injector import Injector  # noqa: F401
from .proc.io.extractor import Extractor  # noqa: F401
from .proc.conv.process import Conv  # noqa: F401
from .magma.core.process.process import LogConfig  # noqa: F401
from .magma.core.process.process import AbstractProcess  # noqa: F401
from .magma.core.process.variable import Var  # noqa: F401
from .magma.core.process.ports.ports import (InPort, OutPort,  # noqa: F401
                                             RefPort, VarPort)
from .magma.core.run_conditions import RunSteps, RunContinuous  # noqa: F401
from .proc.graded.process import GradedVec, GradedReluVec  # noqa: F401
from .proc.sdn.process import (Sigma, Delta, SigmaDelta,  # noqa: F401
                               ActivationMode)
from .magma.core.run_configs import (Loihi1SimCfg, Loihi2SimCfg,  # noqa: F401
                                     Loihi1HwCfg, Loihi2HwCfg)
from .utils.weightutils import SignMode  # noqa: F401
from .utils import loihi  # noqa: F401

__all__ = ["LIF", "LIFReset", "LIFRefractory", "Dense", "DelayDense",
           "Sparse", "Monitor", "sink", "source", "AbstractProcess", "Var",
           "InPort", "OutPort", "RefPort", "VarPort", "RunSteps",
           "RunContinuous", "Loihi1SimCfg", "Loihi2SimCfg", "Loihi1HwCfg",
           "Loihi2HwCfg", "GradedVec", "GradedReluVec", "SigmaDelta", "SignMode",
           "TernaryLIF", "DelaySparse", "SourceRingBuffer", "SinkRingBuffer",
           "LogConfig", "Sigma", "Delta", "ActivationMode", "loihi",
           "SpikeDataloader", "StateDataloader", "Injector", "Extractor", "Conv"]
