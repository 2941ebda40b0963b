"""Lava's ``lava.proc.atrlif.models``: kilauea's classes under Lava's path."""
from ....proc.atrlif import models as _proc_atrlif_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_atrlif_models)
