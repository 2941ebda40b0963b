"""The RTL engine (`engine="pysim"`): the chip's Amaranth RTL in Amaranth's
Python simulator, driven only through the host port's streams.

One simulation lives as long as the engine. A single testbench coroutine
iterates over clock edges (``async for ... in ctx.tick().sample(...)``) and
serves *jobs* that the engine posts one at a time; the engine advances the
simulator (`Simulator.advance`) only while a job is pending, so nothing is
simulated between calls and the chip keeps its state from step to step.

Host protocol, cycle by cycle (the compiled engine repeats it exactly):

- between jobs the chip is not clocked;
- a job begins with its *pick-up edge*: host_in.valid low and host_out.ready
  as the previous job left it; a flit the chip hands over at that edge
  belongs to the job; this edge is not counted;
- after every edge: host_out.ready is set from `hold_host_out` (high unless
  held), then the next flit is presented if none is waiting (a flit is taken
  at an edge where `valid & ready`). A READ is presented only while fewer
  than `max_host_reads` are outstanding; it gets the oldest free tag (tags
  start as 0..cap-1 in order; an answered tag goes to the back);
- the job's cycle count is the number of edges after the pick-up edge, up
  to and including the edge that completes it; valid is then lowered.

Jobs:

- WRITE: one WRITE flit per word; done when the host port has taken the last
  flit (the words land a few cycles later, in order with anything sent after);
- READ: one READ flit per word, tagged, at most `max_host_reads` outstanding
  (the host port's cap); done when every READ_RESP is in;
- STEP(t): the step's input SPIKE flits, then CTRL STEP(t) to the host port;
  done when CTRL DONE(t) arrives. The host-bound SPIKEs received on the way
  are the step's output, in arrival order. `StepResult.cycles` counts this
  job's edges; read/write jobs add to `io_cycles`.

A job that does not finish within its cycle bound (`max_cycles` for a step;
`max_cycles` + 8 per flit for reads/writes) raises `ChipHangError` with the
NoC's diagnostic snapshot (`kilauea.sim.diagnose`): the tiles still busy and
every queued flit.

`load_images` writes the memories through the simulator (a *backdoor*:
`Memory` rows set by the testbench at one instant, after the chip has drained)
and the CONFIG registers with WRITE packets; `backdoor=False` sends every word
as a WRITE packet. tests/sim proves both give the same chip.

`trace="run.vcd"` writes a VCD of the whole design; `trace_steps=(a, b)`
keeps only steps a..b (the file is cut when the engine is closed).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np
from amaranth.hdl import Value
from amaranth.sim import Simulator

from ...hw import packet
from ...hw.neurocore.compartment_memory import bank_images
from ...hw.params import ChipParams
from ..engine import Images, StepResult
from .hostport_engine import DEFAULT_MAX_CYCLES, HostPortEngine, RawJob
from .vcd import window_vcd

__all__ = ["PysimEngine", "build_chip", "CLOCK_PERIOD_S", "DEFAULT_MAX_CYCLES"]

CLOCK_PERIOD_S = 1e-6            # simulated clock period (1 MHz: VCD times in us)

_KIND_OFF, _KIND_W, _ = packet.field_span("kind")
_KIND_MASK = (1 << _KIND_W) - 1
_K_SPIKE = packet.Kind.SPIKE.value
_K_RESP = packet.Kind.READ_RESP.value
_K_CTRL = packet.Kind.CTRL.value
_K_READ = packet.Kind.READ.value
_TAG_OFF, _TAG_W, _ = packet.field_span("body", "read", "tag")
_RTAG_OFF, _RTAG_W, _ = packet.field_span("body", "read_resp", "tag")


def build_chip(params: ChipParams, timeout_cycles: int | None = None,
               clear_memories: bool = False):
    """The chip top, `kilauea.hw.chip.Chip` (the NoC with a neurocore per tile);
    its memory clear after reset off unless `clear_memories` (the simulated
    memories start at zero, as the clear leaves them: `kilauea.hw.neurocore.
    memory_clear`)."""
    from ...hw.chip import Chip
    from ...hw.neurocore.memory_clear import clear_at_reset
    kw = {} if timeout_cycles is None else {"timeout_cycles": timeout_cycles}
    return clear_at_reset(Chip(params, **kw), clear_memories)


@dataclass
class _Job:
    kind: str                        # "step", "write", "read", "backdoor", "idle"
    flits: list                      # ints, presented in order
    bound: int                       # cycle bound
    t: int = 0                       # step number (step jobs) / last step (others)
    # results
    done: bool = False
    cycles: int = 0
    spikes: list = field(default_factory=list)       # host-bound SPIKE flits
    resp: dict = field(default_factory=dict)         # read index -> data
    other: list = field(default_factory=list)        # unexpected flits from the chip
    hang: object = None                              # NocSnapshot on a hang
    backdoor: list = field(default_factory=list)     # (MemoryData, addrs, words)


class PysimEngine(HostPortEngine):
    """The chip RTL in Amaranth's simulator.

    Parameters
    ----------
    params : the chip's shape.
    trace : path of a VCD file to write (None: no waveforms).
    trace_steps : (first, last) steps to keep in the VCD (None: everything).
    max_cycles : cycle bound of one step (ChipHangError beyond it).
    backdoor : `load_images` writes memories directly (True) or as WRITE packets.
    chip : an already built chip top (default: `build_chip(params)`).
    """

    name = "pysim"

    def __init__(self, params: ChipParams, trace: str | os.PathLike | None = None,
                 trace_steps: tuple[int, int] | None = None,
                 max_cycles: int = DEFAULT_MAX_CYCLES, backdoor: bool = True, chip=None):
        super().__init__(params, trace, trace_steps, max_cycles, backdoor)
        #: edges simulated so far (all jobs, plus one pick-up edge per job)
        self.total_cycles = 0
        self.host_out_ready = True
        self.chip = chip if chip is not None else build_chip(params)
        self._job: _Job | None = None
        self._closed = False
        self._broken: BaseException | None = None
        self._sim = Simulator(self.chip)
        self._sim.add_clock(CLOCK_PERIOD_S)
        self._bench_added = False       # added at the first job (never-run coroutines warn)
        self._step_edges: dict[int, tuple[int, int]] = {}
        self._vcd_cm = None
        if self._trace is not None:
            raw = self._trace + ".full" if trace_steps is not None else self._trace
            self._vcd_cm = self._sim.write_vcd(raw)
            self._vcd_cm.__enter__()
        self.sim_seconds = 0.0          # wall time spent in the simulator

    # -- the testbench ------------------------------------------------------------
    async def _bench(self, ctx):
        chip = self.chip
        hin, hout = chip.host_in, chip.host_out
        in_valid, in_ready = hin.valid, hin.ready
        in_payload = Value.cast(hin.payload)
        out_valid, out_ready = hout.valid, hout.ready
        out_payload = Value.cast(hout.payload)
        ctx.set(out_ready, 1)
        ready_now = True
        presenting = False           # a flit of the job is on host_in
        valid_hw = False             # host_in.valid as driven
        job = None
        idx = 0                      # next flit of the job to present
        cap = self.params.max_host_reads
        free_tags: list[int] = []
        tag_of: dict[int, int] = {}  # tag -> read index
        outstanding = 0

        async for _clk, _rst, taken_in, got_out, flit in ctx.tick().sample(
                in_ready, out_valid, out_payload):
            self.total_cycles += 1
            # what happened at this edge
            if presenting and taken_in:
                presenting = False
                if job is not None:
                    f = job.flits[idx]
                    if (f >> _KIND_OFF) & _KIND_MASK == _K_READ:
                        outstanding += 1
                    idx += 1
            received = got_out and ready_now
            if job is None:
                if self._job is None:      # cannot happen: edges run only for a job
                    continue
                # pick up a new job (this edge is not counted; what it received
                # belongs to the job)
                job = self._job
                idx = 0
                outstanding = 0
                free_tags = list(range(cap))
                tag_of = {}
            else:
                job.cycles += 1
            if job.kind == "backdoor":
                # wait until the chip is quiet, then write the memories at once
                if received:
                    job.other.append(flit)
                if self._quiet(ctx):
                    for data, addrs, words in job.backdoor:
                        for a, w in zip(addrs, words):
                            ctx.set(Value.cast(data[a]), w)
                    job.done = True
                elif job.cycles >= job.bound:
                    from ..diagnose import snapshot
                    job.hang = await snapshot(ctx, chip)
                    job.done = True
                if job.done:
                    self._job = job = None
                continue
            if received:
                kind = (flit >> _KIND_OFF) & _KIND_MASK
                if kind == _K_SPIKE and job.kind == "step":
                    job.spikes.append(flit)
                elif kind == _K_RESP and job.kind == "read":
                    tag = (flit >> _RTAG_OFF) & ((1 << _RTAG_W) - 1)
                    i = tag_of.pop(tag, None)
                    if i is None:
                        job.other.append(flit)
                    else:
                        job.resp[i] = flit
                        free_tags.append(tag)
                        outstanding -= 1
                elif (kind == _K_CTRL and job.kind == "step"
                      and packet.decode(flit).op == packet.CtrlOp.DONE):
                    if packet.decode(flit).arg == job.t:
                        job.done = True
                    else:
                        job.other.append(flit)
                else:
                    job.other.append(flit)
            if job.kind == "write" and idx == len(job.flits):
                job.done = True
            elif job.kind == "read" and idx == len(job.flits) and outstanding == 0:
                job.done = True
            elif job.kind == "idle" and job.cycles >= job.bound:
                job.done = True
            if not job.done and job.cycles >= job.bound:
                from ..diagnose import snapshot
                job.hang = await snapshot(ctx, chip)
                job.done = True
            if job.done:
                presenting = False
                if valid_hw:
                    valid_hw = False
                    ctx.set(in_valid, 0)
                self._job = job = None
                continue
            # present the next flit (or nothing)
            if ready_now != self.host_out_ready:
                ready_now = self.host_out_ready
                ctx.set(out_ready, int(ready_now))
            if not presenting and idx < len(job.flits):
                f = job.flits[idx]
                if (f >> _KIND_OFF) & _KIND_MASK == _K_READ:
                    if outstanding >= cap or not free_tags:
                        f = None
                    else:
                        tag = free_tags.pop(0)
                        tag_of[tag] = idx
                        f |= tag << _TAG_OFF
                if f is not None:
                    ctx.set(in_payload, f)
                    presenting = True
            if presenting != valid_hw:
                valid_hw = presenting
                ctx.set(in_valid, int(valid_hw))

    def _quiet(self, ctx) -> bool:
        """The chip is quiet: host port idle with empty queues, every router
        empty, every core idle."""
        hp, mesh = self.chip.hostport, self.chip.mesh
        return bool(ctx.get(mesh.quiet) and not ctx.get(hp.stepping)
                    and ctx.get(hp.in_fifo.level) == 0 and ctx.get(hp.queued) == 0
                    and all(ctx.get(mesh.tiles[x][y].idle) for x, y in self.params.tiles()))

    # -- running jobs -----------------------------------------------------------
    def _run(self, job: _Job, check: bool = True) -> _Job:
        if self._closed:
            raise RuntimeError("the engine is closed")
        if self._broken is not None:
            raise RuntimeError(f"the simulation stopped with an error earlier: {self._broken!r}")
        if not self._bench_added:
            self._sim.add_testbench(self._bench, background=True)
            self._bench_added = True
        self._job = job
        t0 = time.perf_counter()
        adv = self._sim.advance
        try:
            while not job.done:
                adv()
        except BaseException as e:       # the testbench died: nothing can run any more
            self._broken = e
            self._job = None
            raise
        finally:
            self.sim_seconds += time.perf_counter() - t0
        if job.kind != "step":
            self.io_cycles += job.cycles
        if job.hang is not None:
            what = f"step {job.t}" if job.kind == "step" else f"{job.kind} after step {job.t}"
            raise self._hang_error(what, job.bound, job.t, job.hang)
        if check:
            self._check_other(f"{job.kind} job", job.other)
        return job

    def _raw_job(self, kind: str, flits: np.ndarray, bound: int, t: int) -> RawJob:
        job = self._run(_Job(kind, [int(f) for f in flits], bound, t=t), check=False)
        return RawJob(np.array(job.spikes, np.uint64), np.array(job.other, np.uint64),
                      job.cycles, kind == "step")

    # -- memory access (write_words / read_words: HostPortEngine) --------------------
    def _send_writes(self, flits: np.ndarray) -> None:
        self._run(_Job("write", [int(f) for f in flits], self._io_bound(len(flits)), t=self.t))

    def _send_reads(self, flits: np.ndarray) -> np.ndarray:
        job = self._run(_Job("read", [int(f) for f in flits], self._io_bound(len(flits)),
                             t=self.t))
        return np.array([job.resp[i] for i in range(len(flits))], dtype=np.uint64)

    def load_images(self, images: Images) -> None:
        if not self.backdoor:
            return super().load_images(images)
        job = _Job("backdoor", [], self._io_bound(0), t=self.t)
        for x, y, mem, words, memory in self._backdoor_images(images, self.chip.memories):
            self._check_fits(x, y, mem, words, memory.depth)
            for bank, part in bank_images(memory, words):
                job.backdoor.append((bank.data, range(len(part)), part.tolist()))
        self._run(job)

    # -- running ----------------------------------------------------------------------
    def step(self, t: int, inputs=None) -> StepResult:
        flits = [int(w) for w in self._step_flits(t, inputs)]
        start = self.total_cycles
        try:
            job = self._run(_Job("step", flits, self.max_cycles, t=t))
        finally:
            self.t = t
        self._step_edges[t] = (start, self.total_cycles)
        return self._spike_result(t, job.spikes, job.cycles)

    def hold_host_out(self, hold: bool = True) -> None:
        """Stop (True) or resume (False) taking flits from `host_out` (for
        tests and debugging of back-pressure and hangs)."""
        self.host_out_ready = not hold

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._vcd_cm is not None:
            self._vcd_cm.__exit__(None, None, None)
            self._vcd_cm = None
            if self._trace_steps is not None:
                edges = [e for s, e in self._step_edges.items() if self._traced(s)]
                raw = self._trace + ".full"
                if edges:
                    period_fs = round(CLOCK_PERIOD_S * 1e15)
                    t0 = edges[0][0] * period_fs
                    t1 = (edges[-1][1] + 1) * period_fs
                    window_vcd(raw, self._trace, t0, t1)
                else:
                    window_vcd(raw, self._trace, 0, 0)
                os.remove(raw)
