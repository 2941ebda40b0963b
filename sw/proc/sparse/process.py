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

from .._api import AbstractProcess, LogConfig
from ..dense.process import (add_connection_vars, add_delay_vars, check_connection_params,
                             check_max_delay)


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
        add_connection_vars(self, weights.shape, weights, num_message_bits)


class DelaySparse(Sparse):
    """Sparse connections with a per-synapse delay: the sparse twin of
    :class:`kilauea.proc.dense.process.DelayDense` (lava-nc 0.10
    ``lava.proc.sparse.process.DelaySparse``).

    A spike at step t through a synapse of delay ``d`` reaches the target's
    input at step ``t + 1 + d``.

    Parameters (besides Sparse's)
    ----------
    delays : scipy.sparse matrix, numpy.ndarray or int
        ``(n_out, n_in)`` integer delays (read at the stored weights'
        positions; a missing entry is delay 0), or one int for all
        synapses; 0..63.
    max_delay : int, optional
        Largest delay the buffer must hold (default 0: ``max(delays)``); set
        it if ``delays`` will be changed between runs.

    Vars (besides Sparse's): ``delays`` (CSR, the weights' sparsity
    pattern); ``a_buff`` is ``(n_out, max_delay + 1)``, column ``k`` being
    what is sent ``k + 1`` steps later.
    """

    def __init__(self, *, weights, delays, max_delay: int = 0,
                 name: ty.Optional[str] = None,
                 num_message_bits: ty.Optional[int] = 0,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        w = sparse.csr_matrix(weights) if sparse.issparse(weights) \
            else sparse.csr_matrix(np.asarray(weights))
        delays = self._validate_delays(w, delays)
        check_max_delay("DelaySparse", max_delay)
        max_delay = max(int(max_delay), int(delays.max()) if delays.nnz else 0)
        super().__init__(weights=weights, num_message_bits=num_message_bits,
                         name=name, log_config=log_config,
                         max_delay=max_delay, **kwargs)
        add_delay_vars(self, w.shape, delays, max_delay)

    @staticmethod
    def _validate_delays(weights: sparse.csr_matrix, delays) -> sparse.csr_matrix:
        """The delays as a CSR matrix on the weights' sparsity pattern."""
        from ... import numerics as nx
        pattern = sparse.csr_matrix(weights, copy=True)
        pattern.sort_indices()
        if isinstance(delays, (int, np.integer)) and not isinstance(delays, bool):
            dense = np.full(weights.shape, int(delays), dtype=np.int64)
        else:
            if not sparse.issparse(delays):
                delays = np.asarray(delays)
            if delays.shape != weights.shape:
                raise ValueError("DelaySparse 'delays' expects an int or the shape "
                                 f"of the weights {weights.shape}, got {delays.shape}")
            if delays.dtype.kind not in "iu":
                raise ValueError("DelaySparse 'delays' expects integer values, "
                                 f"got dtype {delays.dtype}")
            dense = delays.toarray() if sparse.issparse(delays) else delays
        rows = np.repeat(np.arange(pattern.shape[0]), np.diff(pattern.indptr))
        vals = np.asarray(dense[rows, pattern.indices], dtype=np.int64)
        if vals.size and (vals.min() < 0 or vals.max() > nx.MAX_DELAY):
            raise ValueError(f"DelaySparse 'delays' must lie in 0..{nx.MAX_DELAY}, "
                             f"got values in {vals.min()}..{vals.max()}")
        return sparse.csr_matrix((vals, pattern.indices.copy(), pattern.indptr.copy()),
                                 shape=pattern.shape)
