"""The chip runtime: the chip part of a network runs on an engine, the host
part on the CPU, stepped together with Lava's timing (docs/chip-runtime.md).

Modules, one job each:

- ``stats``: ``ChipStats`` (per-step cycles, packets, counters) and
  ``ChipStatusError``;
- ``node``: ``ChipNode``, the chip as one node of the CPU executor's spk
  schedule, with its deferred input port;
- ``hostview``: the graph rewriting that puts the node in place of the chip
  processes;
- ``executor``: ``ChipExecutor`` (chip Var read/write through the
  compiler's ``VarSlot``, recompiling after a set of a host-only Var);
- ``hostvars``: the host copies of host-only Vars;
- ``reload``: ``ReloadPlan``, carrying a running chip's state into a
  recompiled network;
- ``fallback``: processes the compiler refuses run on the host instead.

``make_chip_executors`` is the executor factory the runtime registers for
``ChipCfg`` (``kilauea.core.registry``).
"""
from __future__ import annotations

from ..builder import Network
from ..executor import CpuExecutor
from .executor import ChipExecutor
from .fallback import compile_with_fallback
from .node import ChipNode
from .stats import ChipStats, ChipStatusError

__all__ = ["ChipExecutor", "ChipNode", "ChipStats", "ChipStatusError", "make_chip_executors"]


def _engine_options(cfg) -> dict:
    """The engine's keyword arguments from a ChipCfg."""
    opts = dict(cfg.engine_options)
    if cfg.engine != "model":          # the golden model has no clock, no waveform
        if cfg.max_cycles is not None:
            opts.setdefault("max_cycles", cfg.max_cycles)
        if cfg.trace is not None:
            opts.setdefault("trace", cfg.trace)
            if cfg.trace_steps is not None:
                opts.setdefault("trace_steps", cfg.trace_steps)
    return opts


def make_chip_executors(cfg, network: Network) -> list:
    """The executors of a ``ChipCfg`` run: compile the chip leaves (refused
    processes with a host fallback move to the host), make the engine, load
    the images. A network without chip processes runs on a plain
    CpuExecutor."""
    from ...sim.engines import make_engine
    compiled = compile_with_fallback(network, cfg)
    if compiled is None:
        return [CpuExecutor(network)]
    engine = make_engine(cfg.engine, compiled.params, **_engine_options(cfg))
    try:
        engine.load_images(compiled.images)
        return [ChipExecutor(network, cfg, compiled, engine)]
    except BaseException:
        engine.close()
        raise
