"""Lava's ``lava.proc.conv.process``: kilauea's classes under Lava's path."""
from ....proc.conv import process as _proc_conv_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_conv_process)
