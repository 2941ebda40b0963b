"""Lava's ``lava.magma.core.process.ports.ports``: kilauea's classes under Lava's path."""
from ......core import ports as _core_ports
from ....._reexport import reexport

__all__ = reexport(globals(), _core_ports)
