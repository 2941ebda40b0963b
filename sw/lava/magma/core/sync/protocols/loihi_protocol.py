"""Lava's ``lava.magma.core.sync.protocols.loihi_protocol``: kilauea's classes under Lava's path."""
from ......core import protocols as _core_protocols
from ....._reexport import reexport

__all__ = reexport(globals(), _core_protocols)
