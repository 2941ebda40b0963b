"""Lava's ``lava.proc.rf_iz.process``: kilauea's classes under Lava's path."""
from ....proc.rf_iz import process as _proc_rf_iz_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_rf_iz_process)
