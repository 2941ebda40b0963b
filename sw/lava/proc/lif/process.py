"""Lava's ``lava.proc.lif.process``: kilauea's classes under Lava's path."""
from ....proc.lif import process as _proc_lif_process
from ....proc.lif import learning as _proc_lif_learning
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_lif_process, _proc_lif_learning)
