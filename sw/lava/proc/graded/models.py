"""Lava's ``lava.proc.graded.models``: kilauea's classes under Lava's path."""
from ....proc.graded import models as _proc_graded_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_graded_models)
