"""Dense and DelayDense connection processes.

Realise ``a_out = weights @ s_in`` with a one-step delay (each step sends
what the previous step accumulated). ``weights`` is ``(n_out, n_in)`` in
C order. ``weight_exp``, ``num_weight_bits`` and ``sign_mode`` are
constructor arguments kept in ``proc_params`` (not Vars), used by the
``fixed_pt`` models only; they are checked here because values outside their
ranges are invalid for any model. Fixed-point rules:
``docs/processes.md``, "Dense, fixed point" and "DelayDense".
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ... import numerics as nx
from ...numerics import SignMode
from .._api import AbstractProcess, LogConfig, Var, InPort, OutPort


def check_connection_params(proc: str, weights_shape: tuple,
                            num_message_bits, kwargs: dict) -> None:
    """Shared argument checks of Dense, Sparse and DelayDense."""
    if len(weights_shape) != 2:
        raise ValueError(f"{proc} 'weights' expects a 2D matrix, got shape "
                         f"{weights_shape}")
    if min(weights_shape) < 1:
        raise ValueError(f"{proc} 'weights' must not be empty, got shape "
                         f"{weights_shape}")
    # any integer, as lava-nc (> 0: graded); the chip compiler checks what it holds
    if not _is_int(num_message_bits):
        raise ValueError(f"{proc} 'num_message_bits' must be an integer (0: binary spikes), "
                         f"got {num_message_bits!r}")
    we = kwargs.get("weight_exp", 0)
    if not _is_int(we):    # any integer, as lava-nc; the chip compiler checks -8..7
        raise ValueError(f"{proc} 'weight_exp' must be an integer, got {we!r}")
    nwb = kwargs.get("num_weight_bits", nx.WEIGHT_BITS)
    if not _is_int(nwb):
        raise ValueError(f"{proc} 'num_weight_bits' must be an integer, got {nwb!r}")
    sm = kwargs.get("sign_mode", None)
    if sm is not None and not isinstance(sm, SignMode):
        raise TypeError(f"{proc} 'sign_mode' must be a SignMode or None, got "
                        f"{sm!r}")


def _is_int(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def add_connection_vars(proc, shape: tuple, weights, num_message_bits) -> None:
    """The ports and Vars of Dense and Sparse (``shape = (n_out, n_in)``)."""
    proc.s_in = InPort(shape=(shape[1],))
    proc.a_out = OutPort(shape=(shape[0],))
    proc.weights = Var(shape=shape, init=weights)
    proc.a_buff = Var(shape=(shape[0],), init=0)
    proc.num_message_bits = Var(shape=(1,), init=num_message_bits)


def check_max_delay(proc: str, max_delay) -> None:
    """``max_delay`` of DelayDense / DelaySparse: an integer in 0..MAX_DELAY."""
    if not _is_int(max_delay) or not 0 <= max_delay <= nx.MAX_DELAY:
        raise ValueError(f"{proc} 'max_delay' must be an integer in "
                         f"0..{nx.MAX_DELAY}, got {max_delay!r}")


def add_delay_vars(proc, shape: tuple, delays, max_delay: int) -> None:
    """The Vars DelayDense / DelaySparse add: ``delays`` and the delay
    buffer ``a_buff`` (``(n_out, max_delay + 1)``)."""
    proc.delays = Var(shape=shape, init=delays)
    proc.delays.rule = _delay_rule(type(proc).__name__, max_delay)
    proc.a_buff = Var(shape=(shape[0], max_delay + 1), init=0)


def _delay_rule(proc: str, max_delay: int):
    """The ``Var.rule`` of ``delays``: whole, non-negative time steps (the
    models check the upper bound, the buffer's ``max_delay``, at the next
    step; the chip compiler the chip's largest delay)."""
    def rule(var, values: np.ndarray) -> None:
        if not values.size:
            return
        if values.dtype.kind == "f" and not np.all(values == np.round(values)):
            raise ValueError(f"Var {var.full_name()}: delays are whole time steps, "
                             f"got {values[values != np.round(values)].flat[0]}")
        if values.min() < 0:
            raise ValueError(f"Var {var.full_name()}: delay {values.min()} is negative "
                             f"({proc} delays lie in 0..max_delay = 0..{max_delay})")
    return rule


def _check_numeric(proc: str, weights: np.ndarray) -> None:
    if not (np.issubdtype(weights.dtype, np.number) or weights.dtype == bool):
        raise TypeError(f"{proc} 'weights' must be numeric, got dtype "
                        f"{weights.dtype}")
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"{proc} 'weights' must be finite")


class Dense(AbstractProcess):
    """Dense connections between neurons: ``a_out = weights @ s_in``.

    Parameters
    ----------
    weights : numpy.ndarray
        ``(num_flat_output_neurons, num_flat_input_neurons)`` matrix.
    weight_exp : int, optional
        Shared weight exponent (any integer, default 0; the chip holds
        -8..7): the fixed-point model shifts each step's sum by it (left if
        positive, flooring right if negative).
    num_weight_bits : int, optional
        Weight precision (default 8; any integer, as lava-nc; the chip holds
        1..8): the fixed-point model clears the low ``8 - num_weight_bits
        (+1 if MIXED)`` bits.
    sign_mode : SignMode, optional
        EXCITATORY, INHIBITORY, MIXED (or NULL); default: determined from the
        weights.
    num_message_bits : int, optional
        0 (default, or less): binary spikes (input cast to bool); > 0:
        graded input, ``a_out = weights @ s_in`` (payloads of up to 24 bits
        on the chip).
    name : str, optional
    log_config : LogConfig, optional

    Notes
    -----
    Ports: ``s_in`` (n_in,), ``a_out`` (n_out,). Vars: ``weights``,
    ``a_buff`` (the sum to send at the next step), ``num_message_bits``.
    After the first fixed-point step ``weights`` holds the prepared weights.
    """

    def __init__(self, *, weights: np.ndarray, name: ty.Optional[str] = None,
                 num_message_bits: ty.Optional[int] = 0,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        weights = np.asarray(weights)
        check_connection_params(type(self).__name__, weights.shape,
                                num_message_bits, kwargs)
        _check_numeric(type(self).__name__, weights)
        super().__init__(weights=weights, num_message_bits=num_message_bits,
                         name=name, log_config=log_config, **kwargs)
        add_connection_vars(self, weights.shape, weights, num_message_bits)


class DelayDense(Dense):
    """Dense connections with a per-synapse delay.

    A spike at step t through a synapse of delay ``d`` reaches the target's
    input at step ``t + 1 + d``.

    Parameters (besides Dense's)
    ----------
    delays : numpy.ndarray or int
        ``(n_out, n_in)`` integer delays, or one int for all synapses;
        0..63 (Loihi 2's 6 bits).
    max_delay : int, optional
        Largest delay the buffer must hold (default 0: ``max(delays)``); set
        it if ``delays`` will be changed between runs.

    Vars (besides Dense's): ``delays``; ``a_buff`` is ``(n_out, max_delay +
    1)``, column ``k`` being what is sent ``k + 1`` steps later.
    """

    def __init__(self, *, weights: np.ndarray,
                 delays: ty.Union[np.ndarray, int], max_delay: int = 0,
                 name: ty.Optional[str] = None,
                 num_message_bits: ty.Optional[int] = 0,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        weights = np.asarray(weights)
        delays = self._validate_delays(weights, delays)
        check_max_delay("DelayDense", max_delay)
        max_delay = max(int(max_delay), int(np.max(delays)))
        super().__init__(weights=weights, num_message_bits=num_message_bits,
                         name=name, log_config=log_config,
                         max_delay=max_delay, **kwargs)
        add_delay_vars(self, weights.shape, delays, max_delay)

    @staticmethod
    def _validate_delays(weights: np.ndarray, delays) -> np.ndarray:
        if _is_int(delays):
            delays = np.full(weights.shape, int(delays), dtype=np.int32)
        delays = np.asarray(delays)
        if delays.shape != weights.shape:
            raise ValueError("DelayDense 'delays' expects an int or the shape "
                             f"of the weights {weights.shape}, got "
                             f"{delays.shape}")
        if delays.dtype.kind not in "iu":
            raise ValueError("DelayDense 'delays' expects integer values, "
                             f"got dtype {delays.dtype}")
        if delays.min() < 0 or delays.max() > nx.MAX_DELAY:
            raise ValueError(f"DelayDense 'delays' must lie in 0..{nx.MAX_DELAY}"
                             f", got values in {delays.min()}..{delays.max()}")
        return delays
