"""Lava's ``lava.proc.s4d.process``: kilauea's classes under Lava's path."""
from ....proc.s4d import process as _proc_s4d_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_s4d_process)
