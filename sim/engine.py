"""The interface every chip simulation engine implements.

An engine is one emulated chip of a given shape (`ChipParams`), driven from
the host one time step at a time. Everything crosses the host port as
packets (`kilauea.hw.packet`), or through a backdoor into the simulated
memories that a test proves equal to the packet path:

- `write_words` / `read_words`: WRITE / READ packets (configuration, Var
  get/set, probes, counters);
- `step(t, inputs)`: inject the host's spike packets for step t, start step t
  (CTRL STEP to the host port), run until the barrier (CTRL DONE(t)) and
  return the host-bound spikes of the step;
- `run_steps(t, inputs_per_step, status_tiles, counter_tiles)`: several
  steps in one call, with every tile's STATUS and (optionally) the used
  cores' COUNTERS read after each step, stopping after the first step that
  leaves an error flag (the chip runtime's path: one call per batch of
  steps, `StepsResult`);
- `read_status(tiles)`, `read_counters(tiles)`: STATUS / COUNTERS of many
  tiles at once.

Engines: the golden numpy model (`engine="model"`), the RTL in Amaranth's
simulator (`"pysim"`) and the compiled RTL (`"compiled"`). They run memory
images, never Process graphs; the compiler produces the images.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..hw.memory_map import Mem
from ..hw.params import ChipParams

__all__ = ["StepResult", "StepsResult", "WatchWords", "ChipEngine", "ChipHangError", "Images"]

Tile = tuple[int, int]
Images = Mapping[Tile, Mapping[Mem, np.ndarray]]
"""Memory images: per tile (x, y), per memory, the words from address 0 (uint32)."""


class ChipHangError(RuntimeError):
    """A step did not reach its barrier within the engine's cycle bound.
    The message names the step, the tiles still busy and the packets still
    queued (decoded)."""

    def __init__(self, message: str, step: int, busy_tiles: list[Tile] | None = None,
                 queued: list | None = None):
        super().__init__(message)
        self.step = step
        self.busy_tiles = list(busy_tiles or [])
        self.queued = list(queued or [])


@dataclass
class StepResult:
    """What one step produced.

    host_axon, host_payload: the host-bound spikes of the step, in the order
        the host port delivered them (int64 arrays of equal length); the
        compiler's host axon numbering says which OutPort element each is.
    cycles: clock cycles from the STEP command to DONE (None for engines
        without cycles, i.e. the golden model).
    """
    t: int
    host_axon: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    host_payload: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    cycles: int | None = None


@dataclass
class StepsResult:
    """What `ChipEngine.run_steps` produced.

    results: one StepResult per step run (fewer than asked when a step left
        an error flag, or raised).
    status: per step run, int64 array (len(status_tiles), 2): STATUS.FLAGS
        and STATUS.ERRORS of every tile asked, read after the step.
    counters: per step run, int64 array (len(counter_tiles),
        len(Counter)) of COUNTERS read after the step (empty list when no
        counter tiles were asked).
    watched: per step run whose STATUS was clean, int64 array (words,) of
        the `watch` words read after the step (the words of every
        `WatchWords` in order, 0 .. 2**32 - 1; empty list when nothing was
        watched). A step that left an error flag has no row: the step-by-step
        path raises before its probes read.
    error: the exception the step after the last one in `results` raised
        (e.g. ChipHangError), else None.
    """
    results: list = field(default_factory=list)
    status: list = field(default_factory=list)
    counters: list = field(default_factory=list)
    watched: list = field(default_factory=list)
    error: BaseException | None = None


@dataclass(frozen=True, eq=False)
class WatchWords:
    """Words `run_steps` reads after every step (a probed Var's words on
    one tile): addresses `addr` (int64 array) of memory `mem` of `tile`,
    read as `read_words(tile, mem, addr)` reads them."""
    tile: Tile
    mem: Mem
    addr: np.ndarray

    @property
    def size(self) -> int:
        return int(np.asarray(self.addr).size)


class ChipEngine(abc.ABC):
    """One emulated chip. Subclasses implement the four abstract methods."""

    name: str = "engine"
    #: True when `step` reports clock cycles (RTL engines).
    cycle_accurate: bool = False

    def __init__(self, params: ChipParams):
        self.params = params
        #: clock cycles spent on host reads/writes (probes, Var access), kept
        #: apart from the steps' compute cycles (None: not counted)
        self.io_cycles: int | None = None

    # -- memory access through the host port ------------------------------
    @abc.abstractmethod
    def write_words(self, tile: Tile, mem: Mem, addr, words) -> None:
        """Write `words` (uint32-valued ints) at addresses `addr` (same
        length, or one base address for consecutive words) of `mem` in `tile`."""

    @abc.abstractmethod
    def read_words(self, tile: Tile, mem: Mem, addr) -> np.ndarray:
        """The words (int64, 0..2**32-1) at addresses `addr` of `mem` in `tile`."""

    def read_status(self, tiles) -> np.ndarray:
        """STATUS.FLAGS and STATUS.ERRORS of every tile in `tiles`: int64
        array (len(tiles), 2). Engines override it with one bulk read."""
        from ..hw.neurocore import core_memory as cm
        addrs = np.array([int(cm.Status.FLAGS), int(cm.Status.ERRORS)])
        rows = [np.asarray(self.read_words(t, Mem.STATUS, addrs), dtype=np.int64)
                for t in tiles]
        return np.stack(rows) if rows else np.zeros((0, 2), np.int64)

    def read_counters(self, tiles) -> np.ndarray:
        """Every COUNTERS word of every tile in `tiles`: int64 array
        (len(tiles), len(Counter)), one READ job per tile."""
        from ..hw.neurocore import core_memory as cm
        n = len(cm.Counter)
        rows = [np.asarray(self.read_words(t, Mem.COUNTERS, np.arange(n)), dtype=np.int64)
                for t in tiles]
        return np.stack(rows) if rows else np.zeros((0, n), np.int64)

    def load_images(self, images: Images) -> None:
        """Write whole memory images (each from address 0). Engines may
        override this with a faster path that a test proves equal."""
        for tile, mems in images.items():
            for mem, words in mems.items():
                words = np.asarray(words)
                if words.size:
                    self.write_words(tile, mem, 0, words)

    # -- running ----------------------------------------------------------
    @abc.abstractmethod
    def step(self, t: int, inputs: np.ndarray) -> StepResult:
        """Run time step `t` (counting from 1; steps run in order).

        `inputs` are the host's spike packets for this step (uint64 flits,
        already addressed and stamped with their step field), injected before
        the step starts. Raises ChipHangError when the barrier is not reached
        within the engine's bound."""

    def run_steps(self, t_first: int, inputs: Sequence[np.ndarray], status_tiles,
                  counter_tiles=None, watch: Sequence[WatchWords] = ()) -> StepsResult:
        """Run steps t_first, t_first + 1, ... with `inputs[i]` the spike
        packets of step t_first + i; after each step read the COUNTERS of
        `counter_tiles` (None: none), the STATUS of `status_tiles`, and,
        when the STATUS is clean, the `watch` words (`read_watch`: the
        probes' reads, in `StepsResult.watched`); stop after the first step
        whose STATUS shows a flag or an error count.
        An exception of a step ends the run and is returned in `error`, with
        the steps before it. Same packets, same order, same results as
        `step` + `read_status` + `read_counters` one step at a time (this
        default does exactly that; engines may override it with a faster
        path)."""
        out = StepsResult()
        for i, flits in enumerate(inputs):
            try:
                res = self.step(t_first + i, flits)
            except Exception as e:      # noqa: BLE001 - handed to the caller
                out.error = e
                break
            out.results.append(res)
            if counter_tiles is not None:
                out.counters.append(self.read_counters(counter_tiles))
            status = np.asarray(self.read_status(status_tiles), dtype=np.int64)
            out.status.append(status)
            if status.any():
                break
            if watch:
                out.watched.append(self.read_watch(watch))
        return out

    def read_watch(self, watch: Sequence[WatchWords]) -> np.ndarray:
        """The words of every `WatchWords` in `watch`, concatenated (int64,
        0 .. 2**32 - 1): `read_words` of each, in order (READ packets on the
        RTL engines, counted in `io_cycles` as the probes' reads are)."""
        parts = [np.asarray(self.read_words(w.tile, w.mem, w.addr), dtype=np.int64)
                 .reshape(-1) for w in watch]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def close(self) -> None:
        """Release simulator resources (idempotent)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def as_addresses(addr, n: int) -> np.ndarray:
        """`addr` as an int64 array of n addresses (a scalar is a base)."""
        a = np.asarray(addr, dtype=np.int64)
        if a.ndim == 0:
            return int(a) + np.arange(n, dtype=np.int64)
        if a.size != n:
            raise ValueError(f"{a.size} addresses for {n} words")
        return a.reshape(-1)
