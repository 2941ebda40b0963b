"""Lava's ``lava.proc.sdn.models``: kilauea's classes under Lava's path."""
from ....proc.sdn import models as _proc_sdn_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_sdn_models)
