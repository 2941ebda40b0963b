"""Neuron program ``atrlif``: adaptive threshold and refractoriness LIF
(Process ``kilauea.proc.atrlif.process.ATRLIF``; equations in
``kilauea.numerics.atrlif``, its fixed-point model with an exact current
product).

Words: state i, v, theta, r; params bias_mant, bias_exp; consts (computed by
the compiler from the Process's fractional decays, ``docs/processes.md``)
``fi = 1024 * (4096 - (4096 * delta_i + 1))`` (an integer: the current's
factor with 10 fraction bits), ``fv``, ``ftheta``, ``fr`` = ``F(d) =
trunc(4096 - 4096 d)``, ``theta_0`` and ``theta_step`` (times 64,
truncated)::

    i'     = wrap24(trunc_shr(i * fi, 22) + (a_in << 6))
    v'     = sat24(trunc_shr(v * fv, 12) + i' + ash(bias_mant, bias_exp))
    theta' = trunc_shr((theta - theta_0) * ftheta, 12) + theta_0
    r'     = trunc_shr(r * fr, 12)
    s      = v' - r' >= theta'
    where s: r' += 2 * theta' ; theta' += theta_step

All in 32-bit registers with 64-bit products, so every sum wraps to 32 bits
as lava-nc's int32 arrays do.
"""
from __future__ import annotations

from ..hw import fixed_point as fp
from .builder import NeuronProgram, ProgramBuilder

__all__ = ["atrlif", "CURRENT_FRAC_BITS"]

#: fraction bits of the current's decay factor ``fi``
CURRENT_FRAC_BITS = 10


def atrlif(n_groups: int = 1) -> NeuronProgram:
    b = ProgramBuilder("atrlif", n_groups)
    b.declare_state("i")
    b.declare_state("v", lo=-fp.V_LIMIT, hi=fp.V_LIMIT)
    b.declare_state("theta")
    b.declare_state("r")
    b.declare_param("bias_mant", lo=fp.BIAS_MANT.lo, hi=fp.BIAS_MANT.hi)
    b.declare_param("bias_exp", lo=fp.BIAS_EXP.lo, hi=fp.BIAS_EXP.hi)
    for name in ("fi", "fv", "ftheta", "fr", "theta_0", "theta_step"):
        b.declare_const(name)
    i = b.mul_tshr(b.state("i"), b.const("fi"), fp.DECAY_BITS + CURRENT_FRAC_BITS)
    i = b.wrap(i + (b.input() << fp.ACT_SHIFT), fp.STATE_BITS)
    b.store("i", i)
    v = b.mul_tshr(b.state("v"), b.const("fv"), fp.DECAY_BITS) + i
    v = b.sat(v + b.ash(b.param("bias_mant"), b.param("bias_exp")), fp.STATE_BITS)
    b.store("v", v)
    th0 = b.const("theta_0")
    theta = b.mul_tshr(b.state("theta") - th0, b.const("ftheta"), fp.DECAY_BITS) + th0
    r = b.mul_tshr(b.state("r"), b.const("fr"), fp.DECAY_BITS)
    fire = (v - r) >= theta
    b.store("r", b.select(fire, r + (theta + theta), r))
    b.store("theta", b.select(fire, theta + b.const("theta_step"), theta))
    b.spike(fire)
    return b.build(doc="ATRLIF: adaptive threshold and refractory state, no reset of v")
