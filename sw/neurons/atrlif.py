"""Neuron program ``atrlif``: adaptive threshold and refractoriness LIF
(Process ``kilauea.proc.atrlif.process.ATRLIF``; equations in
``kilauea.numerics.atrlif``).

Words: state i, v (with ``s`` in its lowest bit: ``2 v + s``), theta, r;
params bias_mant, bias_exp; consts (computed by the compiler,
:func:`current_factor` and ``docs/neuron-programs.md``) ``fmh``, ``fml``,
``fsh``, ``fneg``, ``fmin`` (the current's float64 decay factor),
``fv``, ``ftheta``, ``fr`` = ``F(d) = trunc(4096 - 4096 d)``, ``theta_0``
and ``theta_step`` (times 64, truncated)::

    i'     = wrap24(fprod(i) + (a_in << 6))
    v'     = sat24(trunc_shr(v * fv, 12) + i' + ash(bias_mant, bias_exp))
    theta' = trunc_shr((theta - theta_0) * ftheta, 12) + theta_0
    r'     = trunc_shr(r * fr, 12)
    s      = v' - r' >= theta'
    where s: r' += 2 * theta' ; theta' += theta_step

``fprod(i) = trunc(fl(i * f) / 4096)`` is lava-nc's current product: ``f =
4096 - (4096 delta_i + 1)`` in float64, the product rounded to float64
(53 significant bits, ties to even), truncated toward zero. With ``|f| /
4096 = M 2**-(53 + fsh)`` (``M = fmh 2**23 + fml`` of 53 bits, ``a = |i| <
2**31``) the program forms the 84-bit ``P = a M`` in 30-bit limbs:
``H = P >> 53``, the 53 low bits ``L``, and ``|fprod| = (H >> fsh) + c``
where ``c`` (the float rounding carrying into the integer part) is 1
exactly when the bits of ``P`` below ``53 + fsh`` are all ones from bit 31
up and ``E = 2**31 - 1 - (P mod 2**31)`` has fewer significant bits than
``H`` (``E < 2**(d-1)``, ``d = bitlen(H)`` the bits float64 drops). ``i =
-2**31`` (``a = 2**31``: no rounding) takes ``fmin``.

All in 32-bit registers with 64-bit products, so every sum wraps to 32 bits
as lava-nc's int32 arrays do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..hw import fixed_point as fp
from .builder import NeuronProgram, ProgramBuilder, Val

__all__ = ["atrlif", "CurrentFactor", "current_factor", "MANT_BITS", "LOW_BITS"]

#: float64's significant bits; the current factor's mantissa is split into
#: ``fmh`` (30 bits) above ``fml`` (LOW_BITS = 23 bits)
MANT_BITS = 53
LOW_BITS = 23
_LIMB = 30          # limb width of the 84-bit product (sums stay below 2**31)
_MAX_FSH = 31       # beyond: |f| / 4096 < 2**-84, the product is always 0


@dataclass(frozen=True)
class CurrentFactor:
    """The profile words of the current's float64 decay factor ``f``:
    ``|f| / 4096 = (fmh 2**23 + fml) 2**-(53 + fsh)``, ``fneg`` = (f < 0),
    ``fmin`` = ``|fprod(-2**31)|``. All fit 32 bits."""
    fmh: int
    fml: int
    fsh: int
    fneg: int
    fmin: int

    def words(self) -> dict:
        return {"fmh": self.fmh, "fml": self.fml, "fsh": self.fsh, "fneg": self.fneg,
                "fmin": self.fmin}


def current_factor(f: float) -> CurrentFactor:
    """Split lava-nc's float64 current factor ``f = 4096 - (4096 delta_i +
    1)``; ValueError for ``|f| >= 4096`` (the chip then cannot hold it)
    or a non-finite ``f``."""
    if not math.isfinite(f) or abs(f) >= fp.DECAY_ONE:
        raise ValueError(f"the current's factor {f!r} is outside (-4096, 4096)")
    g = abs(f) / fp.DECAY_ONE            # exact: a power-of-two division
    mant, e = math.frexp(g)              # g = mant 2**e, 0.5 <= mant < 1
    fsh = -e
    if g == 0.0 or fsh > _MAX_FSH:
        return CurrentFactor(0, 0, 0, 0, 0)
    m = int(mant * 2**MANT_BITS)         # exact: 53 bits
    fmin = m >> (MANT_BITS + fsh - 31)   # a = 2**31 multiplies exactly
    return CurrentFactor(m >> LOW_BITS, m & ((1 << LOW_BITS) - 1), fsh, int(f < 0), fmin)


def _limbs(b: ProgramBuilder, a: Val, m: Val) -> tuple[Val, Val]:
    """a * m (a < 2**31, m < 2**30) as (high, low) = (floor(p / 2**30), p mod 2**30)."""
    hi = b.mul_shr(a, m, _LIMB)
    lo = b.mul_tshr(a, m, 0) - (hi << _LIMB)
    return hi, lo


def _float_product(b: ProgramBuilder, i: Val) -> Val:
    """fprod(i) (module docstring): lava-nc's float64 current product."""
    a = b.abs(i)
    neg = (b.zero > i) ^ b.const("fneg")
    at_min = b.zero > a                             # i = -2**31
    b2, b1 = _limbs(b, a, b.const("fml"))           # a fml = b2 2**30 + b1
    a2, a1 = _limbs(b, a, b.const("fmh"))           # a fmh = a2 2**30 + a1
    # P = a2 2**53 + T, T = a1 2**23 + b2 2**30 + b1 = w 2**30 + v
    w = (a1 >> 7) + b2
    v = ((a1 & 127) << LOW_BITS) + b1
    carry = v >> _LIMB
    w = w + carry
    v = v - (carry << _LIMB)
    h = a2 + (w >> LOW_BITS)                        # P >> 53
    # carry of the float rounding: the bits of P in [31, 53) all ones, ...
    c = (((w >> 1) + 1) << 10) == 0
    low = ((w & 1) << _LIMB) + v                    # P mod 2**31
    c = c & (b.zero > (h + low))                    # ... E < H (E = 2**31 - 1 - low) ...
    e_off = low ^ -1                                # E - 2**31
    c = c & (e_off < (e_off ^ h))                   # ... E < E ^ H ...
    fsh = b.const("fsh")
    c = c & (b.shl(h + 1, 32 - fsh) == 0)           # ... and the bits in [53, 53 + fsh) too
    mag = b.shr(h, fsh) + c
    mag = b.select(at_min, b.const("fmin"), mag)
    return b.select(neg, -mag, mag)


def atrlif(n_groups: int = 1) -> NeuronProgram:
    b = ProgramBuilder("atrlif", n_groups)
    b.declare_state("i")
    b.declare_state("v")                 # 2 v + s
    b.declare_state("theta")
    b.declare_state("r")
    b.declare_param("bias_mant", lo=fp.BIAS_MANT.lo, hi=fp.BIAS_MANT.hi)
    b.declare_param("bias_exp", lo=fp.BIAS_EXP.lo, hi=fp.BIAS_EXP.hi)
    b.declare_const("fmh", lo=0, hi=(1 << _LIMB) - 1)
    b.declare_const("fml", lo=0, hi=(1 << LOW_BITS) - 1)
    b.declare_const("fsh", lo=0, hi=_MAX_FSH)
    b.declare_const("fneg", lo=0, hi=1)
    b.declare_const("fmin", lo=0)
    for name in ("fv", "ftheta", "fr", "theta_0", "theta_step"):
        b.declare_const(name)
    i = _float_product(b, b.state("i"))
    i = b.wrap(i + (b.input() << fp.ACT_SHIFT), fp.STATE_BITS)
    b.store("i", i)
    v = b.mul_tshr(b.shr(b.state("v"), 1), b.const("fv"), fp.DECAY_BITS) + i
    v = b.sat(v + b.ash(b.param("bias_mant"), b.param("bias_exp")), fp.STATE_BITS)
    th0 = b.const("theta_0")
    theta = b.mul_tshr(b.state("theta") - th0, b.const("ftheta"), fp.DECAY_BITS) + th0
    r = b.mul_tshr(b.state("r"), b.const("fr"), fp.DECAY_BITS)
    fire = (v - r) >= theta
    b.store("v", (v + v) + fire)
    b.store("r", b.select(fire, r + (theta + theta), r))
    b.store("theta", b.select(fire, theta + b.const("theta_step"), theta))
    b.spike(fire)
    return b.build(doc="ATRLIF: adaptive threshold and refractory state, no reset of v; "
                       "lava-nc's float64 current product; s in v's lowest bit")
