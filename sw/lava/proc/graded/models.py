"""Lava's ``lava.proc.graded.models``: kilauea's classes under Lava's path."""
from ....proc.graded import models as _proc_graded_models
from ....proc.graded import vector_models as _proc_graded_vector_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_graded_models, _proc_graded_vector_models)
