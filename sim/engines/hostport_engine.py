"""What the two RTL engines share (`PysimEngine`, `CompiledEngine`): they drive
the same chip top through its host port with the same protocol, so the
packet side of every job is built and checked here, once:

- tile checks, WRITE / READ flits of `write_words` / `read_words`, and the
  decoding and checking of the READ_RESP flits;
- a step's flits (its input SPIKE flits, checked, then CTRL STEP(t)) and the
  decoding of the host-bound SPIKEs it returns;
- the filter of stray flits from the chip (host-port STATUS reports without
  REJECTED are harmless; anything else is an error);
- `ChipHangError` composed from the NoC's diagnostic snapshot.

A subclass runs the jobs on its simulator: `_send_writes(flits)`,
`_send_reads(flits)` (returns the READ_RESP flits in read order), `step` and
`_raw_job` (one job with no checks of what comes back: fault injection,
`inject` / `step_injecting`).
The protocol itself, cycle by cycle, is in `kilauea.sim.engines.pysim`'s
docstring.
"""
from __future__ import annotations

import abc
import os
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import numpy as np

from ...hw import packet
from ...hw.memory_map import Mem
from ...hw.neurocore.core_memory import Status
from ...hw.params import ChipParams
from ...hw.words import to_u32
from ..engine import ChipEngine, ChipHangError, Images, StepResult, Tile
from .golden import check_on_mesh, check_tile, decode_spike_inputs

__all__ = ["HostPortEngine", "DEFAULT_MAX_CYCLES", "INJECT_SETTLE_CYCLES", "RawJob", "step_flit"]

DEFAULT_MAX_CYCLES = 200_000     # cycle bound of one step before ChipHangError
SETTLE_CYCLES = 10_000           # least cycle bound of the first job after a hang
INJECT_SETTLE_CYCLES = 256       # idle edges after an injection, for the chip's answers

_FLAGS, _ERRORS = int(Status.FLAGS), int(Status.ERRORS)
_STEP0 = packet.Ctrl(packet.HOST, packet.CtrlOp.STEP, arg=0).encode()
_ARG_OFF, _ARG_W, _ = packet.field_span("body", "ctrl", "arg")


def step_flit(t: int) -> int:
    """The CTRL STEP(t) flit to the host port (`packet.Ctrl(...).encode()`,
    precomputed: it is sent every step)."""
    if not 0 <= t < 1 << _ARG_W:
        raise ValueError(f"step {t} does not fit the CTRL arg field")
    return _STEP0 | (t << _ARG_OFF)


@dataclass(frozen=True)
class RawJob:
    """What one unchecked job brought back: the host-bound SPIKE flits of a
    step job, every other flit from the chip (uint64 each), the job's counted
    edges, and whether CTRL DONE(t) of the job's step arrived."""
    spikes: np.ndarray
    other: np.ndarray
    cycles: int
    done: bool


class HostPortEngine(ChipEngine):
    """Base of the engines that run the chip RTL through its host port.

    Keeps `max_cycles`, `backdoor`, `io_cycles`, `t` (the last step run) and
    the trace settings (`_trace`, `_trace_steps`); the subclass keeps its
    own `_closed` flag and its simulator."""

    cycle_accurate = True

    def __init__(self, params: ChipParams, trace: str | os.PathLike | None,
                 trace_steps: tuple[int, int] | None, max_cycles: int, backdoor: bool):
        super().__init__(params)
        if max_cycles < 1:
            raise ValueError(f"max_cycles={max_cycles}: must be positive")
        self.max_cycles = int(max_cycles)
        self.backdoor = bool(backdoor)
        self.io_cycles = 0
        self.t = 0                      # last step run
        #: the step (or last step) of a job that hung, until the chip has settled:
        #: the next job waits longer and takes the hung job's late flits
        self.hung: int | None = None
        self._prev_job = "none"         # the job before the present one (for refusals)
        self._trace = os.fspath(trace) if trace is not None else None
        self._trace_steps = trace_steps

    # -- what the simulator does ------------------------------------------------
    @abc.abstractmethod
    def _send_writes(self, flits: np.ndarray) -> None:
        """Run a WRITE job of `flits` (uint64)."""

    @abc.abstractmethod
    def _send_reads(self, flits: np.ndarray) -> np.ndarray:
        """Run a READ job of `flits` (uint64, tag 0); the READ_RESP flits
        (uint64), one per READ, in the order of the READs."""

    @abc.abstractmethod
    def _raw_job(self, kind: str, flits: np.ndarray, bound: int, t: int) -> RawJob:
        """Run one job as the protocol says (`kind` "write", "idle" (`bound`
        edges, nothing presented) or "step" (wait for DONE(t))) without
        checking what the chip sends back; ChipHangError past `bound`."""

    # -- shared checks ------------------------------------------------------------
    def _tile(self, tile: Tile) -> tuple[int, int]:
        return check_tile(self.params, tile)

    def _io_bound(self, n: int) -> int:
        """Cycle bound of a read/write job of n flits (after a hang: at least
        SETTLE_CYCLES, so that a step that was only slow can end first)."""
        base = self.max_cycles if self.hung is None else max(self.max_cycles, SETTLE_CYCLES)
        return base + 8 * n

    @staticmethod
    def _harmless(flit: int) -> bool:
        """Host-port STATUS reports without REJECTED (e.g. a late HANG notice)."""
        from ...hw.hostport import STATUS_REJECTED
        try:
            p = packet.decode(flit)
        except ValueError:
            return False
        return (isinstance(p, packet.Ctrl) and p.op == packet.CtrlOp.STATUS
                and not p.arg & STATUS_REJECTED)

    def _late(self, p) -> bool:
        """After a hang: `p` is a late flit of the hung job (its step's DONE,
        a host-port STATUS notice, the answer to an abandoned READ)."""
        if isinstance(p, packet.Ctrl):
            return p.op == packet.CtrlOp.STATUS or (
                p.op == packet.CtrlOp.DONE and p.arg == self.hung % (1 << _ARG_W))
        return isinstance(p, packet.ReadResp)

    def _check_other(self, what: str, flits) -> None:
        """Raise RuntimeError if the flits a job did not expect (ints) hold
        anything but harmless STATUS reports, or, after a hang, the late
        flits of the hung job (the job that calls this completed: the chip
        has settled)."""
        bad, refused = [], False
        for f in flits:
            f = int(f)
            if self._harmless(f):
                continue
            try:
                p = packet.decode(f)
            except ValueError:
                p = None
            if self.hung is not None and p is not None and self._late(p):
                continue
            bad.append(f"{p}" if p is not None else hex(f))
            refused = refused or self._refusal(p)
        self.hung = None
        prev, self._prev_job = self._prev_job, f"{what} (after step {self.t})"
        if bad:
            why = (f" (STATUS with REJECTED: the host port refused a packet the host sent in "
                   f"this job or the one before, {prev})" if refused else "")
            raise RuntimeError(f"{what}: unexpected packets from the chip{why}: "
                               + "; ".join(bad[:8]))

    @staticmethod
    def _refusal(p) -> bool:
        """`p` is the host port's notice of a refused packet."""
        from ...hw.hostport import STATUS_REJECTED
        return (isinstance(p, packet.Ctrl) and p.op == packet.CtrlOp.STATUS
                and bool(p.arg & STATUS_REJECTED))

    def _hang_error(self, what: str, bound: int, t: int, snap) -> ChipHangError:
        """The ChipHangError of a job `what` that missed its bound, from the
        NoC snapshot `snap` (`kilauea.sim.diagnose.NocSnapshot`)."""
        self.hung = t
        busy = [(ts.x, ts.y) for ts in snap.busy_tiles]
        queued = [(f.where, f.flits) for f in snap.queued]
        return ChipHangError(f"{what} did not complete within {bound} cycles "
                             f"(engine {self.name}):\n{snap.describe()}", t, busy, queued)

    # -- memory access --------------------------------------------------------------
    def write_words(self, tile: Tile, mem: Mem, addr, words) -> None:
        x, y = self._tile(tile)
        words = to_u32(np.asarray(words, dtype=np.int64).reshape(-1))
        if not words.size:
            return
        addrs = self.as_addresses(addr, len(words))
        flits = packet.encode_array(packet.Kind.WRITE, x, y, 0, mem=int(Mem(mem).value),
                                    addr=addrs, data=words)
        self._send_writes(flits)

    def read_words(self, tile: Tile, mem: Mem, addr) -> np.ndarray:
        addrs = np.asarray(addr, dtype=np.int64).reshape(-1)
        if not addrs.size:
            return np.zeros(0, np.int64)
        return self._read_tiles([tile], mem, addrs).reshape(-1)

    def read_status(self, tiles) -> np.ndarray:
        """STATUS.FLAGS and STATUS.ERRORS of every tile in `tiles`: int64
        array (len(tiles), 2), read in one READ job (checked after every
        step, so it is one job, not one per tile)."""
        if not len(tiles):
            return np.zeros((0, 2), np.int64)
        return self._read_tiles(tiles, Mem.STATUS, np.array([_FLAGS, _ERRORS])).astype(np.int64)

    def _read_tiles(self, tiles, mem: Mem, addrs: np.ndarray) -> np.ndarray:
        """Words `addrs` of memory `mem` of every tile in `tiles`, in one READ
        job: array (len(tiles), len(addrs)); answers from another tile raise."""
        tiles = [self._tile(t) for t in tiles]
        flits = np.concatenate([
            packet.encode_array(packet.Kind.READ, x, y, 0, mem=int(Mem(mem).value),
                                addr=addrs, tag=0, reply={"host": 1})
            for x, y in tiles])
        words = self._send_reads(flits)
        src = np.stack([packet.decode_field(words, "body", "read_resp", k)
                        for k in ("src_x", "src_y")], axis=1).reshape(len(tiles), len(addrs), 2)
        if (src != np.array(tiles)[:, None, :]).any():
            bad = sorted({tuple(t) for t, s in zip(tiles, src) if (s != t).any()})
            raise RuntimeError(f"read of tile(s) {bad} answered by another tile")
        return packet.decode_field(words, "body", "read_resp", "data").reshape(len(tiles), len(addrs))

    def _backdoor_images(self, images: Images,
                         memories_of: Callable[[int, int], Mapping[Mem, object]]) -> Iterator:
        """Walk `images` for a backdoor load, in order: yield (x, y, mem, words,
        memory) for each non-empty image (int64 words, masked to 32 bits) of a
        memory in `memories_of(x, y)` (Mem -> the simulator's memory), and send
        the other images (registers: CONFIG, STATUS) as WRITE packets on the way."""
        for tile, mems in images.items():
            x, y = self._tile(tile)
            memories = memories_of(x, y)
            for mem, words in mems.items():
                mem = Mem(mem)
                words = to_u32(np.asarray(words).astype(np.int64).reshape(-1))
                if not words.size:
                    continue
                if mem in memories:
                    yield x, y, mem, words, memories[mem]
                else:
                    self.write_words((x, y), mem, 0, words)

    @staticmethod
    def _check_fits(x: int, y: int, mem: Mem, words: np.ndarray, depth: int) -> None:
        """ValueError if an image of `words` is deeper than its memory."""
        if words.size > depth:
            raise ValueError(f"tile ({x},{y}): image of {len(words)} words does "
                             f"not fit memory {mem.name} ({depth} words)")

    # -- steps ------------------------------------------------------------------------
    def _step_flits(self, t: int, inputs) -> np.ndarray:
        """The flits of step t (uint64): the input SPIKE flits, checked (tile-bound
        SPIKEs on the mesh), then CTRL STEP(t). Steps run in order."""
        if t != self.t + 1:
            raise ValueError(f"step {t}: steps run in order; the next step is {self.t + 1}")
        ctrl = step_flit(t)
        if inputs is not None and np.asarray(inputs).size:
            f = decode_spike_inputs(inputs)
            check_on_mesh(self.params, f, t)
            return np.append(np.asarray(inputs, dtype=np.uint64).reshape(-1), np.uint64(ctrl))
        return np.array([ctrl], dtype=np.uint64)

    def _traced(self, t: int) -> bool:
        """Step t is inside the trace window (`trace_steps`, or every step)."""
        return self._trace_steps is None or self._trace_steps[0] <= t <= self._trace_steps[1]

    @staticmethod
    def _spike_result(t: int, spikes, cycles: int) -> StepResult:
        """The StepResult of step t from its host-bound SPIKE flits."""
        out = np.asarray(spikes, dtype=np.uint64)
        return StepResult(t, packet.decode_field(out, "body", "spike", "axon"),
                          packet.decode_field(out, "body", "spike", "payload"), cycles)

    # -- fault injection --------------------------------------------------------------
    def inject(self, flits, delay: int = 0,
               settle: int = INJECT_SETTLE_CYCLES) -> np.ndarray:
        """Between steps: clock `delay` idle edges, present the raw `flits`
        (uint64, any kind, malformed or not, sent as they are except that a
        READ gets a free tag as every host read does) to the host port, then
        clock `settle` idle edges. Returns every flit the chip sent to the host
        meanwhile (refusal notices, answers; uint64), unchecked. For fault
        injection (bench/fuzz.py): nothing the chip answers raises."""
        got = []
        if delay:
            got.append(self._raw_job("idle", _NONE, int(delay), self.t).other)
        got.append(self._raw_job("write", _u64(flits), self._io_bound(len(flits)), self.t).other)
        got.append(self._raw_job("idle", _NONE, int(settle), self.t).other)
        return np.concatenate(got)

    def step_injecting(self, t: int, inputs, flits, position: int, delay: int = 0,
                       settle: int = INJECT_SETTLE_CYCLES) -> tuple[StepResult, np.ndarray]:
        """Step t (as `step`) with the raw `flits` presented among the step's
        own flits (its input SPIKE flits, then CTRL STEP(t)): after the first
        `position` of them and `delay` idle edges, then the rest; `settle`
        idle edges follow DONE(t). Flits presented after STEP(t) wait in the
        host port until the step's barrier (the port's rule). Returns the
        step's result (`cycles`: every counted edge of its jobs) and the other
        flits the chip sent to the host (uint64), unchecked."""
        own = self._step_flits(t, inputs)
        if not 0 <= position <= len(own):
            raise ValueError(f"position {position}: the step has {len(own)} flits")
        flits = _u64(flits)
        jobs = [("write", own[:position])] if position else []
        jobs += [("idle", _NONE)] if delay else []
        jobs += [("write", flits)] + ([("write", own[position:])] if position < len(own) else [])
        spikes, other, cycles, done = [], [], 0, False
        try:
            for kind, fl in jobs + [("step", _NONE)]:
                if kind == "step" and done:
                    break
                bound = int(delay) if kind == "idle" else self._io_bound(len(fl))
                r = self._raw_job(kind, fl, bound, t)
                cycles += r.cycles
                done = done or r.done
                spikes.append(r.spikes)
                for f in r.other.tolist():
                    if f >> _KIND_OFF & _KIND_MASK == packet.Kind.SPIKE.value:
                        spikes.append(np.array([f], np.uint64))
                    elif _is_done(f, t):
                        done = True
                    else:
                        other.append(f)
        finally:
            self.t = t
        other.extend(self._raw_job("idle", _NONE, int(settle), t).other.tolist())
        return (self._spike_result(t, np.concatenate(spikes), cycles),
                np.array(other, dtype=np.uint64))

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


_NONE = np.zeros(0, np.uint64)
_KIND_OFF, _KIND_W, _ = packet.field_span("kind")
_KIND_MASK = (1 << _KIND_W) - 1


def _u64(flits) -> np.ndarray:
    return np.asarray(flits, dtype=np.uint64).reshape(-1)


def _is_done(flit: int, t: int) -> bool:
    """`flit` is CTRL DONE(t) (the host port's end of step t)."""
    try:
        p = packet.decode(flit)
    except ValueError:
        return False
    return (isinstance(p, packet.Ctrl) and p.op == packet.CtrlOp.DONE
            and p.arg == t % (1 << _ARG_W))
