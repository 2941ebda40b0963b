"""Lava's ``lava.proc.clp.prototype_lif.models``: kilauea's classes under Lava's path."""
from .....proc.clp.prototype_lif import models as _models
from ...._reexport import reexport

__all__ = reexport(globals(), _models)
