"""Lava's ``lava.proc.monitor.models``: kilauea's classes under Lava's path."""
from ....proc.monitor import models as _proc_monitor_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_monitor_models)
