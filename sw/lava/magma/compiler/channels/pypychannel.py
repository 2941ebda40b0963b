"""Lava's ``lava.magma.compiler.channels.pypychannel``: a one-way channel
of arrays between two threads of the user's process.

``PyPyChannel(message_infrastructure, src_name, dst_name, shape, dtype,
size)`` holds up to ``size`` arrays of ``shape``; ``src_port.send(data)``
blocks while it is full, ``dst_port.recv()`` while it is empty (as
Lava's). It is kilauea's ``proc.io.utils.HostChannel`` (the channel of
Injector and Extractor) with its default, blocking policies.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .....proc.io.utils import ChannelConfig, HostChannel
from ...runtime.message_infrastructure.multiprocessing import MultiProcessing

__all__ = ["PyPyChannel", "CspSendPort", "CspRecvPort"]


class _CspPort:
    """What both ends share: ``name``, ``shape``, ``d_type``, ``size``;
    ``start()`` and ``join()`` have nothing to do in one OS process."""

    def __init__(self, name: str, channel: HostChannel, dtype) -> None:
        self.name = name
        self._channel = channel
        self.d_type = np.dtype(dtype)

    @property
    def shape(self) -> tuple:
        return self._channel.shape

    @property
    def size(self) -> int:
        return self._channel.buffer_size

    def start(self) -> None:
        """Nothing to start in one OS process."""

    def join(self) -> None:
        """Close the channel (a blocked peer gets a RuntimeError)."""
        self._channel.close()


class CspSendPort(_CspPort):
    """The sending end: ``send(data)`` (blocks while the channel is full),
    ``probe()`` (whether a send would not block)."""

    def probe(self) -> bool:
        return len(self._channel) < self._channel.buffer_size

    def send(self, data: np.ndarray) -> None:
        self._channel.send(np.asarray(data, dtype=self.d_type))


class CspRecvPort(_CspPort):
    """The receiving end: ``recv()`` (blocks while the channel is empty),
    ``probe()`` (whether an item is waiting)."""

    def probe(self) -> bool:
        return len(self._channel) > 0

    def recv(self) -> np.ndarray:
        return self._channel.receive(self.d_type)


class PyPyChannel:
    """A channel of ``size`` arrays of ``shape`` and ``dtype``, made on a
    ``MultiProcessing`` infrastructure (which closes it on ``stop()``)."""

    def __init__(self, message_infrastructure: MultiProcessing,
                 src_name: str, dst_name: str, shape: ty.Tuple[int, ...],
                 dtype: ty.Any, size: int, nbytes: int = 0) -> None:
        del nbytes            # a shared-memory size in Lava; not needed here
        self._channel = HostChannel(tuple(shape), int(size), ChannelConfig(),
                                    name=f"PyPyChannel {src_name}->{dst_name}")
        self.src_port = CspSendPort(src_name, self._channel, dtype)
        self.dst_port = CspRecvPort(dst_name, self._channel, dtype)
        message_infrastructure.channels.append(self)

    def close(self) -> None:
        self._channel.close()
