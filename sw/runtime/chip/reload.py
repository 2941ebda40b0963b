"""Carrying a running chip's state into a recompiled network (``ReloadPlan``;
docs/chip-runtime.md, "Setting host-only Vars").

Built before anything is written (it reads the chip and raises when the
state cannot be carried); ``apply`` then writes the new images into the
same engine, clears what the old network used beyond them, and writes the
carried state:

* every named program word (state and per-compartment parameters) of
  every neuron, from its old (tile, compartment) to its new one;
* the accumulators (in-flight synaptic input) of every slot of every
  neuron's groups, mapped through (population, neuron, group key, slot);
  the ring's slots are absolute (t mod D), so time carries over as is;
* host values sent in the last step for chip synapses, which the node
  would inject (deferred) at the next step: they are added to the old
  accumulators through the *old* synapses now (``kilauea.sim.golden.
  delivery.deliver``, as the chip adds a spike), as the CPU's Dense did in
  the step they were sent, and the node skips them next step.

When the recompiled network differs only in synapse and profile words
(``same_layout``), the plan rewrites just those words in place.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from ...core.exceptions import KilaueaError
from ...hw.memory_map import Mem
from ...hw.neurocore import compartment_memory as ncm
from ...hw.neurocore import core_memory as cm
from ...hw.words import to_s32, to_u32, to_word
from ...sim.engines.golden import decode_spike_inputs
from ...sim.golden.delivery import Delivery, deliver
from .node import ChipNode

__all__ = ["ReloadPlan", "same_layout", "remap_host_io"]

_NONE = np.zeros(0, np.int64)


@dataclasses.dataclass(frozen=True)
class WordsAt:
    """Words to write after the images: `values[i]` at address `addr[i]`
    of memory `mem` on tile (`x[i]`, `y[i]`)."""
    x: np.ndarray
    y: np.ndarray
    mem: Mem
    addr: np.ndarray
    values: np.ndarray


@dataclasses.dataclass(frozen=True)
class Patch:
    """Words rewritten in place: `words` at addresses `addr` of `mem` on `tile`."""
    tile: tuple
    mem: Mem
    addr: np.ndarray
    words: np.ndarray


def by_tile(x, y) -> list:
    """((x, y), selection) for each tile present in the coordinate arrays."""
    x = np.asarray(x, dtype=np.int64).reshape(-1)
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    if not x.size:
        return []
    keys = np.unique(np.stack([x, y], axis=1), axis=0)
    return [((int(a), int(b)), np.flatnonzero((x == a) & (y == b))) for a, b in keys.tolist()]


def _name(proc) -> str:
    return getattr(proc, "name", proc)


class ReloadPlan:
    """Carry a running chip's state from compiled network `old` into `new`
    (see the module docstring). ``acc_words``: nonzero accumulator words
    carried; ``moved``: neurons now at another place; ``deferred``: host
    inputs applied now; ``in_place``: only synapse/profile words rewritten."""

    def __init__(self, engine, node: ChipNode, old, new, in_place: bool = True):
        self.engine, self.node, self.old, self.new = engine, node, old, new
        self.params = new.params
        self.moved = 0
        self.take: list = []          # DeferredInputs whose pending value is applied now
        deltas = self._pending_deferred()
        self.in_place = in_place and same_layout(old, new)
        if self.in_place:
            self._plan_in_place(deltas)
            return
        self.words = self._neuron_words()
        acc = self._old_accumulators()
        for tile, d in deltas.items():
            np.add.at(acc[tile], d.index, d.delta)
            acc[tile][...] = to_s32(acc[tile])
        self.new_acc = self._map_accumulators(acc)
        self.moved = sum(int(np.count_nonzero((lo.x != new.layouts[pid].x)
                                              | (lo.y != new.layouts[pid].y)
                                              | (lo.comp != new.layouts[pid].comp)))
                         for pid, lo in old.layouts.items())
        self.acc_words = sum(int(np.count_nonzero(list(d.values())))
                             for d in self.new_acc.values())

    # ---------------------------------------------------------- reading
    def _gather(self, x, y, mem, addr) -> np.ndarray:
        addr = np.asarray(addr, dtype=np.int64).reshape(-1)
        out = np.zeros(addr.size, dtype=np.int64)
        for tile, sel in by_tile(x, y):
            out[sel] = np.asarray(self.engine.read_words(tile, mem, addr[sel]), dtype=np.int64)
        return out

    def _neuron_words(self) -> list[WordsAt]:
        """Every named state and parameter word of every neuron, read at its
        old place, to be written at its new one."""
        out = []
        for pid, lo in self.old.layouts.items():
            ln = self.new.layouts.get(pid)
            if ln is None:
                raise KilaueaError(f"recompiled network lacks population '{_name(lo.process)}'")
            for mem, addr_of, o_tab, n_tab in (
                    (Mem.STATE, ncm.state_addr, lo.program.state, ln.program.state),
                    (Mem.PARAM, ncm.param_addr, lo.program.params, ln.program.params)):
                for name, decl in o_tab.items():
                    if name not in n_tab:
                        continue
                    vals = self._gather(lo.x, lo.y, mem, addr_of(lo.comp, decl.index))
                    out.append(WordsAt(ln.x, ln.y, mem, addr_of(ln.comp, n_tab[name].index),
                                       vals))
        return out

    def _old_accumulators(self) -> dict:
        """tile -> the old network's accumulators (D, rows used) as signed
        values; ``old_acc_addr`` their addresses."""
        p, D = self.params, self.params.n_delay_slots
        used = {}                # tile -> rows used
        for lo in self.old.layouts.values():
            for tile, sel in by_tile(lo.x, lo.y):
                last = _rows(self.old.images, tile, lo.comp[sel], len(lo.group_keys) - 1)
                used[tile] = max(used.get(tile, 0), int(last.max()) + 1)
        self.old_acc_addr = {}
        acc = {}
        for tile, r in used.items():
            addr = cm.acc_addr(p, np.arange(D)[:, None], np.arange(r)[None, :]).reshape(-1)
            self.old_acc_addr[tile] = addr
            acc[tile] = to_s32(self.engine.read_words(tile, Mem.ACCUM, addr)).reshape(D, r)
        return acc

    def _map_accumulators(self, acc: dict) -> dict:
        """tile -> {address: value} of the accumulators in the new network."""
        p, D = self.params, self.params.n_delay_slots
        new_acc: dict = {}
        for pid, lo in self.old.layouts.items():
            ln = self.new.layouts[pid]
            gmap = {k: i for i, k in enumerate(ln.group_keys)}
            for go, key in enumerate(lo.group_keys):
                vals = np.zeros((D, len(lo.comp)), dtype=np.int64)
                for tile, sel in by_tile(lo.x, lo.y):
                    vals[:, sel] = acc[tile][:, _rows(self.old.images, tile, lo.comp[sel], go)]
                if key not in gmap:
                    if np.any(vals):
                        raise KilaueaError(
                            f"cannot change this Var now: population '{_name(lo.process)}' has "
                            f"synaptic input in flight through a connection group "
                            f"({key}) that the new values remove (weight_exp < 0 "
                            f"keeps one accumulator group per delay); set it when no input is "
                            f"in flight, or before the first run")
                    continue
                for tile, sel in by_tile(ln.x, ln.y):
                    rows = _rows(self.new.images, tile, ln.comp[sel], gmap[key])
                    a = cm.acc_addr(p, np.arange(D)[:, None], rows[None, :])
                    new_acc.setdefault(tile, {}).update(
                        zip(a.reshape(-1).tolist(), vals[:, sel].reshape(-1).tolist()))
        return new_acc

    def _pending_deferred(self) -> dict[tuple, Delivery]:
        """The host values waiting for the next step (deferred inputs) as
        accumulator increments through the old synapses: tile -> Delivery."""
        node = self.node
        if not node.steps_done or node.deferred_done:
            return {}
        flits = []
        for lk in node.deferred:
            if not lk.port.pending():
                continue
            x = lk.port.peek()
            self.take.append(lk.port)
            flits.extend(node.encode(hin, x, node.time_step) for hin in lk.maps)
        flits = [f for f in flits if f.size]
        if not flits:
            return {}
        f = decode_spike_inputs(np.concatenate(flits))
        out = {}
        for tile, sel in by_tile(f["x"], f["y"]):
            imgs = self.old.images[tile]
            out[tile] = deliver(self.params, imgs[Mem.AXON], imgs[Mem.SYNAPSE],
                                f["axon"][sel], f["payload"][sel], f["step"][sel])
        return out

    def _plan_in_place(self, deltas: dict) -> None:
        """Only synapse words (and profile words) change: rewrite those in
        place; the neuron state and the accumulators stay where they are
        (plus the pending deferred inputs, added through the old synapses)."""
        self.patch: list[Patch] = []
        for tile, mems in self.new.images.items():
            for mem in (Mem.SYNAPSE, Mem.PROFILE):
                if mem not in mems:
                    continue
                a = np.asarray(self.old.images[tile][mem]).astype(np.int64)
                b = np.asarray(mems[mem]).astype(np.int64)
                d = np.flatnonzero(a != b)
                if d.size:
                    self.patch.append(Patch(tile, mem, d, b[d]))
        self.acc_words = 0
        for tile, dl in deltas.items():
            addr, inv = np.unique(cm.acc_addr(self.params, *dl.index), return_inverse=True)
            add = np.zeros(addr.size, dtype=np.int64)
            np.add.at(add, inv.reshape(-1), dl.delta)
            cur = to_s32(self.engine.read_words(tile, Mem.ACCUM, addr))
            self.patch.append(Patch(tile, Mem.ACCUM, addr, to_word(cur + add)))
            self.acc_words += int(np.count_nonzero(add))

    # ---------------------------------------------------------- writing
    def apply(self) -> None:
        for port in self.take:                       # applied above: not again next step
            port.drop()
        if self.take:
            self.node.deferred_done = True
        if self.in_place:
            for pt in self.patch:
                self.engine.write_words(pt.tile, pt.mem, pt.addr, pt.words)
            return
        self.engine.load_images(self.new.images)
        self._clear_beyond()
        self._write_accumulators()
        for w in self.words:
            addr = np.asarray(w.addr, dtype=np.int64).reshape(-1)
            for tile, sel in by_tile(w.x, w.y):
                self.engine.write_words(tile, w.mem, addr[sel],
                                        to_u32(np.asarray(w.values)[sel]))

    def _clear_beyond(self) -> None:
        """Zero the words the old network used beyond the new one's images."""
        for tile, mems in self.old.images.items():
            nmems = self.new.images.get(tile, {})
            for mem, words in mems.items():
                n_old = np.asarray(words).size
                n_new = np.asarray(nmems.get(mem, ())).size
                if n_old > n_new:
                    self.engine.write_words(tile, mem, np.arange(n_new, n_old),
                                            np.zeros(n_old - n_new, dtype=np.int64))

    def _write_accumulators(self) -> None:
        for tile in sorted(set(self.old_acc_addr) | set(self.new_acc)):
            d = self.new_acc.get(tile, {})
            old_addr = self.old_acc_addr.get(tile, _NONE)
            new_addr = np.fromiter(d.keys(), dtype=np.int64, count=len(d))
            stale = np.setdiff1d(old_addr, new_addr)
            addr = np.concatenate([stale, new_addr])
            vals = np.concatenate([np.zeros(stale.size, np.int64),
                                   np.fromiter(d.values(), dtype=np.int64, count=len(d))])
            keep = (vals != 0) | np.isin(addr, stale) | np.isin(addr, old_addr)
            if keep.any():
                self.engine.write_words(tile, Mem.ACCUM, addr[keep], to_word(vals[keep]))


def same_layout(old, new) -> bool:
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


def remap_host_io(old, new) -> dict:
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


def _rows(images: dict, tile: tuple, comp: np.ndarray, group: int) -> np.ndarray:
    """Accumulator rows of group `group` of compartments `comp` on `tile`:
    their PARAM headers' row base + group (as the core reads them)."""
    param = np.asarray(images[tile][Mem.PARAM]).astype(np.int64)
    base = ncm.unpack_param_acc_row(to_u32(param[np.asarray(comp) * ncm.PARAM_WORDS]))
    return np.asarray(base, dtype=np.int64) + group
