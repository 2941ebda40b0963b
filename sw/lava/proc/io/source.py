"""Lava's ``lava.proc.io.source``: kilauea's classes under Lava's path."""
from ....proc.io import source as _proc_io_source
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_io_source)
