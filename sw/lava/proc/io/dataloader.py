"""Lava's ``lava.proc.io.dataloader``: kilauea's classes under Lava's path."""
from ....proc.io import dataloader as _proc_io_dataloader
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_io_dataloader)
