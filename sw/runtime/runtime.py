"""``Runtime``: owns a built network and its executor; runs, pauses, stops.

One OS process. A blocking ``RunSteps`` runs in the caller's thread; a
non-blocking ``RunSteps`` and ``RunContinuous`` run in one background
thread. ``pause``, ``wait``, ``stop``, ``Var.get`` and ``Var.set`` may be
called from the caller's thread at any time: while a background run goes on,
Var access happens between two time steps.
"""
from __future__ import annotations

import enum
import numbers
import signal
import threading

from ..core.exceptions import (RuntimeStateError, RuntimeStoppedError)
from ..core.model import AbstractPyProcessModel
from ..core.registry import executor_factory
from ..core.run_conditions import RunContinuous, RunSteps
from ..core.run_configs import CpuSimCfg, RunConfig
from ..core.variable import Var
from .builder import build_network
from .executor import CpuExecutor, InterruptFlag, StepInterrupted
from .progress import run_with_progress


class RuntimeState(str, enum.Enum):
    """Where a runtime stands (a str: ``runtime.state == "paused"`` holds)."""
    READY = "ready"          # built, or between blocking runs
    RUNNING = "running"      # a run is going on
    PAUSED = "paused"        # a background run was paused
    STOPPED = "stopped"      # stopped for good
    FAILED = "failed"        # a run raised; only stop() is left

    def __str__(self) -> str:
        return self.value


class Runtime:
    """The running form of a network of processes."""

    def __init__(self, network, run_cfg: RunConfig):
        self.network = network
        self.run_cfg = run_cfg
        make = executor_factory(run_cfg)
        self.executors: list = (make(run_cfg, network) if make is not None
                                else [CpuExecutor(network)])
        self.time_step = 0          # last completed time step
        self.state = RuntimeState.READY
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._pause_req = False
        self._stop_req = False
        self._access_req = False
        self._access_lock = threading.Lock()
        self._at_boundary = threading.Event()
        self._access_done = threading.Event()
        self._interrupt = InterruptFlag()
        for ex in self.executors:
            ex.interrupt = self._interrupt
        self._started = False       # a run was started and stop() not called
        self._model_req: str | None = None   # "pause" / "stop" asked by a model
        for lf in network.leaves:
            if isinstance(lf.model, AbstractPyProcessModel):
                lf.model._runtime_request = self._model_request

    # ------------------------------------------------------------ build
    @classmethod
    def build(cls, proc, run_cfg=None) -> "Runtime":
        if run_cfg is None:
            run_cfg = CpuSimCfg()
        if not isinstance(run_cfg, RunConfig):
            raise TypeError(f"run_cfg must be a run configuration (e.g. CpuSimCfg()), "
                            f"got {run_cfg!r}")
        network = build_network(proc, run_cfg)
        rt = cls(network, run_cfg)
        chosen = {id(lf.proc): lf.model_cls for lf in network.leaves}
        chosen.update({id(p): type(sub) for p, sub in network.hierarchical.items()})
        for p in network.processes:
            p._runtime = rt
            object.__setattr__(p, "_model_class", chosen.get(id(p)))
            object.__setattr__(p, "_is_compiled", True)
        return rt

    @property
    def executor(self):
        """The first (with the CPU run configuration: the only) executor."""
        return self.executors[0]

    def _run_steps(self, t_first: int, n: int) -> None:
        exs = self.executors
        if len(exs) == 1:
            exs[0].run_steps(t_first, n)
            return
        for t in range(t_first, t_first + n):
            stopped = None
            for ex in exs:
                try:
                    ex.run_steps(t, 1)
                except StepInterrupted as e:    # the others finish step t too
                    stopped = e
            if stopped is not None:
                raise stopped

    def _owner(self, var):
        for ex in self.executors:
            if ex.owns(var):
                return ex
        return None

    @property
    def chip(self):
        """The chip executor (``ChipCfg`` runs with chip processes), else None:
        ``.stats`` (per-step cycles and counters), ``.report`` (compile
        report), ``.engine``, ``.compiled``."""
        for ex in self.executors:
            if hasattr(ex, "compiled") and hasattr(ex, "engine"):
                return ex
        return None

    def chip_report(self, last=20) -> str:
        """The compile report and the chip's per-step figures (last ``last``
        steps; None: all)."""
        chip = self.chip
        if chip is None:
            raise RuntimeStateError("this runtime runs no process on the chip "
                                    "(run it with ChipCfg and chip-capable processes)")
        return chip.chip_report(last)

    @property
    def processes(self) -> list:
        return list(self.network.processes)

    # ------------------------------------------------------------ running
    def _check_can_run(self):
        if self.state == RuntimeState.STOPPED:
            raise RuntimeStoppedError("the runtime was stopped; build a new network to run again")
        if self.state == RuntimeState.FAILED:
            err = self._error
            why = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            raise RuntimeStateError(
                f"the runtime failed at time step {self.time_step + 1} ({why}); "
                "build a new network to run again")
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeStateError("a run is already going on; pause(), wait() or stop() it first")

    def run(self, condition) -> None:
        self._check_can_run()
        self._reap()
        if isinstance(condition, RunSteps):
            n = condition.num_steps
        elif isinstance(condition, RunContinuous):
            n = None
        else:
            raise TypeError(f"unknown run condition {condition!r}")
        self._pause_req = self._stop_req = False
        self._error = None
        self._started = True
        for ex in self.executors:
            ex.begin_run(n or 0)
        if n is not None and condition.blocking:
            self.state = RuntimeState.RUNNING
            self._interrupt.requested = False
            try:
                with _CtrlC(self._interrupt):    # a bar on long runs (progress.py)
                    run_with_progress(self._run_steps, self.time_step + 1, n)
                self.time_step += n
                for ex in self.executors:
                    ex.end_run()
            except StepInterrupted as e:
                self._interrupted(e)
                if self._serve_model_request():
                    return
                raise
            except BaseException as e:
                self._fail(e)
                raise
            self.state = RuntimeState.READY
            return
        self.state = RuntimeState.RUNNING
        self._thread = threading.Thread(target=self._background, args=(n,),
                                        daemon=True, name="kilauea-runtime")
        self._thread.start()

    def _model_request(self, kind: str) -> None:
        """A model set ``_req_pause`` or ``_req_stop``: the run ends after
        the step in progress (through the executors' step-boundary flag)."""
        if self._model_req != "stop":
            self._model_req = kind
        self._interrupt.requested = True

    def _serve_model_request(self) -> bool:
        """After a run stopped at a step boundary: if a model asked for it,
        pause (state PAUSED) or stop the runtime and return True; False when
        it was a Ctrl-C."""
        kind, self._model_req = self._model_req, None
        if kind is None:
            return False
        if kind == "pause":
            self.state = RuntimeState.PAUSED
        elif threading.current_thread() is self._thread:
            self._stop_executors()      # stop() itself would join this thread
        else:
            self.stop()
        return True

    def _interrupted(self, e: StepInterrupted) -> None:
        """A Ctrl-C stopped the run after step ``e.time_step``: the runtime
        stands there, ready to run again."""
        self._interrupt.requested = False
        self.time_step = e.time_step
        try:
            for ex in self.executors:
                ex.end_run()
        except BaseException as err:
            self._fail(err)
            raise
        self.state = RuntimeState.READY

    def _fail(self, e):
        self.state = RuntimeState.FAILED
        self._error = e
        failed_step = getattr(e, "time_step", None)
        if failed_step is not None:
            self.time_step = failed_step - 1

    def _background(self, n):
        done = 0
        try:
            while n is None or done < n:
                if self._stop_req or self._pause_req:
                    break
                if self._access_req:
                    self._at_boundary.set()
                    self._access_done.wait()
                    continue
                self._run_steps(self.time_step + 1, 1)
                self.time_step += 1
                done += 1
            for ex in self.executors:
                ex.end_run()
            self.state = RuntimeState.PAUSED if self._pause_req else RuntimeState.READY
        except StepInterrupted as e:
            try:
                self._interrupted(e)
                if self._serve_model_request():
                    return
            except BaseException:   # noqa: BLE001 - surfaced in the caller
                pass
            self._error = e
            self._error_pending = True
        except BaseException as e:  # noqa: BLE001 - surfaced in the caller
            self._fail(e)
            self._error_pending = True
        finally:
            self._at_boundary.set()

    def _reap(self):
        """Join a finished background thread; re-raise its error once."""
        t = self._thread
        if t is not None and not t.is_alive():
            t.join()
            self._thread = None
        if getattr(self, "_error_pending", False):
            self._error_pending = False
            raise self._error

    def _join(self):
        t = self._thread
        if t is not None:
            try:
                t.join()
            except KeyboardInterrupt:   # Ctrl-C while waiting: pause at a step boundary
                self._pause_req = True
                t.join()
                self._reap()
                raise StepInterrupted(self.time_step) from None
        self._reap()

    def pause(self) -> None:
        """Stop a background run after the step in progress; ``run`` resumes."""
        if self._thread is not None:
            self._pause_req = True
            self._join()
            if self.state == RuntimeState.READY:
                self.state = RuntimeState.PAUSED
        else:
            self._reap()

    def wait(self) -> None:
        """Wait for a background run to finish (re-raises its error)."""
        self._join()

    def stop(self) -> None:
        """End the runtime: threads are closed, Var values are gone."""
        if self.state == RuntimeState.STOPPED:
            t = self._thread        # a run a model stopped: collect its thread
            if t is not None and t is not threading.current_thread():
                t.join()
                self._thread = None
            return
        self._stop_req = True
        err = None
        try:
            self._join()
        except BaseException as e:  # noqa: BLE001
            err = e
        self._stop_executors()
        if err is not None:
            raise err

    def _stop_executors(self) -> None:
        for ex in self.executors:
            ex.stop()
        self.state = RuntimeState.STOPPED
        self._started = False

    @property
    def is_running(self) -> bool:
        """True while a background run goes on."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def _is_running(self) -> bool:
        """Lava's flag: True from the start of a background run until it is
        collected (``wait``, ``pause``, ``stop``, the next ``run``), even when
        its steps are already done, as Lava's runtime learns the end of a run
        only then."""
        return self._thread is not None

    @property
    def _is_started(self) -> bool:
        """Lava's flag: a run was started and the runtime was not stopped."""
        return self._started

    def __enter__(self) -> "Runtime":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        """``with runtime: ...`` stops it on exit."""
        self.stop()
        return False

    # ------------------------------------------------------------ Vars
    def _between_steps(self, fn):
        """Run ``fn`` when no step is executing (from the caller's thread)."""
        if self._thread is None or not self._thread.is_alive() \
                or threading.current_thread() is self._thread:
            return fn()
        with self._access_lock:
            self._access_done.clear()
            self._at_boundary.clear()
            self._access_req = True
            try:
                while not self._at_boundary.wait(0.05):
                    if not self._thread.is_alive():
                        break
                return fn()
            finally:
                self._access_req = False
                self._access_done.set()

    def _check_vars_available(self, var: Var):
        if self.state == RuntimeState.STOPPED:
            raise RuntimeStoppedError(
                f"Var {var.full_name()}: the runtime was stopped, its values are gone "
                "(read Vars before calling stop())")

    def _var(self, var) -> Var:
        """``var`` itself, or the Var of this network with id ``var`` (Lava
        passes ids)."""
        if isinstance(var, Var):
            return var
        if isinstance(var, numbers.Integral) and not isinstance(var, bool):
            for p in self.network.processes:
                for v in p.vars:
                    if v.id == var:
                        return v
            raise KeyError(f"no Var with id {var} in this runtime")
        raise TypeError(f"expected a Var or a Var id, got {var!r}")

    def get_var(self, var: "Var | int", idx=None):
        var = self._var(var)
        self._check_vars_available(var)
        leaf = var.resolve()
        ex = self._owner(leaf)
        if ex is not None:
            return self._between_steps(lambda: ex.get_var(leaf, idx))
        if leaf in self.network.host_vars:
            val = self.network.host_vars[leaf].copy()
            return val if idx is None else val[idx]
        raise KeyError(f"Var {var.full_name()} is not part of this runtime")

    def set_var(self, var: "Var | int", value, idx=None) -> None:
        var = self._var(var)
        self._check_vars_available(var)
        leaf = var.resolve()
        ex = self._owner(leaf)
        if ex is not None:
            self._between_steps(lambda: ex.set_var(leaf, value, idx))
            return
        if leaf in self.network.host_vars:
            cur = self.network.host_vars[leaf]
            if idx is None:
                cur[...] = value
            else:
                cur[idx] = value
            return
        raise KeyError(f"Var {var.full_name()} is not part of this runtime")


class _CtrlC:
    """While a blocking run goes on in the main thread, the first Ctrl-C
    (SIGINT) sets ``flag.requested`` (the run stops after the step in
    progress, raising StepInterrupted); a second one interrupts at once as
    usual. Elsewhere (another thread, a handler of the user's own) it does
    nothing."""

    def __init__(self, flag: InterruptFlag):
        self.flag = flag
        self.installed = False

    def _handler(self, signum, frame):
        self.flag.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)   # the second one: at once

    def __enter__(self):
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, self._handler)
            self.installed = True
        return self

    def __exit__(self, *exc):
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        return False
