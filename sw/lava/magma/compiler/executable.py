"""Lava's ``lava.magma.compiler.executable``: what ``Compiler.compile``
returns and ``Runtime`` runs.

In kilauea compiling builds the network's runtime at once (models chosen,
ports resolved, the chip's images loaded): an ``Executable`` holds that
built runtime and the processes it covers.
"""
from __future__ import annotations

import typing as ty


class Executable:
    """A compiled network: ``process_list`` (every process of it) and the
    kilauea runtime built for it (``runtime``)."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.process_list: ty.List = list(runtime.processes)

    def assign_runtime_to_all_processes(self, runtime) -> None:
        """Make ``runtime`` (a Lava-style ``Runtime`` over this executable)
        the runtime of every process: Var.get/set and run/stop on any
        process then act on it."""
        inner = getattr(runtime, "kilauea_runtime", runtime)
        if inner is not self.runtime:
            raise ValueError("Executable.assign_runtime_to_all_processes: the runtime was "
                             "not built from this executable")
        for p in self.process_list:
            p._runtime = inner

    def __repr__(self):
        return f"<Executable of {len(self.process_list)} processes>"


__all__ = ["Executable"]
