"""Synaptic delivery: what a batch of spike packets adds to one core's
dendritic accumulators, event by event. One pure function, used by the chip
runtime when it carries host input into a reloaded network
(`kilauea.runtime.chip.reload`) and by the tests as the reference of the
golden chip's mesh-wide delivery (`kilauea.sim.golden.mesh.MeshStore.deliver`,
a sparse product over the same tables).

A spike packet (axon a, payload p, step s) arriving at a core reads axon
word a (`core_memory.AXON_LAYOUT`: synapse base, count, graded flag) and
each of its synapse words (`core_memory.synapse_layout`: row, delay,
weight); synapse i adds ``weight_i * (p if graded else 1)``, wrapped to a
signed 32-bit word, to accumulator
``(slot = (s + 1 + delay_i) mod n_delay_slots, row_i)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...hw.neurocore import core_memory as cm
from ...hw.params import ChipParams
from ...hw.words import to_s32

__all__ = ["Delivery", "deliver", "expand"]


def expand(base: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices base[i] .. base[i]+count[i]-1 for all i, and the owner i of each."""
    count = count.astype(np.int64)
    n = len(count)
    if int(count.sum()) == n and (n == 0 or count.min() == 1):      # one each
        return base.astype(np.int64), np.arange(n)
    owner = np.repeat(np.arange(n), count)
    start = np.cumsum(count) - count
    idx = base.astype(np.int64)[owner] + (np.arange(int(count.sum())) - start[owner])
    return idx, owner


@dataclass(frozen=True)
class Delivery:
    """Accumulator increments of a batch of spike packets at one core.

    ``slot``, ``row``, ``delta``: int64 arrays, one entry
    per valid synaptic event (``delta`` a signed 32-bit value; several
    entries may name the same accumulator: add them with ``np.add.at``).
    ``bad_axons``: packets whose axon is out of range or whose synapse span
    leaves the synapse memory (dropped); ``bad_synapses``: synapse words
    naming a row or delay out of range (dropped)."""
    slot: np.ndarray
    row: np.ndarray
    delta: np.ndarray
    bad_axons: int
    bad_synapses: int

    @property
    def index(self) -> tuple[np.ndarray, np.ndarray]:
        """(slot, row): the index of each event into an accumulator array of
        shape (n_delay_slots, 2^acc_row_bits) (`core_memory.acc_addr`)."""
        return self.slot, self.row

    def __len__(self) -> int:
        return int(self.delta.size)


def deliver(params: ChipParams, axon_words, synapse_words, axon, payload, step) -> Delivery:
    """The accumulator increments of spike packets (axon, payload, step:
    broadcastable int arrays; payload 24 bits, step 8 bits) at a core whose
    axon memory holds `axon_words` and synapse memory `synapse_words`
    (uint32 words). Pure: reads the tables, returns the events."""
    p = params
    axon = np.asarray(axon, dtype=np.int64).reshape(-1)
    payload = np.broadcast_to(np.asarray(payload, dtype=np.int64), axon.shape)
    step = np.broadcast_to(np.asarray(step, dtype=np.int64), axon.shape)
    axon_words = np.asarray(axon_words)
    ok = axon < min(p.n_axons, axon_words.size)
    bad_axons = int((~ok).sum())
    axon, payload, step = axon[ok], payload[ok], step[ok]
    ax = cm.unpack_axon(axon_words[axon])
    ok = ax["base"] + ax["count"] <= min(p.n_synapses, np.asarray(synapse_words).size)
    bad_axons += int((~ok).sum())
    idx, owner = expand(ax["base"][ok], ax["count"][ok])
    pay = np.where(ax["graded"][ok].astype(bool), payload[ok], 1)[owner]
    stp = step[ok][owner]
    syn = cm.unpack_synapse(p, np.asarray(synapse_words)[idx])
    valid = (syn["row"] < p.acc_rows) & (syn["delay"] <= p.max_delay)
    slot = (stp + 1 + syn["delay"].astype(np.int64)) % p.n_delay_slots
    delta = to_s32(syn["weight"].astype(np.int64) * pay)
    return Delivery(slot[valid], syn["row"].astype(np.int64)[valid], delta[valid],
                    bad_axons, int((~valid).sum()))
