"""Lava's ``lava.proc.clp.id_broadcast.process``: kilauea's classes under Lava's path."""
from .....proc.clp.id_broadcast import process as _process
from ...._reexport import reexport

__all__ = reexport(globals(), _process)
