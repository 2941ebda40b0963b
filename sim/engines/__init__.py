"""Chip simulation engines behind one interface (`kilauea.sim.engine.ChipEngine`).

`make_engine(name, params, **options)`:

- "model": the golden numpy model (`GoldenEngine`), no cycles;
- "pysim": the chip RTL in Amaranth's Python simulator (`PysimEngine`);
- "compiled": the chip RTL compiled with CXXRTL and the system C++ compiler
  (`CompiledEngine`, `kilauea.sim.engines.compiled`);
- "auto": the fastest cycle-accurate engine available: "compiled" when its
  model is cached or builds (a C++ compiler exists, the build succeeds and the
  cache folder can hold it), else "pysim" with a one-line notice naming why.

`options` go to the engine's constructor (e.g. `trace=`, `trace_steps=`,
`max_cycles=`, `backdoor=` for the RTL engines).
"""
from __future__ import annotations

import sys

from ...hw.params import ChipParams
from ..engine import ChipEngine
from .golden import GoldenEngine

__all__ = ["make_engine", "ENGINE_NAMES", "GoldenEngine", "compiled_available"]

ENGINE_NAMES = ("model", "pysim", "compiled", "auto")


def _compiled_class():
    """The CompiledEngine class, or the reason it cannot be used (a str)."""
    try:
        from .compiled import CompiledEngine
    except ImportError as e:
        return f'engine "compiled" is not built yet ({e})'
    return CompiledEngine


def compiled_available() -> tuple[bool, str]:
    """(True, "") when the compiled engine can run here, else (False, why)."""
    cls = _compiled_class()
    if isinstance(cls, str):
        return False, cls
    try:
        from ..cxxrtl.build import build  # noqa: F401
    except ImportError as e:
        return False, f"no CXXRTL build support ({e})"
    return True, ""     # no compiler: a cached model still runs (build says otherwise)


def make_engine(name: str, params: ChipParams, **options) -> ChipEngine:
    """A new engine of kind `name` for a chip of shape `params`."""
    if name == "model":
        return GoldenEngine(params, **options)
    if name == "pysim":
        from .pysim import PysimEngine
        return PysimEngine(params, **options)
    if name == "compiled":
        cls = _compiled_class()
        if isinstance(cls, str):
            raise NotImplementedError(cls + '; use "pysim" or "model"')
        return cls(params, **options)
    if name == "auto":
        ok, why = compiled_available()
        if ok:
            from ..cxxrtl import BuildError
            try:
                return _compiled_class()(params, **options)
            except BuildError as e:
                why = f"the compiled engine could not be built ({e})"
        from .pysim import PysimEngine
        print(f'kilauea: engine "auto": {why}; using the Amaranth simulator ("pysim", '
              f'slow)', file=sys.stderr)
        return PysimEngine(params, **options)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
