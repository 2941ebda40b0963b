"""Adaptive threshold and refractoriness LIF neurons: ATRLIF (lava-nc 0.10's
``lava.proc.atrlif.process``).

Equations (float and fixed point) in ``docs/processes.md``, "ATRLIF", and
:mod:`kilauea.numerics.atrlif`. As in lava-nc the constructor accepts any
numbers; the decays are fractions of 1 per step in both models. The chip
model (``ncmodels.NcATRLIFModel``, program ``kilauea.neurons.atrlif``)
equals the fixed-point model for input from chip connections; the cases it
cannot reproduce are a CompileError.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape, require_finite
from ..graded._checks import check_broadcast, check_finite, check_number, check_shape

__all__ = ["ATRLIF"]

ArrayLike = ty.Union[int, float, bool, list, np.ndarray]

_PER_NEURON = ("i", "v", "theta", "r", "s", "bias_mant", "bias_exp")
_SHARED = ("delta_i", "delta_v", "delta_theta", "delta_r", "theta_0", "theta_step")


class ATRLIF(PopulationShape, AbstractProcess):
    """Adaptive Threshold and Refractoriness Leaky-Integrate-and-Fire neurons.

    Dynamics (floating point; the fixed-point form is in the spec)::

        i[t]     = (1 - delta_i) * i[t-1] + a_in
        v[t]     = (1 - delta_v) * v[t-1] + i[t] + bias_mant
        theta[t] = (1 - delta_theta) * (theta[t-1] - theta_0) + theta_0
        r[t]     = (1 - delta_r) * r[t-1]
        s[t]     = (v[t] - r[t]) >= theta[t]
        after a spike: r[t] += 2 * theta[t]; theta[t] += theta_step

    Parameters
    ----------
    shape : tuple(int)
        Number and topology of neurons.
    i, v, theta, r : float or array, optional
        Initial current, voltage, threshold (default 5) and refractory state.
        The fixed-point model starts every ``theta`` at ``theta_0``.
    s : bool or array, optional
        Initial spike state (default 0).
    delta_i, delta_v, delta_theta, delta_r : float, optional
        Decays per step, fractions of 1 (defaults 0.4, 0.4, 0.2, 0.2); the
        fixed-point model turns them into 12-bit factors.
    theta_0 : float, optional
        Baseline threshold (default 5; fixed point: times 64).
    theta_step : float, optional
        Threshold increase after a spike (default 3.75; fixed point: times 64).
    bias_mant, bias_exp : float or array, optional
        Bias mantissa and exponent (fixed point: ``bias_mant << bias_exp``;
        the float model ignores ``bias_exp``).
    name : str, optional
    log_config : LogConfig, optional

    Ports: ``a_in``, ``s_out``. Vars: ``bias_mant``, ``bias_exp``, ``i``,
    ``v``, ``theta``, ``r``, ``s`` (per neuron), ``delta_i``, ``delta_v``,
    ``delta_theta``, ``delta_r``, ``theta_0``, ``theta_step`` (shape (1,)).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], i: ArrayLike = 0, v: ArrayLike = 0,
                 theta: ArrayLike = 5, r: ArrayLike = 0, s: ArrayLike = 0,
                 delta_i: float = 0.4, delta_v: float = 0.4, delta_theta: float = 0.2,
                 delta_r: float = 0.2, theta_0: float = 5, theta_step: float = 3.75,
                 bias_mant: ArrayLike = 0, bias_exp: ArrayLike = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("ATRLIF", shape)
        per_neuron = dict(i=i, v=v, theta=theta, r=r, s=s, bias_mant=bias_mant,
                          bias_exp=bias_exp)
        shared = dict(delta_i=delta_i, delta_v=delta_v, delta_theta=delta_theta,
                      delta_r=delta_r, theta_0=theta_0, theta_step=theta_step)
        for key, value in per_neuron.items():
            check_broadcast("ATRLIF", key, value, shape)
            check_finite("ATRLIF", key, value)
        for key, value in shared.items():
            check_number("ATRLIF", key, value, -np.inf, np.inf)
        super().__init__(shape=shape, **per_neuron, **shared, name=name,
                         log_config=log_config)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.bias_mant = Var(shape=shape, init=bias_mant)
        self.bias_exp = Var(shape=shape, init=bias_exp)
        self.i = Var(shape=shape, init=i)
        self.v = Var(shape=shape, init=v)
        self.theta = Var(shape=shape, init=theta)
        self.r = Var(shape=shape, init=r)
        self.s = Var(shape=shape, init=s)
        self.delta_i = Var(shape=(1,), init=delta_i)
        self.delta_v = Var(shape=(1,), init=delta_v)
        self.delta_theta = Var(shape=(1,), init=delta_theta)
        self.delta_r = Var(shape=(1,), init=delta_r)
        self.theta_0 = Var(shape=(1,), init=theta_0)
        self.theta_step = Var(shape=(1,), init=theta_step)
        require_finite(*(getattr(self, k) for k in _PER_NEURON + _SHARED))
