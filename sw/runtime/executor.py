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

import threading
from collections import deque

import numpy as np

from ..core.exceptions import (DeadlockError, KilaueaError, ProcessModelError)
from ..core.model import PyAsyncProcessModel, PyLoihiProcessModel
from ..core.pytypes import PyInPort, PyOutPort, PyRefPort
from ..core.variable import Var, _is_sparse
from .builder import Network, resolve_ref_target


_CHECK_EVERY = 4096   # steps between two checks of the channels' lengths
_MAX_QUEUED = 64      # unreceived messages a channel may hold (Lava blocks)


class _Abort(BaseException):
    """Unwinds a coroutine whose run is being torn down."""


class _MemberFailure(BaseException):
    """A member's exception on its way to the executor (not catchable by a
    model's ``except Exception``)."""

    def __init__(self, exc, model, phase):
        super().__init__(str(exc))
        self.exc, self.model, self.phase = exc, model, phase


# ================================================================ coroutines
class _Member:
    """One model of a CoGroup. It runs either directly on the scheduler's
    thread (a plain call) or, when it may have to be suspended, on a helper
    thread of its own that hands control back and forth by locks."""

    def __init__(self, group, model, is_async: bool):
        self.group = group
        self.model = model
        self.is_async = is_async
        self.name = model._process.name
        self.in_chans: list = []
        self.sends = 0          # sends since the step began (learning)
        self.sends_first = False  # learned: sent before it first blocked
        self.threaded = False   # running on its helper thread in this step
        self.thread = None
        self.go = None
        self.state = "idle"     # idle, running, blocked, yielded, done, error
        self.wait_chan = None
        self.wait_port = None
        self.exc = None
        self.abort = False
        self.ending = False
        self.in_async = False   # inside a run_async call (across steps)
        self.returned = False   # run_async returned in this run
        self.cmd = None

    def _ensure_thread(self):
        if self.thread is None:
            self.go = threading.Lock()
            self.go.acquire()
            self.thread = threading.Thread(target=self._main, daemon=True,
                                           name=f"kilauea-{self.name}")
            self.thread.start()

    # ---- helper thread side
    def _main(self):
        while True:
            self.go.acquire()
            if self.cmd == "quit":
                return
            try:
                if self.is_async:
                    self.in_async = True
                    self.model.run_async()
                    self.in_async = False
                else:
                    self.model.run_spk()
                self.state = "done"
            except _Abort:
                self.in_async = False
                self.state = "done"
            except BaseException as e:  # noqa: BLE001 - forwarded to the caller
                self.in_async = False
                self.exc = e
                self.state = "error"
            self.group.sched.release()

    def wait_threaded(self, port, chan):
        while not chan:
            self.state = "blocked"
            self.wait_chan, self.wait_port = chan, port
            self.group.sched.release()
            self.go.acquire()
            if self.abort:
                raise _Abort()
        self.state = "running"
        self.wait_chan = self.wait_port = None

    def yield_step(self) -> bool:
        """``check_for_stop_cmd``: end this step's iteration."""
        self.state = "yielded"
        self.group.sched.release()
        self.go.acquire()
        if self.abort:
            raise _Abort()
        self.state = "running"
        return self.ending

    # ---- scheduler side
    def resume(self):
        self._ensure_thread()
        self.state = "running"
        self.go.release()
        self.group.sched.acquire()


class CoGroup:
    """The members of one strongly connected part of the port graph (or one
    async model), stepped together in the spk phase.

    Schedule of a step (only the scheduler's thread decides anything):

    1. resume a suspended member whose channel now has data;
    2. else call directly a member all of whose input channels hold data (it
       runs to completion without waiting);
    3. else start a member whose inputs are not all there yet: at the
       bottom of the scheduler's stack directly (preferring members that
       were seen to send before receiving, like Lava's Dense), deeper on
       its helper thread, which can be suspended;
    4. else every unfinished member waits: a deadlock.

    A directly called member that finds a channel empty drives the
    schedule from inside its ``recv`` until the data is there. In Lava's
    standard recurrent pattern (LIF <-> Dense) no thread switch happens after
    the first step.
    """

    def __init__(self, models: list, executor):
        self.sched = threading.Lock()
        self.sched.acquire()
        self.executor = executor
        self.members = [_Member(self, m, isinstance(m, PyAsyncProcessModel)) for m in models]
        self.pending: list = []
        self.suspended: list = []
        self.stack: list = []       # directly called members blocked in recv
        for mem in self.members:
            if mem.is_async:
                mem.model._coroutine = mem
            for p in mem.model.py_ports:
                if isinstance(p, PyInPort):
                    p._waiter = self._waiter_for(mem)
                    mem.in_chans.extend(p._chans)
                elif isinstance(p, PyOutPort):
                    self._count_sends(p, mem)

    @staticmethod
    def _count_sends(port, mem):
        inner = port._send_dense

        def counted(data, _inner=inner, _mem=mem):
            _mem.sends += 1
            _inner(data)
        port._send_dense = counted
        if "send" in port.__dict__:
            port.send = counted

    def _waiter_for(self, mem):
        def waiter(port, chan):
            if not mem.sends_first and mem.state != "blocked":
                mem.sends_first = mem.sends > 0
            if mem.threaded:
                mem.wait_threaded(port, chan)
            else:
                self.stack.append((mem, port))
                try:
                    self._drive(chan)
                finally:
                    self.stack.pop()
        return waiter

    # ------------------------------------------------ one step
    def run_spk(self):
        self.pending = [m for m in self.members if not (m.is_async and m.returned)]
        for m in self.pending:
            m.sends = 0
        self.suspended = []
        self._drive(None)

    def _run_direct(self, mem):
        self.pending.remove(mem)
        mem.threaded = False
        try:
            mem.model.run_spk()
        except (_MemberFailure, _Abort, DeadlockError):
            raise
        except BaseException as e:  # noqa: BLE001
            raise _MemberFailure(e, mem.model, "run_spk") from e

    def _run_threaded(self, mem):
        if mem in self.pending:
            self.pending.remove(mem)
            self.suspended.append(mem)
        mem.threaded = True
        mem.resume()
        state = mem.state
        if state == "error":
            exc, mem.exc = mem.exc, None
            mem.state = "done"
            self.suspended.remove(mem)
            raise _MemberFailure(exc, mem.model, "run_async" if mem.is_async else "run_spk")
        if state == "done":
            self.suspended.remove(mem)
            if mem.is_async:
                mem.returned = True
        elif state == "yielded":
            self.suspended.remove(mem)

    def _drive(self, until):
        pending, suspended = self.pending, self.suspended
        while True:
            if until is not None:
                if until:
                    return
            elif not pending and not suspended:
                return
            mem = None
            for m in suspended:
                if m.wait_chan:
                    mem = m
                    break
            if mem is not None:
                self._run_threaded(mem)
                continue
            for m in pending:
                if not m.is_async:
                    for ch in m.in_chans:
                        if not ch:
                            break
                    else:
                        mem = m
                        break
            if mem is not None:
                self._run_direct(mem)
                continue
            if pending:
                mem = next((m for m in pending if m.sends_first and not m.is_async), pending[0])
                if until is None and not self.stack and not mem.is_async:
                    self._run_direct(mem)
                else:
                    self._run_threaded(mem)
                continue
            waits = [f"'{m.name}' waits on {p.full_name()} (sender(s): {p._sender_names()})"
                     for m, p in self.stack]
            waits += [f"'{m.name}' waits on {m.wait_port.full_name()} "
                      f"(sender(s): {m.wait_port._sender_names()})"
                      for m in suspended if m.wait_port is not None]
            raise DeadlockError(
                f"deadlock at time step {self.members[0].model.time_step}: the processes "
                f"of a cycle wait for data none of them can send: {'; '.join(waits)}")

    def begin_run(self, num_steps: int):
        for mem in self.members:
            mem.ending = False
            mem.returned = False
            if mem.is_async:
                mem.model.num_steps = num_steps

    def end_run(self):
        """Let async members see the end of the run (check returns True)."""
        for mem in self.members:
            if mem.is_async and mem.in_async and mem.state == "yielded":
                mem.ending = True
                mem.resume()
                if mem.state == "error":
                    exc, mem.exc = mem.exc, None
                    mem.state = "done"
                    raise _MemberFailure(exc, mem.model, "run_async")

    def close(self):
        for mem in self.members:
            if mem.thread is None:
                continue
            if mem.state in ("blocked", "yielded", "running"):
                mem.abort = True
                mem.resume()
            mem.cmd = "quit"
            mem.go.release()


# ================================================================ executor
def _overrides(model, name: str) -> bool:
    return getattr(type(model), name) is not getattr(PyLoihiProcessModel, name)


def _strongly_connected(n: int, edges: list[set]) -> list[list[int]]:
    """Tarjan's algorithm (iterative); components in reverse topological order."""
    index = [None] * n
    low = [0] * n
    on_stack = [False] * n
    stack, comps, counter = [], [], 0
    for root in range(n):
        if index[root] is not None:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if index[w] is None:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, iter(sorted(edges[w]))))
                    advanced = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
    return comps


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


def _check_fits(var: Var, value: np.ndarray, dtype: np.dtype) -> None:
    """An integer array cannot hold ``value`` exactly (it would wrap or
    truncate): error."""
    if dtype.kind not in "iu" or value.dtype.kind not in "iuf" or value.size == 0:
        return
    info = np.iinfo(dtype)
    if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        raise ValueError(f"Var {var.full_name()} is held as {dtype}; got non-finite values")
    if value.dtype.kind == "f" and not np.all(value == np.round(value)):
        bad = value[value != np.round(value)].flat[0]
        raise ValueError(f"Var {var.full_name()} is held as {dtype}; got the non-integer "
                         f"value {bad} (round it first: nothing is truncated silently)")
    lo, hi = value.min(), value.max()
    if lo < info.min or hi > info.max:
        raise ValueError(f"Var {var.full_name()} is held as {dtype} ({info.min}..{info.max}); "
                         f"got values in {lo}..{hi}")


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
                        rt = np.result_type(p._dtype, *[s._dtype for s in senders])
                        if any(s._dtype != rt for s in senders) or len(links) > 1 \
                                or any(fn is not None for _, fn, _, _ in links):
                            result = rt
                    p._bind([(ch, fn, name) for ch, fn, name, _ in links], result)
                elif isinstance(p, PyRefPort):
                    ref = getattr(lf.proc, p.name)
                    tgt = self._resolve_ref(ref)
                    if tgt is None:
                        p._bind(None, None)
                    else:
                        model, attr, var = tgt
                        p._bind(model, attr, var_shape=var.shape, target_name=var.full_name())

    def _resolve_ref(self, ref):
        """(model, attribute, Var) a leaf RefPort reads and writes, or None."""
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
        comps = _strongly_connected(n, edges)
        comp_of = {}
        for ci, comp in enumerate(comps):
            for v in comp:
                comp_of[v] = ci
        # Kahn's algorithm on the condensation, ties broken by discovery order.
        import heapq
        cedges = [set() for _ in comps]
        indeg = [0] * len(comps)
        for v in range(n):
            for w in edges[v]:
                a, b = comp_of[v], comp_of[w]
                if a != b and b not in cedges[a]:
                    cedges[a].add(b)
                    indeg[b] += 1
        heap = [(min(c), ci) for ci, c in enumerate(comps) if indeg[ci] == 0]
        heapq.heapify(heap)
        order = []
        while heap:
            _, ci = heapq.heappop(heap)
            order.append(ci)
            for b in cedges[ci]:
                indeg[b] -= 1
                if indeg[b] == 0:
                    heapq.heappush(heap, (min(comps[b]), b))
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
        except _MemberFailure as f:
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
        t = t_first
        try:
            if mgmt is None:
                for t in range(t_first, t_end):
                    for m in timed:
                        m.time_step = t
                    for f in spk:
                        f()
            else:
                for t in range(t_first, t_end):
                    for m in timed:
                        m.time_step = t
                    for f in spk:
                        f()
                    mgmt()
        except _MemberFailure as f:
            if isinstance(f.exc, self.passthrough):
                raise f.exc
            raise self._wrap(f.exc, t, f.model, f.phase) from f.exc
        except (KilaueaError, *self.passthrough):
            raise
        except Exception as e:
            model, phase = self._culprit(e)
            raise self._wrap(e, t, model, phase) from e

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
        if _is_sparse(cur):
            if idx is None:
                new = value.copy() if _is_sparse(value) else type(cur)(np.asarray(value))
                setattr(model, attr, new.astype(cur.dtype))
            else:
                dense = cur.toarray()
                dense[idx] = value
                setattr(model, attr, type(cur)(dense))
        elif isinstance(cur, np.ndarray):
            value = np.asarray(value)
            _check_fits(var, value, cur.dtype)
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
