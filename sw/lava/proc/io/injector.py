"""Lava's ``lava.proc.io.injector``: kilauea's classes under Lava's path."""
from ....proc.io import injector as _proc_io_injector
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_io_injector)
