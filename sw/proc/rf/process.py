"""Resonate-and-fire neurons, RF (lava-nc 0.10's ``lava.proc.rf.process``).
Equations: ``docs/processes.md``, "RF, RF_IZ", and :mod:`kilauea.numerics.rf`.
Chip model: ``ncmodels.NcRFModel`` (program ``kilauea.neurons.rf``).
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ...numerics.rf import rf_decays, rf_fixed_decays
from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape
from ..graded._checks import check_number, check_shape

__all__ = ["RF"]


class RF(PopulationShape, AbstractProcess):
    """Resonate-and-fire neurons: ``(real, imag)`` rotates by ``2 pi /
    period`` per step and decays by ``alpha``; a neuron spikes when its
    phase crosses zero (``imag`` from < 0 to >= 0) with ``real >= vth``.

    Parameters
    ----------
    shape : tuple(int)
    period : float
        Steps per rotation.
    alpha : float
        Decay per step (0: none).
    state_exp : int, optional
        Fixed point: inputs are shifted ``<< state_exp`` and ``vth`` is
        stored as ``int(vth * 2**state_exp)`` when ``state_exp > 0``.
    decay_bits : int, optional
        Fixed point: the decays are stored as ``decay_bits``-bit fractions
        when ``decay_bits > 0`` (the fixed-point model needs it > 0).
    vth : float, optional
        Threshold (default 1).
    name : str, optional
    log_config : LogConfig, optional

    Ports: ``a_real_in``, ``a_imag_in``, ``s_out``. Vars: ``real``, ``imag``
    (per neuron), ``sin_decay``, ``cos_decay``, ``state_exp``,
    ``decay_bits``, ``vth`` (1,).
    """

    def __init__(self, shape: ty.Tuple[int, ...], period: float, alpha: float,
                 state_exp: ty.Optional[int] = 0, decay_bits: ty.Optional[int] = 0,
                 vth: ty.Optional[float] = 1, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        owner = type(self).__name__
        shape = check_shape(owner, shape)
        for key, value in (("period", period), ("alpha", alpha), ("vth", vth),
                           ("state_exp", state_exp), ("decay_bits", decay_bits)):
            check_number(owner, key, value, -np.inf, np.inf)
        sin_decay, cos_decay = rf_decays(period, alpha)
        super().__init__(shape=shape, sin_decay=sin_decay, cos_decay=cos_decay,
                         state_exp=state_exp, decay_bits=decay_bits, vth=vth, name=name,
                         log_config=log_config)
        if state_exp > 0:
            vth = int(vth * (1 << state_exp))
        if decay_bits > 0:
            sin_decay, cos_decay = rf_fixed_decays(sin_decay, cos_decay, decay_bits)
        self.a_real_in = InPort(shape=shape)
        self.a_imag_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.real = Var(shape=shape, init=0)
        self.imag = Var(shape=shape, init=0)
        self.sin_decay = Var(shape=(1,), init=sin_decay)
        self.cos_decay = Var(shape=(1,), init=cos_decay)
        self.state_exp = Var(shape=(1,), init=state_exp)
        self.decay_bits = Var(shape=(1,), init=decay_bits)
        self.vth = Var(shape=(1,), init=vth)
