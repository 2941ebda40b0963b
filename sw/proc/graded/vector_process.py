"""NormVecDelay and InvSqrt (lava-nc 0.10's ``lava.proc.graded.process``),
and Loihi 2's rounding ``loihi2round``. Equations: ``docs/processes.md``,
"NormVecDelay, InvSqrt", and :mod:`kilauea.numerics.vector_ops`. CPU only:
no chip model.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ...numerics.vector_ops import loihi2round as _loihi2round
from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape
from ._checks import check_number, check_shape

__all__ = ["NormVecDelay", "InvSqrt", "loihi2round"]


def loihi2round(vv: np.ndarray) -> np.ndarray:
    """Round to the nearest integer, halves away from zero (Loihi 2's
    rounding; int64)."""
    return _loihi2round(vv)


class NormVecDelay(PopulationShape, AbstractProcess):
    """Two graded inputs; sends the square of the first on ``s2_out`` at
    once, and the product of the first (delayed by one step) with the second
    on ``s_out`` where it exceeds ``vth`` in magnitude::

        s2_out = a_in1 * a_in1
        s_out  = v * a_in2 * (|v * a_in2| > vth)    (v: last step's a_in1)
        v      = a_in1

    Parameters
    ----------
    shape : tuple(int)
    vth : int, optional
        Threshold (default 1).
    exp : int, optional
        Fixed-point base of the values (default 0; kept, not used).

    Ports: ``a_in1``, ``a_in2``, ``s_out``, ``s2_out``. Vars: ``vth``,
    ``exp`` (1,), ``v``, ``v2`` (per neuron, int32).
    """

    def __init__(self, shape: ty.Tuple[int, ...], vth: int = 1, exp: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("NormVecDelay", shape)
        check_number("NormVecDelay", "vth", vth, -np.inf, np.inf)
        check_number("NormVecDelay", "exp", exp, -np.inf, np.inf)
        super().__init__(shape=shape, name=name, log_config=log_config)
        self.a_in1 = InPort(shape=shape)
        self.a_in2 = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.s2_out = OutPort(shape=shape)
        self.vth = Var(shape=(1,), init=vth)
        self.exp = Var(shape=(1,), init=exp)
        self.v = Var(shape=shape, init=np.zeros(shape, np.int32))
        self.v2 = Var(shape=shape, init=np.zeros(shape, np.int32))


class InvSqrt(PopulationShape, AbstractProcess):
    """Sends ``1 / sqrt(a_in)`` each step (fixed point: in units of
    ``2**-12``, by a table guess and five Newton steps).

    Parameters
    ----------
    shape : tuple(int)
    fp_base : int, optional
        Fixed-point base (default 12). Kept as a Var; as in lava-nc the
        fixed-point model always works in base 12.

    Ports: ``a_in``, ``s_out``. Vars: ``fp_base`` (1,).
    """

    def __init__(self, shape: ty.Tuple[int, ...], fp_base: int = 12,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("InvSqrt", shape)
        check_number("InvSqrt", "fp_base", fp_base, -np.inf, np.inf)
        super().__init__(shape=shape, name=name, log_config=log_config)
        self.fp_base = Var(shape=(1,), init=fp_base)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
