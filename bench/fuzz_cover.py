"""Coverage counts and classification for bench/fuzz.py: the tally of a
campaign, the overflow paths a CPU run took, the capacities a compiled
network reached, the compiler's warnings, and the documented known
difference (a graded DelayDense sum past the chip's 32-bit accumulator,
docs/errors.md)."""
from __future__ import annotations

import collections
import dataclasses
import re
import typing as ty

import numpy as np


@dataclasses.dataclass
class Tally:
    """Counts of what the fuzzing covered."""
    networks: int = 0
    mismatches: int = 0
    injected: int = 0
    harmful: int = 0
    interrupted: bool = False
    outcomes: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    coverage: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    def cover(self, net) -> None:
        for lay in net.layers:
            self.coverage[f"layer {lay.kind}"] += 1
            for key, val in lay.params.items():
                vals = np.ravel(val)
                if key in ("du", "dv") and (vals == 4095).any():
                    self.coverage[f"{key} at 4095"] += 1
                if key == "bias_exp" and (vals == 7).any():
                    self.coverage["bias_exp at 7"] += 1
        for c in net.conns:
            self.coverage[f"conn {c.kind}{' graded' if c.graded else ''}"] += 1
            if c.src == c.dst:
                self.coverage["recurrent"] += 1
            if c.delays is not None and max(np.ravel(c.delays)) >= 14:
                self.coverage["delay 14 (chip's largest)"] += 1
            if abs(c.weight_exp) == 8 or c.weight_exp == 7:
                self.coverage["weight_exp at an end"] += 1
        if net.source_graded and np.abs(net.source).max() >= (1 << 23) - 1:
            self.coverage["host payload at 24 bits"] += 1


_WRAP = re.compile(r"into '(L\d+)': a worst-case step sum of \d+ exceeds the chip's 32-bit")


def known_difference(bad: tuple, warnings: ty.Sequence[str]) -> bool:
    """`bad` (first_difference's tuple) is in or after a layer the compiler
    warned about: a graded DelayDense sum that can pass the chip's 32-bit
    accumulator (lava-nc's DelayDense sums in int64; the chip wraps)."""
    layers = [int(m.group(1)[1:]) for w in warnings for m in [_WRAP.search(w)] if m]
    where = re.match(r"L(\d+)\.", str(bad[1]))
    if str(bad[1]) == "cpu raised":       # the CPU model refusing the unwrapped payload
        where = re.search(r"process 'L(\d+)'", str(bad[3]))
    return bool(layers and where and int(where.group(1)) >= min(layers))


def cover_overflows(tally: Tally, cpu) -> None:
    """Overflow paths the CPU run took: a Var past its 24 bits (wrapped on
    the chip's word), a spike payload past 24 bits, a raise."""
    for name, rec in cpu.rec.items():
        top = np.abs(np.asarray(rec, dtype=np.float64)).max(initial=0)
        var = name.split(".")[1]
        if top >= 1 << 23:
            tally.coverage[f"overflow: {var} past 24 bits"] += 1
        if top >= 1 << 31:
            tally.coverage[f"overflow: {var} past 32 bits"] += 1
    if cpu.kind is not None:
        tally.coverage[f"overflow: cpu raised ({cpu.kind})"] += 1


_CAPS = (("compartments", "n_compartments"), ("synapses", "n_synapses"), ("axons", "n_axons"),
         ("fanout", "n_fanout"), ("profiles", "n_profiles"), ("ucode", "n_ucode"),
         ("groups", "n_acc_groups"), ("max_delay", "max_delay"))


def cover_compile(tally: Tally, cn, warnings: ty.Sequence[str], what: str) -> None:
    """Capacities reached (a core at >= 75 % or full) and warnings given."""
    for w in warnings:
        tally.coverage["compiler warning: " + re.sub(r"'[^']*'|\d+", "_", w)[:70]] += 1
    if cn is None:
        return
    for core in cn.report.cores:
        for field, cap in _CAPS:
            used, limit = getattr(core, field), getattr(cn.params, cap)
            if used >= limit:
                tally.coverage[f"capacity full ({what}): {field}"] += 1
            elif used >= 0.75 * limit:
                tally.coverage[f"capacity >= 75% ({what}): {field}"] += 1
