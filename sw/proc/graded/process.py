"""Graded-spike vector neurons: GradedVec and GradedReluVec (lava-nc 0.10's
``lava.proc.graded.process``).

Each step a neuron adds its input to ``v``, sends ``v`` itself as a graded
spike where ``|v| > vth`` (GradedReluVec: ``v > vth``) and clears ``v``.
Fixed point (``docs/processes.md``, "Other neuron models"):
``v`` int32, ``vth`` 24-bit unsigned, payloads 24-bit signed.
"""
from __future__ import annotations

import typing as ty

from ...hw.fixed_point import GRADED_VTH
from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape, require_finite
from ._checks import check_int, check_number, check_shape

__all__ = ["GradedVec", "GradedReluVec"]

#: vth: 24-bit unsigned (`fixed_point.GRADED_VTH`); exp: stored in 24 bits
#: signed (Lava's precision).
VTH_MAX = GRADED_VTH.hi
EXP_MIN, EXP_MAX = -(1 << 23), (1 << 23) - 1


class _AbstractGraded(PopulationShape, AbstractProcess):
    def __init__(self, shape: ty.Tuple[int, ...], vth: ty.Union[int, float] = 1,
                 exp: int = 0, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        owner = type(self).__name__
        shape = check_shape(owner, shape)
        check_number(owner, "vth", vth, 0, VTH_MAX)
        exp = check_int(owner, "exp", exp, EXP_MIN, EXP_MAX)
        super().__init__(shape=shape, vth=vth, exp=exp, name=name, log_config=log_config,
                         **kwargs)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.v = Var(shape=shape, init=0)
        self.vth = Var(shape=(1,), init=vth)
        self.exp = Var(shape=(1,), init=exp)
        require_finite(self.vth)


class GradedVec(_AbstractGraded):
    """Graded spike vector layer: sends its accumulated input as a graded
    spike, with no dynamics::

        v[t]  = v[t-1] + a_in       (v[t-1] is always 0 after a step)
        s_out = v[t] * (|v[t]| > vth)
        v[t]  = 0

    Parameters
    ----------
    shape : tuple(int)
        Number and topology of neurons.
    vth : int, optional
        Spiking threshold (default 1; 0..2**24 - 1, an integer in fixed point).
    exp : int, optional
        Fixed-point base of the values (default 0; kept as a Var, not used by
        the dynamics).
    name : str, optional
    log_config : LogConfig, optional

    Notes
    -----
    Ports: ``a_in``, ``s_out`` (graded: connect it to a connection with
    ``num_message_bits > 0`` to transmit the values). Vars: ``v``, ``vth``,
    ``exp``.
    """


class GradedReluVec(_AbstractGraded):
    """Graded spike vector layer with a rectifying threshold::

        v[t]  = v[t-1] + a_in
        s_out = v[t] * (v[t] > vth)
        v[t]  = 0

    Parameters, ports and Vars as :class:`GradedVec`.
    """
