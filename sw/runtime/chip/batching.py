"""Running many chip steps in one engine call (docs/chip-runtime.md,
"Batches of steps").

In lockstep the executor runs, for every step, every host model and the
chip node in the schedule's order. When no host process needs the chip's
output of step t before the chip runs step t + 1, the same results come
from running, for a batch of k steps,

1. every host model that does not depend on the chip (the chip's
   *upstream*: sources, generators, anything feeding it) for the k steps,
   one model after the other in the schedule's order;
2. the chip for the k steps in one engine call (``ChipNode.run_batch``);
3. every host model downstream of the chip (sinks, Monitors of chip
   OutPorts, host processes fed by the chip) and every probe (a model
   with ``mgmt_reads_only``, e.g. a Monitor of chip Vars: its spk then its
   post-management phase per step, reading the words the engine recorded
   after that step, ``Recorded``) for the k steps.

Host models talk only through their ports' FIFO channels, so each one sees
the same values in the same order as in lockstep; the only difference is
how far ahead a sender runs, as in Lava, where every process runs in its
own OS process and a sender runs ahead of its receivers by up to its
channel's depth (``MAX_BATCH`` = 64 steps, the depth the CPU executor
allows a channel).

``BatchPlan.of(executor)`` decides whether a network can run in batches
and splits the schedule; ``reason`` says why not. Not batched: a host
model in a CoGroup (a recurrent host part, an async model), a
pre-management or learning phase, a post-management phase of a model that
is not a read-only probe, a RefPort outside a probe or to a host Var, or a
host model downstream of the chip (or of a probe) that sends to it (a chip
-> host -> chip path: the chip needs that host value every step).
"""
from __future__ import annotations

import dataclasses
import typing as ty

import numpy as np

from ...core.pytypes import PyRefPort
from ...hw.memory_map import Mem

__all__ = ["BatchPlan", "MAX_BATCH", "BatchFailure", "PROBE_ATTR", "Recorded"]

#: most steps in one batch (the channel depth the CPU executor allows)
MAX_BATCH = 64


#: a model class attribute: True when the model's management phase only
#: reads through its RefPorts (and writes its own Vars), e.g. a Monitor
PROBE_ATTR = "mgmt_reads_only"


@dataclasses.dataclass(frozen=True)
class BatchPlan:
    """The schedule split around the chip node: ``up`` runs before it,
    ``down`` after it (spk functions, in schedule order; each is a bound
    ``run_spk`` of one model). ``probes``: ids of the models in ``down``
    whose post-management phase runs after their spk phase in every step
    (probes of chip Vars; they read the words the engine recorded after
    that step). ``reason``: why batches are off (None: on)."""
    up: tuple = ()
    down: tuple = ()
    probes: frozenset = frozenset()
    reason: ty.Optional[str] = None

    @classmethod
    def of(cls, executor) -> "BatchPlan":
        """The plan of a ChipExecutor (after its schedule is built)."""
        node = executor.node
        if executor._groups:
            return cls(reason="a host CoGroup (recurrent host models or an async model)")
        probes, why = _probes(executor)
        if why is not None:
            return cls(reason=why)
        proc_of = executor._model_proc
        roots = [node._process, *(proc_of[i] for i in probes)]
        down_procs = _downstream(executor.network.channels, roots)
        for spec in executor.network.channels:
            if spec.dst.process is node._process and id(spec.src.process) in down_procs:
                return cls(reason=f"{spec.src.full_name()} is fed by the chip (or reads "
                                  "a chip Var) and feeds it (a chip -> host -> chip path)")
        up, down, seen = [], [], False
        for f in executor._spk:
            m = getattr(f, "__self__", None)
            if m is node:
                seen = True
                continue
            if m is None or id(m) not in proc_of:
                return cls(reason="an unknown entry in the schedule")
            (down if id(proc_of[id(m)]) in down_procs else up).append(f)
        if not seen:
            return cls(reason="the chip node is not in the schedule")
        return cls(tuple(up), tuple(down), frozenset(probes))


def _probes(executor) -> tuple[set, ty.Optional[str]]:
    """(ids of the probe models, None), or (empty, why batches are off): a
    management phase other than a read-only post-management one
    (``PROBE_ATTR``), or a RefPort not bound to a chip Var."""
    chip_refs = {id(p) for p in executor._chip_ref_ports}
    if executor._pre or executor._lrn:
        m = (executor._pre or executor._lrn)[0]
        return set(), f"{type(m).__name__} has a pre-management or learning phase"
    post = {id(m) for m in executor._post}
    for m in executor.models:
        if id(m) in post and not getattr(m, PROBE_ATTR, False):
            return set(), (f"{type(m).__name__} has a management phase that may write "
                           "(only probes that read, e.g. a Monitor, run in batches)")
        for p in getattr(m, "py_ports", ()):
            if isinstance(p, PyRefPort) and (id(m) not in post or id(p) not in chip_refs):
                return set(), f"a RefPort of {type(m).__name__} to a host Var or outside " \
                              "a probe's management phase"
    return post, None


def _downstream(channels, roots: list) -> set:
    """ids of the processes reachable from `roots` (and of the roots other
    than the first) over channels that order the schedule (deferred ones
    excluded)."""
    succ: dict = {}
    for spec in channels:
        if getattr(spec, "deferred", False):
            continue
        succ.setdefault(id(spec.src.process), []).append(spec.dst.process)
    seen, todo = {id(p) for p in roots[1:]}, list(roots)
    while todo:
        p = todo.pop()
        for q in succ.get(id(p), ()):
            if id(q) not in seen:
                seen.add(id(q))
                todo.append(q)
    return seen


class BatchFailure(Exception):
    """An exception a model raised in a batch: ``exc``, the model, the
    step ``t``."""

    def __init__(self, exc: BaseException, model, t: int):
        super().__init__(str(exc))
        self.exc, self.model, self.t = exc, model, t


class Recorded:
    """The words the engine recorded after every step of a batch
    (``StepsResult.watched``: rows of the `watch` words), decoded per Var
    for the probes: ``value(slot, t)`` is what ``slot.read(engine)`` returns
    after step t (t0: the batch's first step), computed for all steps of
    the batch at once on first use."""

    def __init__(self, watch: tuple, t0: int, rows: list):
        self.t0 = t0
        self.words = np.stack(rows) if rows else np.zeros((0, sum(w.size for w in watch)),
                                                            np.int64)
        self.cols: dict = {}
        lo = 0
        for w in watch:
            self.cols[watch_key(w.tile, w.mem, w.addr)] = lo
            lo += w.size
        self._values: dict = {}

    def value(self, slot, t: int) -> np.ndarray:
        j = t - self.t0
        if not 0 <= j < self.words.shape[0]:
            raise RuntimeError(f"step {t}: no chip words were recorded for it in the batch of "
                               f"steps {self.t0} .. {self.t0 + self.words.shape[0] - 1}")
        got = self._values.get(id(slot))
        if got is None:
            got = self._values[id(slot)] = self._decode(slot)
        return got[j]

    def _decode(self, slot) -> np.ndarray:
        """Every step's value of `slot` (int64, (steps, *shape)), decoded as
        ``VarSlot.read`` decodes its first copy's words: zeros past the
        copy's length, its bit field, two's complement when signed."""
        c = slot.copies[0]
        cols = np.zeros(len(c), np.int64)
        for tw in c.by_tile:
            cols[tw.sel] = self.cols[watch_key(tw.tile, tw.mem, tw.addr)] + np.arange(tw.sel.size)
        k = self.words.shape[0]
        out = np.zeros((k, int(np.prod(slot.shape, dtype=np.int64))), np.int64)
        out[:, :len(c)] = self.words[:, cols]
        return slot.decode(out).reshape((k, *slot.shape))


def watch_key(tile, mem, addr) -> tuple:
    """A hashable key of the words `addr` of `mem` on `tile`."""
    return (tuple(int(c) for c in tile), Mem(mem), np.asarray(addr, np.int64).tobytes())
