"""Lava's ``lava.magma.core.model.py.model``: kilauea's classes under Lava's path."""
from ......core import model as _core_model
from ....._reexport import reexport

__all__ = reexport(globals(), _core_model)
