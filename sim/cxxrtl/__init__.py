"""Compiled models of the chip: Amaranth's CXXRTL back end, the system C++
compiler and a small C++ driver (`driver.cc`) that runs whole host-port jobs.

- `build`: generate, compile and cache a model (`build.build`, `shape_key`);
- `model`: load one with ctypes and run jobs (`Model`).

The engine built on them is `kilauea.sim.engines.compiled.CompiledEngine`.
"""
from .build import BuildError, CacheError, build, cache_dir, compiler, shape_key
from .model import Model

__all__ = ["BuildError", "CacheError", "build", "cache_dir", "compiler", "shape_key", "Model"]
