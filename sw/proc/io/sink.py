"""io.sink.RingBuffer: records what arrives on ``a_in`` into a ring buffer.

``data`` has shape ``(*shape, buffer)``; at step ``t`` (from 1) the input is
stored at ``data[..., (t - 1) % buffer]``. Works as a substitute for probing.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import (AbstractProcess, LogConfig, Var, InPort,
                    PyLoihiProcessModel, LavaPyType, PyInPort, implements,
                    requires, tag, CPU, LoihiProtocol)


class RingBuffer(AbstractProcess):
    """Receives arbitrarily shaped data into a ring-buffer memory.

    Parameters
    ----------
    shape : tuple(int)
        Shape of the input (default ``(1,)``).
    buffer : int
        Number of steps the buffer holds.
    name : str, optional
    log_config : LogConfig, optional

    Ports: ``a_in``. Vars: ``data`` of shape ``shape + (buffer,)``.
    """

    def __init__(self, *, shape: ty.Tuple[int, ...] = (1,), buffer: int,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        shape = tuple(int(s) for s in shape)
        if not isinstance(buffer, (int, np.integer)) or buffer < 1:
            raise ValueError(f"RingBuffer 'buffer' must be an integer >= 1, "
                             f"got {buffer!r}")
        super().__init__(shape=shape, buffer=int(buffer), name=name,
                         log_config=log_config, **kwargs)
        self.shape = shape
        self.a_in = InPort(shape=shape)
        self.data = Var(shape=shape + (int(buffer),), init=0)


class AbstractPyReceiveModel(PyLoihiProcessModel):
    """Stores each step's input at ``data[..., (t - 1) % buffer]``."""

    a_in = None
    data = None

    def run_spk(self) -> None:
        data = self.a_in.recv()
        self.data[..., (self.time_step - 1) % self.data.shape[-1]] = data


@implements(proc=RingBuffer, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReceiveModelFloat(AbstractPyReceiveModel):
    """Float ring buffer sink."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=RingBuffer, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReceiveModelFixed(AbstractPyReceiveModel):
    """Fixed-point ring buffer sink (int32 data)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    data: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
