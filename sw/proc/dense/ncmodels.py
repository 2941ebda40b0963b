"""Chip (neurocore) models of Dense and DelayDense.

They declare the synapses the compiler puts in the target cores' synapse
memory: (pre, post, weight, delay) with the weights prepared exactly as the
CPU fixed-point model prepares them (`kilauea.numerics.prepare_weights`:
sign mode, clip, truncate), unshifted; the target's neuron program applies
`weight_exp` per accumulator group. `weights`, `delays`, `a_buff` and
`num_message_bits` stay on the host (the chip keeps the weights packed in
synapse words and `a_buff` in its dendritic accumulators).
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from ... import numerics as nx
from ...compiler.ncmodel import NcConnectionModel, var_value
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from .._ncbase import HostWeights
from .process import Dense, DelayDense


def prepared_weights(proc):
    """The weights the fixed-point CPU model computes with (int32 cast of
    the Var, then sign mode / clip / truncate)."""
    w = var_value(proc, "weights")
    if sparse.issparse(w):
        w = sparse.csr_matrix(w).astype(np.int32)   # the CPU model's LavaPyType cast
    else:
        w = np.asarray(w)
        if w.dtype.kind == "f":
            w = w.astype(np.int32)
    return nx.prepare_weights(w, proc.proc_params.get("sign_mode", None),
                              proc.proc_params.get("num_weight_bits", nx.WEIGHT_BITS))


@implements(proc=Dense, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcDenseModel(HostWeights, NcConnectionModel):
    """Dense on the chip: one synapse word per nonzero prepared weight."""

    host_vars = ("weights", "a_buff", "num_message_bits")

    @classmethod
    def synapses(cls, proc):
        w = np.asarray(prepared_weights(proc), dtype=np.int64)
        post, pre = np.nonzero(w)
        return (pre.astype(np.int64), post.astype(np.int64), w[post, pre],
                np.zeros(len(pre), dtype=np.int64))


@implements(proc=DelayDense, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcDelayDenseModel(HostWeights, NcConnectionModel):
    """DelayDense on the chip: synapse words carry the per-synapse delay."""

    host_vars = ("weights", "delays", "a_buff", "num_message_bits")

    @classmethod
    def synapses(cls, proc):
        w = np.asarray(prepared_weights(proc), dtype=np.int64)
        d = np.asarray(var_value(proc, "delays"), dtype=np.int64)
        post, pre = np.nonzero(w)
        return pre.astype(np.int64), post.astype(np.int64), w[post, pre], d[post, pre]
