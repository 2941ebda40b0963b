"""Lava's ``lava.magma.runtime.message_infrastructure.multiprocessing``.

Kilauea runs every process model in the user's OS process, so its message
infrastructure is that one process: ``MultiProcessing`` starts no actors,
and the channels made on it (``compiler.channels.pypychannel.PyPyChannel``)
are in-process queues between threads. ``stop()`` closes them, waking any
thread blocked on one with a ``RuntimeError``.
"""
from __future__ import annotations

import typing as ty

__all__ = ["MultiProcessing"]


class MultiProcessing:
    """The in-process message infrastructure: ``start()``, ``stop()``, and
    the channels made on it (``channels``)."""

    def __init__(self) -> None:
        self.running = False
        self.channels: list[ty.Any] = []

    @property
    def actors(self) -> list:
        """Lava's OS processes of the models: none in kilauea."""
        return []

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        """Close every channel made on this infrastructure."""
        self.running = False
        for channel in self.channels:
            channel.close()

    def join(self) -> None:
        """Nothing to wait for: there are no actors."""
