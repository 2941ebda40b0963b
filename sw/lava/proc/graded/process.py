"""Lava's ``lava.proc.graded.process``: kilauea's classes under Lava's path."""
from ....proc.graded import process as _proc_graded_process
from ....proc.graded import vector_process as _proc_graded_vector_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_graded_process, _proc_graded_vector_process)
