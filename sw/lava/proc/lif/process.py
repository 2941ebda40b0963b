"""Lava's ``lava.proc.lif.process``: kilauea's classes under Lava's path."""
from ....proc.lif import process as _proc_lif_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_lif_process)
