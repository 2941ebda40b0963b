"""CPU ProcessModels of LearningSparse: LearningDense's models on CSR matrices (the
learning arithmetic on the stored entries; see :mod:`kilauea.proc.dense.learning_models`).
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from ..plastic.models import (LearningConnectionModelBitApproximate,
                              LearningConnectionModelFloat)
from ..plastic.step import LearningConnectionStep
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyOutPort, implements,
                    requires, tag)
from .learning import LearningSparse


@implements(proc=LearningSparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLearningSparseModelFloat(LearningConnectionModelFloat, LearningConnectionStep):
    """LearningSparse, floating point."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: csr_matrix = LavaPyType(csr_matrix, float)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)
    tag_1: csr_matrix = LavaPyType(csr_matrix, float)
    tag_2: csr_matrix = LavaPyType(csr_matrix, float)


@implements(proc=LearningSparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_approximate_loihi", "fixed_pt")
class PyLearningSparseModelBitApproximate(LearningConnectionModelBitApproximate,
                                          LearningConnectionStep):
    """LearningSparse, fixed point (lava-nc 0.10's bit-approximate model)."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buff: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    weights: csr_matrix = LavaPyType(csr_matrix, np.int32, precision=8)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)
    tag_1: csr_matrix = LavaPyType(csr_matrix, int, precision=8)
    tag_2: csr_matrix = LavaPyType(csr_matrix, int, precision=6)

    fixed_point = True

    @staticmethod
    def truncated(weights):
        out = csr_matrix(weights, copy=True)
        out.eliminate_zeros()
        return out
