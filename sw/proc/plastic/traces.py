"""Trace arithmetic of plastic connections, float and fixed point (pure numpy).

A connection keeps two pre-synaptic traces (x1, x2; one value per source neuron) and
three post-synaptic traces (y1, y2, y3; one per target neuron). Within an epoch of
``t_epoch`` steps it only records each neuron's last spike time (1..t_epoch, 0: no
spike); at the epoch's end the traces are replayed step by step (:func:`history_fixed`,
:func:`history_float`): decay by one step, then the impulse of a spike recorded at that
step. The learning rule reads the replayed values at the spike times
(:func:`evaluated_traces`; at a sparse connection's stored synapses only,
:func:`traces_at`).

Fixed point (lava-nc 0.10's "bit-approximate" model): traces are unsigned 7-bit
integers (0..127). An impulse is split into an integer part and an 8-bit fraction
(:func:`split_impulses`); adding it adds the integer part plus 1 when the step's random
integer (0..127) is below the fraction, then clips to 0..127. A decay computes
``exp(-1 / tau) * x`` in float64 and rounds it stochastically: the floor, plus 1 when
the step's random float (0..1) is below the fractional part. A trace whose tau is 0
does not decay: it is reset to 0 at every replayed step. One random number per stream
and step is shared by all neurons.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...learning import W_TRACE, W_TRACE_FRACTIONAL_PART, stochastic_round

#: Largest fixed-point trace value (7 bits unsigned).
TRACE_MAX = 2 ** W_TRACE - 1


@dataclass(frozen=True)
class TraceGroup:
    """The taus and impulses of one group of traces (x: 2 traces, y: 3 traces).

    ``taus``: decay time constants in steps (0: no decay, the trace resets).
    ``impulses``: what a spike adds (float; the fixed-point model splits it with
    :func:`split_impulses`)."""

    taus: np.ndarray
    impulses: np.ndarray

    @property
    def decaying(self) -> np.ndarray:
        """Which traces of the group decay (tau != 0)."""
        return self.taus != 0


def split_impulses(impulses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Impulses as (integer part, fraction in units of 2**-8), both int arrays:
    ``floor(i)`` and ``round((i - floor(i)) * 256)`` (the fraction may round to 256)."""
    impulses = np.asarray(impulses, dtype=float)
    whole = np.floor(impulses)
    frac = np.round((impulses - whole) * 2 ** W_TRACE_FRACTIONAL_PART)
    return whole.astype(int), frac.astype(int)


def add_impulse_fixed(values: np.ndarray, random: int, whole: np.ndarray,
                      frac: np.ndarray) -> np.ndarray:
    """``values + whole`` plus 1 where ``random < frac``, clipped to 0..TRACE_MAX."""
    summed = stochastic_round(values + whole, random, frac)
    return np.clip(summed, 0, TRACE_MAX)


def decay_fixed(values: np.ndarray, taus: np.ndarray, random: float) -> np.ndarray:
    """One step of decay, stochastically rounded: ``v = exp(-1/tau) * x`` (float64);
    ``floor(v)`` plus 1 where ``random < v mod 1``."""
    decayed = np.exp(-1 / taus) * values
    return stochastic_round(np.floor(decayed), random, decayed % 1)


def history_fixed(traces: np.ndarray, group: TraceGroup, t_spike: np.ndarray,
                  t_epoch: int, random_decay: float, random_impulse: int) -> np.ndarray:
    """The fixed-point traces at each step of an epoch, shape ``(t_epoch + 1, k, n)``.

    ``traces`` ``(k, n)``: the values at the epoch's start (row 0 of the result);
    ``t_spike`` ``(n,)``: each neuron's last spike time in the epoch (0: none). Row t
    is row t-1 decayed (decaying traces; the others are 0), plus the impulse for the
    neurons whose spike time is t."""
    whole, frac = split_impulses(group.impulses)
    whole, frac = whole[:, np.newaxis], frac[:, np.newaxis]
    dec = group.decaying
    taus = group.taus[dec][:, np.newaxis]
    hist = np.zeros((t_epoch + 1,) + traces.shape, dtype=int)
    hist[0] = traces
    for t in range(1, t_epoch + 1):
        hist[t][dec] = decay_fixed(hist[t - 1][dec], taus, random_decay)
        ids = np.flatnonzero(t_spike == t)
        if ids.size:
            hist[t][:, ids] = add_impulse_fixed(hist[t][:, ids], random_impulse, whole, frac)
    return hist


def history_float(traces: np.ndarray, group: TraceGroup, t_spike: np.ndarray,
                  t_epoch: int) -> np.ndarray:
    """The float traces at each step of an epoch, shape ``(t_epoch + 1, k, n)``:
    row t is ``exp(-1/tau) * row[t-1]`` plus the impulse at spike time t (as lava-nc,
    a trace with tau 0 has no value, NaN)."""
    impulses = np.asarray(group.impulses, dtype=float)[:, np.newaxis]
    dec = group.decaying
    taus = group.taus[dec][:, np.newaxis]
    hist = np.full((t_epoch + 1,) + traces.shape, np.nan, dtype=float)
    hist[0] = traces
    for t in range(1, t_epoch + 1):
        hist[t][dec] = np.exp(-1 / taus) * hist[t - 1][dec]
        ids = np.flatnonzero(t_spike == t)
        if ids.size:
            hist[t][:, ids] += impulses
    return hist


#: Trace name -> (group, row): x traces are rows of the x history, y of the y history.
TRACE_ROWS = {"x1": ("x", 0), "x2": ("x", 1), "y1": ("y", 0), "y2": ("y", 1), "y3": ("y", 2)}


def evaluated_traces(x_hist: np.ndarray, y_hist: np.ndarray, tx: np.ndarray,
                     ty: np.ndarray, wanted: dict) -> dict:
    """The trace values a rule's products read, keyed ``"<trace>_<dependency>"``.

    ``wanted``: dependency ("x0", "y0", "u") -> the traces its products use.
    Under ``x0`` a trace is read at each source's spike time ``tx``; under ``y0`` at
    each target's ``ty``; under ``u`` at the epoch's end. Shapes broadcast against
    ``(n_post, n_pre)``: a pre trace read at the source's own time is ``(1, n_pre)``,
    a post trace at the target's own time ``(n_post, 1)``, a cross read
    ``(n_post, n_pre)``. (A spike time of 0 reads the value at the epoch's start.)"""
    hists = {"x": x_hist, "y": y_hist}
    n_pre, n_post = x_hist.shape[-1], y_hist.shape[-1]
    out = {}
    for dep, traces in wanted.items():
        for trace in traces:
            group, row = TRACE_ROWS[trace]
            h = _compact(hists[group][:, row])      # (T + 1, n)
            out[f"{trace}_{dep}"] = _read(h, group, dep, tx, ty, n_pre, n_post)
    return out


def _compact(h: np.ndarray) -> np.ndarray:
    """A fixed-point history row as int32 when its values fit (traces are 7 bits): the
    same numbers, half the memory to gather for the cross reads; others as they are."""
    if h.dtype.kind in "iu" and h.dtype.itemsize > 4 and h.size and \
            np.iinfo(np.int32).min <= h.min() and h.max() <= np.iinfo(np.int32).max:
        return h.astype(np.int32)
    return h


def _read(h: np.ndarray, group: str, dep: str, tx, ty, n_pre: int, n_post: int):
    if dep == "u":
        last = h[-1]
        return last[np.newaxis, :] if group == "x" else last[:, np.newaxis]
    own = (group == "x") == (dep == "x0")
    times = tx if dep == "x0" else ty
    if own:                                      # each neuron at its own spike time
        vals = h[times, np.arange(times.size)]
        return vals[np.newaxis, :] if group == "x" else vals[:, np.newaxis]
    cross = h[times]                             # (n_times, n_other)
    return cross.T if dep == "x0" else cross     # (n_post, n_pre) either way


@dataclass(frozen=True)
class StoredSynapses:
    """The stored synapses of an ``(n_post, n_pre)`` CSR matrix, in the order of its
    ``data``: target ``rows``, source ``cols``, and their flat indices into row-major
    ``(n_post, n_pre)`` (``post_major``) and ``(n_pre, n_post)`` (``pre_major``)
    arrays. Built once per sparsity pattern (:meth:`of`, :meth:`same_places`)."""

    indptr: np.ndarray
    indices: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    post_major: np.ndarray
    pre_major: np.ndarray

    @classmethod
    def of(cls, matrix) -> "StoredSynapses":
        """The stored synapses of the CSR `matrix` (its index arrays are copied)."""
        n_post, n_pre = matrix.shape
        indptr, cols = matrix.indptr.copy(), matrix.indices.astype(np.intp)
        rows = np.repeat(np.arange(n_post, dtype=np.intp), np.diff(indptr))
        return cls(indptr, matrix.indices.copy(), rows, cols, rows * n_pre + cols,
                   cols * n_post + rows)

    def same_places(self, matrix) -> bool:
        """Whether the CSR `matrix` stores its entries at these places, in this order."""
        return (np.array_equal(self.indptr, matrix.indptr)
                and np.array_equal(self.indices, matrix.indices))


def traces_at(x_hist: np.ndarray, y_hist: np.ndarray, tx: np.ndarray, ty: np.ndarray,
              wanted: dict, synapses: StoredSynapses) -> dict:
    """:func:`evaluated_traces` at the stored `synapses` only: 1-D arrays in their
    order. A cross read gathers the ``(n_times, n_other)`` rows of the history (one
    row copy per neuron) and picks the synapses' flat indices from them, without the
    ``(n_post, n_pre)`` broadcast. A sparse connection's stored synapses learn on
    these."""
    hists = {"x": x_hist, "y": y_hist}
    rows, cols = synapses.rows, synapses.cols
    out = {}
    for dep, names in wanted.items():
        for trace in names:
            group, row = TRACE_ROWS[trace]
            h = _compact(hists[group][:, row])      # (T + 1, n)
            neuron = cols if group == "x" else rows
            if dep == "u":
                out[f"{trace}_{dep}"] = h[-1][neuron]
            elif (group == "x") == (dep == "x0"):   # each neuron at its own spike time
                times = tx if dep == "x0" else ty
                out[f"{trace}_{dep}"] = h[times, np.arange(times.size)][neuron]
            elif dep == "x0":                       # a y trace at the sources' times
                out[f"{trace}_{dep}"] = h[tx].ravel()[synapses.pre_major]
            else:                                   # an x trace at the targets' times
                out[f"{trace}_{dep}"] = h[ty].ravel()[synapses.post_major]
    return out
