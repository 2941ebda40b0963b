"""Lava's ``lava.magma.core.sync.protocol``: ``AbstractSyncProtocol``."""
from .....core.protocols import AbstractSyncProtocol

__all__ = ["AbstractSyncProtocol"]
