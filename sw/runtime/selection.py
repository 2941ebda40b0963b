"""Finding the ProcessModels that implement a Process, without registration.

As in Lava, models are looked for in the Process's module and in the modules
beside it (e.g. ``models.py`` next to ``process.py``): those sibling modules
are imported the first time a Process of that package is compiled. Models
defined anywhere else that has been imported (the user's script, a test
module) are found too, because ``@implements`` records every model it
decorates. A Process subclass without models of its own uses the models of
its nearest base class that has some.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings

from ..core.decorators import MODEL_REGISTRY
from ..core.process import AbstractProcess

_scanned_packages: set[str] = set()


def _import_siblings(module_name: str) -> None:
    mod = sys.modules.get(module_name)
    if mod is None or module_name == "__main__":
        return
    pkg = getattr(mod, "__package__", None)
    if not pkg or pkg in _scanned_packages:
        return
    _scanned_packages.add(pkg)
    pkg_mod = sys.modules.get(pkg)
    path = getattr(pkg_mod, "__path__", None)
    if not path:
        return
    for info in pkgutil.iter_modules(path):
        if info.ispkg:
            continue
        name = f"{pkg}.{info.name}"
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception as exc:     # as Lava: a sibling that fails to import is skipped
                warnings.warn(f"Cannot import module '{name}' when searching ProcessModels "
                              f"beside {module_name}: {type(exc).__name__}: {exc}",
                              stacklevel=3)


def find_models(proc_cls: type) -> list[type]:
    """Every ProcessModel class implementing ``proc_cls`` (or, if none, its
    nearest base Process class), in definition order."""
    chain = [c for c in proc_cls.__mro__
             if isinstance(c, type) and issubclass(c, AbstractProcess) and c is not AbstractProcess]
    for c in chain:
        _import_siblings(c.__module__)
    for c in chain:
        found = [m for m in MODEL_REGISTRY if m.__dict__.get("implements_process") is c]
        if found:
            return found
    return []
