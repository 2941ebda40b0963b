"""Lava's ``lava.proc.conv.utils``: kilauea's classes under Lava's path."""
from ....proc.conv import utils as _proc_conv_utils
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_conv_utils)
