"""Co-scheduling of the processes of a cycle of the port graph (and of
async models): ``CoGroup`` and its members, run directly or as
coroutines on helper threads with explicit hand-off (exactly one thread
runs at a time, so the order is deterministic).

The group intercepts its members' ports through the ports' documented
hooks: ``PyInPort.set_waiter`` (what an empty ``recv`` does: drive the
group until data arrives) and ``PyOutPort.observe_sends`` (count sends, to
learn which members send before they receive).
"""
from __future__ import annotations

import enum
import threading

from ..core.exceptions import DeadlockError
from ..core.model import PyAsyncProcessModel
from ..core.pytypes import PyInPort, PyOutPort

__all__ = ["CoGroup", "MemberState", "MemberFailure"]


class MemberState(enum.Enum):
    """Where a CoGroup member is in the current step."""
    IDLE = "idle"            # not started in this run
    RUNNING = "running"      # running (on the scheduler's or its helper thread)
    BLOCKED = "blocked"      # suspended in a recv that found no data
    YIELDED = "yielded"      # an async model suspended in check_for_stop_cmd
    DONE = "done"            # finished this step
    ERROR = "error"          # raised; the exception waits in ``exc``


class _Abort(BaseException):
    """Unwinds a coroutine whose run is being torn down."""


class MemberFailure(BaseException):
    """A member's exception on its way to the executor (not catchable by a
    model's ``except Exception``)."""

    def __init__(self, exc, model, phase):
        super().__init__(str(exc))
        self.exc, self.model, self.phase = exc, model, phase


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
        self.state = MemberState.IDLE
        self.wait_chan = None
        self.wait_port = None
        self.exc = None
        self.abort = False
        self.ending = False
        self.in_async = False   # inside a run_async call (across steps)
        self.returned = False   # run_async returned in this run
        self.quit = False   # the helper thread is to end

    def count_send(self) -> None:
        """A send of one of the member's OutPorts (``observe_sends`` hook)."""
        self.sends += 1

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
            if self.quit:
                return
            try:
                if self.is_async:
                    self.in_async = True
                    self.model.run_async()
                    self.in_async = False
                else:
                    self.model.run_spk()
                self.state = MemberState.DONE
            except _Abort:
                self.in_async = False
                self.state = MemberState.DONE
            except BaseException as e:  # noqa: BLE001 - forwarded to the caller
                self.in_async = False
                self.exc = e
                self.state = MemberState.ERROR
            self.group.sched.release()

    def wait_threaded(self, port, chan):
        while not chan:
            self.state = MemberState.BLOCKED
            self.wait_chan, self.wait_port = chan, port
            self.group.sched.release()
            self.go.acquire()
            if self.abort:
                raise _Abort()
        self.state = MemberState.RUNNING
        self.wait_chan = self.wait_port = None

    def yield_step(self) -> bool:
        """``check_for_stop_cmd``: end this step's iteration."""
        self.state = MemberState.YIELDED
        self.group.sched.release()
        self.go.acquire()
        if self.abort:
            raise _Abort()
        self.state = MemberState.RUNNING
        return self.ending

    # ---- scheduler side
    def resume(self):
        self._ensure_thread()
        self.state = MemberState.RUNNING
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
    4. else every unfinished member waits: the step ends when they all are
       async models waiting on senders outside the group (they go on in a
       later step, when the data is there, as Lava's async processes wait
       across steps), otherwise it is a deadlock.

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
                mem.model.bind_step_driver(mem)
            for p in mem.model.py_ports:
                if isinstance(p, PyInPort):
                    p.set_waiter(self._waiter_for(mem))
                    mem.in_chans.extend(p.channels)
                elif isinstance(p, PyOutPort):
                    p.observe_sends(mem.count_send)
        # the channels the members feed themselves
        self._inner = {id(ch) for mem in self.members for p in mem.model.py_ports
                       if isinstance(p, PyOutPort) for ch in p._chans}

    def _waiter_for(self, mem):
        def waiter(port, chan):
            if not mem.sends_first and mem.state is not MemberState.BLOCKED:
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
        # async members still blocked in a recv from outside the group carry
        # over from the last step (their run_async goes on when data comes)
        carried = [m for m in self.suspended if m.state is MemberState.BLOCKED]
        self.pending = [m for m in self.members
                        if not (m.is_async and m.returned) and m not in carried]
        for m in self.pending:
            m.sends = 0
        self.suspended = carried
        self._drive(None)

    def _may_carry_over(self, suspended: list) -> bool:
        """Every suspended member is an async model blocked in a recv whose
        sender is outside this group: in Lava its own process would go on
        waiting across time steps, so the step ends and it waits on."""
        return all(m.is_async and m.state is MemberState.BLOCKED
                   and id(m.wait_chan) not in self._inner for m in suspended)

    def _run_direct(self, mem):
        self.pending.remove(mem)
        mem.threaded = False
        try:
            mem.model.run_spk()
        except (MemberFailure, _Abort, DeadlockError):
            raise
        except BaseException as e:  # noqa: BLE001
            raise MemberFailure(e, mem.model, "run_spk") from e

    def _run_threaded(self, mem):
        if mem in self.pending:
            self.pending.remove(mem)
            self.suspended.append(mem)
        mem.threaded = True
        mem.resume()
        state = mem.state
        if state is MemberState.ERROR:
            exc, mem.exc = mem.exc, None
            mem.state = MemberState.DONE
            self.suspended.remove(mem)
            raise MemberFailure(exc, mem.model, "run_async" if mem.is_async else "run_spk")
        if state is MemberState.DONE:
            self.suspended.remove(mem)
            if mem.is_async:
                mem.returned = True
        elif state is MemberState.YIELDED:
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
            if until is None and self._may_carry_over(suspended):
                return
            waits = [f"'{m.name}' waits on {p.full_name()} (sender(s): {p.sender_names()})"
                     for m, p in self.stack]
            waits += [f"'{m.name}' waits on {m.wait_port.full_name()} "
                      f"(sender(s): {m.wait_port.sender_names()})"
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
            if mem.is_async and mem.in_async and mem.state is MemberState.YIELDED:
                mem.ending = True
                mem.resume()
                if mem.state is MemberState.ERROR:
                    exc, mem.exc = mem.exc, None
                    mem.state = MemberState.DONE
                    raise MemberFailure(exc, mem.model, "run_async")

    def close(self):
        for mem in self.members:
            if mem.thread is None:
                continue
            if mem.state in (MemberState.BLOCKED, MemberState.YIELDED, MemberState.RUNNING):
                mem.abort = True
                mem.resume()
            mem.quit = True
            mem.go.release()
