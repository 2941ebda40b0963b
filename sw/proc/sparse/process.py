"""Sparse connections: Dense with the weights stored as a scipy CSR matrix.

Same parameters, ports, timing and fixed-point rules as
:class:`kilauea.proc.dense.process.Dense`; on the same matrix the two give
identical outputs. ``weights`` may be a scipy sparse matrix or an ndarray
(converted to CSR); the ``weights`` Var holds a ``csr_matrix``.
"""
from __future__ import annotations

import typing as ty

import numpy as np
from scipy import sparse

from .._api import AbstractProcess, LogConfig, Var, InPort, OutPort
from ..dense.process import check_connection_params


class Sparse(AbstractProcess):
    """Sparse connections between neurons: ``a_out = weights @ s_in``.

    Parameters: as Dense (``weights`` a scipy sparse matrix or ndarray of
    shape ``(n_out, n_in)``; ``weight_exp``, ``num_weight_bits``,
    ``sign_mode``, ``num_message_bits``, ``name``, ``log_config``).
    Ports: ``s_in``, ``a_out``. Vars: ``weights`` (CSR), ``a_buff``,
    ``num_message_bits``.
    """

    def __init__(self, *, weights, name: ty.Optional[str] = None,
                 num_message_bits: ty.Optional[int] = 0,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        if not sparse.issparse(weights):
            weights = np.asarray(weights)
        check_connection_params("Sparse", weights.shape, num_message_bits,
                                kwargs)
        weights = sparse.csr_matrix(weights)
        if not np.all(np.isfinite(weights.data)):
            raise ValueError("Sparse 'weights' must be finite")
        super().__init__(num_message_bits=num_message_bits, name=name,
                         log_config=log_config, **kwargs)
        shape = weights.shape
        self.s_in = InPort(shape=(shape[1],))
        self.a_out = OutPort(shape=(shape[0],))
        self.weights = Var(shape=shape, init=weights)
        self.a_buff = Var(shape=(shape[0],), init=0)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)
