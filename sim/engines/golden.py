"""The golden-model engine (`engine="model"`): `kilauea.sim.golden.chip.GoldenChip`
behind the `ChipEngine` interface.

It runs the same memory images with the same step semantics and the same
cycle-independent counters as the RTL, but has no clock: `StepResult.cycles`
is None and `io_cycles` stays None.

- `write_words` / `read_words` act as one WRITE / READ packet per word
  (errors set the tile's STATUS flags exactly as the RTL would);
- `load_images` uses the model's bulk `load` (equal to one WRITE per word);
- `read_status` / `read_counters` read the tiles' registers directly (equal
  to their READs, tested);
- `step(t, inputs)` decodes the host's SPIKE flits (dst tile, axon,
  payload, step field), delivers them, runs step t on every tile and
  returns the host-bound spikes (tile row-major, emission, fan-out order).

The checks of host inputs here (`decode_spike_inputs`, `check_on_mesh`,
`check_tile`) are the ones every engine applies (the RTL engines through
`kilauea.sim.engines.hostport_engine`).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...hw import packet, words
from ...hw.memory_map import Mem
from ...hw.neurocore import core_memory as cm
from ...hw.params import ChipParams
from ...hw.words import to_u32
from ..engine import ChipEngine, Images, StepResult, StepsResult, Tile
from ..golden.chip import GoldenChip, MicrocodeNeuronModel

__all__ = ["GoldenEngine", "decode_spike_inputs", "check_on_mesh", "check_tile"]


#: where the fields of a host input flit lie (`words.field_span`, looked up
#: once: every step's inputs are decoded)
_SPIKE_FIELDS = {
    "kind": words.field_span(packet.Packet, "kind"),
    "x": words.field_span(packet.Packet, "dst", "x"),
    "y": words.field_span(packet.Packet, "dst", "y"),
    "host": words.field_span(packet.Packet, "dst", "host"),
    "axon": words.field_span(packet.Packet, "body", "spike", "axon"),
    "payload": words.field_span(packet.Packet, "body", "spike", "payload"),
    "step": words.field_span(packet.Packet, "body", "spike", "step"),
}


def _field(flits: np.ndarray, span) -> np.ndarray:
    """The field at `span` of uint64 flits as int64, sign-extended if signed
    (as `packet.decode_field`)."""
    v = ((flits >> np.uint64(span.offset)) & np.uint64(span.mask)).astype(np.int64)
    return v - ((v >> (span.width - 1)) << span.width) if span.signed else v


def decode_spike_inputs(inputs) -> dict[str, np.ndarray]:
    """The fields of host input flits (uint64): kind, dst x/y/host, axon,
    payload, step (int64 arrays). Raises ValueError on a flit that is not a
    tile-bound SPIKE (the host sends only spikes through `step`)."""
    flits = np.asarray(inputs, dtype=np.uint64).reshape(-1)
    f = {name: _field(flits, span) for name, span in _SPIKE_FIELDS.items()}
    bad = (f["kind"] != packet.Kind.SPIKE.value) | (f["host"] != 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"step input {i} ({int(flits[i]):#018x}) is not a tile-bound SPIKE "
                         f"packet: {packet.decode(int(flits[i]))}")
    return f


def check_on_mesh(params: ChipParams, f: dict, t: int) -> None:
    """Raise ValueError if a decoded input spike is addressed off the mesh."""
    off = ~((f["x"] < params.mesh_w) & (f["y"] < params.mesh_h))
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(f"step {t}: input spike for tile ({f['x'][i]},{f['y'][i]}) outside "
                         f"the {params.mesh_w} x {params.mesh_h} mesh")


def check_tile(params: ChipParams, tile: Tile) -> tuple[int, int]:
    """`tile` as (x, y) ints; ValueError if it is off the mesh."""
    x, y = (int(v) for v in tile)
    if not (0 <= x < params.mesh_w and 0 <= y < params.mesh_h):
        raise ValueError(f"tile {tile} is outside the {params.mesh_w} x "
                         f"{params.mesh_h} mesh")
    return x, y


class GoldenEngine(ChipEngine):
    """The numpy golden model of the whole chip.

    `model_factory(params, x, y)` makes each tile's neuron model (default:
    the microcode interpreter). `self.chip` is the `GoldenChip` (for tests
    and tools that want to look inside)."""

    name = "model"
    cycle_accurate = False

    def __init__(self, params: ChipParams,
                 model_factory: Callable = MicrocodeNeuronModel):
        super().__init__(params)
        self.chip = GoldenChip(params, model_factory)
        self._tile_lists: dict = {}     # tuple of tiles -> their GoldenTiles (checked once)

    def _tile(self, tile: Tile):
        return self.chip.tile(*check_tile(self.params, tile))

    # -- memory access ---------------------------------------------------------
    def write_words(self, tile: Tile, mem: Mem, addr, words) -> None:
        t = self._tile(tile)
        words = np.asarray(words, dtype=np.int64).reshape(-1)
        addrs = self.as_addresses(addr, len(words))
        m = int(Mem(mem).value)
        for a, w in zip(addrs.tolist(), words.tolist()):
            t.write(m, a, w)

    def read_words(self, tile: Tile, mem: Mem, addr) -> np.ndarray:
        t = self._tile(tile)
        a = np.asarray(addr, dtype=np.int64).reshape(-1)
        fast = _array_read(t, mem, a)
        if fast is not None:
            return fast
        m = int(Mem(mem).value)
        return np.array([t.read(m, int(i)) for i in a], dtype=np.int64)

    def read_status(self, tiles) -> np.ndarray:
        """STATUS.FLAGS and STATUS.ERRORS of every tile in `tiles`: int64
        array (len(tiles), 2) (as `HostPortEngine.read_status`)."""
        # STATUS.FLAGS, STATUS.ERRORS (read after every step: no Mem decoding)
        return np.array([(t.flags, t.errors) for t in self._tiles_of(tiles)],
                        dtype=np.int64).reshape(-1, 2)

    def _tiles_of(self, tiles) -> list:
        """The GoldenTiles of a list of tiles (each list checked once)."""
        key = tuple(tuple(t) for t in tiles)
        got = self._tile_lists.get(key)
        if got is None:
            if len(self._tile_lists) > 64:
                self._tile_lists.clear()
            got = self._tile_lists[key] = [self._tile(t) for t in key]
        return got

    def read_counters(self, tiles) -> np.ndarray:
        """Every COUNTERS word of every tile in `tiles`: int64 array
        (len(tiles), len(Counter)), the words READs return (32-bit)."""
        return _counter_words(self._tiles_of(tiles))

    def load_images(self, images: Images) -> None:
        for tile, mems in images.items():
            t = self._tile(tile)
            for mem, words in mems.items():
                words = np.asarray(words)
                if words.size:
                    t.load(Mem(mem), words.reshape(-1), 0)

    # -- running ---------------------------------------------------------------
    def run_steps(self, t_first: int, inputs, status_tiles, counter_tiles=None,
                  watch=()) -> StepsResult:
        """`ChipEngine.run_steps` with the inputs of all steps decoded at
        once (same deliveries, same results) and the `watch` words read
        straight from the memories' arrays (`read_watch`); inputs that do not
        decode, or steps out of order, take the step-by-step path and its
        errors."""
        dec = self._decode_batch(t_first, inputs) if len(inputs) > 1 else None
        if dec is None:             # one step (or bad inputs): `step` per step
            return super().run_steps(t_first, inputs, status_tiles, counter_tiles, watch)
        f, groups = dec
        out = StepsResult()
        tile_index = f["y"] * self.params.mesh_w + f["x"] if groups else None
        stiles = self._tiles_of(status_tiles)
        read_watch = self._watch_reader(watch) if watch else None
        ctiles = self._tiles_of(counter_tiles) if counter_tiles is not None else None
        for j in range(len(inputs)):
            sel = groups.get(j)
            if sel is not None:             # every tile's packets of step j in one delivery
                self.chip.receive(tile_index[sel], f["axon"][sel], f["payload"][sel],
                                  f["step"][sel])
            res = self.chip.step()
            out.results.append(StepResult(t_first + j, res.axon.astype(np.int64),
                                          res.payload.astype(np.int64), None))
            if ctiles is not None:
                out.counters.append(_counter_words(ctiles))
            status = np.array([(t.flags, t.errors) for t in stiles],
                              dtype=np.int64).reshape(-1, 2)
            out.status.append(status)
            if status.any():
                break
            if watch:
                out.watched.append(read_watch())
        return out

    def _watch_reader(self, watch) -> Callable[[], np.ndarray]:
        """A function returning `read_watch(watch)`: the memory arrays and
        addresses looked up once, a gather per step."""
        parts = []
        for w in watch:
            t = self._tile(w.tile)
            a = np.asarray(w.addr, dtype=np.int64).reshape(-1)
            arr = _array_of(t, w.mem, a)
            parts.append((arr, a) if arr is not None else (None, w))
        if all(arr is not None for arr, _ in parts):
            if len(parts) == 1:
                arr, a = parts[0]
                return lambda: arr[a].astype(np.int64)
            return lambda: np.concatenate([arr[a] for arr, a in parts]).astype(np.int64)
        return lambda: self.read_watch(watch)

    def _decode_batch(self, t_first: int, inputs):
        """(fields, groups): the fields of every step's input flits
        (`decode_spike_inputs`) and {j: index array}, the flits of step
        t_first + j (steps with none left out); None when a flit does not
        decode, one is off the mesh or t_first is not the next step."""
        if t_first != self.chip.t + 1:
            return None
        sizes = np.array([np.asarray(x).size for x in inputs], dtype=np.int64)
        if not sizes.any():
            return {}, {}
        try:
            f = decode_spike_inputs(np.concatenate([np.asarray(x, dtype=np.uint64).reshape(-1)
                                                    for x in inputs]))
            check_on_mesh(self.params, f, t_first)
        except ValueError:
            return None
        bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
        groups = {j: np.arange(a, b) for j, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))
                  if b > a}
        return f, groups

    def step(self, t: int, inputs=None) -> StepResult:
        if t != self.chip.t + 1:
            raise ValueError(f"step {t}: steps run in order; the next step is {self.chip.t + 1}")
        if inputs is not None and np.asarray(inputs).size:
            f = decode_spike_inputs(inputs)
            check_on_mesh(self.params, f, t)
            self.chip.receive(f["y"] * self.params.mesh_w + f["x"], f["axon"], f["payload"],
                              f["step"])
        out = self.chip.step()
        return StepResult(t, out.axon.astype(np.int64), out.payload.astype(np.int64), None)


def _array_read(tile, mem: Mem, addr: np.ndarray):
    """The words READs of addresses `addr` of `mem` return, gathered from a
    GoldenTile's memory array (int64, 0 .. 2**32 - 1); None when `mem` is
    not a plain memory (CONFIG, STATUS, COUNTERS, ACCUM) or an address is
    out of range: the word-by-word `GoldenTile.read` (and its error flags)."""
    arr = _array_of(tile, mem, addr)
    return None if arr is None else arr[addr].astype(np.int64)


def _array_of(tile, mem: Mem, addr: np.ndarray):
    """The memory array of `mem` in a GoldenTile when READs of `addr` are
    plain gathers from it; else None (see `_array_read`)."""
    mem = Mem(mem)
    arr = tile.mems.get(mem)
    if arr is None:
        arr = tile.neuron_mems.get(mem)
    n = tile.words.get(mem, tile.neuron_words.get(mem))
    if arr is None or n is None or (addr.size and (addr.min() < 0 or addr.max() >= n)):
        return None
    return arr


def _counter_words(tiles: list) -> np.ndarray:
    """The COUNTERS words (32-bit, as READs return them) of GoldenTiles:
    int64 array (len(tiles), len(Counter))."""
    if tiles and all(t.store is tiles[0].store for t in tiles):     # one gather
        return to_u32(tiles[0].store.counters[[t.i for t in tiles]])
    out = np.empty((len(tiles), len(cm.Counter)), dtype=np.int64)
    for i, t in enumerate(tiles):
        out[i] = t.counters
    return to_u32(out)
