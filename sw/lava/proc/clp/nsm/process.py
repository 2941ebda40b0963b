"""Lava's ``lava.proc.clp.nsm.process``: kilauea's classes under Lava's path."""
from .....proc.clp.nsm import process as _process
from ...._reexport import reexport

__all__ = reexport(globals(), _process)
