"""Lava's ``lava.magma.core.process.variable``: kilauea's classes under Lava's path."""
from .....core import variable as _core_variable
from ...._reexport import reexport

__all__ = reexport(globals(), _core_variable)
