"""The interface every chip simulation engine implements.

An engine is one emulated chip of a given shape (`ChipParams`), driven from
the host one time step at a time. Everything crosses the host port as
packets (`kilauea.hw.packet`), or through a backdoor into the simulated
memories that a test proves equal to the packet path:

- `write_words` / `read_words`: WRITE / READ packets (configuration, Var
  get/set, probes, counters);
- `step(t, inputs)`: inject the host's spike packets for step t, start step t
  (CTRL STEP to the host port), run until the barrier (CTRL DONE(t)) and
  return the host-bound spikes of the step.

Engines: the golden numpy model (`engine="model"`), the RTL in Amaranth's
simulator (`"pysim"`) and the compiled RTL (`"compiled"`). They run memory
images, never Process graphs; the compiler produces the images.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..hw.memory_map import Mem
from ..hw.params import ChipParams

__all__ = ["StepResult", "ChipEngine", "ChipHangError", "Images"]

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
