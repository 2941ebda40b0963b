"""Lava's ``lava.proc.atrlif.process``: kilauea's classes under Lava's path."""
from ....proc.atrlif import process as _proc_atrlif_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_atrlif_process)
