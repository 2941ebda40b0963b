"""CPU ProcessModels of LearningDense: Dense's step, then the plastic connection's.

``floating_pt``: lava-nc's float model. ``fixed_pt`` (``bit_approximate_loihi``):
lava-nc 0.10's bit-approximate model, bit for bit: before the first step the weights
are truncated to ``num_weight_bits`` (sign mode, default MIXED; no clipping), each
step's sum is shifted by ``weight_exp`` as Dense's; the learning arithmetic is in
:mod:`kilauea.proc.plastic`.
"""
from __future__ import annotations

import numpy as np

from ..plastic.models import (LearningConnectionModelBitApproximate,
                              LearningConnectionModelFloat)
from ..plastic.step import LearningConnectionStep
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyOutPort, implements,
                    requires, tag)
from .learning import LearningDense


@implements(proc=LearningDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLearningDenseModelFloat(LearningConnectionModelFloat, LearningConnectionStep):
    """LearningDense, floating point."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)


@implements(proc=LearningDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_approximate_loihi", "fixed_pt")
class PyLearningDenseModelBitApproximate(LearningConnectionModelBitApproximate,
                                         LearningConnectionStep):
    """LearningDense, fixed point, bit for bit with lava-nc 0.10's bit-approximate
    model (weights 8 bits of magnitude, traces 7 bits, accumulator 16 bits)."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buff: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    weights: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)

    fixed_point = True
