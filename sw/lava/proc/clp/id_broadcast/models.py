"""Lava's ``lava.proc.clp.id_broadcast.models``: kilauea's classes under Lava's path."""
from .....proc.clp.id_broadcast import models as _models
from ...._reexport import reexport

__all__ = reexport(globals(), _models)
