"""Lava's ``lava.proc.prodneuron.process``: kilauea's classes under Lava's path."""
from ....proc.prodneuron import process as _proc_prodneuron_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_prodneuron_process)
