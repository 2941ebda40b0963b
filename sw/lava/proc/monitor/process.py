"""Lava's ``lava.proc.monitor.process``: kilauea's classes under Lava's path."""
from ....proc.monitor import process as _proc_monitor_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_monitor_process)
