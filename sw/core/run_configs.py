"""Run configurations: which ProcessModel runs each Process.

``CpuSimCfg`` picks CPU (Python) models the way Lava's ``Loihi2SimCfg``
does:

1. ``exception_proc_model_map[ProcessClass]`` wins when given;
2. with ``select_sub_proc_model=True`` a sub-process model (hierarchical) is
   preferred when there is one; otherwise a Python model is preferred, and a
   sub-process model is used only when there is no Python model;
3. among Python models: ``select_tag`` picks the models with that tag (an
   unknown tag is an error naming the process and the tags it has, unless
   every model is untagged); with no tag, a ``'floating_pt'`` model if there
   is one, else an untagged one, else the first found. So a Process with a
   single model gets it when no tag is asked for (Lava's
   ``AbstractLoihiRunCfg`` case 2a).

Run configurations are data: the runtime picks the executors of a run
from ``kilauea.core.registry`` by the configuration's class (the chip
executors for ``ChipCfg``).

``ChipCfg`` (Lava's ``Loihi2HwCfg``) defaults ``select_tag`` to None like
Lava; its host-side choice then prefers ``'fixed_pt'`` models (so host and
chip compute the same numbers) and otherwise follows the rule above, so a
user's Process with one ``'floating_pt'`` model runs beside the chip
unchanged.
"""
from __future__ import annotations

import os
import typing as ty

from .decorators import model_resources
from .exceptions import ModelNotFoundError
from .model import AbstractPyProcessModel, AbstractSubProcessModel
from .resources import CPU, AbstractComputeResource


#: the chip engines ``ChipCfg(engine=...)`` accepts (the names
#: ``kilauea.sim.engines.make_engine`` knows; a test keeps the two equal)
ENGINE_NAMES = ("model", "pysim", "compiled", "auto")

#: environment variables holding ``ChipCfg``'s defaults for ``engine`` and
#: ``mesh`` (``kilauea run --engine/--mesh`` sets them for the script it runs)
ENGINE_ENV, MESH_ENV = "KILAUEA_ENGINE", "KILAUEA_MESH"


def parse_mesh(text: str, what: str = "mesh") -> tuple[int, int]:
    """``"WxH"`` (e.g. ``"2x3"``) -> ``(2, 3)``; ValueError naming `what`."""
    try:
        w, h = (int(v) for v in str(text).lower().split("x"))
    except ValueError:
        raise ValueError(f"{what} must look like WxH (e.g. 2x2), not {text!r}") from None
    if w < 1 or h < 1:
        raise ValueError(f"{what} {text!r}: both sizes must be at least 1")
    return w, h


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
        # with no select_tag: a tag whose models are taken first when there
        # are some (ChipCfg's host side: 'fixed_pt'); not an error otherwise
        self._preferred_tag: ty.Optional[str] = None

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
                if self._preferred_tag is not None and self._preferred_tag in tags_of[m]:
                    return m
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


def _nc_capable(model: type) -> bool:
    """A chip model: an AbstractNcProcessModel that requires a NeuroCore."""
    from .model import AbstractNcProcessModel
    from .resources import NeuroCore
    if not (isinstance(model, type) and issubclass(model, AbstractNcProcessModel)):
        return False
    return any(isinstance(r, type) and issubclass(r, NeuroCore) for r in model_resources(model))


class ChipCfg(RunConfig):
    """Run a network on the emulated kilauea chip, beside the host's CPU.

    Each Process with a chip model (an ``AbstractNcProcessModel`` that
    ``@requires`` a ``NeuroCore``: LIF, Dense, Sparse, ...) runs on the chip;
    every other Process (sources, sinks, Monitors, a user's own Python
    Process) runs its CPU model on the host, chosen as
    ``CpuSimCfg(select_tag=select_tag)`` would choose it. The host and the
    chip exchange spikes through the chip's host port, with Lava's timing
    (docs/chip-runtime.md).

    Parameters
    ----------
    mesh : (W, H), optional
        Tiles of the chip; default: ``params``' mesh (2 x 2 by default), or,
        with no ``params`` either, ``$KILAUEA_MESH`` (``"WxH"``) when set.
    engine : str, optional
        ``"model"`` (golden numpy model), ``"pysim"`` (the RTL in Amaranth's
        simulator), ``"compiled"``, or ``"auto"`` (the fastest
        cycle-accurate engine available). Default: ``$KILAUEA_ENGINE`` when
        set, else ``"auto"``.
    params : kilauea.hw.params.ChipParams, optional
        Chip sizes (capacities per core); ``mesh`` overrides its mesh.
    select_tag : str, optional
        Tag of the models to use. None (default, as in Lava): chip models
        tagged ``"fixed_pt"`` and host-side CPU models tagged ``"fixed_pt"``
        are preferred (so that host and chip compute the same numbers); a
        host Process without such a model gets its model as
        ``CpuSimCfg()`` would choose it (e.g. its only model, whatever its
        tag). A tag given here is applied as ``CpuSimCfg(select_tag=...)``
        applies it. The attribute ``select_tag`` holds the tag in effect
        (``"fixed_pt"`` when None was given).
    exception_proc_model_map : dict, optional
        ``{ProcessClass or process: ModelClass}``: forced choices (a chip
        model puts the process on the chip, a CPU model keeps it on the host).
    max_cycles : int, optional
        Cycle bound of one step for cycle-accurate engines: a step that does
        not reach its barrier within it raises ``ChipHangError``.
    trace : str, optional
        A waveform (VCD) file for the RTL engines ("pysim", "compiled").
    trace_steps : (first, last), optional
        With ``trace``: record only time steps first..last (inclusive).
    counters : bool
        Read every used core's counters and status after each step (into
        ``runtime.chip.stats``; a core reporting an error flag stops the run
        with ``ChipStatusError``).
    engine_options : dict, optional
        Further keyword arguments for the engine's constructor.
    """

    def __init__(self, mesh: ty.Optional[tuple] = None, engine: ty.Optional[str] = None,
                 params=None,
                 select_tag: ty.Optional[str] = None, select_sub_proc_model: bool = False,
                 exception_proc_model_map: ty.Optional[dict] = None,
                 max_cycles: ty.Optional[int] = None, trace: ty.Optional[str] = None,
                 trace_steps: ty.Optional[tuple] = None, counters: bool = True, engine_options: ty.Optional[dict] = None,
                 custom_sync_domains=None, loglevel: int = 30):
        super().__init__(custom_sync_domains, loglevel)
        from ..hw.params import ChipParams
        if mesh is None and params is None and os.environ.get(MESH_ENV):
            mesh = parse_mesh(os.environ[MESH_ENV], f"${MESH_ENV}")
        if engine is None:
            engine = os.environ.get(ENGINE_ENV) or "auto"
        if params is None:
            params = ChipParams()
        if not isinstance(params, ChipParams):
            raise TypeError(f"ChipCfg: params must be a ChipParams, got {params!r}")
        if mesh is not None:
            try:
                w, h = (int(m) for m in mesh)
            except (TypeError, ValueError):
                raise TypeError(f"ChipCfg: mesh must be a pair (W, H), got {mesh!r}") from None
            params = params.with_(mesh_w=w, mesh_h=h)
        if engine not in ENGINE_NAMES:
            raise ValueError(f"ChipCfg: unknown engine {engine!r}; choose one of "
                             f"{', '.join(ENGINE_NAMES)}"
                             + (f" (from ${ENGINE_ENV})" if engine == os.environ.get(ENGINE_ENV)
                                else ""))
        if max_cycles is not None and (isinstance(max_cycles, bool) or int(max_cycles) < 1):
            raise ValueError(f"ChipCfg: max_cycles must be a positive integer, got {max_cycles!r}")
        self.params = params
        self.engine = engine
        self.max_cycles = None if max_cycles is None else int(max_cycles)
        if trace_steps is not None:
            try:
                first, last = (int(v) for v in trace_steps)
            except (TypeError, ValueError):
                raise TypeError(f"ChipCfg: trace_steps must be (first, last), got "
                                f"{trace_steps!r}") from None
            if trace is None or not 1 <= first <= last:
                raise ValueError(f"ChipCfg: trace_steps={trace_steps!r} needs trace= and "
                                 f"1 <= first <= last")
            trace_steps = (first, last)
        self.trace = trace
        self.trace_steps = trace_steps
        self.counters = bool(counters)
        self.engine_options = dict(engine_options or {})
        self.select_tag = "fixed_pt" if select_tag is None else select_tag
        self.exception_proc_model_map = dict(exception_proc_model_map or {})
        self._host_cfg = CpuSimCfg(select_tag=select_tag,
                                   select_sub_proc_model=select_sub_proc_model,
                                   exception_proc_model_map=exception_proc_model_map)
        if select_tag is None:
            self._host_cfg._preferred_tag = "fixed_pt"

    @property
    def mesh(self) -> tuple:
        return (self.params.mesh_w, self.params.mesh_h)

    def __repr__(self):
        return (f"{type(self).__name__}(mesh={self.mesh}, engine={self.engine!r}, "
                f"select_tag={self.select_tag!r})")

    def select(self, process, proc_models: list):
        cls = type(process)
        for key, model in self.exception_proc_model_map.items():
            if key is cls or key is process:
                return model
        chip = [m for m in proc_models if _nc_capable(m)]
        if chip:
            for m in chip:
                if self.select_tag in (getattr(m, "tags", []) or []):
                    return m
            return chip[0]
        return self._host_cfg.select(process, proc_models)
