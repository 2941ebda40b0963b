"""The sigma-delta neuron, SigmaDelta (lava-nc 0.10's ``lava.proc.sdn.process``).

Dynamics (``docs/processes.md``, "Other neuron models")::

    sigma   = sigma + a_in                       # sigma decoding
    act     = act_fn(sigma + bias)               # UNIT: identity; RELU: max(0, .)
    delta   = act - act_prev + residue           # delta encoding
    s       = delta where |delta| >= vth else 0  # (cum_error: |error| >= vth,
    residue = delta - s                          #  error accumulates delta and
    act_prev = act                               #  resets where s != 0)
    s_out   = s >> state_exp                     # fixed point; float: s_out = s

As in Lava, the Process stores ``vth`` and ``bias`` multiplied by
``2**(spike_exp + state_exp)``.
"""
from __future__ import annotations

import typing as ty
from enum import IntEnum, unique

import numpy as np

from ...hw.fixed_point import SDN_EXP
from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape, require_finite
from ..graded._checks import check_array, check_bool, check_int, check_number, check_shape

__all__ = ["ActivationMode", "SigmaDelta", "Sigma", "Delta"]

EXP_MAX = SDN_EXP.hi


def _add_ports_and_vars(proc, shape, vth, spike_exp, state_exp, cum_error, bias=None) -> None:
    """The ports and Vars of SigmaDelta and Delta (Delta: no ``bias``), in
    Lava's order."""
    proc.a_in = InPort(shape=shape)
    proc.s_out = OutPort(shape=shape)
    proc.vth = Var(shape=(1,), init=vth)
    proc.sigma = Var(shape=shape, init=0)
    proc.act = Var(shape=shape, init=0)
    proc.residue = Var(shape=shape, init=0)
    proc.error = Var(shape=shape, init=0)
    if bias is not None:
        proc.bias = Var(shape=shape, init=bias)
    proc.spike_exp = Var(shape=(1,), init=spike_exp)
    proc.state_exp = Var(shape=(1,), init=state_exp)
    proc.cum_error = Var(shape=(1,), init=cum_error)
    require_finite(proc.vth, *([proc.bias] if bias is not None else []))


@unique
class ActivationMode(IntEnum):
    """The activation of a sigma-delta neuron: UNIT (0, identity) or RELU (1)."""
    UNIT = 0
    RELU = 1


class SigmaDelta(PopulationShape, AbstractProcess):
    """Sigma-delta neuron: integrates its (delta-encoded) input, applies an
    activation and sends the changes of the activation as graded spikes.

    Parameters
    ----------
    shape : tuple(int)
        Number and topology of neurons.
    vth : int or float
        Threshold of the delta encoder (>= 0); stored scaled,
        ``vth * 2**(spike_exp + state_exp)`` (the fixed-point CPU model holds
        it in int32, as lava-nc's; the chip compiler checks what the chip
        holds).
    bias : int, float or array, optional
        Bias of the activation (default 0); stored scaled like ``vth``.
    act_mode : ActivationMode, optional
        ``ActivationMode.RELU`` (default) or ``ActivationMode.UNIT``.
    cum_error : bool, optional
        Spike on the accumulated error instead of the delta (default False).
    spike_exp : int, optional
        Scaling exponent (base 2) of the spike message, 0..31 (default 0).
    state_exp : int, optional
        Scaling exponent (base 2) of the state, 0..31 (default 0); the fixed-point
        model sends ``s >> state_exp``.
    name : str, optional
    log_config : LogConfig, optional

    Notes
    -----
    Ports: ``a_in``, ``s_out`` (graded). Vars: ``vth``, ``sigma``, ``act``,
    ``residue``, ``error``, ``bias``, ``spike_exp``, ``state_exp``,
    ``cum_error``.
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], vth: ty.Union[int, float],
                 bias: ty.Union[int, float, np.ndarray] = 0,
                 act_mode: ActivationMode = ActivationMode.RELU,
                 cum_error: bool = False, spike_exp: int = 0, state_exp: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        owner = "SigmaDelta"
        shape = check_shape(owner, shape)
        try:
            act_mode = ActivationMode(act_mode)
        except ValueError:
            raise ValueError(f"{owner} 'act_mode' must be ActivationMode.UNIT or "
                             f"ActivationMode.RELU, got {act_mode!r}") from None
        cum_error = check_bool(owner, "cum_error", cum_error)
        spike_exp = check_int(owner, "spike_exp", spike_exp, 0, EXP_MAX)
        state_exp = check_int(owner, "state_exp", state_exp, 0, EXP_MAX)
        check_number(owner, "vth", vth, 0, np.inf)
        check_array(owner, "bias", bias, shape, -np.inf, np.inf)
        super().__init__(shape=shape, vth=vth, bias=bias, act_mode=act_mode,
                         cum_error=cum_error, spike_exp=spike_exp, state_exp=state_exp,
                         name=name, log_config=log_config, **kwargs)
        scale = 1 << (spike_exp + state_exp)
        vth = vth * scale
        bias = np.asarray(bias) * scale if np.ndim(bias) else bias * scale

        _add_ports_and_vars(self, shape, vth, spike_exp, state_exp, cum_error, bias=bias)


class Sigma(PopulationShape, AbstractProcess):
    """Sigma decoder: a cumulative accumulator (lava-nc 0.10
    ``lava.proc.sdn.process.Sigma``)::

        sigma = sigma + a_in
        s_out = sigma                 # graded, every step

    Parameters
    ----------
    shape : tuple(int)
    name : str, optional
    log_config : LogConfig, optional

    Notes
    -----
    Ports: ``a_in``, ``s_out``. Vars: ``sigma``. Fixed point: int32 with a
    32-bit wrapping sum; ``s_out`` must fit 24 bits signed (the graded
    payload), else the fixed-point model raises ``ValueError``.
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        shape = check_shape("Sigma", shape)
        super().__init__(shape=shape, name=name, log_config=log_config, **kwargs)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.sigma = Var(shape=shape, init=0)


class Delta(PopulationShape, AbstractProcess):
    """Delta encoder (lava-nc 0.10 ``lava.proc.sdn.process.Delta``): sends
    the change of its input since the last message, where it reaches
    ``vth``::

        a       = a_in << (spike_exp + state_exp)      # fixed point only
        delta   = a - act + residue
        s       = delta where |delta| >= vth else 0    # (cum_error: |error|,
        residue = delta - s                            #  error += delta,
        act     = a                                    #  error = 0 where s)
        s_out   = s >> state_exp                       # fixed point; float: s

    Parameters
    ----------
    shape : tuple(int)
    vth : int or float
        Threshold (>= 0); stored scaled, ``vth * 2**(spike_exp + state_exp)``
        (held in int32 by the fixed-point model, as in lava-nc).
    cum_error : bool, optional
        Spike on the accumulated error (default False).
    spike_exp, state_exp : int, optional
        Scaling exponents (default 0; ``spike_exp + state_exp`` <= 31).
    name : str, optional
    log_config : LogConfig, optional

    Notes
    -----
    Ports: ``a_in``, ``s_out`` (graded). Vars: ``vth``, ``sigma`` (unused, as
    in Lava), ``act``, ``residue``, ``error``, ``spike_exp``, ``state_exp``,
    ``cum_error``.
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], vth: ty.Union[int, float],
                 cum_error: bool = False, spike_exp: int = 0, state_exp: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        owner = "Delta"
        shape = check_shape(owner, shape)
        cum_error = check_bool(owner, "cum_error", cum_error)
        spike_exp = check_int(owner, "spike_exp", spike_exp, 0, EXP_MAX)
        state_exp = check_int(owner, "state_exp", state_exp, 0, EXP_MAX)
        if spike_exp + state_exp > EXP_MAX:
            raise ValueError(f"{owner} 'spike_exp + state_exp' must be <= {EXP_MAX}, got "
                             f"{spike_exp + state_exp}")
        check_number(owner, "vth", vth, 0, np.inf)
        super().__init__(shape=shape, vth=vth, cum_error=cum_error, spike_exp=spike_exp,
                         state_exp=state_exp, name=name, log_config=log_config, **kwargs)
        vth = vth * (1 << (spike_exp + state_exp))
        _add_ports_and_vars(self, shape, vth, spike_exp, state_exp, cum_error)
