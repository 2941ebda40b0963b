"""Lava's ``lava.magma.core.decorator``: kilauea's classes under Lava's path."""
from ....core import decorators as _core_decorators
from ..._reexport import reexport

__all__ = reexport(globals(), _core_decorators)
