"""Figures of the chip part of a run (``ChipStats``) and the error a core's
status flags raise (``ChipStatusError``)."""
from __future__ import annotations

import dataclasses
import typing as ty

import numpy as np

from ...core.exceptions import KilaueaError

__all__ = ["ChipStats", "ChipStatusError"]


class ChipStatusError(KilaueaError, RuntimeError):
    """A core reported an error flag after a step (a dropped packet, a bad
    address, a graded payload beyond 24 bits): the chip's result can no
    longer be trusted.

    ``time_step`` (also ``step``): the step after which the flag was first
    seen (the flags are read after every step, whatever
    ``ChipCfg(counters=...)``, and are sticky: they stay set until the
    STATUS word is written). ``tile``: the first core that reports one;
    ``flags``: the names of its flags (``core_memory.ErrorFlag``);
    ``errors``: its count of error events."""

    def __init__(self, message: str, time_step: ty.Optional[int] = None,
                 tile: ty.Optional[tuple] = None, flags: tuple = (), errors: int = 0):
        super().__init__(message)
        self.time_step = self.step = time_step
        self.tile = tile
        self.flags = tuple(flags)
        self.errors = int(errors)


@dataclasses.dataclass
class ChipStats:
    """Per-step figures of the chip part of a run (one entry per step; the
    last ``keep`` steps are kept, totals cover every step).

    ``cycles``: clock cycles from STEP to DONE (None on engines without a
    clock, i.e. the golden model). ``packets_in``: spike packets the host
    injected for the step; ``spikes_out``: host-bound spikes it produced.
    ``counters``: with counter reading on, an int64 array per step of shape
    (tiles, len(Counter)) in the order of ``tiles`` (see
    ``kilauea.hw.neurocore.core_memory.Counter``). ``io_cycles``: cycles the
    engine spent on host reads/writes (probes, Var access), kept apart
    from the steps' cycles (None when the engine does not count them).
    ``n_steps``, ``total_cycles`` (None without a clock),
    ``total_packets_in``, ``total_spikes_out``, ``total_counters``: sums
    over every step run. ``engine_seconds``: wall time (s) spent inside the
    engine's step calls (the simulation proper); the rest of a run's time is
    host overhead.
    """
    tiles: list = dataclasses.field(default_factory=list)
    counter_names: list = dataclasses.field(default_factory=list)
    steps: list = dataclasses.field(default_factory=list)
    cycles: list = dataclasses.field(default_factory=list)
    packets_in: list = dataclasses.field(default_factory=list)
    spikes_out: list = dataclasses.field(default_factory=list)
    counters: list = dataclasses.field(default_factory=list)
    io_cycles: ty.Optional[int] = None
    keep: int = 20_000
    n_steps: int = 0
    total_cycles: ty.Optional[int] = None
    total_packets_in: int = 0
    total_spikes_out: int = 0
    total_counters: ty.Optional[np.ndarray] = None
    engine_seconds: float = 0.0

    def record(self, t: int, cycles, packets_in: int, spikes_out: int, counters=None) -> None:
        """Add one step's figures."""
        self.steps.append(t)
        self.cycles.append(cycles)
        self.packets_in.append(packets_in)
        self.spikes_out.append(spikes_out)
        self.n_steps += 1
        if cycles is not None:
            self.total_cycles = (self.total_cycles or 0) + int(cycles)
        self.total_packets_in += packets_in
        self.total_spikes_out += spikes_out
        if counters is not None:
            self.counters.append(counters)
            self.total_counters = counters.copy() if self.total_counters is None \
                else self.total_counters + counters
        if len(self.steps) > 2 * self.keep:        # amortised trimming
            for lst in (self.steps, self.cycles, self.packets_in, self.spikes_out,
                        self.counters):
                del lst[:len(lst) - self.keep]

    def retile(self, tiles: list) -> None:
        """Read counters of `tiles` from now on (after a reload of a
        recompiled network): the recorded arrays get zero rows for tiles
        they did not cover."""
        tiles = list(tiles)
        if tiles == self.tiles:
            return
        pos = {t: i for i, t in enumerate(tiles)}

        def pad(a):
            out = np.zeros((len(tiles),) + a.shape[1:], dtype=a.dtype)
            for i, t in enumerate(self.tiles):
                if t in pos:
                    out[pos[t]] = a[i]
            return out
        self.counters = [pad(c) for c in self.counters]
        if self.total_counters is not None:
            self.total_counters = pad(self.total_counters)
        self.tiles = tiles

    def counter(self, name: str) -> np.ndarray:
        """One counter over the recorded steps: array (steps, tiles)."""
        if not self.counters:
            return np.zeros((0, len(self.tiles)), dtype=np.int64)
        k = [n.lower() for n in self.counter_names].index(name.lower())
        return np.stack(self.counters)[:, :, k]

    def table(self, last: ty.Optional[int] = None) -> str:
        """Per-step lines: step, cycles, packets in, spikes out, and the
        busiest core's synaptic events and neuron updates."""
        rows = range(len(self.steps)) if last is None else \
            range(max(0, len(self.steps) - last), len(self.steps))
        head = f"{'step':>6} {'cycles':>8} {'host in':>8} {'host out':>9}"
        have = bool(self.counters)
        if have:
            head += f" {'syn events (max core)':>22} {'updates':>8} {'chip pkts':>10}"
        lines = [head]
        for i in rows:
            c = self.cycles[i]
            line = (f"{self.steps[i]:>6} {('-' if c is None else c):>8} "
                    f"{self.packets_in[i]:>8} {self.spikes_out[i]:>9}")
            if have:
                names = [n.lower() for n in self.counter_names]
                cnt = self.counters[i]
                line += (f" {int(cnt[:, names.index('syn_events')].max(initial=0)):>22}"
                         f" {int(cnt[:, names.index('updates')].sum()):>8}"
                         f" {int(cnt[:, names.index('packets_out')].sum()):>10}")
            lines.append(line)
        return "\n".join(lines)
