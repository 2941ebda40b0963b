"""The chip as one node of the CPU executor's spk schedule (``ChipNode``),
its pseudo-process and its deferred input port (docs/chip-runtime.md).

The node has

* an input port per host OutPort that feeds a chip neuron's input directly
  (``HostInput.step_offset == -1``: the value acts in the same step, so the
  sender must run first: an ordinary edge of the schedule);
* a *deferred* input (``DeferredInput``) per host OutPort that feeds chip
  synapses (``step_offset == 0``: the value acts at t + 1 + delay). The node
  reads it one step late, at the start of step t + 1, with the step field t
  it was sent in; that lands in exactly the same accumulator slot, so it
  adds no ordering constraint (a chip -> host -> Dense-on-chip path is no
  cycle);
* an output port per chip OutPort read by host InPorts.

Its ``run_spk`` for step t: gather the host values, encode them as spike
packets (``HostInput`` maps, step field t_sent + step_offset mod 256),
``engine.step(t, packets)`` (inject, STEP, wait for the barrier), decode the
host-bound spikes (``HostOutput`` maps) and send them on the output ports.
"""
from __future__ import annotations

import dataclasses
import time
import typing as ty

import numpy as np

from ...core.exceptions import DeadlockError
from ...core.pytypes import AbstractPyPort, PyInPort, PyOutPort
from ...hw.neurocore import core_memory as cm
from ..builder import ChannelSpec
from .hostio import InputEncoder, OutputDecoder
from .stats import ChipStats, ChipStatusError

__all__ = ["ChipProcess", "DeferredInput", "DeferredSpec", "InputLink", "OutputLink", "ChipNode"]

_NO_FLITS = np.zeros(0, dtype=np.uint64)
#: the clock of ``ChipStats.engine_seconds`` (seconds; a benchmark may use
#: ``time.process_time`` to measure CPU time on a loaded machine)
CLOCK = time.perf_counter


class ChipProcess:
    """Stands for all chip processes in the CPU executor's graph."""

    def __init__(self, name: str = "chip"):
        self.name = name
        self.proc_params: dict = {}

    def __repr__(self):
        return f"<chip pseudo-process '{self.name}'>"


class DeferredInput(AbstractPyPort):
    """A host OutPort's values for chip synapses, read one step late (not a
    PyInPort: the schedule and the CoGroups never wait on it).

    ``bind_channel(chan)`` connects it to the sender's channel (a deque the
    sender appends to); ``take`` pops the oldest value, ``pending`` says
    whether one waits, ``peek`` returns it without popping, ``drop``
    discards it (after a reload applied it already)."""

    def __init__(self, process, model, name, shape, d_type):
        super().__init__(process, model, name, shape, d_type)
        self._chan: ty.Optional[ty.Deque] = None

    def bind_channel(self, chan: ty.Deque) -> None:
        self._chan = chan

    def pending(self) -> bool:
        return bool(self._chan)

    def peek(self):
        return self._chan[0]

    def drop(self) -> None:
        self._chan.popleft()

    def take(self):
        if not self._chan:
            raise DeadlockError(
                f"{self.name}: the host process did not send in step "
                f"{self._model.time_step - 1} (the chip reads it in step {self._model.time_step})")
        return self._chan.popleft()


@dataclasses.dataclass
class DeferredSpec(ChannelSpec):
    """A host -> chip-synapse channel: no ordering edge in the schedule."""
    deferred: bool = True


@dataclasses.dataclass(frozen=True)
class InputLink:
    """A node input port and the host input maps its values are encoded with."""
    port: ty.Any                    # PyInPort (immediate) or DeferredInput
    maps: tuple                     # HostInput, ...


@dataclasses.dataclass(frozen=True)
class OutputLink:
    """A chip OutPort's host output map and the node port it is sent on
    (None: compiled but read by no host process)."""
    hout: ty.Any                    # HostOutput
    port: ty.Optional[PyOutPort]


@dataclasses.dataclass(frozen=True, order=True)
class _Span:
    """Host axons [lo, hi) of output link `k`."""
    lo: int
    hi: int
    k: int


class ChipNode:
    """The chip as one model of the CPU executor (see the module docstring)."""

    def __init__(self, proc: ChipProcess, compiled, engine, counters: bool):
        self._process = proc
        self.compiled = compiled
        self.engine = engine
        self.time_step = 0
        self.py_ports: list = []
        self.immediate: list[InputLink] = []     # PyInPort links
        self.deferred: list[InputLink] = []      # DeferredInput links
        self.outputs: list[OutputLink] = []
        self.steps_done = 0
        self.deferred_done = False     # the pending deferred values were applied at a reload
        self.batch_done = 0            # steps the last run_batch completed
        self.tiles = sorted(compiled.images.keys())
        self.read_counters = counters
        self.stats = ChipStats(tiles=list(self.tiles),
                               counter_names=[c.name for c in cm.Counter] if counters else [])
        self._spans: list[_Span] = []
        self._encoders: dict = {}                # id(HostInput) -> InputEncoder
        self._decoders: list = []                # OutputDecoder per output (finish)
        self._status_tiles = list(compiled.params.tiles())
        #: the words of run_batch's `watch`, per step (``StepsResult.watched``)
        self.watched: list = []
        #: the first ChipStatusError (sticky: raised again before any later step)
        self.error: ty.Optional[ChipStatusError] = None

    # ---------------------------------------------------------- building
    def add_input(self, name: str, shape, d_type, now: list, late: list) -> list:
        """Ports for one host OutPort: an immediate PyInPort for the maps in
        `now`, a DeferredInput for those in `late`; returns (port, deferred)."""
        made = []
        if now:
            p = PyInPort.VEC_DENSE(self._process, self, name, shape, d_type)
            self.py_ports.append(p)
            self.immediate.append(InputLink(p, tuple(now)))
            made.append((p, False))
        if late:
            p = DeferredInput(self._process, self, name + "(deferred)", shape, d_type)
            self.py_ports.append(p)
            self.deferred.append(InputLink(p, tuple(late)))
            made.append((p, True))
        return made

    def add_output(self, hout, name: ty.Optional[str], shape=None, d_type=None):
        """The output port for chip OutPort map `hout` (None for no name: unread)."""
        p = None
        if name is not None:
            p = PyOutPort.VEC_DENSE(self._process, self, name, shape, d_type)
            self.py_ports.append(p)
        self.outputs.append(OutputLink(hout, p))
        return p

    def remap(self, host_maps: dict) -> None:
        """Use the recompiled network's host maps (id(old map) -> new map)."""
        self.immediate = [InputLink(lk.port, tuple(host_maps[id(h)] for h in lk.maps))
                          for lk in self.immediate]
        self.deferred = [InputLink(lk.port, tuple(host_maps[id(h)] for h in lk.maps))
                         for lk in self.deferred]
        self.outputs = [OutputLink(host_maps[id(o.hout)], o.port) for o in self.outputs]
        self._encoders = {}
        self.finish()

    def finish(self):
        """Index the host axons of the outputs (after the ports are bound)."""
        spans = sorted(_Span(o.hout.axon_base, o.hout.axon_base + o.hout.size, k)
                       for k, o in enumerate(self.outputs))
        for a, b in zip(spans, spans[1:]):
            if b.lo < a.hi:
                raise ValueError("compiled network: host axon ranges of two chip OutPorts overlap")
        self._spans = spans
        self._decoders = [OutputDecoder(o.hout) for o in self.outputs]

    # ---------------------------------------------------------- encoding
    def encode(self, hin, values, t_sent: int) -> np.ndarray:
        """The spike packets for one host OutPort's values sent in step
        t_sent (``HostInput.flits``: step field t_sent + step_offset)."""
        try:
            return self._encoder(hin).flits(t_sent, values)
        except ValueError as e:
            raise ValueError(f"{hin.port.full_name()} sent a value the chip cannot take in "
                             f"step {t_sent}: {e}") from None

    def _collect(self, t_first: int, n: int) -> tuple[list, ty.Optional[Exception]]:
        """The host values of steps t_first.. (up to n): per step a list of
        (HostInput, value, step sent): deferred values of step t - 1 (none
        before the first step, or when a reload applied them), then
        immediate values of step t. Stops at the first port that fails
        (returned as the error, after the steps before it)."""
        steps = []
        for j in range(n):
            t = self.time_step = t_first + j
            items = []
            try:
                if self.steps_done + j and not self.deferred_done:
                    for lk in self.deferred:
                        x = lk.port.take()
                        items.extend((hin, x, t - 1) for hin in lk.maps)
                for lk in self.immediate:
                    x = lk.port.recv()
                    items.extend((hin, x, t) for hin in lk.maps)
            except Exception as e:      # noqa: BLE001 - raised after the steps before it
                return steps, e
            self.deferred_done = False
            steps.append(items)
        return steps, None

    def _encode_steps(self, steps: list) -> tuple[list, ty.Optional[Exception]]:
        """Each step's spike packets (uint64 flits in port and map order),
        encoded all at once per map; a value the chip cannot take is
        returned as the error, with the packets of the steps before it."""
        if len(steps) < 2:
            return self._encode_each(steps)
        per_map: dict = {}
        for j, items in enumerate(steps):
            for rank, (hin, x, ts) in enumerate(items):
                per_map.setdefault(id(hin), (hin, rank, []))[2].append((j, x, ts))
        parts = []
        for hin, rank, sends in per_map.values():
            enc = self._encoder(hin)
            got = enc.flits_many([ts for _, _, ts in sends], [x for _, x, _ in sends])
            if got is None:
                return self._encode_each(steps)
            rows = np.repeat(np.array([j for j, _, _ in sends], np.int64), got[1])
            parts.append((got[0], rows, rank))
        n = len(steps)
        if not parts or not any(p[0].size for p in parts):
            return [_NO_FLITS] * n, None
        if len(parts) == 1:
            flits, rows, _ = parts[0]
        else:
            flits = np.concatenate([p[0] for p in parts])
            rows = np.concatenate([p[1] for p in parts])
            rank = np.concatenate([np.full(p[0].size, p[2]) for p in parts])
            order = np.lexsort((rank, rows))        # stable: step, then port/map order
            flits, rows = flits[order], rows[order]
        cut = np.searchsorted(rows, np.arange(n + 1)).tolist()
        return [flits[a:b] for a, b in zip(cut[:-1], cut[1:])], None

    def _encode_each(self, steps: list) -> tuple[list, ty.Optional[Exception]]:
        """`_encode_steps` one value at a time (one step, or a value the
        batch encoder leaves to the checked path: the exact error)."""
        out = []
        for items in steps:
            try:
                flits = [f for f in (self.encode(hin, x, ts) for hin, x, ts in items) if f.size]
            except ValueError as e:
                return out, e
            out.append(np.concatenate(flits) if flits else _NO_FLITS)
        return out, None

    def _encoder(self, hin) -> InputEncoder:
        enc = self._encoders.get(id(hin))
        if enc is None:
            enc = self._encoders[id(hin)] = InputEncoder(hin)
        return enc

    # ---------------------------------------------------------- steps
    def run_spk(self):
        self.run_batch(self.time_step, 1)

    def run_batch(self, t_first: int, n: int, watch: tuple = ()) -> None:
        """Run steps t_first .. t_first + n - 1 in one engine call: gather
        each step's host values, encode them (all steps at once),
        ``engine.run_steps`` (STATUS and counters read after every step),
        then deliver every step's host-bound spikes on the output ports,
        record the figures and check the STATUS step by step. The first
        error (a port with nothing to read, a value the chip cannot take, a
        hang, a status flag) is raised after the steps before it are
        delivered; ``time_step`` is the last step run (delivered or failed),
        ``batch_done`` the steps completed. `watch` (``WatchWords``): words
        the engine reads after every step, kept in ``watched`` (one int64
        row per step with a clean STATUS) for the probes."""
        self.batch_done = 0
        self.watched = []
        if self.error is not None:
            raise self.error
        steps, late = self._collect(t_first, n)
        inputs, bad = self._encode_steps(steps)
        late = bad if bad is not None else late
        t0 = CLOCK()
        out = self.engine.run_steps(t_first, inputs, self._status_tiles,
                                    self.tiles if self.read_counters else None,
                                    watch) if watch else \
            self.engine.run_steps(t_first, inputs, self._status_tiles,
                                  self.tiles if self.read_counters else None)
        self.stats.engine_seconds += CLOCK() - t0
        self.watched = out.watched
        try:
            self._deliver_all(out.results, t_first)
            for j, res in enumerate(out.results):
                t = self.time_step = t_first + j
                self.steps_done += 1
                self.stats.record(t, res.cycles, int(inputs[j].size), int(len(res.host_axon)),
                                  out.counters[j] if self.read_counters else None)
                self._check_status(t, out.status[j])
                self.batch_done = j + 1
        finally:
            self.stats.io_cycles = self.engine.io_cycles
        err = out.error if out.error is not None else late
        if err is not None:
            self.time_step = t = t_first + len(out.results)
            if out.error is not None and not hasattr(err, "time_step"):
                try:
                    err.time_step = t
                except AttributeError:   # pragma: no cover
                    pass
            raise err

    def _deliver_all(self, results: list, t_first: int) -> None:
        """Send every step's vector on each output port (``HostOutput.values``
        of the step's host-bound spikes, in the port's dtype)."""
        n = len(results)
        if n < 2:
            for j, res in enumerate(results):
                self._deliver(res, t_first + j)
            return
        ax = np.concatenate([np.asarray(r.host_axon, dtype=np.int64) for r in results])
        pay = np.concatenate([np.asarray(r.host_payload, dtype=np.int64) for r in results])
        if ax.size:
            own = np.zeros(ax.size, dtype=bool)
            for sp in self._spans:
                own |= (ax >= sp.lo) & (ax < sp.hi)
            if not own.all():               # step by step: raises at the step at fault
                for j, res in enumerate(results):
                    self._deliver(res, t_first + j)
                return
        rows = np.repeat(np.arange(n), [len(r.host_axon) for r in results])
        for k, dec in enumerate(self._decoders):
            port = self.outputs[k].port
            if port is None:
                continue
            vals = dec.values(n, rows, ax, pay).astype(port.d_type)
            for j in range(n):
                port.send(vals[j].reshape(port.shape))

    def _deliver(self, res, t):
        """One step's vectors on the output ports; RuntimeError when a spike
        goes to a host axon no chip OutPort owns."""
        ax = np.asarray(res.host_axon, dtype=np.int64)
        pay = np.asarray(res.host_payload, dtype=np.int64)
        owned = 0
        for sp in self._spans:
            link = self.outputs[sp.k]
            if link.port is not None:
                port = link.port
                port.send(link.hout.values(ax, pay).astype(port.d_type).reshape(port.shape))
            owned += int(np.count_nonzero((ax >= sp.lo) & (ax < sp.hi)))
        if owned != ax.size:
            own = np.zeros(ax.size, dtype=bool)
            for sp in self._spans:
                own |= (ax >= sp.lo) & (ax < sp.hi)
            bad = sorted(set(ax[~own].tolist()))[:8]
            raise RuntimeError(f"step {t}: the chip sent spikes to host axons {bad} that no chip "
                               f"OutPort owns (compiled network and chip disagree)")

    def _check_status(self, t: int, status: np.ndarray) -> None:
        """Every tile's STATUS (read after every step: int64 array (tiles,
        2), FLAGS and ERRORS): a flag raises ChipStatusError naming step t
        (the first step after which a flag shows; the flags are sticky) and
        the core. Once raised, the same error is raised again before any
        later step (``error``)."""
        if self.error is not None:
            raise self.error
        if not status.any():
            return
        bad = np.flatnonzero(status.any(axis=1))
        if not bad.size:
            return
        tile = tuple(int(c) for c in self._status_tiles[bad[0]])
        flags, errors = (int(w) for w in status[bad[0]])
        names = tuple(f.name for f in cm.ErrorFlag if flags >> int(f) & 1)
        self.error = ChipStatusError(
            f"step {t}: core {tile} reports error flags {list(names) or hex(flags)} "
            f"({errors} error event(s)); the chip's state is no longer exact "
            "(see docs/errors.md)", time_step=t, tile=tile, flags=names, errors=errors)
        raise self.error
