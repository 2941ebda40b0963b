"""Lava's ``lava.proc.clp.prototype_lif.process``: kilauea's classes under Lava's path."""
from .....proc.clp.prototype_lif import process as _process
from ...._reexport import reexport

__all__ = reexport(globals(), _process)
