"""Neuron programs ``rf`` and ``rf_iz``: resonate-and-fire neurons
(Processes ``kilauea.proc.rf.process.RF`` and ``kilauea.proc.rf_iz.process.RF_IZ``;
equations in ``kilauea.numerics.rf``).

Words: state real, imag; consts sin_decay, cos_decay (``decay_bits``-bit
fractions), state_exp, vth. Two input ports: accumulator group g holds the
input of port ``ports[g]`` (0: a_real_in, 1: a_imag_in). Per step, ``k =
decay_bits`` (a program per value: MULT's shift is an immediate)::

    xr, xi = wrap32(sum of the port's groups << state_exp)
    real'  = sat24(trunc_shr(cos * real, k) - trunc_shr(sin * imag, k) + sat31(xr))
    imag'  = sat24(trunc_shr(sin * real, k) + trunc_shr(cos * imag, k) + sat31(xi))
    rf:    s = real' >= vth and imag' >= 0 and imag < 0
    rf_iz: s = imag' >= vth; where s: real' = 0, imag' = vth - 1

The CPU model sums in int64 and then clips to 24 bits; the program's
32-bit sums equal that while each product term stays below 2**29 in
magnitude (the compiler refuses decays that could leave it: ``|decay| <
2**(k + 6)`` with ``|real|, |imag| < 2**23``) and the input, clipped first
to +-(2**30 - 1), cannot change the 24-bit clip.
"""
from __future__ import annotations

from ..hw import fixed_point as fp
from .builder import NeuronProgram, ProgramBuilder, Val

__all__ = ["rf", "rf_iz", "DECAY_HEADROOM"]

#: ``|decay| < 2**(decay_bits + DECAY_HEADROOM)``: each term stays below 2**29
DECAY_HEADROOM = 6
_IN_CLIP = 31       # inputs clipped to +-(2**30 - 1) before the sum


def _rotation(b: ProgramBuilder, ports: tuple[int, ...], decay_bits: int):
    """Declarations and (real', imag', old imag)."""
    b.declare_state("real", lo=-fp.V_LIMIT, hi=fp.V_LIMIT)
    b.declare_state("imag", lo=-fp.V_LIMIT, hi=fp.V_LIMIT)
    for name in ("sin_decay", "cos_decay"):
        b.declare_const(name)
    b.declare_const("state_exp", lo=0, hi=fp.WORD_BITS - 1)
    b.declare_const("vth", lo=-2**31 + 1)
    k = decay_bits
    real, imag = b.state("real"), b.state("imag")
    new = []
    for port, (fa, fb, sign) in enumerate((("cos_decay", "sin_decay", -1),
                                           ("sin_decay", "cos_decay", 1))):
        x = b.input([g for g, p in enumerate(ports) if p == port])
        x = b.sat(b.shl(x, b.const("state_exp")), _IN_CLIP)
        ta = b.mul_tshr(b.const(fa), real, k)
        tb = b.mul_tshr(b.const(fb), imag, k)
        new.append(b.sat((ta - tb if sign < 0 else ta + tb) + x, fp.STATE_BITS))
    return new[0], new[1], imag


def _check(decay_bits: int) -> None:
    if not 1 <= decay_bits <= 63 - 32:
        raise ValueError(f"decay_bits={decay_bits} outside 1..31")


def rf(n_groups: int = 1, *, ports: tuple[int, ...] | None = None,
       decay_bits: int = 1) -> NeuronProgram:
    _check(decay_bits)
    b = ProgramBuilder("rf", n_groups)
    real, imag, old = _rotation(b, ports or (0,) * n_groups, decay_bits)
    b.store("real", real)
    b.store("imag", imag)
    fire = ((real >= b.const("vth")) & (imag >= 0)) & (b.zero > old)
    b.spike(fire)
    return b.build(doc="RF: resonate-and-fire, spikes at the phase's zero crossing")


def rf_iz(n_groups: int = 1, *, ports: tuple[int, ...] | None = None,
          decay_bits: int = 1) -> NeuronProgram:
    _check(decay_bits)
    b = ProgramBuilder("rf_iz", n_groups)
    real, imag, _ = _rotation(b, ports or (0,) * n_groups, decay_bits)
    vth = b.const("vth")
    fire = imag >= vth
    b.store("real", b.select(fire, b.zero, real))
    b.store("imag", b.select(fire, vth - 1, imag))
    b.spike(fire)
    return b.build(doc="RF_IZ: resonate-and-fire, spikes and resets where imag >= vth")
