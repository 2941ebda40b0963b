"""Leaky-integrate-and-fire neuron processes: LIF, LIFReset, LIFRefractory.

Vars and defaults follow lava-nc 0.10. Units: in ``floating_pt`` models all
quantities are plain floats per step; in ``fixed_pt`` models they are the
integers of ``docs/numerics.md``: ``du``, ``dv``
in 1/4096 per step (0..4095), ``bias = bias_mant * 2**bias_exp``, ``u``, ``v``
in units of 2**-6 of the synaptic weight and ``vth`` compared as
``vth << 6``. A Process does not know which model will run it, so only what
is invalid for every model is checked here. The fixed-point models accept
any integers, as lava-nc's do (they check, when built, that the values are
integers); the chip compiler rejects what the chip cannot hold (the ranges
of ``kilauea.hw.fixed_point``), naming the parameter, value and limit.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import AbstractProcess, LogConfig, Var, InPort, OutPort
from .._common import require_finite
from ..graded._checks import check_broadcast, check_finite, check_shape

Scalar = ty.Union[int, float]
ArrayLike = ty.Union[int, float, list, tuple, np.ndarray]


def _check_scalar(name: str, value) -> None:
    arr = np.asarray(value)
    if arr.size != 1 or not (np.issubdtype(arr.dtype, np.number)):
        raise ValueError(f"LIF '{name}' must be one number shared by all "
                         f"neurons, got {value!r}")
    check_finite("LIF", name, value)


class AbstractLIF(AbstractProcess):
    """Vars and ports common to the leaky-integrate-and-fire neurons.

    Ports: ``a_in`` (synaptic input), ``s_out`` (spikes).
    Vars: ``u`` (current), ``v`` (voltage), ``du``, ``dv`` (decays, one
    value for the population), ``bias_mant``, ``bias_exp`` (per neuron).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike,
                 v: ArrayLike, du: Scalar, dv: Scalar, bias_mant: ArrayLike,
                 bias_exp: ArrayLike, name: ty.Optional[str],
                 log_config: ty.Optional[LogConfig], **kwargs) -> None:
        shape = check_shape("LIF", shape)
        for key, value in (("u", u), ("v", v), ("bias_mant", bias_mant),
                           ("bias_exp", bias_exp)):
            check_broadcast("LIF", key, value, shape)
            check_finite("LIF", key, value)
        _check_scalar("du", du)
        _check_scalar("dv", dv)
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv,
                         bias_mant=bias_mant, bias_exp=bias_exp, name=name,
                         log_config=log_config, **kwargs)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=u)
        self.v = Var(shape=shape, init=v)
        self.du = Var(shape=(1,), init=du)
        self.dv = Var(shape=(1,), init=dv)
        self.bias_exp = Var(shape=shape, init=bias_exp)
        self.bias_mant = Var(shape=shape, init=bias_mant)
        require_finite(self.u, self.v, self.du, self.dv, self.bias_exp, self.bias_mant)


class LIF(AbstractLIF):
    """Leaky-Integrate-and-Fire (LIF) neural Process.

    Dynamics (floating point; the fixed-point form is in the spec)::

        u[t] = u[t-1] * (1 - du) + a_in         # neuron current
        v[t] = v[t-1] * (1 - dv) + u[t] + bias  # neuron voltage
        s_out = v[t] > vth                      # spike if threshold exceeded
        v[t] = 0                                # reset at spike

    Parameters
    ----------
    shape : tuple(int)
        Number and topology of LIF neurons.
    u, v : float, list, numpy.ndarray, optional
        Initial current and voltage (default 0).
    du, dv : float, optional
        Inverse decay time-constants of current and voltage, one value for
        the population (fixed point: 0..4095, in units of 1/4096).
    bias_mant : float, list, numpy.ndarray, optional
        Mantissa of the bias (fixed point: 13-bit signed).
    bias_exp : float, list, numpy.ndarray, optional
        Exponent of the bias (fixed point: -8..7); ignored in floating point.
    vth : float, optional
        Threshold, one value for the population (default 10; fixed point:
        17-bit unsigned, compared as ``vth << 6``).
    name : str, optional
    log_config : LogConfig, optional
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike = 0,
                 v: ArrayLike = 0, du: Scalar = 0, dv: Scalar = 0,
                 bias_mant: ArrayLike = 0, bias_exp: ArrayLike = 0,
                 vth: Scalar = 10, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        _check_scalar("vth", vth)
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv,
                         bias_mant=bias_mant, bias_exp=bias_exp, name=name,
                         log_config=log_config, **kwargs)
        self.vth = Var(shape=(1,), init=vth)
        require_finite(self.vth)


class LIFReset(LIF):
    """LIF whose state is reset in regular intervals.

    At the start of step ``t`` (counted from 1), before the LIF update, if
    ``t % reset_interval == reset_offset % reset_interval`` then
    ``u = v = 0``.

    Parameters (besides LIF's)
    ----------
    reset_interval : int, optional
        Steps between resets (>= 1, default 1).
    reset_offset : int, optional
        Phase of the reset (>= 0, default 0).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike = 0,
                 v: ArrayLike = 0, du: Scalar = 0, dv: Scalar = 0,
                 bias_mant: ArrayLike = 0, bias_exp: ArrayLike = 0,
                 vth: Scalar = 10, reset_interval: int = 1,
                 reset_offset: int = 0, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        if int(reset_interval) != reset_interval or reset_interval < 1:
            raise ValueError("LIFReset 'reset_interval' must be an integer "
                             f">= 1, got {reset_interval!r}")
        if int(reset_offset) != reset_offset or reset_offset < 0:
            raise ValueError("LIFReset 'reset_offset' must be an integer "
                             f">= 0, got {reset_offset!r}")
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv,
                         bias_mant=bias_mant, bias_exp=bias_exp, vth=vth,
                         name=name, log_config=log_config,
                         reset_interval=int(reset_interval),
                         reset_offset=int(reset_offset))


class LIFRefractory(LIF):
    """LIF with a refractory period.

    ``u`` updates every step; ``v`` updates only while
    ``refractory_period_end < time_step`` and is frozen otherwise; a spike
    sets ``refractory_period_end = time_step + refractory_period`` and
    ``v = 0``.

    Parameters (besides LIF's)
    ----------
    refractory_period : int, optional
        Steps during which ``v`` stays frozen after a spike (>= 1, default 1).

    Vars (besides LIF's): ``refractory_period_end`` (per neuron, the last
    step of the current refractory period; 0 initially).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike = 0,
                 v: ArrayLike = 0, du: Scalar = 0, dv: Scalar = 0,
                 bias_mant: ArrayLike = 0, bias_exp: ArrayLike = 0,
                 vth: Scalar = 10, refractory_period: int = 1,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        if int(refractory_period) != refractory_period or refractory_period < 1:
            raise ValueError("LIFRefractory 'refractory_period' must be an "
                             f"integer >= 1, got {refractory_period!r}")
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv,
                         bias_mant=bias_mant, bias_exp=bias_exp, vth=vth,
                         name=name, log_config=log_config,
                         refractory_period=int(refractory_period))
        self.refractory_period_end = Var(shape=tuple(self.a_in.shape), init=0)


class TernaryLIF(AbstractLIF):
    """LIF with *ternary* output: +1 where ``v > vth_hi``, -1 where
    ``v < vth_lo``, 0 otherwise; ``v`` is reset to 0 on either spike
    (lava-nc 0.10 ``lava.proc.lif.process.TernaryLIF``).

    Parameters (besides AbstractLIF's ``shape, u, v, du, dv, bias_mant,
    bias_exp, name, log_config``)
    ----------
    vth_hi : float, optional
        Upper threshold (default 10), one value for the population.
    vth_lo : float, optional
        Lower threshold (default -10), one value for the population; must
        not exceed ``vth_hi``. Fixed point: both 24-bit signed integers,
        compared as ``vth << 6``.

    Ports: ``a_in``, ``s_out`` (values -1, 0, +1: a graded output).
    Vars: LIF's without ``vth``, plus ``vth_hi``, ``vth_lo``.
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike = 0,
                 v: ArrayLike = 0, du: Scalar = 0, dv: Scalar = 0,
                 bias_mant: ArrayLike = 0, bias_exp: ArrayLike = 0,
                 vth_hi: Scalar = 10, vth_lo: Scalar = -10,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        _check_scalar("vth_hi", vth_hi)
        _check_scalar("vth_lo", vth_lo)
        if np.asarray(vth_lo).item() > np.asarray(vth_hi).item():
            raise ValueError("TernaryLIF: the lower threshold 'vth_lo' must not "
                             f"exceed the upper 'vth_hi', got vth_lo={vth_lo}, "
                             f"vth_hi={vth_hi}")
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv,
                         bias_mant=bias_mant, bias_exp=bias_exp, name=name,
                         log_config=log_config)
        self.vth_hi = Var(shape=(1,), init=vth_hi)
        self.vth_lo = Var(shape=(1,), init=vth_lo)
        require_finite(self.vth_hi, self.vth_lo)
