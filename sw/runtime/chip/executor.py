"""``ChipExecutor``: host models on the CPU and the chip (one ``ChipNode``)
in one spk schedule; chip Vars read and written through their ``VarSlot``;
host-only Vars set by recompiling and reloading (docs/chip-runtime.md).

The chip is one *pseudo-leaf* inside the CPU executor's schedule
(``hostview.host_view``): the topological order runs sources before and
sinks after the chip; a host process inside a loop with the chip (e.g. a
host Dense) makes the node a member of a CoGroup like any recurrent model.

Chip Vars: ``get``/``set`` read and write the words of their ``VarSlot``
(``slot.read(engine)`` / ``slot.write(engine, values)``: READ / WRITE
packets); Monitor RefPorts to chip Vars read the slot after each step's
barrier (``PyRefPort.bind_access``). A ``set`` of a host-only Var
(weights, delays, neuron options the compiler folds into the images)
updates the host copy, recompiles the chip part with the current values
and reloads it into the same engine, carrying over every neuron's named
state and parameter words, the in-flight synaptic input and the host
values waiting to be injected (``reload.ReloadPlan``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import typing as ty

import numpy as np

from ...core.exceptions import KilaueaError, RuntimeStateError
from ...core.model import AbstractNcProcessModel
from ...core.pytypes import LavaPyType, PyRefPort
from ...core.run_configs import CpuSimCfg
from ...core.variable import Var
from ...sim.engine import ChipHangError, WatchWords
from ..builder import Network, ref_target_var
from ..executor import CpuExecutor, InterruptFlag, StepInterrupted
from .batching import MAX_BATCH, BatchPlan, Recorded, watch_key
from ..selection import find_models
from .hostvars import HostVars, assign
from .hostview import host_view
from .node import ChipNode, ChipProcess, DeferredSpec
from .reload import ReloadPlan, remap_host_io
from .stats import ChipStats, ChipStatusError

__all__ = ["ChipExecutor", "declared_dtype"]


def _twin_model(proc, select_tag):
    """The CPU model class CpuSimCfg(select_tag) would pick (for dtypes)."""
    try:
        return CpuSimCfg(select_tag=select_tag).select(proc, find_models(type(proc)))
    except Exception:   # noqa: BLE001 - only used for dtypes
        return None


def declared_dtype(model_cls, name: str, default) -> np.dtype:
    """The dtype `model_cls` declares for Var or port `name`, else `default`."""
    lt = getattr(model_cls, name, None) if model_cls is not None else None
    if isinstance(lt, LavaPyType) and lt.d_type is not None:
        try:
            return np.dtype(lt.d_type)
        except TypeError:
            return np.dtype(default)
    return np.dtype(default)


class ChipExecutor(CpuExecutor):
    """Host models on the CPU and the chip (one ``ChipNode``) in one spk
    schedule. ``stats``, ``report``, ``engine``, ``compiled`` are public;
    ``reloads`` counts recompiles after sets of host-only Vars and
    ``reload_log`` holds per reload: time_step, acc_words (nonzero
    accumulator words carried), deferred, moved (neurons now elsewhere),
    in_place, tiles."""

    passthrough = (ChipHangError, ChipStatusError)

    def __init__(self, network: Network, cfg, compiled, engine):
        self.cfg = cfg
        self.compiled = compiled
        self.engine = engine
        self.full_network = network
        chip_leaves = [lf for lf in network.leaves
                       if issubclass(lf.model_cls, AbstractNcProcessModel)]
        self.chip_processes = [lf.proc for lf in chip_leaves]
        self._chip_ids = {id(p) for p in self.chip_processes}
        self._chip_models = {id(lf.proc): lf.model_cls for lf in chip_leaves}
        self._twins = {id(p): _twin_model(p, cfg.select_tag) for p in self.chip_processes}
        self.node = ChipNode(ChipProcess("chip"), compiled, engine, cfg.counters)
        self.host_vars = HostVars(self)
        self.reloads = 0
        #: rewrite only the changed synapse/profile words when the recompiled
        #: network keeps every layout (False: always reload whole images)
        self.in_place_updates = True
        self.reload_log: list = []
        #: most chip steps per engine call when the network allows batches
        #: (``batching.BatchPlan``; 1: lockstep, one engine call per step)
        self.batch_steps = MAX_BATCH
        self._plan: ty.Optional[BatchPlan] = None
        self._ref_ports: list = []
        self._chip_ref_ports: list = []         # PyRefPorts bound to chip Vars
        self._recorded: ty.Optional[Recorded] = None    # the probes' words of a batch
        self._watch: tuple = (None, ())         # (compiled, WatchWords of the probed Vars)
        super().__init__(host_view(network, self.node, compiled, self._chip_ids,
                                   self._out_dtype))
        for ch, spec in self._channels:
            if isinstance(spec, DeferredSpec):
                spec.dst.bind_channel(ch)
        self.node.finish()
        self._bind_chip_refs()

    def _out_dtype(self, proc, name: str) -> np.dtype:
        return declared_dtype(self._twins.get(id(proc)), name, np.int32)

    def dtype_of(self, var: Var, default=np.int64) -> np.dtype:
        """The dtype the host-side (CPU) model of `var`'s process declares."""
        return declared_dtype(self._twins.get(id(var.process)), var.name, default)

    def twin(self, var: Var):
        """The CPU model class of `var`'s (chip) process."""
        return self._twins.get(id(var.process))

    def chip_model(self, var: Var):
        """The chip model class of `var`'s process."""
        return self._chip_models.get(id(var.process))

    # ---------------------------------------------------------- RefPorts
    def _resolve_ref(self, ref):
        var = ref_target_var(ref)
        if var is not None and var.process is not None and id(var.process) in self._chip_ids:
            self._ref_ports.append((ref, var))
            return None     # bound to the chip below
        return super()._resolve_ref(ref)

    def _bind_chip_refs(self):
        by_ref = {id(r): v for r, v in self._ref_ports}
        for lf in self.network.leaves:
            if lf.model is self.node:
                continue
            for p in lf.model.py_ports:
                if not isinstance(p, PyRefPort):
                    continue
                var = by_ref.get(id(getattr(lf.proc, p.name, None)))
                if var is None:
                    continue
                self.compiled.var_slot(var.process, var.name)   # error now if absent
                p.bind_access(self._ref_reader(p, var), self._ref_writer(var),
                              var_shape=var.shape, target_name=var.full_name())
                self._chip_ref_ports.append(p)

    def _ref_reader(self, p, var):
        def read():
            rec = self._recorded
            if rec is None:
                value = self.get_var(var)
            else:       # in a batch: the words the engine read after this step
                slot = self.compiled.var_slot(var.process, var.name)
                value = self._typed(var, rec.value(slot, p._model.time_step)) \
                    if slot.on_chip else self.get_var(var)
            return np.array(value, dtype=p.d_type).reshape(var.shape)
        return read

    def _watch_words(self) -> tuple:
        """The words of the chip Vars the probes read (``WatchWords`` per
        tile of each Var's first copy, as ``VarSlot.read`` reads them)."""
        if self._watch[0] is self.compiled:
            return self._watch[1]
        seen, out = set(), []
        for _, var in self._ref_ports:
            slot = self.compiled.var_slot(var.process, var.name)
            if not slot.on_chip:
                continue
            for tw in slot.copies[0].by_tile:
                w = WatchWords(tw.tile, tw.mem, tw.addr)
                key = watch_key(w.tile, w.mem, w.addr)
                if key not in seen:
                    seen.add(key)
                    out.append(w)
        self._watch = (self.compiled, tuple(out))
        return self._watch[1]

    def _ref_writer(self, var):
        def write(data):
            self.set_var(var, np.broadcast_to(np.asarray(data), var.shape))
        return write

    # ---------------------------------------------------------- Vars
    def owns(self, var: Var) -> bool:
        return var in self.network.var_home or (
            var.process is not None and id(var.process) in self._chip_ids)

    def get_var(self, var: Var, idx=None):
        if var in self.network.var_home:
            return super().get_var(var, idx)
        slot = self.compiled.var_slot(var.process, var.name)
        if not slot.on_chip:
            return self.host_vars.get(var, idx)
        with self._after_hang(var):
            out = slot.read(self.engine)
        out = self._typed(var, out)
        return out if idx is None else out[idx]

    def _typed(self, var: Var, value: np.ndarray) -> np.ndarray:
        """A chip Var's value in the dtype its CPU model declares."""
        dt = self.dtype_of(var)
        return value.astype(dt) if dt.kind in "iubf" else value

    def set_var(self, var: Var, value, idx=None) -> None:
        if var in self.network.var_home:
            super().set_var(var, value, idx)
            return
        slot = self.compiled.var_slot(var.process, var.name)
        if not slot.on_chip:
            self.host_vars.set(var, value, idx)
            return
        cur = self.get_var(var).astype(np.int64)
        new = np.array(cur)
        arr = np.asarray(value)
        assign(var, new, arr, idx)
        if arr.dtype.kind in "fc":
            test = np.array(cur, dtype=np.float64)
            assign(var, test, arr, idx)
            if not np.array_equal(test, np.round(test)):
                bad = test[test != np.round(test)].flat[0]
                raise ValueError(f"Var {var.full_name()} is on the chip: it holds integers "
                                 f"(fixed point), got the non-integer value {bad}")
        with self._after_hang(var):
            slot.write(self.engine, new)

    @contextlib.contextmanager
    def _after_hang(self, var: Var):
        """Var access after a ChipHangError: the engine first lets the hung
        step end (and takes its late packets); if the chip is still stuck,
        a RuntimeStateError says so (not a second ChipHangError)."""
        hung = getattr(self.engine, "hung", None)
        try:
            yield
        except ChipHangError as e:
            if hung is None:
                raise
            raise RuntimeStateError(
                f"Var {var.full_name()}: the chip hung in step {hung} and is still stuck "
                f"(the access waited too): its values cannot be read or written; stop() "
                f"the runtime (see docs/errors.md, ChipHangError)") from e

    # ---------------------------------------------------------- recompiling
    def chip_values(self) -> dict:
        """(id(process), Var name) -> the value the chip part holds now, for
        recompiling: the host copies of host-only Vars and the chip words of
        profile constants (du, vth, ...)."""
        ov = self.host_vars.copies()
        for key, slot in self.compiled.vars.items():
            if slot.in_profile:
                ov[key] = self.get_var(getattr(slot.process, slot.name))
        return ov

    def reload(self) -> None:
        """Recompile the chip part with the current values and load it into
        the same engine, carrying over the neuron state, the in-flight
        synaptic input and the host values sent but not yet injected."""
        from ...compiler import compile_network
        old = self.compiled
        new = compile_network(self.full_network, self.cfg.params, values=self.chip_values())
        plan = ReloadPlan(self.engine, self.node, old, new,    # reads; validates
                          in_place=self.in_place_updates)
        host_maps = remap_host_io(old, new)                    # validates
        plan.apply()                                           # writes
        self.compiled = new
        node = self.node
        node.compiled = new
        node.remap(host_maps)
        node.tiles = sorted(set(node.tiles) | set(new.images.keys()))
        if node.read_counters:
            node.stats.retile(node.tiles)
        self.reloads += 1
        self.reload_log.append({"time_step": node.time_step, "acc_words": plan.acc_words,
                                "deferred": len(plan.take), "moved": plan.moved,
                                "in_place": plan.in_place,
                                "tiles": sorted(new.images)})

    # ---------------------------------------------------------- batches
    @property
    def batch_plan(self) -> BatchPlan:
        """How the schedule runs in batches (``reason``: why not)."""
        if self._plan is None:
            self._plan = BatchPlan.of(self)
        return self._plan

    def _run_range(self, t_first: int, t_end: int) -> None:
        try:
            self._run_steps_of(t_first, t_end)
        finally:        # the probes' reads after the chip's last step count too
            self.node.stats.io_cycles = self.engine.io_cycles

    def _run_steps_of(self, t_first: int, t_end: int) -> None:
        plan = self.batch_plan
        if plan.reason is not None or self.batch_steps <= 1 or t_end - t_first < 2:
            super()._run_range(t_first, t_end)
            return
        flag = self.interrupt if self.interrupt is not None else InterruptFlag()
        t = t_first
        while t < t_end:
            k = min(self.batch_steps, MAX_BATCH, t_end - t)
            self._run_batch(plan, t, k)
            t += k
            if flag.requested:
                raise StepInterrupted(t - 1)

    def _run_batch(self, plan: BatchPlan, t0: int, k: int) -> None:
        """Steps t0 .. t0 + k - 1: the upstream models, the chip in one
        engine call, the downstream models, k steps each. A model's error
        at step t limits every later part to the steps before t and is
        raised at the end (as in lockstep, the first error in time); a
        KeyboardInterrupt lets the batch finish and stops the run after it."""
        done, fail, intr = k, None, []
        for f in plan.up:
            n, err = _run_model(f, t0, done, intr)
            if err is not None:
                done, fail = n, (err.exc, f.__self__, t0 + n, err.phase)
        watch = self._watch_words() if plan.probes else ()
        if done:
            node = self.node
            try:
                node.run_batch(t0, done, watch)
            except KeyboardInterrupt as e:  # pragma: no cover - not raised by the node
                intr.append(e)
            except Exception as e:      # noqa: BLE001 - raised below, as in lockstep
                done, fail = node.batch_done, (e, node, t0 + node.batch_done, "run_spk")
            if watch:
                self._recorded = Recorded(watch, t0, node.watched)
        try:
            for f in plan.down:
                n, err = _run_model(f, t0, done, intr, id(f.__self__) in plan.probes)
                if err is not None:
                    done, fail = n, (err.exc, f.__self__, t0 + n, err.phase)
        finally:
            self._recorded = None
        if fail is not None:
            exc, model, t, phase = fail
            if isinstance(exc, (KilaueaError, *self.passthrough)):
                raise exc
            raise self._wrap(exc, t, model, phase) from exc
        if intr:
            raise StepInterrupted(t0 + k - 1, cause=intr[0]) from intr[0]

    # ---------------------------------------------------------- the rest
    @property
    def stats(self) -> ChipStats:
        return self.node.stats

    @property
    def report(self):
        """The compile report (``print(report)`` shows the table)."""
        return self.compiled.report

    def chip_report(self, last: ty.Optional[int] = 20) -> str:
        """The compile report, totals, and the last ``last`` steps' figures
        (None: every kept step)."""
        st = self.stats
        cyc = [c for c in st.cycles if c is not None]
        lines = [str(self.compiled.report), "",
                 f"engine: {getattr(self.engine, 'name', type(self.engine).__name__)}; "
                 f"steps run: {st.n_steps}; host spike packets in: {st.total_packets_in}; "
                 f"host-bound spikes out: {st.total_spikes_out}"]
        if st.total_cycles is not None and st.n_steps:
            lines.append(f"measured cycles per step: mean {st.total_cycles / st.n_steps:.1f}"
                         + (f", min {min(cyc)}, max {max(cyc)} (last {len(cyc)} steps)"
                            if cyc else "")
                         + f"; host I/O cycles (probes, Var access): {st.io_cycles}")
        elif st.n_steps:
            lines.append("measured cycles per step: - (the engine has no clock)")
        lines.append(st.table(last))
        return "\n".join(lines)

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self.engine.close()


def _run_model(f, t0: int, n: int, intr: list, probe: bool = False) -> tuple:
    """Run the model of spk function `f` for steps t0 .. t0 + n - 1 (a
    `probe`: each step's spk, then its post-management phase): (steps
    completed, None) or (steps completed before the failing one, its
    exception). KeyboardInterrupts are collected in `intr` and the steps go on."""
    m = f.__self__
    for j in range(n):
        m.time_step = t0 + j
        phase = "run_spk"
        try:
            f()
            if probe and m.post_guard():
                phase = "run_post_mgmt"
                m.run_post_mgmt()
        except KeyboardInterrupt as e:
            intr.append(e)
        except Exception as e:      # noqa: BLE001 - handed to the caller
            return j, _Failed(e, phase)
    return n, None


@dataclasses.dataclass(frozen=True)
class _Failed:
    """A model's exception in a batch and the phase that raised it."""
    exc: BaseException
    phase: str
