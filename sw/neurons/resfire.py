"""Neuron program ``rfzero``: a resonate-and-fire neuron fed its two
coordinates separately (Process ``kilauea.proc.resfire.process.RFZero``;
equations in ``kilauea.numerics.resfire``).

Words: state u, v (32 bits, as lava-nc's int32 arrays); parameters lct,
lst (per neuron: ``2**15 exp(-dt / tau) cos / sin(2 pi f dt)``, truncated);
profile constant uth. Two input ports: accumulator group g holds the input
of port ``ports[g]`` (0: u_in, 1: v_in). Every register result wraps to 32
bits, so the program computes lava-nc's int32 arithmetic as it is: each
product is formed in 64 bits and wrapped (``MULF`` with shift 0), then
floored by ``2**15`` (``SHR``), and the sums wrap::

    xu, xv = wrap32(sum of the port's groups)
    u' = wrap32(wrap32((wrap32(u lct) >> 15) - (wrap32(v lst) >> 15)) + xu)
    v' = wrap32(wrap32((wrap32(v lct) >> 15) + (wrap32(u lst) >> 15)) + xv)
    spike with payload u' where u' > uth and v' >= 0 and v < 0 and u' != 0

lava-nc sends ``s_out = u'`` or 0, so a u' of 0 is no spike (a zero payload
would still count as one spike at a binary Dense).
The payload is the full u'; the chip sends 24 bits, and a payload outside
-2**23 .. 2**23 - 1 raises the core's error flag (the run stops with a
``ChipStatusError``) where the CPU model sends the 32-bit value.
"""
from __future__ import annotations

from ..numerics.resfire import RFZERO_SHIFT
from .builder import NeuronProgram, ProgramBuilder, Val

__all__ = ["rfzero"]


def _term(b: ProgramBuilder, a: Val, c: Val) -> Val:
    """``wrap32(a c) >> 15`` (floor): the product wraps before the shift."""
    return b.mul_shr(a, c, 0) >> RFZERO_SHIFT


def rfzero(n_groups: int = 2, *, ports: tuple[int, ...] | None = None) -> NeuronProgram:
    """The program for ``n_groups`` accumulator groups, group g holding port
    ``ports[g]`` (default: group 0 u_in, every other group v_in)."""
    ports = tuple(ports) if ports is not None else (0,) + (1,) * (n_groups - 1)
    if len(ports) != n_groups or not set(ports) <= {0, 1}:
        raise ValueError(f"rfzero: ports {ports} must name port 0 or 1 for each of the "
                         f"{n_groups} groups")
    b = ProgramBuilder("rfzero", n_groups)
    b.declare_state("u")
    b.declare_state("v")
    b.declare_param("lct")
    b.declare_param("lst")
    b.declare_const("uth")
    u, v = b.state("u"), b.state("v")
    lct, lst = b.param("lct"), b.param("lst")
    xu = b.input([g for g, p in enumerate(ports) if p == 0])
    new_u = (_term(b, u, lct) - _term(b, v, lst)) + xu
    rot_v = _term(b, v, lct) + _term(b, u, lst)
    xv = b.input([g for g, p in enumerate(ports) if p == 1])
    new_v = rot_v + xv
    b.store("u", new_u)
    b.store("v", new_v)
    fire = ((new_u > b.const("uth")) & (new_v >= 0)) & (b.zero > v)
    b.spike(fire > (new_u == 0), new_u)     # fire and u' != 0 (both 0/1)
    return b.build(doc="RFZero: resonate-and-fire on two inputs, int32 arithmetic, graded "
                       "spikes of u at the phase's zero crossing")
