"""Neurocore cycle costs, measured in RTL simulation (Amaranth simulator).

Each figure is a steady-state slope: the same workload at two sizes, cycles
from the first packet to the core's `idle`, difference of cycles divided by
difference of work, so fixed start-up costs cancel.

- synaptic event: input spikes into axons of 64 synapses each (binary and
  graded), 4 vs 12 spikes;
- LIF update: a STEP with 64 vs 128 LIF compartments (one accumulator group,
  no spikes), the microcode neuron engine with its `n_lanes` lanes of
  `isa.LANE_SLOTS` slots (2 and 4 rounds of every slot, so lanes are at
  steady state);
- fan-out packet: one compartment spiking into 16 vs 48 fan-out entries.

Run: python bench/core.py
"""
from __future__ import annotations

import numpy as np
from amaranth.sim import Simulator

from kilauea import neurons
from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.neurocore.accumulators import ACC_LATENCY
from kilauea.hw.neurocore.compartment_memory import bank_images
from kilauea.hw.words import to_word
from kilauea.hw.neurocore.core import Core
from kilauea.hw.neurocore.neuron_engine import update_cycles
from kilauea.hw.params import ChipParams

P = ChipParams(mesh_w=2, mesh_h=2, n_compartments=128, n_synapses=1024, n_axons=16,
               n_fanout=64, n_ucode=64, n_profiles=2, n_delay_slots=4, n_acc_groups=1)
ME = packet.Dest(0, 0)


def measure(images: dict, n_comp: int, packets: list[int]) -> int:
    """Cycles from the first of `packets` entering the core until it is idle."""
    core = Core(P)
    result = {}

    async def tb(ctx):
        md = core.memories()
        for mem, words in images.items():
            for bank, part in bank_images(md[mem], np.asarray(words, dtype=np.int64)):
                for i, w in enumerate(part):
                    row = bank.data[i]
                    ctx.set(row.as_value() if hasattr(row, "as_value") else row, int(w))
        queue = [packet.Write(ME, Mem.CONFIG.value, 0, n_comp).encode()] + packets
        cycles = -1
        ctx.set(core.tx.ready, 1)
        while True:
            if queue:
                ctx.set(core.rx.valid, 1)
                ctx.set(core.rx.payload.as_value(), queue[0])
            else:
                ctx.set(core.rx.valid, 0)
            rdy = ctx.get(core.rx.ready)
            idle = ctx.get(core.idle)
            if not queue and idle:
                break
            await ctx.tick()
            if cycles >= 0:
                cycles += 1
            if rdy and queue:
                queue.pop(0)
                if cycles < 0:
                    cycles = 0   # the CONFIG write went in; time the workload from here
        result["cycles"] = cycles

    sim = Simulator(core)
    sim.add_clock(1e-6)
    sim.add_testbench(tb)
    sim.run()
    return result["cycles"]


def lif_images(n: int, vth: int = 100000, fan: int = 0) -> dict:
    prog = neurons.lif(1)
    ci = neurons.core_images(P, [(prog, n, {"du": 100, "dv": 100, "vth": vth,
                                            "bias_mant": 1, "bias_exp": 0})])
    return {Mem.UCODE: to_word(ci.ucode), Mem.PROFILE: to_word(ci.profile),
            Mem.PARAM: to_word(ci.param), Mem.STATE: to_word(ci.state)}


def synaptic_event() -> float:
    k = 64
    img = lif_images(1)
    img[Mem.AXON] = cm.pack_axon(np.arange(P.n_axons) * k, k, np.arange(P.n_axons) % 2)
    img[Mem.SYNAPSE] = cm.pack_synapse(P, np.arange(P.n_synapses) % 16, 3, np.arange(P.n_synapses) % 3)
    runs = []
    for n in (4, 12):
        pk = [packet.Spike(ME, i, 5, 0).encode() for i in range(n)]
        runs.append((measure(img, 0, pk), n * k))
    return (runs[1][0] - runs[0][0]) / (runs[1][1] - runs[0][1])


def lif_update() -> float:
    runs = []
    for n in (64, 128):
        c = measure(lif_images(n), n, [packet.Ctrl(ME, packet.CtrlOp.STEP, 1).encode()])
        runs.append((c, n))
    return (runs[1][0] - runs[0][0]) / (runs[1][1] - runs[0][1])


def fanout_packet() -> float:
    runs = []
    for k in (16, 48):
        img = lif_images(1)
        img[Mem.STATE] = to_word(np.r_[0, 1 << 22, np.zeros(len(img[Mem.STATE]) - 2, int)])
        img[Mem.FANOUT_INDEX] = cm.pack_fanout_index(np.zeros(P.n_compartments, int), k)
        img[Mem.FANOUT] = cm.pack_fanout(np.arange(P.n_fanout), np.arange(P.n_fanout) % 2, 1,
                                         np.arange(P.n_fanout) % 5 == 0)
        lif = lif_images(1, vth=1)
        img.update({m: lif[m] for m in (Mem.UCODE, Mem.PROFILE, Mem.PARAM)})
        c = measure(img, 1, [packet.Ctrl(ME, packet.CtrlOp.STEP, 1).encode()])
        runs.append((c, k))
    return (runs[1][0] - runs[0][0]) / (runs[1][1] - runs[0][1])


def main() -> None:
    prog = neurons.lif(1)
    syn = synaptic_event()
    lif = lif_update()
    fan = fanout_packet()
    turns = prog.cycles(ACC_LATENCY)
    print(f"LIF program: {len(prog)} instructions, {turns} turns in one lane; "
          f"cycle estimate per update ({P.n_lanes} lanes, acc answer after {ACC_LATENCY} "
          f"cycles) {update_cycles(turns, P):.2f}")
    print(f"synaptic event: {syn:.2f} cycles; LIF update: {lif:.2f} cycles; "
          f"fan-out packet: {fan:.2f} cycles")


if __name__ == "__main__":
    main()
