"""Lava's ``lava.proc.sparse.process``: kilauea's classes under Lava's path."""
from ....proc.sparse import process as _proc_sparse_process
from ....proc.sparse import learning as _proc_sparse_learning
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_sparse_process, _proc_sparse_learning)
