"""Lava's ``lava.magma.compiler.compiler_graphs``: ``find_processes``.

Only the function user code and lava-nc's tests call; Lava's process-group
graphs are compiler internals that kilauea does not have (its runtime
builds the network from the process it is run on).
"""
from __future__ import annotations

import typing as ty

from ....core.ports import AbstractPort, AbstractVirtualPort
from ....core.process import AbstractProcess


def _ports(proc: AbstractProcess) -> list[AbstractPort]:
    return [port for members in (proc.in_ports, proc.out_ports,
                                 proc.ref_ports, proc.var_ports)
            for port in members]


def _neighbours(proc: AbstractProcess) -> list[AbstractProcess]:
    """The processes one connection away from ``proc`` (in either
    direction, through virtual ports)."""
    found, visited = [], set()
    stack: list[AbstractPort] = _ports(proc)
    while stack:
        port = stack.pop()
        if id(port) in visited:
            continue
        visited.add(id(port))
        if isinstance(port, AbstractVirtualPort):
            stack.extend(port.parents)
        elif port.process is not proc and port.process is not None:
            found.append(port.process)
            continue
        stack.extend(port.in_connections + port.out_connections)
    return found


def find_processes(proc: AbstractProcess,
                   seen_procs: ty.Optional[list] = None) -> list:
    """Every process connected to ``proc``, directly or through others,
    ``proc`` first; ``seen_procs`` (extended in place) are skipped."""
    seen = [] if seen_procs is None else seen_procs
    queue = [proc]
    while queue:
        current = queue.pop(0)
        if any(current is p for p in seen):
            continue
        seen.append(current)
        queue.extend(_neighbours(current))
    return seen


__all__ = ["find_processes"]
