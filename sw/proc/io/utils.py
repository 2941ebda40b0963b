"""Channel configuration of the host bridges ``Injector`` and ``Extractor``
(lava-nc 0.10 ``lava.proc.io.utils``): what a sender does when the buffer
is full and what a receiver does when it is empty or not.

``SendFull.BLOCKING`` (wait for room) | ``NON_BLOCKING_DROP`` (warn, drop);
``ReceiveEmpty.BLOCKING`` (wait for an item) | ``NON_BLOCKING_ZEROS``
(receive zeros); ``ReceiveNotEmpty.FIFO`` (the oldest item) |
``ACCUMULATE`` (the sum of every item in the buffer).

The channel itself (:class:`HostChannel`) is a bounded FIFO shared by the
user's thread and the runtime's (kilauea's runtime lives in the user's OS
process), so no message infrastructure is involved.
"""
from __future__ import annotations

import threading
import typing as ty
import warnings
from collections import deque
from dataclasses import dataclass
from enum import IntEnum, auto

import numpy as np

from .._api import AbstractProcess

__all__ = ["runtime_stopping", "SendFull", "ReceiveEmpty", "ReceiveNotEmpty", "ChannelConfig", "HostChannel",
           "validate_shape", "validate_buffer_size", "validate_channel_config"]


class SendFull(IntEnum):
    """The sender's policy when the buffer is full."""
    BLOCKING = auto()
    NON_BLOCKING_DROP = auto()


class ReceiveEmpty(IntEnum):
    """The receiver's policy when the buffer is empty."""
    BLOCKING = auto()
    NON_BLOCKING_ZEROS = auto()


class ReceiveNotEmpty(IntEnum):
    """The receiver's policy when the buffer holds items."""
    FIFO = auto()
    ACCUMULATE = auto()


@dataclass
class ChannelConfig:
    """The three policies of a host channel (defaults: blocking, FIFO)."""
    send_full: SendFull = SendFull.BLOCKING
    receive_empty: ReceiveEmpty = ReceiveEmpty.BLOCKING
    receive_not_empty: ReceiveNotEmpty = ReceiveNotEmpty.FIFO


class HostChannel:
    """A bounded FIFO of arrays of one shape between two threads, with the
    policies of a :class:`ChannelConfig`. ``close()`` wakes and fails any
    blocked caller (the runtime stopping)."""

    _POLL_S = 0.05

    def __init__(self, shape: tuple, buffer_size: int, config: ChannelConfig, name: str = ""):
        self.shape = tuple(shape)
        self.buffer_size = int(buffer_size)
        self.config = config
        self.name = name
        self._items: deque = deque()
        self._cond = threading.Condition()
        self.closed = False

    def __len__(self) -> int:
        return len(self._items)

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self.closed = False

    def _wait(self, ready: ty.Callable[[], bool], what: str, abort=None) -> bool:
        """Wait until ``ready()``; False if ``abort()`` became true first."""
        while not ready():
            if self.closed:
                raise RuntimeError(f"{self.name}: channel closed while {what}")
            if abort is not None and abort():
                return False
            self._cond.wait(self._POLL_S)
        return True

    def send(self, data, abort=None) -> None:
        """Append ``data``; when full: block (``abort()`` true: drop it) or
        drop with a warning, by ``send_full``."""
        data = np.array(data, copy=True)
        if data.shape != self.shape:
            raise ValueError(f"{self.name}: data of shape {data.shape} does not match the "
                             f"channel's shape {self.shape}")
        with self._cond:
            if len(self._items) >= self.buffer_size:
                if self.config.send_full == SendFull.NON_BLOCKING_DROP:
                    warnings.warn(f"{self.name}: send buffer is full, dropping the item")
                    return
                if not self._wait(lambda: len(self._items) < self.buffer_size, "sending",
                                  abort):
                    return
            self._items.append(data)
            self._cond.notify_all()

    def receive(self, dtype=float, abort=None) -> np.ndarray:
        """The next item by the receive policies (a blocking wait that
        ``abort()`` ends returns zeros)."""
        with self._cond:
            n = len(self._items)
            if n == 0:
                if self.config.receive_empty == ReceiveEmpty.NON_BLOCKING_ZEROS:
                    return np.zeros(self.shape, dtype=dtype)
                if not self._wait(lambda: len(self._items) > 0, "receiving", abort):
                    return np.zeros(self.shape, dtype=dtype)
                n = 1
            if self.config.receive_not_empty == ReceiveNotEmpty.ACCUMULATE:
                out = np.zeros(self.shape, dtype=dtype)
                for _ in range(n):
                    out += self._items.popleft()
            else:
                out = np.asarray(self._items.popleft()).astype(dtype, copy=False)
            self._cond.notify_all()
            return out


def runtime_stopping(process) -> ty.Callable[[], bool]:
    """For a model blocked on a channel: true once the runtime running
    ``process`` was asked to pause or stop (so that it can end its step)."""
    def check() -> bool:
        rt = getattr(process, "_runtime", None)
        return rt is not None and bool(getattr(rt, "_stop_req", False)
                                       or getattr(rt, "_pause_req", False))
    return check


def validate_shape(shape) -> tuple:
    if not isinstance(shape, tuple):
        raise TypeError(f"Expected <shape> to be of type tuple. Got <shape> = {shape}.")
    for s in shape:
        if not np.issubdtype(type(s), np.integer):
            raise TypeError(f"Expected all elements of <shape> to be of type int. Got "
                            f"<shape> = {shape}.")
        if s <= 0:
            raise ValueError(f"Expected all elements of <shape> to be strictly positive. "
                             f"Got <shape> = {shape}.")
    return tuple(int(s) for s in shape)


def validate_buffer_size(buffer_size) -> int:
    if not np.issubdtype(type(buffer_size), np.integer):
        raise TypeError(f"Expected <buffer_size> to be of type int. Got <buffer_size> = "
                        f"{buffer_size}.")
    if buffer_size <= 0:
        raise ValueError(f"Expected <buffer_size> to be strictly positive. Got "
                         f"<buffer_size> = {buffer_size}.")
    return int(buffer_size)


def validate_channel_config(channel_config) -> None:
    if not isinstance(channel_config, ChannelConfig):
        raise TypeError(f"Expected <channel_config> to be of type ChannelConfig. Got "
                        f"<channel_config> = {channel_config}.")
    for field, enum in (("send_full", SendFull), ("receive_empty", ReceiveEmpty),
                        ("receive_not_empty", ReceiveNotEmpty)):
        if not isinstance(getattr(channel_config, field), enum):
            raise TypeError(f"Expected <channel_config>.{field} to be of type "
                            f"{enum.__name__}. Got {getattr(channel_config, field)}.")


def validate_channel_args(shape, buffer_size, channel_config) -> tuple:
    """The checked ``(shape, buffer_size, channel_config)`` of a host
    channel's process (Injector, Extractor); ``channel_config`` defaults to
    ``ChannelConfig()``."""
    channel_config = channel_config or ChannelConfig()
    shape = validate_shape(shape)
    buffer_size = validate_buffer_size(buffer_size)
    validate_channel_config(channel_config)
    return shape, buffer_size, channel_config


class HostChannelProcess(AbstractProcess):
    """The Process side of Injector and Extractor: validated ``shape``,
    ``buffer_size`` and ``channel_config`` (default ``ChannelConfig()``),
    the one port (``_add_port``) and the :class:`HostChannel` shared with the
    user's thread."""

    def __init__(self, shape: ty.Tuple[int, ...], buffer_size: int = 50,
                 channel_config: ty.Optional[ChannelConfig] = None, **kwargs) -> None:
        shape, buffer_size, channel_config = validate_channel_args(
            shape, buffer_size, channel_config)
        super().__init__(shape=shape, buffer_size=buffer_size,
                         channel_config=channel_config, **kwargs)
        self._add_port(shape)
        self._channel = HostChannel(shape, buffer_size, channel_config,
                                    name=f"{self._channel_owner} '{self.name}'")

    #: how the channel's messages name the process
    _channel_owner = "HostChannelProcess"

    def _add_port(self, shape: tuple) -> None:
        raise NotImplementedError
