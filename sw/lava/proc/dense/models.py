"""Lava's ``lava.proc.dense.models``: kilauea's classes under Lava's path."""
from ....proc.dense import models as _proc_dense_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_dense_models)
