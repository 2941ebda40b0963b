"""Lava's ``lava.proc.spiker.process``: kilauea's classes under Lava's path."""
from ....proc.spiker import process as _proc_spiker_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_spiker_process)
