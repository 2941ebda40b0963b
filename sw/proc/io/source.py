"""io.source.RingBuffer: replays stored data, one time slice per step.

``data`` has shape ``(*shape, T)``: the last axis is time. At step ``t``
(from 1) the process sends ``data[..., (t - 1) % T]`` on ``s_out`` (it wraps
around after T steps). Connected straight to a neuron's ``a_in`` the value
arrives in the same step (no delay); connected to a Dense ``s_in`` it acts
as spikes (binary unless the Dense has ``num_message_bits > 0``).
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import (AbstractProcess, LogConfig, Var, OutPort,
                    PyLoihiProcessModel, LavaPyType, PyOutPort, implements,
                    requires, tag, CPU, LoihiProtocol)


class RingBuffer(AbstractProcess):
    """Spike generator from a circular data buffer.

    Parameters
    ----------
    data : numpy.ndarray
        Data to send, at least 2-D; the last dimension is time.
    name : str, optional
    log_config : LogConfig, optional

    Ports: ``s_out`` of shape ``data.shape[:-1]``. Vars: ``data``.
    """

    def __init__(self, data: np.ndarray, *, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        data = np.asarray(data)
        if data.ndim < 2 or min(data.shape) < 1:
            raise ValueError("RingBuffer 'data' needs a shape (*shape, T) "
                             f"with at least 2 dimensions, got {data.shape}")
        super().__init__(data=data, name=name, log_config=log_config, **kwargs)
        self.data = Var(shape=data.shape, init=data)
        self.s_out = OutPort(shape=data.shape[:-1])


class AbstractPyRingBuffer(PyLoihiProcessModel):
    """Sends one time slice of ``data`` per step."""

    s_out = None
    data = None

    def run_spk(self) -> None:
        buffer = self.data.shape[-1]
        self.s_out.send(self.data[..., (self.time_step - 1) % buffer])


@implements(proc=RingBuffer, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySendModelFloat(AbstractPyRingBuffer):
    """Float ring buffer source."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=RingBuffer, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySendModelFixed(AbstractPyRingBuffer):
    """Fixed-point ring buffer source (int32 data)."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    data: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
