"""Lava's ``lava.magma.compiler.compiler``: ``Compiler`` for tutorial 04's
manual path (``Compiler().compile(proc, run_cfg)`` then
``Runtime(executable, ActorType.MultiProcessing)``).

A thin front to kilauea's build: ``compile`` does what ``proc.compile(run_cfg)``
does (choose models with ``run_cfg``, resolve ports, compile and load the
chip's part under ``Loihi2HwCfg``) for the network ``proc`` belongs to, and
returns it as an ``Executable``. A network is compiled once: compiling a
process whose network was already compiled returns that network again
(``run_cfg`` is then ignored, as ``run`` ignores it).
"""
from __future__ import annotations

import logging
import typing as ty

from ....core.process import AbstractProcess
from ....core.run_configs import RunConfig
from .executable import Executable


class Compiler:
    """Compiles a process network for a run configuration.

    ``compile_config`` (Lava's options for its sub-compilers) is accepted
    and not used; ``loglevel`` sets the level of this compiler's logger.
    """

    def __init__(self, compile_config: ty.Optional[ty.Dict[str, ty.Any]] = None,
                 loglevel: int = logging.WARNING) -> None:
        self.compile_config = dict(compile_config or {})
        self.log = logging.getLogger(__name__)
        self.log.setLevel(loglevel)

    def compile(self, process: AbstractProcess, run_cfg: RunConfig) -> Executable:
        """The network of ``process``, compiled with ``run_cfg``."""
        if not isinstance(process, AbstractProcess):
            raise TypeError(f"Compiler.compile: expected a process, got {process!r}")
        if not isinstance(run_cfg, RunConfig):
            raise TypeError(f"Compiler.compile: run_cfg must be a run configuration "
                            f"(e.g. Loihi2SimCfg()), got {run_cfg!r}")
        rt = process.create_runtime(run_cfg, compile_config=self.compile_config)
        self.log.info("compiled %d processes with %r", len(rt.processes), run_cfg)
        return Executable(rt)


__all__ = ["Compiler"]
