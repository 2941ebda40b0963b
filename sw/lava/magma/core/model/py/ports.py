"""Lava's ``lava.magma.core.model.py.ports``: kilauea's classes under Lava's path."""
from ......core import pytypes as _core_pytypes
from ....._reexport import reexport

__all__ = reexport(globals(), _core_pytypes)
