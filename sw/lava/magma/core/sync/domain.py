"""Lava's ``lava.magma.core.sync.domain``: ``SyncDomain``.

In Lava a sync domain groups processes that one synchronisation protocol
steps together, and run configurations take them as
``custom_sync_domains``. Kilauea schedules every process by the protocol of
the ProcessModel it runs (``LoihiProtocol`` phases or ``AsyncProtocol``'s
``run_async``) in one scheduler, so its run configurations accept
``custom_sync_domains`` and ignore them: a ``SyncDomain`` only records its
name, protocol and processes, for code that builds or inspects one.
"""
from __future__ import annotations

import typing as ty

from .....core.protocols import AbstractSyncProtocol


class SyncDomain:
    """A named group of processes and the protocol meant to step them."""

    def __init__(self, name: str,
                 protocol: ty.Optional[AbstractSyncProtocol] = None,
                 processes: ty.Optional[list] = None) -> None:
        self.name = name
        self._protocol: ty.Optional[AbstractSyncProtocol] = None
        self._processes: list = []
        if protocol is not None:
            self.set_protocol(protocol)
        if processes is not None:
            self.add_process(processes)

    def set_protocol(self, protocol: AbstractSyncProtocol) -> None:
        """Set the domain's protocol (an ``AbstractSyncProtocol`` instance)."""
        if not isinstance(protocol, AbstractSyncProtocol):
            raise TypeError(f"SyncDomain {self.name!r}: protocol must be an "
                            f"AbstractSyncProtocol instance, got {protocol!r}")
        self._protocol = protocol

    @property
    def protocol(self) -> ty.Optional[AbstractSyncProtocol]:
        return self._protocol

    def add_process(self, process) -> None:
        """Add one process or a list of them."""
        for proc in process if isinstance(process, (list, tuple)) else [process]:
            self._processes.append(proc)

    @property
    def processes(self) -> list:
        return list(self._processes)


__all__ = ["SyncDomain"]
