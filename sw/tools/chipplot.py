"""Pictures of a chip run: where the network sits and how long its steps take.

- `utilisation(report)`: per tile of the mesh, the fraction of its fullest
  resource (compartments, synapses, axons, fan-out, microcode, profiles) and
  which one it is; `plot_utilisation(ax, report)` draws it as a heat map
  (0 %: an unused tile).
- `plot_cycles(ax, stats, report)`: the measured clock cycles of every step
  (``ChipStats.cycles``; engines with a clock) beside the compiler's estimate
  (the busiest core's ``est. cycles``: every neuron spiking).
- `save_chip_png(runtime_or_report, path)`: both in one PNG (the heat map
  alone for a compile report, or for an engine without a clock).

``kilauea compile --plot FILE.png`` draws the heat map of a script's network.
"""
from __future__ import annotations

import typing as ty
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Utilisation", "utilisation", "plot_utilisation", "plot_cycles", "save_chip_png"]

RESOURCES = ("compartments", "synapses", "axons", "fanout", "ucode", "profiles")


@dataclass(frozen=True)
class Utilisation:
    """Per tile (``[y, x]``, row 0 at the bottom as in the mesh): the used
    fraction (0..1) of its fullest resource, and that resource's name
    ("" on an unused tile)."""
    fraction: np.ndarray
    resource: np.ndarray


def _capacity(params, resource: str) -> int:
    return int(getattr(params, f"n_{resource}"))


def utilisation(report) -> Utilisation:
    """The heat map's data from a `kilauea.compiler.ir.CompileReport`."""
    p = report.params
    frac = np.zeros((p.mesh_h, p.mesh_w))
    which = np.full((p.mesh_h, p.mesh_w), "", dtype=object)
    for core in report.cores:
        x, y = core.tile
        used = {r: getattr(core, r) / _capacity(p, r) for r in RESOURCES}
        top = max(used, key=used.get)
        frac[y, x], which[y, x] = used[top], top
    return Utilisation(frac, which)


def plot_utilisation(ax, report) -> None:
    """Heat map of `utilisation(report)`, each tile labelled with its
    percentage and fullest resource."""
    u = utilisation(report)
    h, w = u.fraction.shape
    image = ax.imshow(100 * u.fraction, origin="lower", cmap="viridis", vmin=0, vmax=100)
    for y in range(h):
        for x in range(w):
            text = f"{100 * u.fraction[y, x]:.0f} %\n{u.resource[y, x]}" if u.resource[y, x] \
                else "unused"
            ax.text(x, y, text, ha="center", va="center", fontsize="small",
                    color="white" if u.fraction[y, x] < 0.6 else "black")
    ax.set_xticks(range(w))
    ax.set_yticks(range(h))
    ax.set_xlabel("tile x")
    ax.set_ylabel("tile y")
    ax.set_title(f"core utilisation, {w}x{h} mesh (fullest resource per tile)")
    ax.figure.colorbar(image, ax=ax, label="% of the fullest resource")


def plot_cycles(ax, stats, report=None) -> bool:
    """Measured cycles per step (and the compile estimate when `report` is
    given). False (nothing drawn) when the engine has no clock."""
    cycles = [(s, c) for s, c in zip(stats.steps, stats.cycles) if c is not None]
    if not cycles:
        return False
    steps, values = (np.array(v) for v in zip(*cycles))
    ax.plot(steps, values, marker=".", label="measured")
    ax.axhline(values.mean(), color="C0", linestyle=":", label=f"measured mean ({values.mean():.0f})")
    if report is not None and report.cores:
        est = max(c.est_cycles for c in report.cores)
        ax.axhline(est, color="0.3", linestyle="--",
                   label=f"estimate, busiest core, every neuron spiking ({est})")
    ax.set_xlabel("time step")
    ax.set_ylabel("clock cycles per step")
    ax.set_title("cycles per step")
    ax.legend(loc="best", fontsize="small")
    return True


def save_chip_png(source: ty.Any, path: ty.Union[str, Path]) -> Path:
    """Write the utilisation heat map, and for a runtime (``Runtime`` of a
    ChipCfg run) with a clock the cycles per step too, to the PNG `path`.
    `source`: a Runtime or a CompileReport."""
    from matplotlib.figure import Figure     # no pyplot: the user's backend stays as it is
    chip = getattr(source, "chip", None)
    report = chip.report if chip is not None else source
    if not hasattr(report, "cores"):
        raise TypeError(f"save_chip_png: expected a chip Runtime or a CompileReport, "
                        f"got {source!r}")
    has_clock = chip is not None and any(c is not None for c in chip.stats.cycles)
    fig = Figure(figsize=(13 if has_clock else 6.5, 5))
    axes = fig.subplots(1, 2 if has_clock else 1, squeeze=False)
    plot_utilisation(axes[0, 0], report)
    if has_clock:
        plot_cycles(axes[0, 1], chip.stats, report)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
