"""Lava's ``lava.proc.conv_in_time.models``: kilauea's classes under Lava's path."""
from ....proc.conv_in_time import models as _proc_conv_in_time_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_conv_in_time_models)
