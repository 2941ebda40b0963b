"""Seeded random traffic for cocotb benches: host spikes to random tiles and
axons, and READs of random words of random memories (every READ's answer is
then checked by the golden scoreboard). Every generator takes a
`random.Random`, so a bench's seed fixes its traffic.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from ..hw import packet
from ..hw.memory_map import Mem
from ..hw.neurocore import core_memory as cm
from ..hw.params import ChipParams

__all__ = ["WordAddr", "readable_words", "random_reads", "random_spikes"]


@dataclass(frozen=True)
class WordAddr:
    """One memory word of one tile."""
    tile: tuple[int, int]
    mem: Mem
    addr: int


def readable_words(params: ChipParams) -> dict[Mem, int]:
    """Words a READ may address in each memory of a core (the core's own
    memories and the microcode neuron engine's)."""
    from ..hw.neurocore import compartment_memory as ncm
    d = ncm.memory_depths(params)
    return {**cm.mem_words(params), Mem.STATE: d["state"], Mem.PARAM: d["param"],
            Mem.PROFILE: d["profile"], Mem.UCODE: d["ucode"]}


def random_reads(rng: random.Random, params: ChipParams, tiles, n: int,
                 mems=(Mem.STATE, Mem.PARAM, Mem.SYNAPSE, Mem.AXON, Mem.FANOUT, Mem.COUNTERS,
                       Mem.STATUS, Mem.ACCUM, Mem.CONFIG)) -> list[WordAddr]:
    """`n` READ targets: a random tile of `tiles`, memory of `mems`, and a
    word inside that memory."""
    sizes = readable_words(params)
    tiles = [tuple(t) for t in tiles]
    out = []
    for _ in range(n):
        mem = rng.choice(mems)
        out.append(WordAddr(rng.choice(tiles), mem, rng.randrange(sizes[mem])))
    return out


def random_spikes(rng: random.Random, params: ChipParams, n: int, step: int,
                  payload=(-100, 100)) -> np.ndarray:
    """`n` host SPIKE flits (uint64) for random tiles and axons (< n_axons)
    with payloads in `payload` (inclusive) and step field `step` mod 256."""
    x = [rng.randrange(params.mesh_w) for _ in range(n)]
    y = [rng.randrange(params.mesh_h) for _ in range(n)]
    axon = [rng.randrange(params.n_axons) for _ in range(n)]
    pay = [rng.randint(*payload) for _ in range(n)]
    return packet.encode_array(packet.Kind.SPIKE, x, y, axon=axon, payload=pay,
                               step=step % (1 << packet.STEP_BITS))
