"""Lava's ``lava.magma.core.resources``: kilauea's classes under Lava's path."""
from ....core import resources as _core_resources
from ..._reexport import reexport

__all__ = reexport(globals(), _core_resources)
