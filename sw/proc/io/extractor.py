"""io.extractor.Extractor: pulls data out of a running network into the
user's code (lava-nc 0.10 ``lava.proc.io.extractor``).

``Extractor(shape, buffer_size=50, channel_config=None)``; each step the
model puts what arrives on ``in_port`` into the channel (``SendFull``:
block while the buffer is full, or drop with a warning); the user calls
``extractor.receive()`` from any thread (``ReceiveEmpty``: block for an
item, or zeros; ``ReceiveNotEmpty``: the oldest item, or the sum of all).

With the default policy (blocking send) a blocking ``run`` of more steps
than ``buffer_size`` in the user's thread waits for a ``receive`` that
cannot come: receive during a non-blocking run, or use ``NON_BLOCKING_DROP``.

``VarWire(buffer_size=50, channel_config=None)`` does the same for a Var of
another process: ``connect_var(var)`` taps it through the RefPort
``wire_tap``, and after every step (post-management phase) the model puts
the Var's value into the channel for ``receive()``.
"""
from __future__ import annotations

import numpy as np

import typing as ty

from .._api import (AbstractProcess, InPort, RefPort, Var,
                    PyLoihiProcessModel, LavaPyType, PyInPort, PyRefPort,
                    implements, requires, tag, CPU, LoihiProtocol)
from . import utils

__all__ = ["Extractor", "PyLoihiExtractorModel", "PyLoihiExtractorModelFloat",
           "PyLoihiExtractorModelFixed", "VarWire", "PyLoihiVarWireModel",
           "PyLoihiVarWireModelFloat", "PyLoihiVarWireModelFixed"]


class Extractor(utils.HostChannelProcess):
    """Lets non-Lava code extract data from the network while it runs.

    Parameters
    ----------
    shape : tuple(int)
        Shape of ``in_port`` and of every array received.
    buffer_size : int, optional
        Items the channel holds (default 50).
    channel_config : utils.ChannelConfig, optional
        Policies when the buffer is full / empty / not empty.

    Ports: ``in_port``. Method: ``receive()``.
    """

    _channel_owner = "Extractor"

    def _add_port(self, shape: tuple) -> None:
        self.in_port = InPort(shape=shape)

    def receive(self) -> np.ndarray:
        """The next item (float array of ``shape``), by the channel's
        receive policies."""
        return self._channel.receive(float)


class _PyExtractorModel(PyLoihiProcessModel):
    in_port = None

    def run_spk(self) -> None:
        ch = self._process._channel
        ch.send(self.in_port.recv(), utils.runtime_stopping(self._process))


@implements(proc=Extractor, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLoihiExtractorModelFloat(_PyExtractorModel):
    """Extractor, float input."""

    in_port: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)


@implements(proc=Extractor, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLoihiExtractorModelFixed(_PyExtractorModel):
    """Extractor, integer input."""

    in_port: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)


#: Lava's name of the (float) Extractor model.
PyLoihiExtractorModel = PyLoihiExtractorModelFloat


class VarWire(AbstractProcess):
    """Lets non-Lava code tap a Var of another process while it runs.

    Parameters
    ----------
    buffer_size : int, optional
        Items the channel holds (default 50).
    channel_config : utils.ChannelConfig, optional
        Policies when the buffer is full / empty / not empty.

    ``connect_var(var)`` chooses the Var (``wire_tap`` becomes a RefPort of
    its shape; before it, of shape ``(1,)``). Method: ``receive()``.
    """

    def __init__(self, buffer_size: int = 50,
                 channel_config: ty.Optional[utils.ChannelConfig] = None,
                 **kwargs) -> None:
        channel_config = channel_config or utils.ChannelConfig()
        buffer_size = utils.validate_buffer_size(buffer_size)
        utils.validate_channel_config(channel_config)
        super().__init__(buffer_size=buffer_size,
                         channel_config=channel_config, **kwargs)
        self.shape: ty.Optional[tuple] = None
        self.buffer_size = buffer_size
        self._channel: ty.Optional[utils.HostChannel] = None
        self.wire_tap = RefPort(shape=(1,))

    def connect_var(self, var: Var) -> None:
        """Tap ``var``: a new ``wire_tap`` of its shape, and a new channel."""
        self.shape = tuple(var.shape)
        self.wire_tap = RefPort(shape=self.shape)
        self.wire_tap.connect_var(var)
        self._channel = utils.HostChannel(
            self.shape, self.buffer_size, self.proc_params["channel_config"],
            name=f"VarWire '{self.name}'")
        self._post_init()

    def receive(self) -> np.ndarray:
        """The next value of the Var (float array of its shape), by the
        channel's receive policies."""
        if self._channel is None:
            raise RuntimeError(f"VarWire '{self.name}': call connect_var(var) "
                               f"before receive()")
        return self._channel.receive(float)


class _PyVarWireModel(PyLoihiProcessModel):
    wire_tap = None

    def post_guard(self) -> bool:
        return True

    def run_post_mgmt(self) -> None:
        self._process._channel.send(self.wire_tap.read(),
                                    utils.runtime_stopping(self._process))


@implements(proc=VarWire, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLoihiVarWireModelFloat(_PyVarWireModel):
    """VarWire, float values."""

    wire_tap: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)


@implements(proc=VarWire, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLoihiVarWireModelFixed(_PyVarWireModel):
    """VarWire, integer values."""

    wire_tap: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, np.int32)


#: Lava's name of the (float) VarWire model.
PyLoihiVarWireModel = PyLoihiVarWireModelFloat
