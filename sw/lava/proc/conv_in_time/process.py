"""Lava's ``lava.proc.conv_in_time.process``: kilauea's classes under Lava's path."""
from ....proc.conv_in_time import process as _proc_conv_in_time_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_conv_in_time_process)
