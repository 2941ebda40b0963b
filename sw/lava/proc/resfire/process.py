"""Lava's ``lava.proc.resfire.process``: kilauea's classes under Lava's path."""
from ....proc.resfire import process as _proc_resfire_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_resfire_process)
