"""Lava's ``lava.proc.s4d.models``: kilauea's classes under Lava's path."""
from ....proc.s4d import models as _proc_s4d_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_s4d_models)
