"""S4D neurons (lava-nc 0.10's ``lava.proc.s4d.process``): S4d,
SigmaS4dDelta (a SigmaDelta with the S4D activation) and
SigmaS4dDeltaLayer (Sparse -> SigmaS4dDelta -> Sparse, for several hidden
states per channel). Equations: ``docs/processes.md``, "S4d,
SigmaS4dDelta, SigmaS4dDeltaLayer", and :mod:`kilauea.numerics.s4d`. Floating
point only (as in lava-nc); no chip model.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape
from ..graded._checks import check_broadcast, check_shape
from ..sdn.process import ActivationMode, SigmaDelta

__all__ = ["S4d", "SigmaS4dDelta", "SigmaS4dDeltaLayer"]

ArrayLike = ty.Union[float, complex, list, np.ndarray]


class S4d(PopulationShape, AbstractProcess):
    """A diagonal linear state-space model, one state per neuron::

        s4_state[k+1] = a * s4_state[k] + b * a_in[k]
        s_out[k]      = real(2 * c * s4_state[k+1])

    Parameters
    ----------
    shape : tuple(int)
        Number and topology of neurons.
    a, b, c : array (complex or real)
        Diagonal state, input and output matrices (one value per neuron).
    s4_state : complex or array, optional
        Initial state (default 0).
    s4_exp, inp_exp : int, optional
        Kept as Vars for chip models of lava-nc; unused by the CPU model.

    Ports: ``a_in``, ``s_out``. Vars: ``a``, ``b``, ``c``, ``s4_state``
    (per neuron), ``s4_exp``, ``inp_exp`` (1,).
    """

    def __init__(self, shape: ty.Tuple[int, ...], a: ArrayLike, b: ArrayLike, c: ArrayLike,
                 s4_state: ArrayLike = 0, s4_exp: int = 0, inp_exp: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("S4d", shape)
        for key, value in (("a", a), ("b", b), ("c", c), ("s4_state", s4_state)):
            check_broadcast("S4d", key, value, shape)
        super().__init__(shape=shape, a=a, b=b, c=c, s4_state=s4_state, s4_exp=s4_exp,
                         inp_exp=inp_exp, name=name, log_config=log_config)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.a = Var(shape=shape, init=a)
        self.b = Var(shape=shape, init=b)
        self.c = Var(shape=shape, init=c)
        self.s4_state = Var(shape=shape, init=s4_state)
        self.s4_exp = Var(shape=(1,), init=s4_exp)
        self.inp_exp = Var(shape=(1,), init=inp_exp)


class SigmaS4dDelta(SigmaDelta):
    """A sigma-delta neuron whose activation is an S4D state-space model::

        sigma    += a_in
        s4_state  = a * s4_state + b * sigma
        act       = 2 * c * s4_state          (bias and act_mode unused)
        s_out     = delta encoding of act (SigmaDelta's, threshold vth)

    Parameters
    ----------
    shape : tuple(int)
    vth : int or float
        Threshold of the delta encoder (stored times ``2**state_exp``).
    a, b, c : array
        Diagonal matrices of the model (the float model uses their real part).
    state_exp, s4_exp : int, optional
        Scaling exponents kept for chip models of lava-nc (default 0).

    Vars: SigmaDelta's, plus ``a``, ``b``, ``c``, ``s4_state`` (per neuron)
    and ``s4_exp`` (1,).
    """

    def __init__(self, shape: ty.Tuple[int, ...], vth: ty.Union[int, float], a: ArrayLike,
                 b: ArrayLike, c: ArrayLike, state_exp: int = 0, s4_exp: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("SigmaS4dDelta", shape)
        for key, value in (("a", a), ("b", b), ("c", c)):
            check_broadcast("SigmaS4dDelta", key, value, shape)
        super().__init__(shape=shape, vth=vth, state_exp=state_exp, name=name,
                         log_config=log_config, a=a, b=b, c=c, s4_state=0, s4_exp=s4_exp)
        self.a = Var(shape=shape, init=a)
        self.b = Var(shape=shape, init=b)
        self.c = Var(shape=shape, init=c)
        self.s4_state = Var(shape=shape, init=0)
        self.s4_exp = Var(shape=(1,), init=s4_exp)


class SigmaS4dDeltaLayer(PopulationShape, AbstractProcess):
    """``Sparse -> SigmaS4dDelta -> Sparse``: each of the ``shape[0]``
    channels feeds ``d_states`` S4D neurons whose outputs are summed back
    into the channel (connection matrix ``kron(eye(shape[0]),
    ones(d_states))``, with ``weight_exp = state_exp``).

    Parameters
    ----------
    shape : tuple(int)
        Channels (input and output size).
    vth : int or float
        Threshold of the SigmaS4dDelta neurons.
    a, b, c : array
        Diagonal matrices, ``shape[0] * d_states`` values each.
    d_states : int, optional
        Hidden states per channel (default 1).
    s4_exp, state_exp : int, optional
        As SigmaS4dDelta's (default 0).
    num_message_bits : int, optional
        Of both Sparse connections (default 24).

    Ports: ``s_in``, ``a_out``. Vars: ``state_exp``, ``a``, ``b``, ``c``,
    ``s4_state`` (aliases of the inner neurons'), ``S4_exp``,
    ``conn_weights``, ``num_message_bits``.
    """

    def __init__(self, shape: ty.Tuple[int, ...], vth: ty.Union[int, float], a: ArrayLike,
                 b: ArrayLike, c: ArrayLike, d_states: int = 1, s4_exp: int = 0,
                 num_message_bits: int = 24, state_exp: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("SigmaS4dDeltaLayer", shape)
        if isinstance(d_states, bool) or int(d_states) != d_states or d_states < 1:
            raise ValueError(f"SigmaS4dDeltaLayer 'd_states' must be an integer >= 1, "
                             f"got {d_states!r}")
        d_states = int(d_states)
        conn_weights = np.kron(np.eye(shape[0]), np.ones(d_states))
        super().__init__(shape=shape, vth=vth, a=a, b=b, c=c, s4_exp=s4_exp, s4_state=0,
                         conn_weights=conn_weights, num_message_bits=num_message_bits,
                         d_states=d_states, state_exp=state_exp,
                         act_mode=ActivationMode.UNIT, name=name, log_config=log_config)
        inner = (shape[0] * d_states,)
        self.s_in = InPort(shape=shape)
        self.a_out = OutPort(shape=shape)
        self.state_exp = Var(shape=(1,), init=state_exp)
        self.a = Var(shape=inner, init=a)
        self.b = Var(shape=inner, init=b)
        self.c = Var(shape=inner, init=c)
        self.s4_state = Var(shape=inner, init=0)
        self.S4_exp = Var(shape=(1,), init=s4_exp)
        # lava-nc declares shape `shape`, which cannot hold the matrix
        self.conn_weights = Var(shape=conn_weights.shape, init=conn_weights)
        self.num_message_bits = Var(shape=(1,), init=num_message_bits)
