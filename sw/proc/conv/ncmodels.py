"""Chip (neurocore) model of Conv: the convolution expanded into a synapse
list (pre, post, weight) over the flat C-order indices of input and output
(`kilauea.numerics.conv.conv_synapses`), zero weights dropped, delay 0;
`use_graded_spike` makes the payloads multiply the weights. Every Var stays
on the host (the chip keeps the weights in synapse words and `a_buf` in its
accumulators). The CPU fixed-point model wraps each step's sum into 24 bits;
the chip's accumulators do not, so the two agree while the sums fit 24 bits
(they do for any input of less than 2**15 synapses per target at 8-bit
weights and binary spikes); the compiler warns when they might not
(`sum_wrap_bits`)."""
from __future__ import annotations

import numpy as np

from ...compiler.ncmodel import NcConnectionModel, VarValues
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...hw.fixed_point import CONV_SUM_BITS
from ...numerics import conv as nconv
from .models import check_conv_weights
from .process import Conv

__all__ = ["NcConvModel"]


@implements(proc=Conv, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcConvModel(NcConnectionModel):
    """Conv on the chip: one synapse word per nonzero (tap, position,
    channel pair)."""

    host_vars = ("weight", "kernel_size", "padding", "stride", "dilation", "groups", "a_buf",
                 "use_graded_spike")
    sum_wrap_bits = CONV_SUM_BITS   # Lava's fixed-point Conv wraps a_out to 24 bits

    @classmethod
    def raw_weights(cls, proc, vals: VarValues):
        return vals.get(proc, "weight")

    @classmethod
    def synapses(cls, proc, vals: VarValues):
        w = np.asarray(vals.get(proc, "weight"))
        check_conv_weights(f"Conv '{proc.name}'", w)
        pp = proc.proc_params
        pre, post, ws = nconv.conv_synapses(proc.input_shape, w.astype(np.int64), pp["stride"],
                                            pp["padding"], pp["dilation"], pp["groups"])
        keep = ws != 0
        return (pre[keep], post[keep], ws[keep].astype(np.int64),
                np.zeros(int(keep.sum()), dtype=np.int64))

    @classmethod
    def weight_exp(cls, proc) -> int:
        return 0

    @classmethod
    def graded(cls, proc, vals: VarValues) -> bool:
        return bool(np.asarray(vals.get(proc, "use_graded_spike")).reshape(-1)[0])
