"""Fixed-point constants and ranges, defined once.

The chip's arithmetic (the RTL, the golden model), the CPU models
(`kilauea.numerics`, `kilauea.proc`), the neuron program library
(`kilauea.neurons.library`) and the compiler all take these numbers from
here. The reference is `docs/processes.md` (Loihi / lava-nc
0.10 bit-accurate models); `docs/neurocore.md` has the words-and-constants
map.

Units: every value is an integer; ``*_BITS`` are widths in bits; ranges are
`IntRange` (inclusive bounds). Shifts are left shifts by that many bits.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

__all__ = [
    "IntRange", "WORD_BITS", "PAYLOAD_BITS", "PAYLOAD", "PAYLOAD_MIN", "PAYLOAD_MAX",
    "STATE_BITS", "STATE_WRAP", "V_LIMIT", "DECAY_BITS", "DECAY_ONE", "DU_OFFSET", "DU", "DV",
    "VTH_SHIFT", "ACT_SHIFT", "VTH_BITS", "VTH", "BIAS_MANT_BITS", "BIAS_MANT", "BIAS_EXP",
    "WEIGHT_BITS", "WEIGHT", "WEIGHT_EXP", "SYNAPSE_WEIGHT_MIN_BITS",
    "GRADED_VTH", "TERNARY_VTH", "SDN_VTH", "SDN_BIAS", "SDN_EXP", "CONV_SUM_BITS",
]


@dataclass(frozen=True)
class IntRange:
    """The integers lo..hi (inclusive)."""
    lo: int
    hi: int

    @classmethod
    def signed(cls, bits: int) -> "IntRange":
        """-2**(bits-1) .. 2**(bits-1) - 1."""
        return cls(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)

    @classmethod
    def unsigned(cls, bits: int) -> "IntRange":
        """0 .. 2**bits - 1."""
        return cls(0, (1 << bits) - 1)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, numbers.Integral) and self.lo <= int(value) <= self.hi

    def __iter__(self):
        """(lo, hi), so that ``lo, hi = RANGE`` works."""
        return iter((self.lo, self.hi))

    def __str__(self) -> str:
        return f"{self.lo}..{self.hi}"


#: Registers, memory words and dendritic accumulators: 32-bit two's complement.
WORD_BITS = 32

# -- spikes ---------------------------------------------------------------------
#: Graded spike payload: the packet's signed 24-bit field (binary spikes carry 1).
PAYLOAD_BITS = 24
PAYLOAD = IntRange.signed(PAYLOAD_BITS)
PAYLOAD_MIN, PAYLOAD_MAX = PAYLOAD

# -- LIF family (LIF, LIFReset, LIFRefractory, TernaryLIF) ------------------------
#: Width of the LIF state ``u`` and ``v`` (signed).
STATE_BITS = 24
#: ``u`` wraps once into (-STATE_WRAP, STATE_WRAP] (= 2**23).
STATE_WRAP = 1 << (STATE_BITS - 1)
#: ``v`` saturates to [-V_LIMIT, V_LIMIT] (= 2**23 - 1).
V_LIMIT = STATE_WRAP - 1
#: Decays ``du``, ``dv`` are DECAY_BITS-bit fractions of DECAY_ONE (12 bits, 4096):
#: ``x' = trunc_shr(x * (DECAY_ONE - d), DECAY_BITS)``.
DECAY_BITS = 12
DECAY_ONE = 1 << DECAY_BITS
#: The hidden +1 on ``du`` (Loihi's ``ds_offset``): u decays by ``du + 1``.
DU_OFFSET = 1
DU = IntRange.unsigned(DECAY_BITS)
DV = IntRange.unsigned(DECAY_BITS)
#: The threshold is compared as ``vth << VTH_SHIFT`` (the effective threshold).
VTH_SHIFT = 6
#: Synaptic input enters ``u`` as ``a_in << ACT_SHIFT`` (MSB-aligned like vth).
ACT_SHIFT = VTH_SHIFT
#: LIF ``vth``: 17-bit unsigned (0..131071), before the shift.
VTH_BITS = 17
VTH = IntRange.unsigned(VTH_BITS)
#: ``bias = bias_mant << bias_exp`` (flooring right shift for bias_exp < 0).
BIAS_MANT_BITS = 13
BIAS_MANT = IntRange.signed(BIAS_MANT_BITS)
BIAS_EXP = IntRange(-8, 7)

# -- synapses ---------------------------------------------------------------------
#: Magnitude bits of a prepared Dense weight (lava's ``num_weight_bits`` <= 8).
WEIGHT_BITS = 8
#: Prepared weights (clipped to WEIGHT_BITS of magnitude): -256..255.
WEIGHT = IntRange(-(1 << WEIGHT_BITS), (1 << WEIGHT_BITS) - 1)
#: The synapse word's signed weight field needs at least this many bits.
SYNAPSE_WEIGHT_MIN_BITS = WEIGHT_BITS + 1
#: A connection's shared weight exponent: the per-step sum is shifted left
#: (>= 0) or right, flooring (< 0). The chip (profile constant
#: ``weight_exp{g}``) and the CPU Dense models accept the same range.
WEIGHT_EXP = IntRange(-8, 7)

# -- graded and sigma-delta models --------------------------------------------------
#: GradedVec / GradedReluVec ``vth``: 24-bit unsigned.
GRADED_VTH = IntRange.unsigned(24)
#: TernaryLIF ``vth_hi`` / ``vth_lo``: 24-bit signed (compared shifted by VTH_SHIFT).
TERNARY_VTH = IntRange.signed(STATE_BITS)
#: SigmaDelta / Delta ``vth`` after scaling: 24-bit unsigned.
SDN_VTH = IntRange.unsigned(24)
#: SigmaDelta ``bias`` after scaling: 24-bit signed.
SDN_BIAS = IntRange.signed(24)
#: SigmaDelta ``spike_exp`` / ``state_exp``.
SDN_EXP = IntRange(0, 31)

# -- convolution -------------------------------------------------------------------------
#: Lava's fixed-point Conv wraps each step's sum to this many bits, signed
#: (``signed_clamp(x, 24)``); the chip's 32-bit accumulators do not.
CONV_SUM_BITS = 24
