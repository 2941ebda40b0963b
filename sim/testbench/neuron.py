"""Drive a `NeuronEngine` alone in Amaranth's simulator (tests and benches).

`run_engine(params, ucode, profile, param, state, steps, n_compartments)`
loads the four memories through the engine's host MemBus ports, runs the
neuron phase of each step, answering `acc_req` from a Python-side accumulator
array [G, n] (read-and-clear, after `acc_latency` cycles; the request for
row base + g of compartment c, base from c's PARAM header, is answered from
acc[g, c]: the compartments' rows must not overlap, `with_row_bases` gives
hand-made images the dense bases c x G; the engine is built with the rows
the bases need) and accepting spikes with
optional random backpressure, then reads STATE back through its MemBus port.

Returns one `EngineStep` per step: the STATE image after it (signed ints),
the spikes in emission order, the accumulators read, the error and update
pulses counted and the cycles from `start` until `busy` fell.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from amaranth.sim import Simulator

from ...hw import words
from ...hw.params import ChipParams
from ...hw.neurocore import compartment_memory as cm
from ...hw.neurocore.neuron_engine import NeuronEngine

__all__ = ["EngineStep", "run_engine", "with_row_bases"]


@dataclass
class EngineStep:
    state: np.ndarray               # int64 [n_compartments * STATE_WORDS] after the step
    spike_compartments: np.ndarray
    spike_payloads: np.ndarray
    acc_read: np.ndarray            # bool [groups, n_compartments]
    errors: int
    updates: int
    cycles: int                     # start .. busy low
    acc_reqs: int


def run_engine(params: ChipParams, ucode, profile, param, state, steps, n_compartments: int,
               *, acc_latency: int = 1, spike_stall_seed: int | None = None,
               acc_stall_seed: int | None = None,
               max_cycles: int = 200_000, vcd: str | None = None) -> list[EngineStep]:
    """`steps`: list of (time_step, acc) with acc an int array [groups, n_compartments].

    `acc_latency`: cycles from an accepted request to its answer. With
    `acc_stall_seed` the core also refuses requests at random (as while the
    synapse engine holds the accumulators) and answers 0..2 cycles later.
    With `spike_stall_seed` the fan-out side refuses spikes at random."""
    G = params.n_acc_groups
    bases = cm.unpack_param_acc_row(words.to_u32(
        np.asarray(param, dtype=np.int64)[:n_compartments * cm.PARAM_WORDS:cm.PARAM_WORDS]))
    need = int(bases.max()) + G if n_compartments else 1
    if params.acc_rows < need:
        params = params.with_(n_acc_rows=need)
    owner = _row_owners(bases, G, 1 << params.acc_row_bits)
    dut = NeuronEngine(params)
    results: list[EngineStep] = []
    images = [(dut.ucode_bus, ucode), (dut.profile_bus, profile),
              (dut.param_bus, param), (dut.state_bus, state)]
    rng = np.random.default_rng(spike_stall_seed) if spike_stall_seed is not None else None
    arng = np.random.default_rng(acc_stall_seed) if acc_stall_seed is not None else None
    n_state = n_compartments * cm.STATE_WORDS

    async def bench(ctx):
        for bus, image in images:
            for addr, word in enumerate(np.asarray(image, dtype=np.int64)):
                ctx.set(bus.addr, addr)
                ctx.set(bus.wdata, words.to_u32(int(word)))
                ctx.set(bus.we, 1)
                await ctx.tick()
            ctx.set(bus.we, 0)
        for t, acc in steps:
            acc = np.array(acc, dtype=np.int64)
            groups = acc.shape[0]
            acc_read = np.zeros((groups, n_compartments), dtype=bool)
            sc, sp = [], []
            errors = updates = reqs = 0
            pending: list[list] = []     # [cycles_left, value]
            ctx.set(dut.step, t)
            ctx.set(dut.n_compartments, n_compartments)
            ctx.set(dut.start, 1)
            await ctx.tick()
            ctx.set(dut.start, 0)
            cycles = 0
            while True:
                # drive this cycle's inputs
                spk_ready = 1 if rng is None else int(rng.random() < 0.6)
                ctx.set(dut.spike.ready, spk_ready)
                req_ready = 1 if arng is None else int(arng.random() < 0.7)
                ctx.set(dut.acc_req.ready, req_ready)
                if pending and pending[0][0] <= 0:
                    ctx.set(dut.acc_resp.valid, 1)
                    ctx.set(dut.acc_resp.payload, pending[0][1])
                else:
                    ctx.set(dut.acc_resp.valid, 0)
                # sample handshakes of this cycle
                if not ctx.get(dut.busy):
                    break
                cycles += 1
                if cycles > max_cycles:
                    raise RuntimeError(f"neuron engine still busy after {max_cycles} cycles at step {t}")
                if ctx.get(dut.error):
                    errors += 1
                if ctx.get(dut.updates):
                    updates += 1
                if ctx.get(dut.acc_resp.valid) and ctx.get(dut.acc_resp.ready):
                    pending.pop(0)
                if ctx.get(dut.acc_req.valid) and req_ready:
                    row = ctx.get(dut.acc_req.payload.row)
                    if owner.get(row) is None:
                        raise RuntimeError(f"step {t}: request for accumulator row {row}, "
                                           "which no compartment or several own (PARAM "
                                           "header row bases; see with_row_bases)")
                    c, g = owner[row]
                    value = 0 if acc_read[g, c] else int(acc[g, c])
                    acc_read[g, c] = True
                    extra = 0 if arng is None else int(arng.integers(0, 3))
                    pending.append([acc_latency + extra, value])
                    reqs += 1
                if ctx.get(dut.spike.valid) and spk_ready:
                    sc.append(ctx.get(dut.spike.payload.compartment))
                    sp.append(ctx.get(dut.spike.payload.payload))
                for p in pending:
                    p[0] -= 1
                await ctx.tick()
            if pending:
                raise RuntimeError(f"step {t}: engine finished with {len(pending)} accumulator "
                                   "responses not taken")
            await ctx.tick()                # the host's ports: a cycle after busy falls
            out = np.zeros(n_state, dtype=np.int64)
            ctx.set(dut.state_bus.re, 1)
            for addr in range(n_state):
                ctx.set(dut.state_bus.addr, addr)
                await ctx.tick()            # 1-cycle read latency
                out[addr] = ctx.get(dut.state_bus.rdata)
            ctx.set(dut.state_bus.re, 0)
            results.append(EngineStep(words.to_s32(out), np.array(sc, dtype=np.int64),
                                      np.array(sp, dtype=np.int64), acc_read, errors, updates,
                                      cycles, reqs))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    if vcd:
        with sim.write_vcd(vcd):
            sim.run()
    else:
        sim.run()
    return results


def with_row_bases(param, n_compartments: int, groups: int) -> np.ndarray:
    """`param` (words, int64) with compartment c's header row base set to
    c x groups (its other fields kept), as `neurons.core_images` does for
    programs of `groups` groups."""
    param = np.array(param, dtype=np.int64)
    at = np.arange(n_compartments) * cm.PARAM_WORDS
    span = words.field_span(cm.PARAM_HEADER, "acc_row")
    mask = span.mask << span.offset
    bases = np.arange(n_compartments) * groups
    param[at] = words.to_s32((words.to_u32(param[at]) & ~mask & 0xFFFFFFFF)
                             | (bases << span.offset))
    return param


def _row_owners(bases: np.ndarray, groups: int, rows: int) -> dict:
    """Accumulator row -> (compartment, group): compartment c owns the rows
    from its base (mod `rows`) up to the next base, at most `groups` of them
    (dense bases, as `neurons.core_images` gives them: c x its program's
    groups); a row of several compartments' bases -> None (a request for it
    is an error: programs without ACC may share bases)."""
    start = bases % rows
    owner: dict = {}
    for i, c in enumerate(np.argsort(start, kind="stable").tolist()):
        later = start[start > start[c]]
        end = int(later.min()) if later.size else rows
        for g in range(min(groups, end - int(start[c]))):
            row = int(start[c]) + g
            owner[row] = None if row in owner else (c, g)
    return owner
