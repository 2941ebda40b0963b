"""Lava's ``lava.proc.conv.models``: kilauea's classes under Lava's path."""
from ....proc.conv import models as _proc_conv_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_conv_models)
