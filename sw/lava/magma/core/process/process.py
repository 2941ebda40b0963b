"""Lava's ``lava.magma.core.process.process``: kilauea's classes under Lava's path."""
from .....core import process as _core_process
from ...._reexport import reexport

__all__ = reexport(globals(), _core_process)
