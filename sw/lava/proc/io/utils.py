"""Lava's ``lava.proc.io.utils``: kilauea's classes under Lava's path."""
from ....proc.io import utils as _proc_io_utils
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_io_utils)
