"""Lava's ``lava.magma.runtime.runtime``: ``Runtime(exe,
message_infrastructure_type)`` with ``initialize``, ``start``, ``pause``,
``wait``, ``stop``, for tutorial 04's manual path.

A thin front to kilauea's runtime (``kilauea.runtime.runtime.Runtime``),
which the executable already holds. Kilauea runs every process in one OS
process, so ``message_infrastructure_type`` (``ActorType.MultiProcessing``)
is accepted and ignored. ``exe`` may be an ``Executable`` from
``Compiler.compile`` or what ``proc.compile(run_cfg)`` returns (kilauea's
runtime itself).
"""
from __future__ import annotations

import logging
import typing as ty

from ....core.exceptions import RuntimeStateError
from ....core.run_conditions import AbstractRunCondition
from ....runtime.runtime import Runtime as _KilaueaRuntime
from ..compiler.executable import Executable
from ..core.process.message_interface_enum import ActorType


class Runtime:
    """Runs a compiled network: ``initialize()``, then ``start(condition)``
    as often as wanted, then ``stop()``."""

    def __init__(self, exe: ty.Union[Executable, _KilaueaRuntime],
                 message_infrastructure_type: ActorType = ActorType.MultiProcessing,
                 loglevel: int = logging.WARNING) -> None:
        if isinstance(exe, Executable):
            rt = exe.runtime
        elif isinstance(exe, _KilaueaRuntime):
            rt = exe
        else:
            raise TypeError("Runtime: exe must be an Executable (Compiler().compile(...)) "
                            f"or a compiled process's runtime, got {exe!r}")
        self.kilauea_runtime = rt
        self.executable = exe if isinstance(exe, Executable) else Executable(rt)
        self.message_infrastructure_type = message_infrastructure_type
        self.log = logging.getLogger(__name__)
        self.log.setLevel(loglevel)
        self._is_initialized = False
        self._is_started = False

    def initialize(self, node_cfg_idx: int = 0) -> None:
        """Make the runtime ready to start (the network was built when it was
        compiled: nothing is left to do but to accept ``start``)."""
        if self.kilauea_runtime.state == "stopped":
            raise RuntimeStateError("Runtime.initialize: this network's runtime was stopped")
        self._is_initialized = True

    def start(self, run_condition: AbstractRunCondition) -> None:
        """Run the network under ``run_condition`` (RunSteps, RunContinuous);
        a later ``start`` continues from where the last run ended."""
        if not self._is_initialized:
            raise RuntimeStateError("Runtime.start: call initialize() first")
        if not isinstance(run_condition, AbstractRunCondition):
            raise TypeError(f"Runtime.start: expected RunSteps or RunContinuous, "
                            f"got {run_condition!r}")
        self._is_started = True
        self.kilauea_runtime.run(run_condition)

    def pause(self) -> None:
        """Pause a non-blocking run after the step in progress."""
        self.kilauea_runtime.pause()

    def wait(self) -> None:
        """Wait until a non-blocking run has finished."""
        self.kilauea_runtime.wait()

    def stop(self) -> None:
        """End the runtime for good (the Vars' values are gone)."""
        self.kilauea_runtime.stop()
        self._is_started = False

    @property
    def global_time(self) -> int:
        """The last completed time step."""
        return self.kilauea_runtime.time_step

    @property
    def _is_running(self) -> bool:
        return self.kilauea_runtime.is_running

    def __enter__(self) -> "Runtime":
        """``with runtime: ...``: initialized on entry, stopped on exit."""
        if not self._is_initialized:
            self.initialize()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.stop()
        return False

    def __repr__(self):
        return f"<Runtime of {len(self.executable.process_list)} processes, " \
               f"t={self.global_time}, {self.kilauea_runtime.state}>"


__all__ = ["Runtime"]
