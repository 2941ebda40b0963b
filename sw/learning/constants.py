"""Bit widths of Lava's fixed-point ("bit-approximate") learning.

These are the widths of Loihi's learning engine as lava-nc 0.10 models it on
the CPU (docs/learning.md, "Fixed point"). The weight magnitude width is the
chip's own (`kilauea.hw.fixed_point.WEIGHT_BITS`); the others belong to
learning alone (the chip has no learning engine yet). Every ``W_*`` is a
width in bits; ``_U`` widths are magnitudes (the signed width adds one bit).
"""
from __future__ import annotations

import enum

from kilauea.hw.fixed_point import WEIGHT_BITS

from . import string_symbols as sym

__all__ = [
    "W_EPOCH_TIME", "W_WEIGHTS_U", "W_WEIGHTS_S", "W_TAG_2_U", "W_TAG_2_S", "W_TAG_1_U",
    "W_TAG_1_S", "W_SYN_VAR_U", "W_SYN_VAR_S", "W_TRACE", "W_TRACE_FRACTIONAL_PART",
    "W_CONST", "W_S_MANT", "W_ACCUMULATOR_U", "W_ACCUMULATOR_S", "FACTOR_TO_WIDTH_DICT",
    "DEP_TO_IDX_DICT", "TRACE_TO_IDX_DICT", "S_MANT_MIN", "S_MANT_MAX", "S_EXP_MIN",
    "S_EXP_MAX", "S_EXP_OFFSET", "GradedSpikeCfg",
]

#: Within-epoch time of a spike (``tx``, ``ty``): 1 .. t_epoch.
W_EPOCH_TIME = 6

#: Weight magnitude and signed width.
W_WEIGHTS_U = WEIGHT_BITS
W_WEIGHTS_S = W_WEIGHTS_U + 1
#: Delay (``d``, the Var ``tag_2``) magnitude and signed width.
W_TAG_2_U = 8
W_TAG_2_S = W_TAG_2_U + 1
#: Tag (``t``, the Var ``tag_1``) magnitude and signed width.
W_TAG_1_U = 8
W_TAG_1_S = W_TAG_1_U + 1

#: Synaptic variable Var name -> magnitude width.
W_SYN_VAR_U = {"weights": W_WEIGHTS_U, "tag_2": W_TAG_2_U, "tag_1": W_TAG_1_U}
#: Synaptic variable Var name -> signed width.
W_SYN_VAR_S = {"weights": W_WEIGHTS_S, "tag_2": W_TAG_2_S, "tag_1": W_TAG_1_S}

#: Traces x1, x2, y1, y2, y3: unsigned integers of this width (0 .. 127).
W_TRACE = 7
#: Fractional bits of a trace impulse (the impulse's fraction in 1/256).
W_TRACE_FRACTIONAL_PART = 8

#: Constants added to a factor.
W_CONST = 8

#: Mantissa of a product's scaling factor (signed: -8 .. 7).
W_S_MANT = 4

#: The accumulator of synaptic changes: magnitude and signed width.
W_ACCUMULATOR_U = 15
W_ACCUMULATOR_S = W_ACCUMULATOR_U + 1

#: Factor symbol -> the width it is saturated to (and counted with) in a product.
FACTOR_TO_WIDTH_DICT = {
    sym.X0: 1, sym.Y0: 1,
    sym.X1: W_TRACE, sym.X2: W_TRACE,
    sym.Y1: W_TRACE, sym.Y2: W_TRACE, sym.Y3: W_TRACE,
    sym.W: W_WEIGHTS_S, sym.D: W_TAG_2_S, sym.T: W_TAG_1_S,
    sym.C: W_CONST,
}

#: Dependency -> its index among (x0, y0, u).
DEP_TO_IDX_DICT = {sym.X0: 0, sym.Y0: 1, sym.U: 2}

#: Trace -> its row in the pre (x1, x2) or post (y1, y2, y3) trace array.
TRACE_TO_IDX_DICT = {sym.X1: 0, sym.X2: 1, sym.Y1: 0, sym.Y2: 1, sym.Y3: 2}

#: Scaling factor of a product: mantissa -8 .. 7, exponent -7 .. 8 (stored + 7).
S_MANT_MIN, S_MANT_MAX = -(1 << (W_S_MANT - 1)), (1 << (W_S_MANT - 1)) - 1
S_EXP_MIN, S_EXP_MAX = -7, 8
#: Offset added to the scaling exponent in `Product.s_exp` (0 .. 15).
S_EXP_OFFSET = 7


class GradedSpikeCfg(enum.IntEnum):
    """What a graded pre-synaptic spike does to the trace x1 (docs/learning.md,
    "Graded spikes"). The values are the hardware's encoding."""
    USE_REGULAR_IMPULSE = 0
    OVERWRITE = 1
    ADD_WITH_SATURATION = 2
    ADD_WITHOUT_SATURATION = 3
