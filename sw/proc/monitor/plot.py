"""Drawing a Monitor's recordings: voltage traces and spike rasters.

`plot_recording` is what ``Monitor.plot`` does. A Var (``v``, ``u``, ...) is
drawn as one line per neuron against the time step, with a legend naming the
neurons (up to `MAX_LEGEND`) and, for the voltage of a LIF-family process, its
threshold as a dashed line. An OutPort (spikes) is drawn as a raster: one row
per neuron, a mark at every step it sent something nonzero. The title names the
process, the recording and where the process ran (`backend_label`:
``"CPU fixed_pt"``, ``"chip (compiled, 2x2)"``); the y axis states its units:
fixed-point integers, or the float models' values.

Fixed-point LIF voltages are compared with ``vth << 6`` (``effective_vth``);
``float_equivalent=True`` divides ``u``, ``v`` and that threshold by
``2**VTH_SHIFT``, the scale of ``vth`` itself.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ...core.model import AbstractNcProcessModel
from ...core.ports import OutPort
from ...core.variable import Var

__all__ = ["backend_label", "plot_recording", "MAX_LEGEND"]

MAX_LEGEND = 10          # more neurons than this: no legend
FIXED_TAG, FLOAT_TAG = "fixed_pt", "floating_pt"


def _runs_on_chip(process) -> bool:
    model = process.model_class
    return isinstance(model, type) and issubclass(model, AbstractNcProcessModel)


def _is_fixed_point(process) -> bool:
    """Whether `process` ran integer (fixed-point) models: the chip, or a
    CPU model tagged fixed_pt."""
    model = process.model_class
    return _runs_on_chip(process) or FIXED_TAG in (getattr(model, "tags", None) or [])


def backend_label(process) -> str:
    """Where `process` ran: ``"chip (compiled, 2x2)"``, ``"CPU fixed_pt"``,
    ``"CPU floating_pt"``, ``"CPU"`` (untagged model) or ``"not run"``."""
    runtime = process.runtime
    if runtime is None or process.model_class is None:
        return "not run"
    if _runs_on_chip(process):
        chip = runtime.chip
        engine = getattr(getattr(chip, "engine", None), "name", None) or runtime.run_cfg.engine
        w, h = runtime.run_cfg.mesh
        return f"chip ({engine}, {w}x{h})"
    tags = list(getattr(process.model_class, "tags", None) or [])
    known = [t for t in (FIXED_TAG, FLOAT_TAG) if t in tags]
    return "CPU " + (known or tags)[0] if tags else "CPU"


def _threshold(process, target, scale: float) -> ty.Optional[float]:
    """The firing threshold in the units of `target` (LIF family's ``v``), else None."""
    if not isinstance(target, Var) or target.name != "v":
        return None
    vth = getattr(process, "vth", None)
    if not isinstance(vth, Var) or int(np.prod(vth.shape)) != 1:
        return None
    value = float(np.asarray(vth.get()).reshape(-1)[0])
    if _is_fixed_point(process):
        from ...numerics.lif import effective_vth
        value = float(effective_vth(int(value)))
    return value / scale


def _units(process, target, scale: float) -> str:
    if not _is_fixed_point(process):
        return "float model units"
    if scale != 1:
        return f"fixed point / {scale:g}: vth's scale"
    return "fixed-point integer units"


def _neuron_labels(n: int) -> list[str]:
    return [f"neuron {i}" for i in range(n)]


def plot_recording(ax, values: np.ndarray, target, *args, threshold: ty.Any = "auto",
                   float_equivalent: bool = False, raster: ty.Optional[bool] = None,
                   **kwargs) -> None:
    """Draw `values` (``[T, ...]``, the recording of `target`) into `ax`.

    threshold: ``"auto"`` (the LIF family's ``v``: its threshold), a number
    (in the recording's units), or None (no line). float_equivalent: divide
    fixed-point ``u``, ``v`` and the threshold by ``2**VTH_SHIFT``. raster:
    None draws an OutPort as a raster unless positional plot arguments are
    given (a format string: lines, as Lava draws them); True / False force
    it. Extra arguments go to ``ax.plot`` (traces) or ``ax.eventplot``
    (rasters)."""
    process = target.process
    flat = np.asarray(values).reshape(len(values), -1)
    steps = np.arange(1, len(flat) + 1)
    where = backend_label(process)
    ax.set_title(f"{process.name}.{target.name} ({where})")
    ax.set_xlabel("time step")
    if raster is None:
        raster = isinstance(target, OutPort) and not args
    if raster:
        _raster(ax, flat, steps, **kwargs)
        return
    scale = 1.0
    if float_equivalent and _is_fixed_point(process) and target.name in ("u", "v"):
        from ...numerics.lif import VTH_SHIFT
        scale = float(2 ** VTH_SHIFT)
    lines = ax.plot(steps, flat / scale, *args, **kwargs)
    ax.set_ylabel(f"{target.name} ({_units(process, target, scale)})")
    level = _threshold(process, target, scale) if threshold == "auto" else threshold
    if level is not None:
        ax.axhline(level, color="0.3", linestyle="--", linewidth=1,
                   label=f"threshold ({level:g})")
    if flat.shape[1] <= MAX_LEGEND:
        for line, label in zip(lines, _neuron_labels(flat.shape[1])):
            line.set_label(label)
        ax.legend(loc="best", fontsize="small")


def _raster(ax, flat: np.ndarray, steps: np.ndarray, **kwargs) -> None:
    """One row per neuron, a mark at each step with a nonzero value; neuron
    ``i`` in matplotlib's colour ``C{i}``, as its line in a trace."""
    n = flat.shape[1]
    times = [steps[flat[:, i] != 0] for i in range(n)]
    kwargs.setdefault("linelengths", 0.8)
    if "color" not in kwargs and "colors" not in kwargs:      # neuron i: the colour of its trace
        kwargs["colors"] = [f"C{i % 10}" for i in range(n)]
    ax.eventplot(times, lineoffsets=np.arange(n), **kwargs)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_ylabel("neuron (a mark: a spike)")
    if n <= MAX_LEGEND:
        ax.set_yticks(range(n))
    ax.set_xlim(0.5, len(steps) + 0.5)
