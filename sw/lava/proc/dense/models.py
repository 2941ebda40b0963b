"""Lava's ``lava.proc.dense.models``: kilauea's classes under Lava's path."""
from ....proc.dense import models as _proc_dense_models
from ....proc.dense import learning_models as _proc_dense_learning_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_dense_models, _proc_dense_learning_models)
