"""Lava's ``lava.proc.dense.process``: kilauea's classes under Lava's path."""
from ....proc.dense import process as _proc_dense_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_dense_process)
