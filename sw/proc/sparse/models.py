"""CPU ProcessModels of Sparse (CSR weights); numerics as Dense's."""
from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from .._api import (LavaPyType, PyInPort, PyOutPort, implements, requires,
                    tag, CPU, LoihiProtocol)
from ..dense.models import AbstractPyDenseModel, AbstractPyDelayDenseModel
from ... import numerics as nx
from .process import Sparse, DelaySparse


class AbstractPySparseModel(AbstractPyDenseModel):
    """Dense's step on a CSR matrix (scipy's sparse product; no transposed
    copy needed)."""

    def build_cache(self) -> None:
        self._weights_t = None
        self.cache_scalars()


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


class AbstractPyDelaySparseModel(AbstractPyDelayDenseModel):
    """DelayDense's step on CSR weights and CSR delays (the delays are read
    at the weights' stored entries). A graded sum wraps to int32 before
    the shift, as lava-nc's int32 CSR product does (DelayDense's does not)."""

    graded_sum_wraps = True

    def build_cache(self) -> None:
        w = csr_matrix(self.weights)
        d = self.delays
        d = d.toarray() if hasattr(d, "toarray") else np.broadcast_to(np.asarray(d), w.shape)
        slots = self.a_buff.shape[-1]
        coo = w.tocoo()
        dv = np.asarray(d)[coo.row, coo.col]
        if dv.size:
            self.check_delays("DelaySparse", dv, slots)
        n_out = w.shape[0]
        # block k of the stack holds the synapses of delay k
        self._stack = csr_matrix((coo.data, (dv.astype(np.int64) * n_out + coo.row, coo.col)),
                                 shape=(slots * n_out, w.shape[1]))
        self._slots = slots
        self.cache_scalars()


@implements(proc=DelaySparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDelaySparseModelFloat(AbstractPyDelaySparseModel):
    """DelaySparse, floating point."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: csr_matrix = LavaPyType(csr_matrix, float)
    delays: csr_matrix = LavaPyType(csr_matrix, int)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)


@implements(proc=DelaySparse, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyDelaySparseModelBitAcc(AbstractPyDelaySparseModel):
    """DelaySparse, bit-exact fixed point: DelayDense's rules on the stored
    entries (each source step's per-delay sum floored on its own)."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buff: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    weights: csr_matrix = LavaPyType(csr_matrix, np.int32, precision=8)
    delays: csr_matrix = LavaPyType(csr_matrix, np.int32, precision=6)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)

    fixed_point = True
