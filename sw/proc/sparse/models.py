"""CPU ProcessModels of Sparse (CSR weights); numerics as Dense's."""
from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from .._api import (LavaPyType, PyInPort, PyOutPort, implements, requires,
                    tag, CPU, LoihiProtocol)
from ..dense.models import AbstractPyDenseModel, _nmb
from .process import Sparse


class AbstractPySparseModel(AbstractPyDenseModel):
    """Dense's step on a CSR matrix (scipy's sparse product; no transposed
    copy needed)."""

    def build_cache(self) -> None:
        self._weights_t = None
        self._nmb = _nmb(self)
        self._weight_exp = int(self.proc_params.get("weight_exp", 0))


@implements(proc=Sparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySparseModelFloat(AbstractPySparseModel):
    """Sparse, floating point."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: csr_matrix = LavaPyType(csr_matrix, float)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)


@implements(proc=Sparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PySparseModelBitAcc(AbstractPySparseModel):
    """Sparse, bit-exact fixed point (the Dense rules on the stored entries;
    implicit zeros stay zero)."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buff: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    weights: csr_matrix = LavaPyType(csr_matrix, np.int32, precision=8)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)

    fixed_point = True
