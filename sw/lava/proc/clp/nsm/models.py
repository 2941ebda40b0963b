"""Lava's ``lava.proc.clp.nsm.models``: kilauea's classes under Lava's path."""
from .....proc.clp.nsm import models as _models
from ...._reexport import reexport

__all__ = reexport(globals(), _models)
