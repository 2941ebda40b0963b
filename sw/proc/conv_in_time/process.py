"""ConvInTime (lava-nc 0.10's ``lava.proc.conv_in_time.process``): a
1-D convolution along time. Equations: ``docs/processes.md``,
"ConvInTime", and :mod:`kilauea.numerics.conv_in_time`. CPU only.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var

__all__ = ["ConvInTime"]


class ConvInTime(AbstractProcess):
    """Convolves each input channel along time with a kernel of ``k``
    steps: ``weights`` ``(k, n_out, n_in)``.

    Parameters
    ----------
    weights : numpy.ndarray
        3-D kernel ``(kernel size, n_out, n_in)``.
    num_message_bits : int, optional
        0 (default): binary input (cast to bool); > 0: graded input.
    name : str, optional
    log_config : LogConfig, optional

    Ports: ``s_in`` (n_in,), ``a_out`` (n_out,). Vars: ``weights``,
    ``a_buff`` (n_out, k), ``num_message_bits`` (1,).
    """

    def __init__(self, *, weights: np.ndarray, name: ty.Optional[str] = None,
                 num_message_bits: ty.Optional[int] = 0,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        super().__init__(weights=weights, num_message_bits=num_message_bits, name=name,
                         log_config=log_config, **kwargs)
        self._validate_weights(weights)
        shape = np.shape(weights)
        self.s_in = InPort(shape=(shape[2],))
        self.a_out = OutPort(shape=(shape[1],))
        self.weights = Var(shape=shape, init=weights)
        self.a_buff = Var(shape=(shape[1], shape[0]), init=0)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)

    @staticmethod
    def _validate_weights(weights: np.ndarray) -> None:
        if len(np.shape(weights)) != 3:
            raise ValueError(f"ConvInTime 'weights' must be a 3-D array (kernel size, n_out, "
                             f"n_in), got shape {np.shape(weights)}")
