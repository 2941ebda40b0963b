"""LearningSparse: Sparse connections whose stored weights (and tags) a learning rule
changes. Only stored entries learn: an entry missing from ``weights`` (or from a tag
matrix) stays 0. Models: :mod:`.learning_models`; ``docs/learning.md``.
"""
from __future__ import annotations

import typing as ty

import numpy as np
from scipy import sparse

from ...learning import GradedSpikeCfg, LoihiLearningRule
from ..dense.learning import prepare_learning_kwargs
from ..plastic.process import LearningConnectionProcess
from .._api import LogConfig
from .process import Sparse

Matrix = ty.Union[sparse.spmatrix, np.ndarray]


def _csr(proc: str, name: str, value, shape: tuple) -> sparse.csr_matrix:
    """``value`` (None: no stored entries) as a CSR matrix of ``shape``."""
    if value is None:
        return sparse.csr_matrix(shape)
    value = value if sparse.issparse(value) else np.asarray(value)
    if value.shape != shape:
        raise ValueError(f"{proc} '{name}' must have the weights' shape {shape}, "
                         f"got {value.shape}")
    return sparse.csr_matrix(value)


class LearningSparse(LearningConnectionProcess, Sparse):
    """Sparse connections with on-line learning.

    Parameters: as :class:`kilauea.proc.dense.learning.LearningDense` (``weights`` a
    scipy sparse matrix or ndarray; ``tag_1``, ``tag_2`` likewise). Vars ``weights``,
    ``tag_1``, ``tag_2`` hold CSR matrices. In fixed point the first step truncates
    the weights and drops the entries that become 0 (they no longer learn), as
    lava-nc does.
    """

    def __init__(self, *, weights: Matrix, tag_2: ty.Optional[Matrix] = None,
                 tag_1: ty.Optional[Matrix] = None, name: ty.Optional[str] = None,
                 num_message_bits: ty.Optional[int] = 0,
                 log_config: ty.Optional[LogConfig] = None,
                 learning_rule: LoihiLearningRule = None,
                 graded_spike_cfg: GradedSpikeCfg = GradedSpikeCfg.USE_REGULAR_IMPULSE,
                 **kwargs) -> None:
        if not sparse.issparse(weights):
            weights = np.asarray(weights)
        cfg = prepare_learning_kwargs("LearningSparse", learning_rule, graded_spike_cfg)
        super().__init__(weights=weights, tag_2=tag_2, tag_1=tag_1, shape=weights.shape,
                         num_message_bits=num_message_bits, name=name,
                         log_config=log_config, learning_rule=learning_rule,
                         graded_spike_cfg=cfg, **kwargs)
        tag_2 = _csr("LearningSparse", "tag_2", tag_2, weights.shape)
        tag_1 = _csr("LearningSparse", "tag_1", tag_1, weights.shape)
        self.tag_2.init = tag_2.copy()
        self.tag_1.init = tag_1.copy()
        self.proc_params["x_idx_active_syn_vars"] = {
            "weights": weights.nonzero()[1], "tag_2": tag_2.nonzero()[1],
            "tag_1": tag_1.nonzero()[1]}
