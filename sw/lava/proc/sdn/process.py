"""Lava's ``lava.proc.sdn.process``: kilauea's classes under Lava's path."""
from ....proc.sdn import process as _proc_sdn_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_sdn_process)
