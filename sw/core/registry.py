"""Where the host API (``kilauea.core``) finds the runtime, without
importing it: ``kilauea.core`` imports nothing from ``kilauea.runtime``,
``kilauea.compiler`` or ``kilauea.sim``; the runtime registers itself here.

- ``register_runtime(build)``: ``build(process, run_cfg)`` builds the
  runtime of the network a process belongs to (``Process.run`` /
  ``create_runtime`` call it). ``kilauea.runtime`` registers
  ``Runtime.build`` when it is imported.
- ``register_executor(cfg_cls, factory)``: ``factory(run_cfg, network)``
  returns the executors of a run under a run configuration of class
  ``cfg_cls`` (or a subclass); a class without one runs every leaf on the
  CPU executor. ``kilauea.runtime`` registers the chip executors for
  ``ChipCfg``; a user's run configuration can register its own.

The default runtime plugin: when nothing registered a runtime yet,
``runtime_builder()`` imports the module named ``DEFAULT_RUNTIME_PLUGIN``
(``"kilauea.runtime"``) once, by name (``importlib``), and expects it to
register one.
"""
from __future__ import annotations

import importlib
import typing as ty

__all__ = ["DEFAULT_RUNTIME_PLUGIN", "register_runtime", "runtime_builder",
           "register_executor", "executor_factory"]

#: the module imported to find a runtime when none is registered
DEFAULT_RUNTIME_PLUGIN = "kilauea.runtime"

RuntimeBuilder = ty.Callable[[ty.Any, ty.Any], ty.Any]
ExecutorFactory = ty.Callable[[ty.Any, ty.Any], list]

_runtime: list[ty.Optional[RuntimeBuilder]] = [None]
_executors: dict[type, ExecutorFactory] = {}


def register_runtime(build: RuntimeBuilder) -> None:
    """Make ``build(process, run_cfg)`` the runtime builder."""
    _runtime[0] = build


def runtime_builder() -> RuntimeBuilder:
    """The registered runtime builder (importing the default plugin first
    when none is registered)."""
    if _runtime[0] is None:
        importlib.import_module(DEFAULT_RUNTIME_PLUGIN)
    if _runtime[0] is None:
        raise RuntimeError(f"no runtime registered: importing {DEFAULT_RUNTIME_PLUGIN!r} "
                           f"did not call kilauea.core.registry.register_runtime")
    return _runtime[0]


def register_executor(cfg_cls: type, factory: ExecutorFactory) -> None:
    """Runs under run configurations of class `cfg_cls` (and its
    subclasses, unless they register their own) get their executors from
    ``factory(run_cfg, network)``."""
    if not isinstance(cfg_cls, type):
        raise TypeError(f"register_executor: expected a run configuration class, "
                        f"got {cfg_cls!r}")
    _executors[cfg_cls] = factory


def executor_factory(run_cfg) -> ty.Optional[ExecutorFactory]:
    """The factory registered for `run_cfg`'s class or its nearest base
    class, or None (the CPU executor runs everything)."""
    for cls in type(run_cfg).__mro__:
        factory = _executors.get(cls)
        if factory is not None:
            return factory
    return None
