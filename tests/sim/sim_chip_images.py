"""Hand-built memory images of a small chip for the engine tests: one LIF
population per tile, random axons/synapses (delays, several words per axon),
fan-out to other tiles and to the host, and a seeded host input schedule."""
from __future__ import annotations

import numpy as np

from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.words import to_word
from kilauea.hw.params import ChipParams
from kilauea.neurons.builder import acc_row_bases, core_images
from kilauea.neurons.library import graded_relu_vec, lif, lif_refractory

SMALL = ChipParams(mesh_w=2, mesh_h=2, n_compartments=16, n_synapses=256, n_axons=32,
                   n_fanout=64, n_ucode=64, n_profiles=4, n_delay_slots=4, n_acc_groups=1)
#: two accumulator groups, two profiles per core (LIFRefractory + graded ReLU);
#: two accumulator rows per compartment
MIXED = SMALL.with_(n_acc_groups=2, n_delay_slots=8, n_acc_rows=32)
#: the CXXRTL back end's test chip: two tiles, one neuron lane. g++ compiles
#: CXXRTL's flattened model superlinearly in its size (SMALL: 17-40 min on
#: 2 cores, this shape: about 90 s); Verilator tests the lanes on SMALL.
CXX_SMALL = SMALL.with_(mesh_h=1, n_lanes=1)


def _populations(params: ChipParams, rng, n: int, mixed: bool):
    if not mixed:
        return [(lif(), n, {"du": 1024, "dv": 256, "vth": 300,
                            "bias_mant": rng.integers(0, 40, n), "bias_exp": 6})]
    g = params.n_acc_groups
    n1 = n // 2
    return [(lif_refractory(g), n1, {"du": 1024, "dv": 256, "vth": 300, "refractory_period": 2,
                                     "weight_exp1": 1, "bias_mant": rng.integers(0, 40, n1),
                                     "bias_exp": 6}),
            (graded_relu_vec(g), n - n1, {"vth": 20, "weight_exp1": -1})]


def build_images(params: ChipParams = SMALL, seed: int = 1, n_neurons: int = 12,
                 syn_per_axon: int = 5, mixed: bool = False):
    """(images, host_axons): images[tile][mem] uint32 arrays from address 0;
    host axon numbering: tile_index * n_compartments + compartment."""
    rng = np.random.default_rng(seed)
    p = params
    images = {}
    tiles = p.tiles()
    for ti, (x, y) in enumerate(tiles):
        n = n_neurons
        pops = _populations(p, rng, n, mixed)
        ci = core_images(p, pops)
        rows = acc_row_bases(pops)
        # axons: each axon has syn_per_axon synapses to random compartments
        axon = cm.pack_axon(np.arange(p.n_axons) * syn_per_axon,
                            np.full(p.n_axons, syn_per_axon), rng.integers(0, 2, p.n_axons))
        nsyn = p.n_axons * syn_per_axon
        assert nsyn <= p.n_synapses
        syn = np.zeros(p.n_synapses, np.uint32)
        comp, w = rng.integers(0, n, nsyn), rng.integers(-60, 100, nsyn)
        delay, group = rng.integers(0, p.max_delay + 1, nsyn), rng.integers(0, p.n_acc_groups, nsyn)
        syn[:nsyn] = cm.pack_synapse(p, rows[comp] + group, w, delay)
        # fan-out: 1..3 destinations per neuron, one of them often the host
        counts = rng.integers(1, 4, n)
        base = np.concatenate([[0], np.cumsum(counts)[:-1]])
        total = int(counts.sum())
        assert total <= p.n_fanout
        fx = rng.integers(0, p.mesh_w, total)
        fy = rng.integers(0, p.mesh_h, total)
        fax = rng.integers(0, p.n_axons, total)
        host = rng.random(total) < 0.3
        owner = np.repeat(np.arange(n), counts)
        fax = np.where(host, ti * p.n_compartments + owner, fax)
        fanout = np.zeros(p.n_fanout, np.uint32)
        fanout[:total] = cm.pack_fanout(fax, np.where(host, 0, fx), np.where(host, 0, fy),
                                        host.astype(int))
        findex = np.zeros(p.n_compartments, np.uint32)
        findex[:n] = cm.pack_fanout_index(base, counts)
        images[(x, y)] = {
            Mem.CONFIG: np.array([ci.n_compartments], np.uint32),
            Mem.AXON: axon, Mem.SYNAPSE: syn, Mem.FANOUT_INDEX: findex, Mem.FANOUT: fanout,
            Mem.UCODE: to_word(ci.ucode), Mem.PROFILE: to_word(ci.profile),
            Mem.PARAM: to_word(ci.param), Mem.STATE: to_word(ci.state),
        }
    return images


def host_inputs(params: ChipParams, t: int, seed: int = 1, n: int = 6) -> np.ndarray:
    """Host spike flits for step t (step field t - 1), seeded by (seed, t)."""
    rng = np.random.default_rng([seed, t])
    x = rng.integers(0, params.mesh_w, n)
    y = rng.integers(0, params.mesh_h, n)
    return packet.encode_array(packet.Kind.SPIKE, x, y, 0, axon=rng.integers(0, params.n_axons, n),
                               payload=rng.integers(-3, 9, n), step=(t - 1) % 256)


def snapshot(engine, params: ChipParams, n_neurons: int = 12) -> dict:
    """State words, counters and STATUS of every tile, read through read_words."""
    from kilauea.hw.neurocore import compartment_memory as ncm
    out = {}
    for tile in params.tiles():
        out[tile] = {
            "state": engine.read_words(tile, Mem.STATE, np.arange(n_neurons * ncm.STATE_WORDS)).tolist(),
            "counters": engine.read_words(tile, Mem.COUNTERS,
                                          [cm.Counter.STEP, cm.Counter.SYN_EVENTS,
                                           cm.Counter.UPDATES, cm.Counter.PACKETS_IN,
                                           cm.Counter.PACKETS_OUT]).tolist(),
            "status": engine.read_words(tile, Mem.STATUS, [cm.Status.FLAGS, cm.Status.ERRORS]).tolist(),
        }
    return out
