"""The runtime: model selection, building, the CPU executor and the chip
executors.

Importing it registers, in ``kilauea.core.registry``, the runtime builder
(``Runtime.build``, which ``Process.run`` calls) and the chip executors for
``ChipCfg`` (``chip.make_chip_executors``): run configurations stay data,
and ``kilauea.core`` never imports the runtime.
"""
from ..core.registry import register_executor, register_runtime
from ..core.run_configs import ChipCfg
from .chip import make_chip_executors
from .runtime import Runtime, RuntimeState

__all__ = ["Runtime", "RuntimeState", "make_chip_executors"]

register_runtime(Runtime.build)
register_executor(ChipCfg, make_chip_executors)
