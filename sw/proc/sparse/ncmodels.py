"""Chip (neurocore) model of Sparse: the Dense mapping on the stored
entries of the CSR matrix (weights prepared as the CPU fixed-point model
does; entries that are zero after preparation get no synapse word)."""
from __future__ import annotations

import numpy as np
from scipy import sparse

from ...compiler.ncmodel import NcConnectionModel, VarValues
from ...hw.fixed_point import WORD_BITS
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from .._ncbase import HostWeights
from ..dense.ncmodels import prepared_weights
from .process import Sparse, DelaySparse


@implements(proc=Sparse, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcSparseModel(HostWeights, NcConnectionModel):
    """Sparse on the chip: one synapse word per nonzero prepared entry."""

    sum_wrap_bits = WORD_BITS     # a graded sum wraps to int32 in lava-nc too

    host_vars = ("weights", "a_buff", "num_message_bits")

    @classmethod
    def synapses(cls, proc, vals: VarValues):
        w = sparse.coo_matrix(prepared_weights(proc, vals.get(proc, "weights")))
        keep = w.data != 0
        post, pre = w.row[keep].astype(np.int64), w.col[keep].astype(np.int64)
        return pre, post, w.data[keep].astype(np.int64), np.zeros(len(pre), dtype=np.int64)


@implements(proc=DelaySparse, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcDelaySparseModel(HostWeights, NcConnectionModel):
    """DelaySparse on the chip: one synapse word per nonzero prepared entry,
    carrying the entry's delay (as DelayDense)."""

    sum_wrap_bits = WORD_BITS     # a graded sum wraps to int32 in lava-nc too

    host_vars = ("weights", "delays", "a_buff", "num_message_bits")

    @classmethod
    def synapses(cls, proc, vals: VarValues):
        w = sparse.coo_matrix(prepared_weights(proc, vals.get(proc, "weights")))
        keep = w.data != 0
        post, pre = w.row[keep].astype(np.int64), w.col[keep].astype(np.int64)
        d = vals.get(proc, "delays")
        d = d.toarray() if sparse.issparse(d) else np.broadcast_to(np.asarray(d), w.shape)
        return pre, post, w.data[keep].astype(np.int64), np.asarray(d, dtype=np.int64)[post, pre]
