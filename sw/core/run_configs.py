"""Run configurations: which ProcessModel runs each Process.

``CpuSimCfg`` picks CPU (Python) models the way Lava's ``Loihi2SimCfg``
does:

1. ``exception_proc_model_map[ProcessClass]`` wins when given;
2. with ``select_sub_proc_model=True`` a sub-process model (hierarchical) is
   preferred when there is one; otherwise a Python model is preferred, and a
   sub-process model is used only when there is no Python model;
3. among Python models: ``select_tag`` picks the models with that tag (an
   unknown tag is an error naming the process and the tags it has); with no
   tag, a ``'floating_pt'`` model if there is one, else an untagged one,
   else the first found.
"""
from __future__ import annotations

import typing as ty

from .decorators import model_resources
from .exceptions import ModelNotFoundError
from .model import AbstractPyProcessModel, AbstractSubProcessModel
from .resources import CPU, AbstractComputeResource


class RunConfig:
    """Base class. ``select(process, proc_models)`` returns the model class."""

    def __init__(self, custom_sync_domains=None, loglevel: int = 30):
        self.custom_sync_domains = custom_sync_domains or []
        self.loglevel = loglevel

    def select(self, process, proc_models: list):
        raise NotImplementedError


def _cpu_capable(model: type) -> bool:
    res = [r for r in model_resources(model)
           if isinstance(r, type) and issubclass(r, AbstractComputeResource)]
    return not res or any(issubclass(r, CPU) for r in res)


class CpuSimCfg(RunConfig):
    """Run every Process on the CPU with its Python ProcessModel."""

    def __init__(self, custom_sync_domains=None, select_tag: ty.Optional[str] = None,
                 select_sub_proc_model: bool = False,
                 exception_proc_model_map: ty.Optional[dict] = None,
                 loglevel: int = 30):
        super().__init__(custom_sync_domains, loglevel)
        if select_tag is not None and not isinstance(select_tag, str):
            raise TypeError(f"CpuSimCfg: select_tag must be a string, got {select_tag!r}")
        self.select_tag = select_tag
        self.select_sub_proc_model = bool(select_sub_proc_model)
        self.exception_proc_model_map = dict(exception_proc_model_map or {})

    def __repr__(self):
        return (f"{type(self).__name__}(select_tag={self.select_tag!r}, "
                f"select_sub_proc_model={self.select_sub_proc_model})")

    def select(self, process, proc_models: list):
        cls = type(process)
        for key, model in self.exception_proc_model_map.items():
            if key is cls or key is process:
                return model
        subs = [m for m in proc_models if issubclass(m, AbstractSubProcessModel)]
        pys = [m for m in proc_models
               if issubclass(m, AbstractPyProcessModel) and _cpu_capable(m)]
        if self.select_sub_proc_model and subs:
            return subs[0]
        if not pys:
            if subs:
                return subs[0]
            found = ", ".join(m.__name__ for m in proc_models) or "none"
            raise ModelNotFoundError(
                f"no CPU ProcessModel for process '{process.name}' ({cls.__name__}); "
                f"models found: {found}. Define one with @implements(proc={cls.__name__}) "
                f"in the process's module, a sibling module (e.g. models.py) or your script")
        tags_of = {m: list(getattr(m, "tags", []) or []) for m in pys}
        if self.select_tag is None:
            for m in pys:
                if "floating_pt" in tags_of[m]:
                    return m
            for m in pys:
                if not tags_of[m]:
                    return m
            return pys[0]
        for m in pys:
            if self.select_tag in tags_of[m]:
                return m
        available = sorted({t for ts in tags_of.values() for t in ts})
        if not available:
            return pys[0]  # untagged models are tag-neutral
        raise ModelNotFoundError(
            f"process '{process.name}' ({cls.__name__}) has no CPU ProcessModel with tag "
            f"'{self.select_tag}'; tags available: {available} "
            f"(models: {', '.join(m.__name__ for m in pys)})")


class Loihi1SimCfg(CpuSimCfg):
    """Lava's name for the CPU simulation config."""


class Loihi2SimCfg(CpuSimCfg):
    """Lava's name for the CPU simulation config."""
