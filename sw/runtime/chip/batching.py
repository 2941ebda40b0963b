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
   OutPorts, host processes fed by the chip) for the k steps.

Host models talk only through their ports' FIFO channels, so each one sees
the same values in the same order as in lockstep; the only difference is
how far ahead a sender runs, as in Lava, where every process runs in its
own OS process and a sender runs ahead of its receivers by up to its
channel's depth (``MAX_BATCH`` = 64 steps, the depth the CPU executor
allows a channel).

``BatchPlan.of(executor)`` decides whether a network can run in batches
and splits the schedule; ``reason`` says why not. Not batched: a host
model in a CoGroup (a recurrent host part, an async model), a management
phase (``pre_guard``/``lrn_guard``/``post_guard``, e.g. a Monitor probing
a Var: it reads the state after each step), a RefPort, or a host model
downstream of the chip that sends to it (a chip -> host -> chip path: the
chip needs that host value every step).
"""
from __future__ import annotations

import dataclasses
import typing as ty

from ...core.pytypes import PyRefPort

__all__ = ["BatchPlan", "MAX_BATCH", "BatchFailure"]

#: most steps in one batch (the channel depth the CPU executor allows)
MAX_BATCH = 64


@dataclasses.dataclass(frozen=True)
class BatchPlan:
    """The schedule split around the chip node: ``up`` runs before it,
    ``down`` after it (spk functions, in schedule order; each is a bound
    ``run_spk`` of one model). ``reason``: why batches are off (None: on)."""
    up: tuple = ()
    down: tuple = ()
    reason: ty.Optional[str] = None

    @classmethod
    def of(cls, executor) -> "BatchPlan":
        """The plan of a ChipExecutor (after its schedule is built)."""
        node = executor.node
        if executor._groups:
            return cls(reason="a host CoGroup (recurrent host models or an async model)")
        if executor._has_mgmt:
            return cls(reason="a host model with a management phase (e.g. a Monitor "
                              "probing a Var)")
        for m in executor.models:
            if any(isinstance(p, PyRefPort) for p in getattr(m, "py_ports", ())):
                return cls(reason=f"a RefPort of {type(m).__name__}")
        down_procs = _downstream(executor.network.channels, node._process)
        for spec in executor.network.channels:
            if spec.dst.process is node._process and id(spec.src.process) in down_procs:
                return cls(reason=f"{spec.src.full_name()} is fed by the chip and feeds it "
                                  "(a chip -> host -> chip path)")
        up, down, seen = [], [], False
        proc_of = executor._model_proc
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
        return cls(tuple(up), tuple(down))


def _downstream(channels, root) -> set:
    """ids of the processes reachable from `root` over channels that order
    the schedule (deferred ones excluded)."""
    succ: dict = {}
    for spec in channels:
        if getattr(spec, "deferred", False):
            continue
        succ.setdefault(id(spec.src.process), []).append(spec.dst.process)
    seen, todo = set(), [root]
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
