"""Lava's ``lava.utils.plots``: a raster plot of spike trains."""
from __future__ import annotations

import typing as ty

import numpy as np
from matplotlib.figure import FigureBase

__all__ = ["raster_plot"]

#: Size (width, height) in inches of a new figure.
DEFAULT_FIGSIZE = (10, 5)


def _check_raster_args(spikes: np.ndarray, stride: int,
                       fig: ty.Optional[FigureBase],
                       figsize: ty.Optional[ty.Tuple[float, float]]) -> None:
    """Raise ValueError (with Lava's messages) for arguments it refuses."""
    if spikes.ndim != 2 or 0 in spikes.shape:
        raise ValueError("Parameter <spikes> must have exactly two "
                         "dimensions and they must be non-empty.")
    if np.any((spikes != 0) & (spikes != 1)):
        raise ValueError("All values in spikes must be either 0 or 1.")
    if stride > spikes.shape[0]:
        raise ValueError(
            "Stride must not be greater than the number of neurons.")
    if fig is not None and figsize is not None:
        raise ValueError(
            "Must use at most one of the following: fig, figsize.")


def raster_plot(spikes: np.ndarray, stride: int = 6,
                fig: ty.Optional[FigureBase] = None,
                figsize: ty.Optional[ty.Tuple[float, float]] = None,
                marker: str = "o", markersize: float = 1.5,
                color: ty.Any = "b", alpha: float = 1,
                xlabel: str = "Time Steps",
                ylabel: str = "Neurons") -> FigureBase:
    """Plot the spikes of every ``stride``-th neuron as dots over time.

    ``spikes`` has shape ``(neurons, time steps)`` with values 0 or 1 (1: a
    spike of neuron ``i`` at step ``j``, drawn at ``(j, i)``). Draws into
    ``fig`` (its current Axes), else into a new figure of ``figsize``
    inches (default ``DEFAULT_FIGSIZE``; give at most one of the two);
    ``marker``, ``markersize``, ``color`` and ``alpha`` style the dots.
    Returns the figure. Raises ValueError for spikes that are not a
    non-empty 2-D array of 0s and 1s, a ``stride`` over the number of
    neurons, or both ``fig`` and ``figsize``.
    """
    spikes = np.asarray(spikes)
    _check_raster_args(spikes, stride, fig, figsize)
    if fig is None:
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=figsize or DEFAULT_FIGSIZE)
    ax = fig.gca()
    neurons, steps = spikes.shape
    ax.set_xlim(-1, steps)
    ax.set_yticks([])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    for i in range(0, neurons, stride):
        times = np.flatnonzero(spikes[i] == 1)
        ax.plot(times, np.full(times.shape, i), linestyle=" ", marker=marker,
                markersize=markersize, color=color, alpha=alpha)
    return fig
