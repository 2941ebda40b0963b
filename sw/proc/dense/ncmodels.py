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

from ...compiler.ncmodel import NcConnectionModel, VarValues
from ...hw.fixed_point import WORD_BITS
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from .._ncbase import HostWeights, prepared_weights
from .process import Dense, DelayDense


@implements(proc=Dense, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcDenseModel(HostWeights, NcConnectionModel):
    """Dense on the chip: one synapse word per nonzero prepared weight."""

    sum_wrap_bits = WORD_BITS     # a graded sum wraps to int32 in lava-nc too

    host_vars = ("weights", "a_buff", "num_message_bits")

    @classmethod
    def synapses(cls, proc, vals: VarValues):
        w = np.asarray(prepared_weights(proc, vals.get(proc, "weights")), dtype=np.int64)
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
    def synapses(cls, proc, vals: VarValues):
        w = np.asarray(prepared_weights(proc, vals.get(proc, "weights")), dtype=np.int64)
        d = np.asarray(vals.get(proc, "delays"), dtype=np.int64)
        post, pre = np.nonzero(w)
        return pre.astype(np.int64), post.astype(np.int64), w[post, pre], d[post, pre]
