"""Periodic sources (lava-nc 0.10's ``lava.proc.spiker.process``): Spiker
and Spiker32bit. See ``docs/processes.md``, "Spiker". CPU only.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import AbstractProcess, LogConfig, OutPort, Var
from ..graded._checks import check_broadcast, check_shape

__all__ = ["Spiker", "Spiker32bit"]


class Spiker(AbstractProcess):
    """Sends ``payload`` every ``period`` steps (first at step
    ``period + 1``).

    Parameters
    ----------
    shape : tuple(int), optional
        Number of neurons (default (1,)).
    period : int or array, optional
        Steps between spikes (default 10).
    payload : int or array, optional
        Value sent (default 1).
    name : str, optional
    log_config : LogConfig, optional

    Port: ``s_out``. Vars: ``rate`` (the period), ``counter`` (0
    initially), ``payload`` (per neuron).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...] = (1,), period: int = 10,
                 payload: int = 1, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("Spiker", shape)
        check_broadcast("Spiker", "period", period, shape)
        check_broadcast("Spiker", "payload", payload, shape)
        super().__init__(shape=shape, name=name, log_config=log_config)
        self.s_out = OutPort(shape=shape)
        self.rate = Var(shape=shape, init=period)
        self.counter = Var(shape=shape, init=np.zeros(shape).astype(int))
        self.payload = Var(shape=shape, init=payload)


class Spiker32bit(AbstractProcess):
    """A periodic source with 32-bit payloads (lava-nc has it for its chip
    models: no CPU model, here as there). ``payload`` must lie in
    ``-2**31 .. 2**31 - 1`` when any is negative, else in ``0 .. 2**32 -
    1``; ``proc_params`` hold ``period``, ``payload`` (arrays) and
    ``signed``.

    Port: ``s_out``. Var: ``counter`` (1 initially).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...] = (1,),
                 period: ty.Union[int, np.ndarray] = 1,
                 payload: ty.Union[int, np.ndarray] = 1, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("Spiker32bit", shape)
        signed = self._input_validation(payload)
        period = np.array([period], dtype=int) if np.isscalar(period) \
            else np.asarray(period).astype(int)
        payload = np.array([payload]) if np.isscalar(payload) \
            else np.asarray(payload).astype(int)
        super().__init__(shape=shape, period=period, payload=payload, signed=signed,
                         name=name, log_config=log_config)
        self.s_out = OutPort(shape=shape)
        self.counter = Var(shape=shape, init=np.zeros(shape).astype(int) + 1)

    @staticmethod
    def _input_validation(payload) -> bool:
        """Whether the payload is signed; ``ValueError`` if out of range."""
        lo, hi = np.min(payload), np.max(payload)
        signed = bool(lo < 0)
        if lo < -2 ** 31:
            raise ValueError(f"Spiker32bit: the payload must be >= -2**31, but the smallest "
                             f"value is {lo}.")
        top = 2 ** 31 - 1 if signed else 2 ** 32 - 1
        if hi > top:
            raise ValueError(f"Spiker32bit: the payload must be <= {top}, but the largest "
                             f"value is {hi}.")
        return signed
