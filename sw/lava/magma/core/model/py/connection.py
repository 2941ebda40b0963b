"""Lava's ``lava.magma.core.model.py.connection``: kilauea's plastic-connection model
bases under Lava's path."""
from ......proc.plastic import models as _plastic_models
from ....._reexport import reexport

__all__ = reexport(globals(), _plastic_models)
