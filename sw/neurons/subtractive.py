"""Neuron program ``lif_subtract``: LIF with reset by subtraction
(Process ``kilauea.proc.lifsub.process.LIFSubtract``; equations in
``kilauea.numerics.lifsub``).

Words: LIF's (state u, v; params bias_mant, bias_exp; consts du, dv, vth).
``v`` is stored without reset; the next step subtracts ``vth << 6`` where
the stored ``v`` exceeds it::

    u' = wrap24(trunc_shr(u * (4095 - du), 12) + (a_in << 6))
    v' = sat24(trunc_shr(v * (4096 - dv), 12) + u' + ash(bias_mant, bias_exp)
               - select(v > vth << 6, vth << 6, 0))
    spike where v' > vth << 6
"""
from __future__ import annotations

from ..hw import fixed_point as fp
from .builder import NeuronProgram, ProgramBuilder
from .library import _lif_current, _lif_decls

__all__ = ["lif_subtract"]


def lif_subtract(n_groups: int = 1) -> NeuronProgram:
    b = ProgramBuilder("lif_subtract", n_groups)
    _lif_decls(b)
    u = _lif_current(b, b.state("u"))
    v_old = b.state("v")
    vth = b.const("vth") << fp.VTH_SHIFT
    v = b.mul_tshr(v_old, fp.DECAY_ONE - b.const("dv"), fp.DECAY_BITS) + u
    v = v + b.ash(b.param("bias_mant"), b.param("bias_exp"))
    v = b.sat(v - b.select(v_old > vth, vth, b.zero), fp.STATE_BITS)
    b.store("v", v)
    fire = v > vth
    b.spike(fire)
    return b.build(doc="LIFSubtract: LIF whose threshold is subtracted one step after a spike")
