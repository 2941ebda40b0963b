"""Lava's ``lava.proc.io.extractor``: kilauea's classes under Lava's path."""
from ....proc.io import extractor as _proc_io_extractor
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_io_extractor)
