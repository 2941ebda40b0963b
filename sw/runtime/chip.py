"""The chip executor: the chip part of a network runs on an engine, the host
part on the CPU, stepped together with Lava's timing.

The chip is one *pseudo-leaf* (``ChipNode``) inside the CPU executor's spk
schedule: all chip processes together become one node of the port graph,
with

* an input port per host OutPort that feeds a chip neuron's input directly
  (``HostInput.step_offset == -1``: the value acts in the same step, so the
  sender must run first: an ordinary edge of the schedule);
* a *deferred* input per host OutPort that feeds chip synapses
  (``step_offset == 0``: the value acts at t + 1 + delay). The node reads it
  one step late, at the start of step t + 1, with the step field t it was
  sent in; that lands in exactly the same accumulator slot, so it adds no
  ordering constraint (a chip -> host -> Dense-on-chip path is no cycle);
* an output port per chip OutPort read by host InPorts.

Its ``run_spk`` for step t: gather the host values, encode them as spike
packets (``HostInput`` maps, step field t_sent + step_offset mod 256),
``engine.step(t, packets)`` (inject, STEP, wait for the barrier), decode the
host-bound spikes (``HostOutput`` maps) and send them on the output ports.
The topological order then runs sources before and sinks after the chip;
a host process inside a loop with the chip (e.g. a host Dense) makes the
node a member of a CoGroup like any recurrent model.

Chip Vars: ``get``/``set`` read and write the words of their ``VarSlot``
through the engine (READ / WRITE packets); Monitor RefPorts to chip Vars
read the slot after each step's barrier. A ``set`` of a host-only Var
(weights, delays, neuron options the compiler folds into the images)
updates the host copy, recompiles the chip part with the current values
and reloads it into the same engine, carrying over every neuron's named
state and parameter words, the in-flight synaptic input (accumulators,
mapped through population, neuron, group key and slot) and the host values
waiting to be injected (``_ReloadPlan``; docs/chip-runtime.md).
"""
from __future__ import annotations

import dataclasses
import typing as ty

import numpy as np

from ..core.exceptions import DeadlockError, KilaueaError
from ..core.model import AbstractNcProcessModel
from ..core.pytypes import (AbstractPyPort, LavaPyType, PyInPort, PyOutPort,
                            PyRefPort)
from ..core.variable import Var, _is_sparse
from ..hw.memory_map import Mem
from .builder import ChannelSpec, Leaf, Network, ref_target_var
from .executor import CpuExecutor, _check_fits
from .selection import find_models

__all__ = ["ChipExecutor", "ChipNode", "ChipStats", "ChipStatusError", "make_chip_executors"]

_NO_FLITS = np.zeros(0, dtype=np.uint64)


class ChipStatusError(KilaueaError, RuntimeError):
    """A core reported an error flag after a step (a dropped packet, a bad
    address): the chip's result can no longer be trusted."""


# ==================================================================== stats
@dataclasses.dataclass
class ChipStats:
    """Per-step figures of the chip part of a run (one entry per step; the
    last ``keep`` steps are kept, totals cover every step).

    ``cycles``: clock cycles from STEP to DONE (None on engines without a
    clock, i.e. the golden model). ``packets_in``: spike packets the host
    injected for the step; ``spikes_out``: host-bound spikes it produced.
    ``counters``: with counter reading on, an int64 array per step of shape
    (tiles, len(Counter)) in the order of ``tiles`` (see
    ``kilauea.hw.neurocore.core_memory.Counter``). ``io_cycles``: cycles the
    engine spent on host reads/writes (probes, Var access), kept apart
    from the steps' cycles (None when the engine does not count them).
    ``n_steps``, ``total_cycles`` (None without a clock),
    ``total_packets_in``, ``total_spikes_out``, ``total_counters``: sums
    over every step run.
    """
    tiles: list = dataclasses.field(default_factory=list)
    counter_names: list = dataclasses.field(default_factory=list)
    steps: list = dataclasses.field(default_factory=list)
    cycles: list = dataclasses.field(default_factory=list)
    packets_in: list = dataclasses.field(default_factory=list)
    spikes_out: list = dataclasses.field(default_factory=list)
    counters: list = dataclasses.field(default_factory=list)
    io_cycles: ty.Optional[int] = None
    keep: int = 20_000
    n_steps: int = 0
    total_cycles: ty.Optional[int] = None
    total_packets_in: int = 0
    total_spikes_out: int = 0
    total_counters: ty.Optional[np.ndarray] = None

    def record(self, t: int, cycles, packets_in: int, spikes_out: int, counters=None) -> None:
        """Add one step's figures."""
        self.steps.append(t)
        self.cycles.append(cycles)
        self.packets_in.append(packets_in)
        self.spikes_out.append(spikes_out)
        self.n_steps += 1
        if cycles is not None:
            self.total_cycles = (self.total_cycles or 0) + int(cycles)
        self.total_packets_in += packets_in
        self.total_spikes_out += spikes_out
        if counters is not None:
            self.counters.append(counters)
            self.total_counters = counters.copy() if self.total_counters is None \
                else self.total_counters + counters
        if len(self.steps) > 2 * self.keep:        # amortised trimming
            for lst in (self.steps, self.cycles, self.packets_in, self.spikes_out,
                        self.counters):
                del lst[:len(lst) - self.keep]

    def retile(self, tiles: list) -> None:
        """Read counters of `tiles` from now on (after a reload of a
        recompiled network): the recorded arrays get zero rows for tiles
        they did not cover."""
        tiles = list(tiles)
        if tiles == self.tiles:
            return
        pos = {t: i for i, t in enumerate(tiles)}

        def pad(a):
            out = np.zeros((len(tiles),) + a.shape[1:], dtype=a.dtype)
            for i, t in enumerate(self.tiles):
                if t in pos:
                    out[pos[t]] = a[i]
            return out
        self.counters = [pad(c) for c in self.counters]
        if self.total_counters is not None:
            self.total_counters = pad(self.total_counters)
        self.tiles = tiles

    def counter(self, name: str) -> np.ndarray:
        """One counter over the recorded steps: array (steps, tiles)."""
        if not self.counters:
            return np.zeros((0, len(self.tiles)), dtype=np.int64)
        k = [n.lower() for n in self.counter_names].index(name.lower())
        return np.stack(self.counters)[:, :, k]

    def table(self, last: ty.Optional[int] = None) -> str:
        """Per-step lines: step, cycles, packets in, spikes out, and the
        busiest core's synaptic events and neuron updates."""
        rows = range(len(self.steps)) if last is None else \
            range(max(0, len(self.steps) - last), len(self.steps))
        head = f"{'step':>6} {'cycles':>8} {'host in':>8} {'host out':>9}"
        have = bool(self.counters)
        if have:
            head += f" {'syn events (max core)':>22} {'updates':>8} {'chip pkts':>10}"
        lines = [head]
        for i in rows:
            c = self.cycles[i]
            line = (f"{self.steps[i]:>6} {('-' if c is None else c):>8} "
                    f"{self.packets_in[i]:>8} {self.spikes_out[i]:>9}")
            if have:
                names = [n.lower() for n in self.counter_names]
                cnt = self.counters[i]
                line += (f" {int(cnt[:, names.index('syn_events')].max(initial=0)):>22}"
                         f" {int(cnt[:, names.index('updates')].sum()):>8}"
                         f" {int(cnt[:, names.index('packets_out')].sum()):>10}")
            lines.append(line)
        return "\n".join(lines)


# ============================================================= pseudo leaf
class _ChipProcess:
    """Stands for all chip processes in the CPU executor's graph."""

    def __init__(self, name: str = "chip"):
        self.name = name
        self.proc_params = {}

    def __repr__(self):
        return f"<chip pseudo-process '{self.name}'>"


class _DeferredInput(AbstractPyPort):
    """A host OutPort's values for chip synapses, read one step late (not a
    PyInPort: the schedule and the CoGroups never wait on it)."""

    def __init__(self, process, model, name, shape, d_type):
        super().__init__(process, model, name, shape, d_type)
        self.chan = None

    def take(self):
        if not self.chan:
            raise DeadlockError(
                f"{self.name}: the host process did not send in step "
                f"{self._model.time_step - 1} (the chip reads it in step {self._model.time_step})")
        return self.chan.popleft()


@dataclasses.dataclass
class _DeferredSpec(ChannelSpec):
    """A host -> chip-synapse channel: no ordering edge in the schedule."""
    deferred: bool = True


class ChipNode:
    """The chip as one model of the CPU executor (see the module docstring)."""

    def __init__(self, proc: _ChipProcess, compiled, engine, counters: bool):
        self._process = proc
        self.compiled = compiled
        self.engine = engine
        self.time_step = 0
        self.py_ports: list = []
        self.immediate: list = []      # (PyInPort, [HostInput])
        self.deferred: list = []       # (_DeferredInput, [HostInput])
        self.outputs: list = []        # (HostOutput, PyOutPort | None)
        self.steps_done = 0
        self.deferred_done = False     # the pending deferred values were applied at a reload
        self.tiles = sorted(compiled.images.keys())
        from ..hw.neurocore import core_memory as cm
        self._cm = cm
        self.read_counters = counters
        self.stats = ChipStats(tiles=list(self.tiles),
                               counter_names=[c.name for c in cm.Counter] if counters else [])

    # ---------------------------------------------------------- building
    def finish(self):
        """Index the host axons of the outputs (after the ports are bound)."""
        spans = sorted((o.axon_base, o.axon_base + o.size, k)
                       for k, (o, _) in enumerate(self.outputs))
        for (a0, a1, _), (b0, _, _) in zip(spans, spans[1:]):
            if b0 < a1:
                raise ValueError("compiled network: host axon ranges of two chip OutPorts overlap")
        self._spans = spans

    # ---------------------------------------------------------- encoding
    def encode(self, hin, values, t_sent: int) -> np.ndarray:
        """The spike packets for one host OutPort's values sent in step
        t_sent (``HostInput.flits``: step field t_sent + step_offset)."""
        try:
            return hin.flits(t_sent, values)
        except ValueError as e:
            raise ValueError(f"{hin.port.full_name()} sent a value the chip cannot take in "
                             f"step {t_sent}: {e}") from None

    # ---------------------------------------------------------- one step
    def run_spk(self):
        t = self.time_step
        flits = []
        if self.steps_done and not self.deferred_done:
            for port, maps in self.deferred:
                x = port.take()
                for hin in maps:
                    flits.append(self.encode(hin, x, t - 1))
        for port, maps in self.immediate:
            x = port.recv()
            for hin in maps:
                flits.append(self.encode(hin, x, t))
        self.deferred_done = False
        flits = [f for f in flits if f.size]
        inputs = np.concatenate(flits) if flits else _NO_FLITS
        try:
            res = self.engine.step(t, inputs)
        except Exception as e:
            if not hasattr(e, "time_step"):
                try:
                    e.time_step = t
                except AttributeError:   # pragma: no cover
                    pass
            raise
        self.steps_done += 1
        self._deliver(res, t)
        counters = self._read_counters(t) if self.read_counters else None
        self.stats.record(t, res.cycles, int(inputs.size), int(len(res.host_axon)), counters)
        self.stats.io_cycles = self.engine.io_cycles

    def _deliver(self, res, t):
        ax = np.asarray(res.host_axon, dtype=np.int64)
        pay = np.asarray(res.host_payload, dtype=np.int64)
        owned = 0
        for a0, a1, k in self._spans:
            hout, port = self.outputs[k]
            if port is not None:
                port.send(hout.values(ax, pay).astype(port.d_type).reshape(port.shape))
            owned += int(np.count_nonzero((ax >= a0) & (ax < a1)))
        if owned != ax.size:
            own = np.zeros(ax.size, dtype=bool)
            for a0, a1, _ in self._spans:
                own |= (ax >= a0) & (ax < a1)
            bad = sorted(set(ax[~own].tolist()))[:8]
            raise RuntimeError(f"step {t}: the chip sent spikes to host axons {bad} that no chip "
                               f"OutPort owns (compiled network and chip disagree)")

    def _read_counters(self, t):
        """Every used core's COUNTERS (returned) and every tile's STATUS
        (an error flag raises ChipStatusError)."""
        cm = self._cm
        n = len(cm.Counter)
        rows = [np.asarray(self.engine.read_words(tile, Mem.COUNTERS, np.arange(n)),
                           dtype=np.int64) for tile in self.tiles]
        status = np.array([int(cm.Status.FLAGS), int(cm.Status.ERRORS)])
        for tile in self.compiled.params.tiles():
            flags, errors = (int(w) for w in self.engine.read_words(tile, Mem.STATUS, status))
            if flags or errors:
                names = [f.name for f in cm.ErrorFlag if flags >> int(f) & 1]
                raise ChipStatusError(
                    f"step {t}: core {tile} reports error flags {names or hex(flags)} "
                    f"({errors} error event(s)); the chip's state is no longer exact")
        return np.stack(rows) if rows else np.zeros((0, n), np.int64)


# ============================================================== executor
def _twin_model(proc, select_tag):
    """The CPU model class CpuSimCfg(select_tag) would pick (for dtypes)."""
    from ..core.run_configs import CpuSimCfg
    try:
        return CpuSimCfg(select_tag=select_tag).select(proc, find_models(type(proc)))
    except Exception:   # noqa: BLE001 - only used for dtypes
        return None


def _declared_dtype(model_cls, name: str, default):
    lt = getattr(model_cls, name, None) if model_cls is not None else None
    if isinstance(lt, LavaPyType) and lt.d_type is not None:
        try:
            return np.dtype(lt.d_type)
        except TypeError:
            return np.dtype(default)
    return np.dtype(default)


class ChipExecutor(CpuExecutor):
    """Host models on the CPU and the chip (one ``ChipNode``) in one spk
    schedule. ``stats``, ``report``, ``engine``, ``compiled`` are public."""

    def __init__(self, network: Network, cfg, compiled, engine):
        from ..sim.engine import ChipHangError
        self.passthrough = (ChipHangError, ChipStatusError)
        self.cfg = cfg
        self.compiled = compiled
        self.engine = engine
        self.full_network = network
        chip_leaves = [lf for lf in network.leaves
                       if issubclass(lf.model_cls, AbstractNcProcessModel)]
        self.chip_processes = [lf.proc for lf in chip_leaves]
        self._chip_ids = {id(p) for p in self.chip_processes}
        self._twins = {id(p): _twin_model(p, cfg.select_tag) for p in self.chip_processes}
        self.node = ChipNode(_ChipProcess("chip"), compiled, engine, cfg.counters)
        self._host_copy: dict = {}
        self._set_at: dict = {}        # host-only Var -> steps done when last set/prepared
        self._slot_groups: dict = {}
        self.reloads = 0               # recompiles after sets of host-only Vars
        #: rewrite only the changed synapse/profile words when the recompiled
        #: network keeps every layout (False: always reload whole images)
        self.in_place_updates = True
        self.reload_log: list = []     # per reload: time_step, acc_words (nonzero
        #         accumulator words carried), deferred, moved (neurons now elsewhere), tiles
        self._ref_ports: list = []
        super().__init__(self._host_view(network, chip_leaves))
        for ch, spec in self._channels:
            if isinstance(spec, _DeferredSpec):
                spec.dst.chan = ch
        self.node.finish()
        self._bind_chip_refs()

    # ---------------------------------------------------------- the graph
    def _host_view(self, net: Network, chip_leaves) -> Network:
        """The network the CPU executor sees: host leaves plus the node."""
        node, chip_ids = self.node, self._chip_ids
        proc = node._process
        leaves, placed = [], False
        for lf in net.leaves:
            if id(lf.proc) in chip_ids:
                if not placed:
                    leaves.append(Leaf(proc, ChipNode, node, len(leaves)))
                    placed = True
            else:
                leaves.append(dataclasses.replace(lf, index=len(leaves)))
        pyport = {}
        for lf in net.leaves:
            if lf.model is not None:
                for p in lf.model.py_ports:
                    pyport[(id(lf.proc), p.name)] = p
        ins_by_port: dict = {}
        for hin in self.compiled.inputs:
            ins_by_port.setdefault(id(hin.port), []).append(hin)
        outs_by_port = {id(o.port): o for o in self.compiled.outputs}
        channels, in_port_of, out_port_of = [], {}, {}
        for spec in net.channels:
            s_chip, d_chip = id(spec.src.process) in chip_ids, id(spec.dst.process) in chip_ids
            if s_chip and d_chip:
                continue                                  # inside the chip
            if not s_chip and not d_chip:
                channels.append(spec)
                continue
            if d_chip:                                    # host -> chip
                key = id(spec.src)
                if key in in_port_of:
                    continue
                maps = ins_by_port.get(key)
                if not maps:
                    raise KilaueaError(
                        f"{spec.src.full_name()} -> {spec.dst.full_name()}: the compiled network "
                        f"has no host input map for this host OutPort")
                src_py = pyport[(id(spec.src.process), spec.src.name)]
                now = [h for h in maps if h.step_offset < 0]
                late = [h for h in maps if h.step_offset >= 0]
                in_port_of[key] = True
                k = len(node.immediate) + len(node.deferred)
                name = f"in_{k}<{spec.src.full_name()}>"
                if now:
                    p = PyInPort.VEC_DENSE(proc, node, name, spec.src.shape, src_py.d_type)
                    node.py_ports.append(p)
                    node.immediate.append((p, now))
                    channels.append(ChannelSpec(spec.src, p, None))
                if late:
                    p = _DeferredInput(proc, node, name + "(deferred)", spec.src.shape,
                                       src_py.d_type)
                    node.py_ports.append(p)
                    node.deferred.append((p, late))
                    channels.append(_DeferredSpec(spec.src, p, None))
            else:                                         # chip -> host
                key = id(spec.src)
                if key not in out_port_of:
                    hout = outs_by_port.get(key)
                    if hout is None:
                        raise KilaueaError(
                            f"{spec.src.full_name()} -> {spec.dst.full_name()}: the compiled "
                            f"network has no host output map for this chip OutPort")
                    dt = _declared_dtype(self._twins.get(id(spec.src.process)), spec.src.name,
                                         np.int32)
                    p = PyOutPort.VEC_DENSE(proc, node, spec.src.full_name(), spec.src.shape, dt)
                    node.py_ports.append(p)
                    node.outputs.append((hout, p))
                    out_port_of[key] = p
                channels.append(ChannelSpec(out_port_of[key], spec.dst, spec.transform))
        for o in self.compiled.outputs:                   # compiled but unread
            if id(o.port) not in out_port_of:
                node.outputs.append((o, None))
        var_home = {v: h for v, h in net.var_home.items()}
        return dataclasses.replace(net, leaves=leaves, channels=channels, var_home=var_home)

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
                ref = getattr(lf.proc, p.name, None)
                var = by_ref.get(id(ref))
                if var is None:
                    continue
                self.compiled.var_slot(var.process, var.name)   # error now if absent
                p._bind(None, "<chip>", var_shape=var.shape, target_name=var.full_name())
                p._read_dense = self._ref_reader(p, var)
                p._write_dense = self._ref_writer(p, var)

    def _ref_reader(self, p, var):
        def read():
            return np.array(self.get_var(var), dtype=p.d_type).reshape(var.shape)
        return read

    def _ref_writer(self, p, var):
        def write(data):
            self.set_var(var, np.broadcast_to(np.asarray(data), var.shape))
        return write

    # ---------------------------------------------------------- Vars
    def owns(self, var: Var) -> bool:
        return var in self.network.var_home or (
            var.process is not None and id(var.process) in self._chip_ids)

    def _slot_where(self, slot, copy: int):
        key = (id(slot), copy)
        g = self._slot_groups.get(key)
        if g is None:
            x, y, mem, addr = (np.asarray(a, dtype=np.int64).reshape(-1) for a in slot.copies[copy])
            g = []
            keys = np.stack([x, y, mem], axis=1) if x.size else np.zeros((0, 3), np.int64)
            uniq = np.unique(keys, axis=0) if x.size else keys
            for xx, yy, mm in uniq.tolist():
                sel = np.flatnonzero((x == xx) & (y == yy) & (mem == mm))
                g.append(((int(xx), int(yy)), Mem(int(mm)), sel, addr[sel]))
            self._slot_groups[key] = g
        return g

    def _dtype_of(self, var):
        return _declared_dtype(self._twins.get(id(var.process)), var.name, np.int64)

    def get_var(self, var: Var, idx=None):
        if var in self.network.var_home:
            return super().get_var(var, idx)
        slot = self.compiled.var_slot(var.process, var.name)
        dt = self._dtype_of(var)
        if slot.host_only or not slot.copies:
            val = self._host_copy.get(var)
            if val is None:
                val = self._host_copy[var] = var.init_value()
            val = self._as_cpu_keeps(var, val)
            if _is_sparse(val):
                return val.copy() if idx is None else val.toarray()[idx]
            out = np.array(val)
        else:
            n = int(np.prod(slot.shape, dtype=np.int64))
            words = np.zeros(n, dtype=np.int64)
            for tile, mem, sel, addr in self._slot_where(slot, 0):
                words[sel] = np.asarray(self.engine.read_words(tile, mem, addr), dtype=np.int64)
            if slot.signed:
                words = np.where(words >= (1 << 31), words - (1 << 32), words)
            out = words.reshape(var.shape)
            if dt.kind in "iub":
                out = out.astype(dt)
            elif dt.kind == "f":
                out = out.astype(dt)
        return out if idx is None else out[idx]

    def set_var(self, var: Var, value, idx=None) -> None:
        if var in self.network.var_home:
            super().set_var(var, value, idx)
            return
        slot = self.compiled.var_slot(var.process, var.name)
        if slot.host_only or not slot.copies:
            self._set_host_only(var, value, idx)
            return
        cur = self.get_var(var).astype(np.int64)
        new = np.array(cur)
        arr = np.asarray(value)
        try:
            if idx is None:
                new[...] = arr.reshape(var.shape) if arr.size == new.size else arr
            else:
                new[idx] = arr
        except (ValueError, TypeError) as e:
            raise ValueError(f"Var {var.full_name()}: cannot set a {arr.shape} value: "
                             f"{e}") from None
        if arr.dtype.kind in "fc":
            full = np.array(new, dtype=np.float64)
            test = np.array(cur, dtype=np.float64)
            if idx is None:
                test[...] = arr.reshape(var.shape) if arr.size == test.size else arr
            else:
                test[idx] = arr
            if not np.array_equal(test, np.round(test)):
                bad = test[test != np.round(test)].flat[0]
                raise ValueError(f"Var {var.full_name()} is on the chip: it holds integers "
                                 f"(fixed point), got the non-integer value {bad}")
            new = full.astype(np.int64)
        if slot.lo is not None and new.size and (new.min() < slot.lo or new.max() > slot.hi):
            raise ValueError(f"Var {var.full_name()} is on the chip: it must lie in the "
                             f"fixed-point range {slot.lo}..{slot.hi}, got values in "
                             f"{new.min()}..{new.max()}")
        lo, hi = (-(1 << 31), (1 << 31) - 1) if slot.signed else (0, (1 << 32) - 1)
        if new.size and (new.min() < lo or new.max() > hi):
            raise ValueError(f"Var {var.full_name()}: values must fit a 32-bit "
                             f"{'signed' if slot.signed else 'unsigned'} word [{lo}, {hi}]")
        words = new.reshape(-1) & 0xFFFFFFFF
        for c in range(len(slot.copies)):
            for tile, mem, sel, addr in self._slot_where(slot, c):
                self.engine.write_words(tile, mem, addr, words[sel])

    # ---------------------------------------------------------- host-only Vars
    #: host-only Vars a set cannot carry to the chip: what they hold is the
    #: in-flight synaptic input, which lives in the chip's accumulators
    _UNSETTABLE = ("a_buff",)

    def _as_cpu_keeps(self, var: Var, val):
        """The host copy as the CPU fixed_pt model holds it: its weights
        are replaced by the prepared ones (sign mode, clip, truncate) in the
        first step after they were set (``prepare_model_weights``); so are
        the chip's, from the same step on."""
        twin = self._twins.get(id(var.process))
        if (var.name != "weights" or not getattr(twin, "fixed_point", False)
                or not hasattr(twin, "ensure_weights")
                or self.node.steps_done <= self._set_at.get(var, 0)):
            return val
        from ..compiler.ncmodel import value_overrides
        from ..proc.dense.ncmodels import prepared_weights
        with value_overrides({(id(var.process), var.name): val}):
            val = prepared_weights(var.process)
        self._host_copy[var] = val
        self._set_at[var] = self.node.steps_done
        return val

    def _set_host_only(self, var: Var, value, idx=None) -> None:
        """Set a Var the chip holds only in compiled form (weights, delays,
        program options): update the host copy as the CPU model would, then
        recompile the network and reload it into the same engine, carrying
        the chip's state over (``_reload``). On any error the host copy and
        the chip are left as they were."""
        if not self.compiled.layouts:
            raise KilaueaError(
                f"Var {var.full_name()} cannot be set while the network is on the chip: the "
                f"chip holds it only in compiled form and this compiled network has no "
                f"population layouts to recompile it with (it was not made by "
                f"kilauea.compiler.compile_network); set it before the first run")
        if var.name in self._UNSETTABLE:
            raise KilaueaError(
                f"Var {var.full_name()} cannot be set while the network is on the chip: it is "
                f"the in-flight synaptic input, held in the chip's accumulators")
        cur = self.get_var(var)                  # the value the CPU model holds now
        at = self._set_at.get(var)
        if _is_sparse(cur) or (idx is None and _is_sparse(value)):
            if idx is None:
                new = value.copy() if _is_sparse(value) else type(cur)(np.asarray(value))
                if _is_sparse(cur):
                    new = new.astype(cur.dtype)
            else:
                dense = cur.toarray()
                dense[idx] = value
                new = type(cur)(dense)
        else:
            dt = _declared_dtype(self._twins.get(id(var.process)), var.name,
                                 np.asarray(cur).dtype)
            new = np.array(np.broadcast_to(np.asarray(cur), var.shape), dtype=dt)
            arr = np.asarray(value)
            _check_fits(var, arr, new.dtype)     # as the CPU model: no silent truncation
            try:
                if idx is None:
                    new[...] = arr.reshape(var.shape) if arr.size == new.size else arr
                else:
                    new[idx] = arr
            except (ValueError, TypeError) as e:
                raise ValueError(f"Var {var.full_name()}: cannot set a {arr.shape} value: "
                                 f"{e}") from None
        self._host_copy[var] = new
        self._set_at[var] = self.node.steps_done
        try:
            self._reload()
        except BaseException:
            self._host_copy[var] = cur
            if at is None:
                self._set_at.pop(var, None)
            else:
                self._set_at[var] = at
            raise

    def _reload(self) -> None:
        """Recompile the chip part with the current values and load it into
        the same engine, carrying over the neuron state, the in-flight
        synaptic input and the host values sent but not yet injected."""
        from ..compiler import compile_network
        from ..compiler.ncmodel import value_overrides
        old = self.compiled
        ov = {(id(v.process), v.name): val for v, val in self._host_copy.items()}
        for key, slot in old.vars.items():       # profile constants (du, vth, ...): chip values
            if slot.host_only or not slot.copies:
                continue
            if np.all(np.asarray(slot.copies[0][2]) == Mem.PROFILE.value):
                ov[key] = self.get_var(getattr(slot.process, slot.name))
        with value_overrides(ov):
            new = compile_network(self.full_network, self.cfg.params)
        plan = _ReloadPlan(self.engine, self.node, old, new,   # reads; validates
                           in_place=self.in_place_updates)
        host_maps = self._remap_host_io(old, new)              # validates
        plan.apply()                                           # writes
        self.compiled = new
        self._slot_groups.clear()
        node = self.node
        node.compiled = new
        node.immediate = [(p, [host_maps[id(h)] for h in maps]) for p, maps in node.immediate]
        node.deferred = [(p, [host_maps[id(h)] for h in maps]) for p, maps in node.deferred]
        node.outputs = [(host_maps[id(o)], p) for o, p in node.outputs]
        node.finish()
        tiles = sorted(set(node.tiles) | set(new.images.keys()))
        node.tiles = tiles
        if node.read_counters:
            node.stats.retile(tiles)
        self.reloads += 1
        self.reload_log.append({"time_step": node.time_step, "acc_words": plan.acc_words,
                                "deferred": len(plan.take), "moved": plan.moved,
                                "in_place": plan.in_place,
                                "tiles": sorted(new.images)})

    @staticmethod
    def _remap_host_io(old, new) -> dict:
        """id(old HostInput / HostOutput) -> the new one (same port, same way in)."""
        if len(old.inputs) != len(new.inputs) or len(old.outputs) != len(new.outputs):
            raise KilaueaError("recompiled network: host inputs/outputs differ from the running one")
        out = {}
        for a, b in zip(old.inputs, new.inputs):
            if a.port is not b.port or a.step_offset != b.step_offset:
                raise KilaueaError("recompiled network: host inputs differ from the running one")
            out[id(a)] = b
        for a, b in zip(old.outputs, new.outputs):
            if a.port is not b.port or a.axon_base != b.axon_base:
                raise KilaueaError("recompiled network: host outputs differ from the running one")
            out[id(a)] = b
        return out

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
            lines.append(f"cycles per step: mean {st.total_cycles / st.n_steps:.1f}"
                         + (f", min {min(cyc)}, max {max(cyc)} (last {len(cyc)} steps)"
                            if cyc else "")
                         + f"; host I/O cycles (probes, Var access): {st.io_cycles}")
        elif st.n_steps:
            lines.append("cycles per step: - (the engine has no clock)")
        lines.append(st.table(last))
        return "\n".join(lines)

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self.engine.close()


# ================================================================ reload
def _by_tile(x, y):
    """((x, y), selection) for each tile present in the coordinate arrays."""
    x = np.asarray(x, dtype=np.int64).reshape(-1)
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    if not x.size:
        return []
    keys = np.unique(np.stack([x, y], axis=1), axis=0)
    return [((int(a), int(b)), np.flatnonzero((x == a) & (y == b))) for a, b in keys.tolist()]


class _ReloadPlan:
    """Carry a running chip's state from compiled network `old` into `new`.

    Built before anything is written (it reads the chip and raises when the
    state cannot be carried); ``apply`` then writes the new images into the
    same engine, clears what the old network used beyond them, and writes
    the carried state:

    * every named program word (state and per-compartment parameters) of
      every neuron, from its old (tile, compartment) to its new one;
    * the accumulators (in-flight synaptic input) of every slot of every
      neuron's groups, mapped through (population, neuron, group key, slot);
      the ring's slots are absolute (t mod D), so time carries over as is;
    * host values sent in the last step for chip synapses, which the node
      would inject (deferred) at the next step: they are added to the old
      accumulators through the *old* synapses now, as the CPU's Dense did
      in the step they were sent, and the node skips them next step.
    """

    def __init__(self, engine, node, old, new, in_place: bool = True):
        from ..hw.neurocore import compartment_memory as ncm
        from ..hw.neurocore import core_memory as cm
        self.engine, self.node, self.old, self.new = engine, node, old, new
        p = new.params
        self.params, self.cm, self.ncm = p, cm, ncm
        D = p.n_delay_slots
        self.moved = 0
        deltas = self._pending_deferred()
        self.in_place = in_place and _same_layout(old, new)
        if self.in_place:
            self._plan_in_place(deltas)
            return
        # ---- neuron words
        self.words = []          # (x, y, mem, addr, values) to write after the images
        for pid, lo in old.layouts.items():
            ln = new.layouts.get(pid)
            if ln is None:
                raise KilaueaError(f"recompiled network lacks population "
                                   f"'{getattr(lo.process, 'name', lo.process)}'")
            for kind, mem, addr_of, o_tab, n_tab in (
                    ("state", Mem.STATE, ncm.state_addr, lo.program.state, ln.program.state),
                    ("param", Mem.PARAM, ncm.param_addr, lo.program.params, ln.program.params)):
                for name, decl in o_tab.items():
                    if name not in n_tab:
                        continue
                    vals = self._gather(lo.x, lo.y, mem, addr_of(lo.comp, decl.index))
                    self.words.append((ln.x, ln.y, mem, addr_of(ln.comp, n_tab[name].index), vals))
        # ---- accumulators of the old network, per tile: (D, groups used, compartments)
        used = {}                # tile -> (groups, compartments)
        for lo in old.layouts.values():
            for tile, sel in _by_tile(lo.x, lo.y):
                g, c = used.get(tile, (0, 0))
                used[tile] = (max(g, len(lo.group_keys)), max(c, int(lo.comp[sel].max()) + 1))
        self.old_acc_addr = {}
        acc = {}
        for tile, (g, c) in used.items():
            addr = cm.acc_addr(p, *np.meshgrid(np.arange(D), np.arange(g), np.arange(c),
                                               indexing="ij")).reshape(-1)
            self.old_acc_addr[tile] = addr
            acc[tile] = cm.from_word(engine.read_words(tile, Mem.ACCUM, addr)).reshape(D, g, c)
        for tile, (slot, grp, comp, delta) in deltas.items():
            np.add.at(acc[tile], (slot, grp, comp), delta)
            acc[tile][...] = cm.from_word(cm.to_word(acc[tile]))
        # ---- map them into the new network
        new_acc = {}             # tile -> {addr: value}
        for pid, lo in old.layouts.items():
            ln = new.layouts[pid]
            gmap = {k: i for i, k in enumerate(ln.group_keys)}
            for go, key in enumerate(lo.group_keys):
                vals = np.zeros((D, len(lo.comp)), dtype=np.int64)
                for tile, sel in _by_tile(lo.x, lo.y):
                    vals[:, sel] = acc[tile][:, go, lo.comp[sel]]
                if key not in gmap:
                    if np.any(vals):
                        raise KilaueaError(
                            f"cannot change this Var now: population "
                            f"'{getattr(lo.process, 'name', lo.process)}' has synaptic input in "
                            f"flight through a connection group ({_key_text(key)}) that the new "
                            f"values remove (weight_exp < 0 keeps one accumulator group per "
                            f"delay); set it when no input is in flight, or before the first run")
                    continue
                gn = gmap[key]
                for tile, sel in _by_tile(ln.x, ln.y):
                    a = cm.acc_addr(p, np.arange(D)[:, None], gn, ln.comp[sel][None, :])
                    d = new_acc.setdefault(tile, {})
                    for aa, vv in zip(a.reshape(-1).tolist(), vals[:, sel].reshape(-1).tolist()):
                        d[aa] = vv
        self.new_acc = new_acc
        self.moved = sum(int(np.count_nonzero((lo.x != new.layouts[pid].x)
                                              | (lo.y != new.layouts[pid].y)
                                              | (lo.comp != new.layouts[pid].comp)))
                         for pid, lo in old.layouts.items())
        self.acc_words = sum(int(np.count_nonzero(list(d.values()))) for d in new_acc.values())

    def _gather(self, x, y, mem, addr) -> np.ndarray:
        addr = np.asarray(addr, dtype=np.int64).reshape(-1)
        out = np.zeros(addr.size, dtype=np.int64)
        for tile, sel in _by_tile(x, y):
            out[sel] = np.asarray(self.engine.read_words(tile, mem, addr[sel]), dtype=np.int64)
        return out

    def _pending_deferred(self) -> dict:
        """The host values waiting for the next step (deferred inputs) as
        accumulator increments through the old synapses (as the golden chip
        adds a spike): tile -> (slot, group, compartment, delta) arrays."""
        node, cm, p = self.node, self.cm, self.params
        self.take = []
        out: dict = {}
        if not node.steps_done or node.deferred_done:
            return out
        from ..sim.engines.golden import decode_spike_inputs
        t_sent = node.time_step
        parts: dict = {}
        for port, maps in node.deferred:
            if not port.chan:
                continue
            x = port.chan[0]
            self.take.append(port)
            for hin in maps:
                flits = node.encode(hin, x, t_sent)
                if not flits.size:
                    continue
                f = decode_spike_inputs(flits)
                for i in range(flits.size):
                    tile = (int(f["x"][i]), int(f["y"][i]))
                    imgs = self.old.images[tile]
                    ax = cm.unpack_axon(np.asarray(imgs[Mem.AXON])[[int(f["axon"][i])]])
                    b, n = int(ax["base"][0]), int(ax["count"][0])
                    syn = cm.unpack_synapse(p, np.asarray(imgs[Mem.SYNAPSE])[b:b + n])
                    pay = int(f["payload"][i]) if int(ax["graded"][0]) else 1
                    slot = (int(f["step"][i]) + 1 + syn["delay"].astype(np.int64)) % p.n_delay_slots
                    parts.setdefault(tile, []).append(np.stack([
                        slot, syn["group"].astype(np.int64), syn["compartment"].astype(np.int64),
                        syn["weight"].astype(np.int64) * pay]))
        for tile, lst in parts.items():
            a = np.concatenate(lst, axis=1)
            out[tile] = (a[0], a[1], a[2], a[3])
        return out

    def _plan_in_place(self, deltas) -> None:
        """Only synapse words (and profile words) change: rewrite those in
        place; the neuron state and the accumulators stay where they are
        (plus the pending deferred inputs, added through the old synapses)."""
        cm, p = self.cm, self.params
        self.patch = []          # (tile, mem, addr, words)
        for tile, mems in self.new.images.items():
            for mem in (Mem.SYNAPSE, Mem.PROFILE):
                if mem not in mems:
                    continue
                a = np.asarray(self.old.images[tile][mem]).astype(np.int64)
                b = np.asarray(mems[mem]).astype(np.int64)
                d = np.flatnonzero(a != b)
                if d.size:
                    self.patch.append((tile, mem, d, b[d]))
        self.acc_patch = []      # (tile, addr, words)
        self.acc_words = 0
        for tile, (slot, grp, comp, delta) in deltas.items():
            addr, inv = np.unique(cm.acc_addr(p, slot, grp, comp), return_inverse=True)
            add = np.zeros(addr.size, dtype=np.int64)
            np.add.at(add, inv.reshape(-1), delta)
            cur = cm.from_word(self.engine.read_words(tile, Mem.ACCUM, addr))
            self.acc_patch.append((tile, addr, cm.to_word(cur + add)))
            self.acc_words += int(np.count_nonzero(add))

    def apply(self) -> None:
        eng, old, new = self.engine, self.old, self.new
        for port in self.take:                       # applied above: not again next step
            port.chan.popleft()
        if self.take:
            self.node.deferred_done = True
        if self.in_place:
            for tile, mem, addr, words in self.patch:
                eng.write_words(tile, mem, addr, words)
            for tile, addr, words in self.acc_patch:
                eng.write_words(tile, Mem.ACCUM, addr, words)
            return
        eng.load_images(new.images)
        for tile, mems in old.images.items():        # words the old network used beyond the new
            nmems = new.images.get(tile, {})
            for mem, words in mems.items():
                n_old = np.asarray(words).size
                n_new = np.asarray(nmems.get(mem, ())).size
                if n_old > n_new:
                    eng.write_words(tile, mem, np.arange(n_new, n_old),
                                    np.zeros(n_old - n_new, dtype=np.int64))
        tiles = set(self.old_acc_addr) | set(self.new_acc)
        for tile in sorted(tiles):
            d = self.new_acc.get(tile, {})
            stale = np.setdiff1d(self.old_acc_addr.get(tile, np.zeros(0, np.int64)),
                                 np.fromiter(d.keys(), dtype=np.int64, count=len(d)))
            addr = np.concatenate([stale, np.fromiter(d.keys(), dtype=np.int64, count=len(d))])
            vals = np.concatenate([np.zeros(stale.size, np.int64),
                                   np.fromiter(d.values(), dtype=np.int64, count=len(d))])
            keep = (vals != 0) | np.isin(addr, stale) | np.isin(addr, self.old_acc_addr.get(
                tile, np.zeros(0, np.int64)))
            if keep.any():
                eng.write_words(tile, Mem.ACCUM, addr[keep], self.cm.to_word(vals[keep]))
        for x, y, mem, addr, vals in self.words:
            addr = np.asarray(addr, dtype=np.int64).reshape(-1)
            for tile, sel in _by_tile(x, y):
                eng.write_words(tile, mem, addr[sel], np.asarray(vals)[sel] & 0xFFFFFFFF)


def _same_layout(old, new) -> bool:
    """True when `new` differs from `old` only in synapse and profile words
    (same lengths): same tiles, neurons, programs, groups, axons, fan-out
    and host maps (e.g. new weights with the same sparsity pattern)."""
    if set(old.images) != set(new.images) or set(old.layouts) != set(new.layouts):
        return False
    for tile, mems in new.images.items():
        om = old.images[tile]
        if set(om) != set(mems):
            return False
        for mem, words in mems.items():
            a, b = np.asarray(om[mem]), np.asarray(words)
            if a.shape != b.shape or (mem not in (Mem.SYNAPSE, Mem.PROFILE)
                                      and not np.array_equal(a, b)):
                return False
    for pid, ln in new.layouts.items():
        lo = old.layouts[pid]
        if (lo.program is not ln.program or lo.group_keys != ln.group_keys
                or not np.array_equal(lo.x, ln.x) or not np.array_equal(lo.y, ln.y)
                or not np.array_equal(lo.comp, ln.comp)):
            return False
    for a, b in zip(old.inputs, new.inputs):
        if a.graded != b.graded or not all(np.array_equal(getattr(a, k), getattr(b, k))
                                           for k in ("ptr", "dst_x", "dst_y", "dst_axon")):
            return False
    return len(old.inputs) == len(new.inputs)


def _key_text(key) -> str:
    return str(key)          # compiler.graph.ExpGroup / ProjGroup


def make_chip_executors(cfg, network: Network) -> list:
    """ChipCfg.make_executors: compile the chip leaves, make the engine, load
    the images. A network without chip processes runs on a plain CpuExecutor."""
    if not any(issubclass(lf.model_cls, AbstractNcProcessModel) for lf in network.leaves):
        return [CpuExecutor(network)]
    from ..compiler import compile_network
    from ..sim.engines import make_engine
    compiled = compile_network(network, cfg.params)
    opts = dict(cfg.engine_options)
    if cfg.engine != "model":          # the golden model has no clock, no waveform
        if cfg.max_cycles is not None:
            opts.setdefault("max_cycles", cfg.max_cycles)
        if cfg.trace is not None:
            opts.setdefault("trace", cfg.trace)
            if cfg.trace_steps is not None:
                opts.setdefault("trace_steps", cfg.trace_steps)
    engine = make_engine(cfg.engine, compiled.params, **opts)
    try:
        engine.load_images(compiled.images)
        return [ChipExecutor(network, cfg, compiled, engine)]
    except BaseException:
        engine.close()
        raise
