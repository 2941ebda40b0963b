"""The CPU executor: runs the leaf models of a network, one time step after
another, on the host, in one OS process.

Schedule (fixed at build time):

* The spk phase calls every model's ``run_spk`` in a topological order of
  the port graph, so a sender's ``send`` of step t comes before the
  receiver's ``recv`` of step t (Lava's channels connect the spk phases of
  the same step). Channels are deques holding references to the sent
  arrays; a ``recv`` pops the oldest item.
* Processes on a cycle of the port graph (recurrent networks), and every
  ``PyAsyncProcessModel``, form a ``CoGroup``: members run directly when
  their inputs are there, a member whose ``recv`` finds nothing drives the
  rest of the group from inside that ``recv``, and a member that must be
  suspended runs on a helper thread with explicit hand-off (exactly one
  thread runs at a time, so the order is deterministic). When every
  unfinished member waits, a ``DeadlockError`` names them.
* Then pre_mgmt / lrn / post_mgmt with Lava's guard rules, for the models
  that override the guards (the others cost nothing).

An executor is the interface through which a run configuration runs a set
of processes: ``begin_run``, ``run_steps(t_first, n)``, ``end_run``,
``get_var``, ``set_var``, ``stop``. A chip executor can take the
chip-mapped processes and be stepped in lockstep beside this one.
"""
from __future__ import annotations

import typing as ty
from collections import deque

import numpy as np

from ..core.exceptions import DeadlockError, KilaueaError, ProcessModelError
from ..core.model import PyAsyncProcessModel, PyLoihiProcessModel
from ..core.pytypes import PyInPort, PyOutPort, PyRefPort
from ..core.variable import Var, _is_sparse
from ..core.variable import check_fits
from .builder import Network, resolve_ref_target
from .cogroup import CoGroup, MemberFailure
from .schedule import component_order, strongly_connected


_CHECK_EVERY = 4096   # steps between two checks of the channels' lengths
_MAX_QUEUED = 64      # unreceived messages a channel may hold (Lava blocks)


class StepInterrupted(KeyboardInterrupt):
    """A Ctrl-C stopped a run at a step boundary: every model, the chip and
    every Monitor completed step ``time_step`` and nothing ran after it, so
    ``Var.get``, ``run`` and ``stop`` work as after a finished run.
    ``cause``: the KeyboardInterrupt raised inside a model (the rest of that
    step ran; the interrupted model's own step is as far as it got), or
    None when the runtime's Ctrl-C handler asked to stop between steps."""

    def __init__(self, time_step: int, cause: "BaseException | None" = None):
        where = ("" if cause is None else
                 " (a KeyboardInterrupt inside a model; the other models finished the step)")
        super().__init__(f"run interrupted after time step {time_step}{where}: the "
                         "runtime is consistent at that step; get(), run() again or stop()")
        self.time_step = time_step
        self.cause = cause


class InterruptFlag:
    """Set by the runtime's Ctrl-C handler; the executors stop at the next
    step boundary when ``requested`` is True."""

    def __init__(self):
        self.requested = False


# ================================================================ executor
def _overrides(model, name: str) -> bool:
    return getattr(type(model), name) is not getattr(PyLoihiProcessModel, name)


class AbstractExecutor:
    """What the runtime needs from whatever executes a set of processes.

    The runtime calls ``begin_run(num_steps)`` (0 for ``RunContinuous``),
    then ``run_steps(t_first, n)`` (with several executors: ``n = 1`` for
    each executor in turn, step by step), then ``end_run()``; ``owns``,
    ``get_var``, ``set_var`` between steps; ``stop()`` once at the end.
    """

    def begin_run(self, num_steps: int) -> None:
        raise NotImplementedError

    def run_steps(self, t_first: int, n: int) -> None:
        raise NotImplementedError

    def end_run(self) -> None:
        raise NotImplementedError

    def owns(self, var) -> bool:
        raise NotImplementedError

    def get_var(self, var, idx=None):
        raise NotImplementedError

    def set_var(self, var, value, idx=None) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class CpuExecutor(AbstractExecutor):
    """Runs leaf ProcessModels on the host CPU.

    Hooks for executors built on this one (the chip executor): a channel
    spec with ``deferred = True`` adds no ordering constraint to the spk
    schedule (its receiver reads it one step late); ``_resolve_ref`` finds
    the target of a RefPort; exceptions of the types in ``passthrough``
    reach the caller unwrapped.
    """

    #: exception types that reach the caller as they are (not wrapped in
    #: ProcessModelError)
    passthrough: tuple = ()
    #: the runtime's Ctrl-C flag (checked after every step), or None
    interrupt: "InterruptFlag | None" = None

    def __init__(self, network: Network):
        self.network = network
        leaves = network.leaves
        self.models = [lf.model for lf in leaves]
        self._model_proc = {id(lf.model): lf.proc for lf in leaves}
        self._groups: list[CoGroup] = []
        self._bind_ports()
        self._schedule()

    # ------------------------------------------------ ports
    def _bind_ports(self):
        net = self.network
        pyport = {}
        for lf in net.leaves:
            for p in lf.model.py_ports:
                pyport[(id(lf.proc), p.name)] = p
        out_chans: dict = {}
        in_links: dict = {}
        self._channels = []
        for spec in net.channels:
            ch = deque()
            self._channels.append((ch, spec))
            src = pyport[(id(spec.src.process), spec.src.name)]
            dst = pyport[(id(spec.dst.process), spec.dst.name)]
            out_chans.setdefault(id(src), (src, []))[1].append(ch)
            in_links.setdefault(id(dst), (dst, []))[1].append(
                (ch, spec.transform, spec.src.full_name(), src))
        for lf in net.leaves:
            for p in lf.model.py_ports:
                if isinstance(p, PyOutPort):
                    p._bind(out_chans.get(id(p), (p, []))[1])
                elif isinstance(p, PyInPort):
                    links = in_links.get(id(p), (p, []))[1]
                    senders = [s for _, _, _, s in links]
                    result = None
                    if senders:
                        rt = np.result_type(p.d_type, *[s.d_type for s in senders])
                        if any(s.d_type != rt for s in senders) or len(links) > 1 \
                                or any(fn is not None for _, fn, _, _ in links):
                            result = rt
                    p._bind([(ch, fn, name) for ch, fn, name, _ in links], result)
                elif isinstance(p, PyRefPort):
                    ref = getattr(lf.proc, p.name)
                    tgt = self._resolve_ref(ref)
                    if tgt is None:
                        p._bind(None, None)
                    else:
                        model, attr, where = tgt
                        var = where.var
                        fwd = inv = None
                        if where.index is not None:     # through virtual ports
                            fwd, inv = where.read_fn(p.shape), where.write_fn()
                        p._bind(model, attr, fwd, inv, var_shape=var.shape,
                                target_name=var.full_name())

    def _resolve_ref(self, ref):
        """(model, attribute, RefTarget) a leaf RefPort reads and writes, or None."""
        return resolve_ref_target(ref, self.network)

    # ------------------------------------------------ schedule
    def _schedule(self):
        leaves = self.network.leaves
        n = len(leaves)
        idx = {id(lf.proc): i for i, lf in enumerate(leaves)}
        edges = [set() for _ in range(n)]
        for spec in self.network.channels:
            if getattr(spec, "deferred", False):
                continue    # read one step late: no ordering constraint
            edges[idx[id(spec.src.process)]].add(idx[id(spec.dst.process)])
        comps = strongly_connected(n, edges)
        order = component_order(comps, edges)
        spk = []
        self.order = []
        for ci in order:
            comp = comps[ci]
            models = [leaves[v].model for v in comp]
            cyclic = len(comp) > 1 or comp[0] in edges[comp[0]]
            if cyclic or any(isinstance(m, PyAsyncProcessModel) for m in models):
                group = CoGroup(models, self)
                self._groups.append(group)
                spk.append(group.run_spk)
            else:
                m = models[0]
                spk.append(m.run_spk)
            self.order.extend(leaves[v].proc for v in comp)
        self._spk = spk
        self._timed = [m for m in self.models if hasattr(m, "time_step")]
        loihi = [m for m in self.models if isinstance(m, PyLoihiProcessModel)]
        self._pre = [m for m in loihi if _overrides(m, "pre_guard")]
        self._pre_trigger = [m for m in self._pre if _overrides(m, "lrn_guard")]
        self._lrn = [m for m in loihi if _overrides(m, "lrn_guard")]
        self._post = [m for m in loihi if _overrides(m, "post_guard")]
        self._has_mgmt = bool(self._pre or self._lrn or self._post)

    # ------------------------------------------------ running
    def begin_run(self, num_steps: int) -> None:
        for g in self._groups:
            g.begin_run(num_steps)

    def end_run(self) -> None:
        try:
            for g in self._groups:
                g.end_run()
        except MemberFailure as f:
            if isinstance(f.exc, self.passthrough):
                raise f.exc
            raise self._wrap(f.exc, self._timed[0].time_step if self._timed else 0,
                             f.model, f.phase) from f.exc
        self.check_channels()

    def _mgmt(self):
        if self._pre_trigger and any(m.lrn_guard() and m.pre_guard() for m in self._pre_trigger):
            for m in self._pre:
                if m.pre_guard():
                    m.run_pre_mgmt()
        for m in self._lrn:
            if m.lrn_guard():
                m.run_lrn()
        for m in self._post:
            if m.post_guard():
                m.run_post_mgmt()

    def run_steps(self, t_first: int, n: int) -> None:
        """Run steps ``t_first .. t_first + n - 1``."""
        t, t_end = t_first, t_first + n
        while t < t_end:
            stop = min(t + _CHECK_EVERY, t_end)
            self._run_range(t, stop)
            if self._channels:
                self.check_channels()
            t = stop

    def check_channels(self) -> None:
        """A channel that keeps growing means a receiver never calls recv."""
        for ch, spec in self._channels:
            if len(ch) > _MAX_QUEUED:
                raise DeadlockError(
                    f"{spec.dst.full_name()} did not recv() what {spec.src.full_name()} "
                    f"sent: {len(ch)} messages are queued (in Lava the sender would block)")

    def _run_range(self, t_first: int, t_end: int) -> None:
        timed = self._timed
        spk = self._spk
        mgmt = self._mgmt if self._has_mgmt else None
        flag = self.interrupt if self.interrupt is not None else InterruptFlag()
        t = t_first
        try:
            if mgmt is None:
                for t in range(t_first, t_end):
                    for m in timed:
                        m.time_step = t
                    for f in spk:
                        f()
                    if flag.requested:
                        raise StepInterrupted(t)
            else:
                for t in range(t_first, t_end):
                    for m in timed:
                        m.time_step = t
                    for f in spk:
                        f()
                    mgmt()
                    if flag.requested:
                        raise StepInterrupted(t)
        except StepInterrupted:
            raise
        except KeyboardInterrupt as e:
            self._finish_step(e, t)
        except MemberFailure as f:
            if isinstance(f.exc, self.passthrough):
                raise f.exc
            raise self._wrap(f.exc, t, f.model, f.phase) from f.exc
        except (KilaueaError, *self.passthrough):
            raise
        except Exception as e:
            model, phase = self._culprit(e)
            raise self._wrap(e, t, model, phase) from e

    def _finish_step(self, exc: KeyboardInterrupt, t: int) -> ty.NoReturn:
        """A KeyboardInterrupt came out of the spk function of one model in
        step t: run the rest of step t (the later spk functions, then the
        management phases) and raise StepInterrupted(t). When the interrupt
        came from elsewhere (a CoGroup, a management phase), re-raise it."""
        tb = exc.__traceback__
        frame = tb.tb_next.tb_frame if tb is not None and tb.tb_next is not None else None
        obj = frame.f_locals.get("self") if frame is not None else None
        idx = [i for i, f in enumerate(self._spk) if getattr(f, "__self__", None) is obj]
        if obj is None or not idx or isinstance(obj, CoGroup) \
                or frame.f_code.co_name != "run_spk":
            raise exc
        try:
            for f in self._spk[idx[0] + 1:]:
                f()
            if self._has_mgmt:
                self._mgmt()
        except Exception as e:
            model, phase = self._culprit(e)
            raise self._wrap(e, t, model, phase) from exc
        raise StepInterrupted(t, cause=exc) from exc

    def _culprit(self, exc):
        known = self._model_proc
        tb = exc.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            obj = frame.f_locals.get("self")
            if obj is not None and id(obj) in known:
                return obj, frame.f_code.co_name
            tb = tb.tb_next
        return None, None

    def _wrap(self, exc, t, model, phase):
        if model is None:
            return ProcessModelError(f"error at time step {t}: {type(exc).__name__}: {exc}",
                                     time_step=t)
        proc = self._model_proc[id(model)]
        return ProcessModelError(
            f"process '{proc.name}' ({type(proc).__name__}, model "
            f"{type(model).__name__}) raised {type(exc).__name__} in {phase} at time "
            f"step {t}: {exc}", process=proc, model=type(model), time_step=t, phase=phase)

    # ------------------------------------------------ Vars
    def owns(self, var: Var) -> bool:
        return var in self.network.var_home

    def get_var(self, var: Var, idx=None):
        model, attr = self.network.var_home[var]
        val = getattr(model, attr)
        if isinstance(val, str):          # a text Var (e.g. a learning rule's dw)
            return val
        if _is_sparse(val):
            out = val.copy()
        elif isinstance(val, np.ndarray):
            out = np.array(val)
            if out.shape != var.shape and out.size == var.size:
                out = out.reshape(var.shape)
        else:
            out = np.full(var.shape, val)
        return out if idx is None else out[idx]

    def set_var(self, var: Var, value, idx=None) -> None:
        model, attr = self.network.var_home[var]
        cur = getattr(model, attr)
        if isinstance(cur, str):
            if idx is not None or not isinstance(value, str):
                raise ValueError(f"Var {var.full_name()} holds text; set it to a str, "
                                 f"got {value!r}")
            setattr(model, attr, value)
        elif _is_sparse(cur):
            if idx is None:
                new = value.copy() if _is_sparse(value) else type(cur)(np.asarray(value))
                setattr(model, attr, new.astype(cur.dtype))
            else:
                dense = cur.toarray()
                dense[idx] = value
                setattr(model, attr, type(cur)(dense))
        elif isinstance(cur, np.ndarray):
            value = np.asarray(value)
            check_fits(var, value, cur.dtype)
            try:
                if idx is None:
                    cur[...] = value.reshape(cur.shape) if value.size == cur.size else value
                else:
                    view = cur.reshape(var.shape) if cur.shape != var.shape else cur
                    view[idx] = value
            except ValueError as e:
                raise ValueError(f"Var {var.full_name()}: cannot set {value.shape} value: {e}") from None
        else:
            arr = np.asarray(value)
            if idx is not None:
                full = np.full(var.shape, cur)
                full[idx] = arr
                arr = full
            if arr.size != 1:
                raise ValueError(f"Var {var.full_name()} holds one number; got shape {arr.shape}")
            setattr(model, attr, type(cur)(arr.reshape(-1)[0].item()))
        hook = getattr(model, "on_var_update", None)
        if hook is not None:
            hook()

    def stop(self) -> None:
        for g in self._groups:
            g.close()
        self._groups = []
