"""io.sink: processes that record data into a ring buffer.

``RingBuffer`` records what arrives on ``a_in``: ``data`` has shape
``(*shape, buffer)``; at step ``t`` (from 1) the input is stored at
``data[..., (t - 1) % buffer]``. Works as a substitute for probing.

``Read`` records a Var of another process through a RefPort (Lava's
``io.sink.Read``): after every step ``t`` with ``(t - 1) % interval ==
offset``, the Var's value goes to ``data[..., k % buffer]``, ``k`` counting
the reads from 0.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import (AbstractProcess, LogConfig, Var, InPort, RefPort,
                    PyLoihiProcessModel, LavaPyType, PyInPort, PyRefPort,
                    implements, requires, tag, CPU, LoihiProtocol)


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


class Read(AbstractProcess):
    """Reads a Var of another process every ``interval`` steps.

    Parameters
    ----------
    buffer : int
        Number of reads the ring buffer ``data`` holds (>= 1).
    interval : int
        Steps between two reads (>= 1, default 1).
    offset : int
        Phase of the reads: after step ``t`` with ``(t - 1) % interval ==
        offset % interval`` (default 0).

    ``connect_var(var)`` chooses the Var to read; it sizes the RefPort
    ``state`` to ``var.shape`` and ``data`` to ``var.shape + (buffer,)``
    (before it, both are for a Var of shape ``(1,)``).
    Vars: ``data``, ``interval``, ``offset`` (each ``(1,)``).
    """

    def __init__(self, *, buffer: int, interval: int = 1, offset: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        for key, value, low in (("buffer", buffer, 1), ("interval", interval, 1)):
            if not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"Read '{key}' must be an integer >= {low}, "
                                 f"got {value!r}")
        super().__init__(buffer=int(buffer), interval=int(interval),
                         offset=int(offset), name=name, log_config=log_config)
        self.buffer = int(buffer)
        self.interval = Var(shape=(1,), init=int(interval))
        self.offset = Var(shape=(1,), init=int(offset) % int(interval))
        self.state = RefPort(shape=(1,))
        self.data = Var(shape=(1, self.buffer), init=0)

    def connect_var(self, var: Var) -> None:
        """Read ``var`` (replaces ``state`` and ``data`` by ones of its shape)."""
        self.state = RefPort(shape=var.shape)
        self.state.connect_var(var)
        self.data = Var(shape=var.shape + (self.buffer,), init=0)
        self._post_init()


class AbstractPyReadModel(PyLoihiProcessModel):
    """Reads ``state`` in the post-management phase of the chosen steps."""

    state = None
    data = None
    interval: np.ndarray = LavaPyType(np.ndarray, int)
    offset: np.ndarray = LavaPyType(np.ndarray, int)
    reads = 0

    def post_guard(self) -> bool:
        interval = int(np.asarray(self.interval).reshape(-1)[0])
        offset = int(np.asarray(self.offset).reshape(-1)[0])
        return (self.time_step - 1) % interval == offset

    def run_post_mgmt(self) -> None:
        self.data[..., self.reads % self.data.shape[-1]] = self.state.read()
        self.reads += 1


@implements(proc=Read, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReadModelFloat(AbstractPyReadModel):
    """Float Read."""

    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)


@implements(proc=Read, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReadModelFixed(AbstractPyReadModel):
    """Fixed-point Read (int32 data)."""

    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, np.int32)
    data: np.ndarray = LavaPyType(np.ndarray, np.int32)
