"""Lava's ``lava.proc.resfire.models``: kilauea's classes under Lava's path."""
from ....proc.resfire import models as _proc_resfire_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_resfire_models)
