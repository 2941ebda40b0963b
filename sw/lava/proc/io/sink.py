"""Lava's ``lava.proc.io.sink``: kilauea's classes under Lava's path."""
from ....proc.io import sink as _proc_io_sink
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_io_sink)
