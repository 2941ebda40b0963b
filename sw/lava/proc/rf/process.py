"""Lava's ``lava.proc.rf.process``: kilauea's classes under Lava's path."""
from ....proc.rf import process as _proc_rf_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_rf_process)
