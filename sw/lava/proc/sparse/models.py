"""Lava's ``lava.proc.sparse.models``: kilauea's classes under Lava's path."""
from ....proc.sparse import models as _proc_sparse_models
from ....proc.sparse import learning_models as _proc_sparse_learning_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_sparse_models, _proc_sparse_learning_models)
