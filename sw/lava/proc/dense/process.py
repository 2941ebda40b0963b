"""Lava's ``lava.proc.dense.process``: kilauea's classes under Lava's path."""
from ....proc.dense import process as _proc_dense_process
from ....proc.dense import learning as _proc_dense_learning
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_dense_process, _proc_dense_learning)
