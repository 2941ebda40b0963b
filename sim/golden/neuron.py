"""Golden neuron interpreter: the neuron phase of any number of cores at once.

Programs are straight-line (docs/isa.md), so every compartment that runs the
same program does the same operations: the interpreter groups the
compartments of all cores by program (the UCODE words from their profile's
entry to END, whatever the tile or profile), and executes each instruction
once per group as numpy operations over the group's compartment vector
(`kilauea.sim.golden.ops`). A `NeuronPlan` (the grouping, the gather indices)
is built from the PARAM / PROFILE / UCODE images and the compartment counts,
and reused for every step until one of those changes.

Memory layout the plan indexes (T cores, flat views of stacked images):

    state    int32 [T * state_words]     STATE words, written by STS
    param    int32 [T * param_words]     PARAM words (read-only in the phase)
    profile  int32 [T * profile_words]   PROFILE words (read-only in the phase)
    acc      int64 [T * D * R]           accumulators (slot, row), read and
                                         cleared by ACC (`AccShape`)

`run_neuron_phase` is the single-core form (images in, results out) that the
hardware tests compare the RTL neuron engine against:

    run_neuron_phase(ucode, profile, param, state, step, acc, n_compartments,
                     n_groups=None, rows=False) -> NeuronPhase

    ucode [n_ucode], profile [n_profiles * 16], param [n * 4], state [n * 4]
    (words, signed or unsigned 32-bit values, any integer dtype; state is not
    modified); step: the time step (from 1); acc [n_groups, >= n]: this step's
    accumulators, ACC g of compartment c reads acc[g, c]; n_groups (default
    acc.shape[0]): ACC's group is taken modulo it, as in the RTL. With
    `rows`, acc [R] is the step's slot of the chip's ring (R a power of two)
    and ACC g of compartment c reads row (base + g) mod R, base the row base
    of c's PARAM header (`compartment_memory.PARAM_HEADER`), as the core.

    NeuronPhase: state (updated image, same dtype/convention as given),
    spike_compartments / spike_payloads (int64, emission order: compartment,
    then program order; payloads 24-bit signed), acc_read (bool, acc's
    shape: read, hence cleared), updates (= n), errors (undefined opcodes, MOD by zero, a
    payload outside 24 bits, a program running past the last UCODE word, one
    per compartment skipped because its profile index is >= n_profiles or its
    entry >= n_ucode), instructions (executed, END included).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from ...hw.neurocore import compartment_memory as ncm
from ...hw.words import to_s32, to_u32
from .codegen import Generated, generate
from .ops import compile_program, program_words

__all__ = ["AccShape", "NeuronPlan", "PhaseSpikes", "plan_neuron_phase", "run_plan",
           "NeuronPhase", "run_neuron_phase"]

_I64 = np.int64


@dataclass(frozen=True)
class AccShape:
    """Accumulator array of one core: `slots` x `rows` words. ACC g of a
    compartment reads row (base + (g mod groups) * group_stride) mod rows of
    the step's slot; base is the row base of its PARAM header when
    `header_rows` (the chip: stride 1), else the compartment index (a
    [groups, compartments] array: stride = compartments)."""
    slots: int
    groups: int
    rows: int
    group_stride: int = 1
    header_rows: bool = True

    @property
    def per_core(self) -> int:
        return self.slots * self.rows


@dataclass
class Batch:
    """The compartments of all cores that run one program: the context the
    program's generated function (`kilauea.sim.golden.codegen`) runs in."""
    tile: np.ndarray            # int64 [k] core of each compartment
    comp: np.ndarray            # int64 [k] compartment index in its core
    sidx: np.ndarray            # int64 [k] first STATE word in the flat state
    pbase: np.ndarray           # int64 [k] first PARAM word in the flat param
    cbase: np.ndarray           # int64 [k] first PROFILE word in the flat profile
    abase: np.ndarray           # int64 [k] (core, slot 0, row 0) in acc
    arow: np.ndarray            # int64 [k] the compartment's row base
    shape: AccShape
    param: np.ndarray = None    # flat int32 PARAM / PROFILE words (read when planned)
    profile: np.ndarray = None
    state: np.ndarray = None    # flat int32 STATE / int64 accumulators, set by `run_plan`
    acc: np.ndarray = None
    step: int = 0
    slot_off: int = 0           # (t mod D) * rows
    spikes: list = field(default_factory=list)
    err: np.ndarray | None = None
    read: list | None = None    # accumulator indices read (when tracked)
    _words: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        return len(self.tile)

    def acc_index(self, group: int) -> np.ndarray:
        """Index in acc (at slot 0) of accumulator group `group` (any int;
        taken modulo the groups) of each compartment."""
        sh = self.shape
        return self.abase + (self.arow + (group % sh.groups) * sh.group_stride) % sh.rows

    def param_word(self, i: int) -> np.ndarray:
        key = ("p", i)          # PARAM and PROFILE do not change while a plan lives
        if key not in self._words:
            self._words[key] = self.param[self.pbase + i].astype(_I64)
        return self._words[key]

    def const_word(self, i: int) -> np.ndarray:
        key = ("c", i)
        if key not in self._words:
            self._words[key] = self.profile[self.cbase + i].astype(_I64)
        return self._words[key]

    def error(self, mask: np.ndarray) -> None:
        if mask.any():
            if self.err is None:
                self.err = np.zeros(self.k, dtype=_I64)
            self.err += mask

    def spike(self, fire: np.ndarray, seq: int, payload: np.ndarray, bad: np.ndarray) -> None:
        """SPK number `seq` of the program fired where `fire`."""
        idx = np.flatnonzero(fire)
        self.spikes.append((idx, seq, payload))
        if bad.any():
            self.error(np.bincount(idx[bad], minlength=self.k).astype(bool))


@dataclass
class NeuronPlan:
    """What a neuron phase runs: (program, batch) pairs; per core the
    compartments updated and the data-independent error pulses and
    instructions of one step."""
    batches: list
    updates: np.ndarray         # int64 [T]
    static_errors: np.ndarray   # int64 [T]
    instructions: np.ndarray    # int64 [T]


@dataclass
class PhaseSpikes:
    """Spikes of a neuron phase in emission order (core, then compartment,
    then program order); per-core error pulses and instructions."""
    tile: np.ndarray
    comp: np.ndarray
    payload: np.ndarray
    errors: np.ndarray
    instructions: np.ndarray


def _core_programs(ucode: np.ndarray, profile: np.ndarray, param: np.ndarray, n: int):
    """One core: (program key, compartments, their profiles) per program, and
    the compartments skipped (bad profile index or entry)."""
    n_profiles = len(profile) // ncm.PROFILE_WORDS
    prof = np.asarray(ncm.unpack_param_header(to_u32(param[:n * ncm.PARAM_WORDS:ncm.PARAM_WORDS]
                                                     .astype(_I64))), dtype=_I64)
    entries = np.asarray(ncm.unpack_profile_header(
        to_u32(profile[::ncm.PROFILE_WORDS].astype(_I64))), dtype=_I64)
    ok = prof < n_profiles
    entry = np.where(ok, entries[np.where(ok, prof, 0)], len(ucode)) if n else prof
    ok &= entry < len(ucode)
    words = to_u32(ucode.astype(_I64))
    out = []
    for e in np.unique(entry[ok]).tolist():
        w = program_words(words, e)
        key = (w, (w[-1] & 0x3F) == 0)          # ends with END (opcode 0)
        at_e = ok & (entry == e)
        for p in np.unique(prof[at_e]).tolist():
            comps = np.flatnonzero(at_e & (prof == p))
            consts = tuple(profile[p * ncm.PROFILE_WORDS:(p + 1) * ncm.PROFILE_WORDS].tolist())
            out.append((key, consts, comps, prof[comps]))
    return out, int(n - ok.sum())


#: most batches of one program split by PROFILE words (more: one batch) ...
MAX_SPLIT = 8
#: ... each of at least this many compartments (smaller: the program's
#: numpy calls, not their size, set the cost; one batch runs them once)
SPLIT_MIN = 256


def _batches(groups: dict):
    """(program key, [(core, compartments, profiles)]) per batch: the
    compartments that run a program, split by their PROFILE words (each
    batch's profile constants are then the same for all its compartments,
    and the generated code specialises on them) unless that makes more than
    MAX_SPLIT batches or one of fewer than SPLIT_MIN compartments."""
    for key, by_consts in groups.items():
        smallest = min(sum(len(c) for _, c, _ in parts) for parts in by_consts.values())
        if len(by_consts) == 1 or (len(by_consts) <= MAX_SPLIT and smallest >= SPLIT_MIN):
            for parts in by_consts.values():
                yield key, parts
        else:
            yield key, _merged(by_consts.values())


def _merged(split) -> list:
    """Lists of (core, compartments, profiles) as one, a part per core in
    core order, compartments ascending."""
    by_core: dict = {}
    for parts in split:
        for t, c, p in parts:
            by_core.setdefault(t, []).append((c, p))
    out = []
    for t in sorted(by_core):
        c = np.concatenate([x for x, _ in by_core[t]])
        p = np.concatenate([y for _, y in by_core[t]])
        o = np.argsort(c, kind="stable")
        out.append((t, c[o], p[o]))
    return out


def plan_neuron_phase(ucode, profile, param, n_compartments, shape: AccShape) -> NeuronPlan:
    """The plan of T cores' neuron phase. ucode / profile / param: per core
    (sequences of word arrays, each core's image of the same size; a core's
    STATE image has the size of its PARAM image);
    n_compartments: per core (CONFIG)."""
    T = len(n_compartments)
    groups: dict = {}
    static = np.zeros(T, dtype=_I64)
    instr = np.zeros(T, dtype=_I64)
    for t in range(T):
        progs, skipped = _core_programs(np.asarray(ucode[t]), np.asarray(profile[t]),
                                        np.asarray(param[t]), int(n_compartments[t]))
        static[t] += skipped
        for key, consts, comps, prof in progs:
            groups.setdefault(key, {}).setdefault(consts, []).append((t, comps, prof))
    # STATE and PARAM images have the same size (4 words per compartment)
    pw = len(np.asarray(param[0])) if T else 0
    fw = len(np.asarray(profile[0])) if T else 0
    flat_param = np.concatenate([np.asarray(w, np.int32).reshape(-1) for w in param]) if T else None
    flat_prof = np.concatenate([np.asarray(w, np.int32).reshape(-1) for w in profile]) if T else None
    batches = []
    for key, parts in _batches(groups):
        prog = compile_program(*key)
        tile = np.concatenate([np.full(len(c), t, dtype=_I64) for t, c, _ in parts])
        comp = np.concatenate([c for _, c, _ in parts]).astype(_I64)
        prof = np.concatenate([p for _, _, p in parts]).astype(_I64)
        per_core = np.bincount(tile, minlength=T)
        static += prog.static_errors * per_core
        instr += prog.length * per_core
        pbase = tile * pw + comp * ncm.PARAM_WORDS
        arow = (np.asarray(ncm.unpack_param_acc_row(to_u32(flat_param[pbase].astype(_I64))),
                           dtype=_I64) if shape.header_rows else comp)
        b = Batch(tile, comp, tile * pw + comp * ncm.STATE_WORDS, pbase,
                  tile * fw + prof * ncm.PROFILE_WORDS, tile * shape.per_core, arow, shape,
                  flat_param, flat_prof)
        batches.append((generate(prog, b), b))
    return NeuronPlan(batches, np.asarray([int(n) for n in n_compartments], dtype=_I64),
                      static, instr)


def run_plan(plan: NeuronPlan, state, acc, t: int, track_reads: bool = False) -> PhaseSpikes:
    """Run step t's neuron phase (flat views as in the module docstring;
    state and acc are updated in place)."""
    T = len(plan.updates)
    errors = plan.static_errors
    spikes = []
    step = ((int(t) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)     # LDT: t as a 32-bit word
    for gen, b in plan.batches:
        b.state, b.acc, b.step = state, acc, step
        b.slot_off = (int(t) % b.shape.slots) * b.shape.rows
        b.spikes, b.err = [], None
        b.read = [] if track_reads else None
        gen.run(b)
        if b.err is not None:
            errors = errors + np.bincount(b.tile, weights=b.err, minlength=T).astype(_I64)
        for idx, seq, pay in b.spikes:
            spikes.append((b.tile[idx], b.comp[idx], seq, pay))
    if not spikes:
        z = np.zeros(0, dtype=_I64)
        return PhaseSpikes(z, z, z, errors, plan.instructions)
    if len(spikes) == 1:                # one SPK of one batch: already in order
        tile, comp, _, pay = spikes[0]
        return PhaseSpikes(tile, comp, pay.astype(_I64), errors, plan.instructions)
    # each SPK's spikes are in (core, compartment) order: in the order of
    # their first spike, they often need no sort (strictly ascending)
    spikes.sort(key=lambda s: (int(s[0][0]), int(s[1][0])))
    tile, comp, pay = (np.concatenate([s[i] for s in spikes]) for i in (0, 1, 3))
    key = tile * (int(comp.max()) + 1) + comp
    if (key[1:] > key[:-1]).all():
        return PhaseSpikes(tile, comp, pay.astype(_I64), errors, plan.instructions)
    seq = np.concatenate([np.full(len(s[0]), s[2], dtype=_I64) for s in spikes])
    order = np.lexsort((seq, comp, tile))
    return PhaseSpikes(tile[order], comp[order], pay[order].astype(_I64), errors,
                       plan.instructions)


@dataclass
class NeuronPhase:
    state: np.ndarray
    spike_compartments: np.ndarray
    spike_payloads: np.ndarray
    acc_read: np.ndarray
    updates: int
    errors: int
    instructions: int


def _check_images(param_s, st, acc, G: int, n: int, rows: bool) -> None:
    if rows:
        if acc.ndim != 1 or acc.size & (acc.size - 1):
            raise ValueError(f"acc must be [rows] (a power of two), got shape {acc.shape}")
    elif acc.ndim != 2:
        raise ValueError(f"acc must be [groups, compartments], got shape {acc.shape}")
    if n > len(param_s) // ncm.PARAM_WORDS or n > len(st) // ncm.STATE_WORDS:
        raise ValueError(f"n_compartments={n} exceeds the PARAM/STATE images "
                         f"({len(param_s) // ncm.PARAM_WORDS} / {len(st) // ncm.STATE_WORDS} compartments)")
    if not rows and (acc.shape[1] < n or acc.shape[0] < G):
        raise ValueError(f"acc shape {acc.shape} too small for {G} groups x {n} compartments")


#: per thread (a plan's batches hold a run's context): the last plans of
#: `run_neuron_phase`, by their images (a caller stepping the same images
#: again, e.g. `kilauea.neurons.ProgramRunner`, reuses the generated code)
_RECENT = threading.local()
_RECENT_PLANS = 8


def _single_core_plan(ucode: np.ndarray, prof: np.ndarray, prm: np.ndarray, n: int,
                      shape: AccShape) -> NeuronPlan:
    key = (ucode.dtype.str, ucode.tobytes(), prof.tobytes(), prm.tobytes(), n, shape)
    plans = getattr(_RECENT, "plans", None)
    if plans is None:
        plans = _RECENT.plans = {}
    plan = plans.get(key)
    if plan is None:
        if len(plans) >= _RECENT_PLANS:
            plans.pop(next(iter(plans)))
        plan = plans[key] = plan_neuron_phase([ucode], [prof], [prm], [n], shape)
    return plan


def run_neuron_phase(ucode, profile, param, state, step: int, acc, n_compartments: int,
                     n_groups: int | None = None, rows: bool = False) -> NeuronPhase:
    param_s = to_s32(np.asarray(param, dtype=_I64))
    state_in = np.asarray(state)
    acc = np.asarray(acc)
    n = int(n_compartments)
    G = acc.shape[0] if (n_groups is None and acc.ndim == 2) else n_groups
    if G is None:
        raise ValueError("run_neuron_phase: n_groups is needed with acc rows")
    _check_images(param_s, state_in, acc, G, n, rows)
    shape = (AccShape(1, G, acc.size) if rows
             else AccShape(1, G, G * n, group_stride=n, header_rows=False))
    st = to_s32(state_in.astype(_I64)).astype(np.int32)
    prm = param_s.astype(np.int32)
    prof = to_s32(np.asarray(profile, dtype=_I64)).astype(np.int32)
    # pad STATE/PARAM to the same length (the plan indexes both by compartment)
    words = max(len(st), len(prm))
    st_p = np.zeros(words, np.int32); st_p[:len(st)] = st
    prm_p = np.zeros(words, np.int32); prm_p[:len(prm)] = prm
    acc_v = to_s32((acc if rows else acc[:G, :n]).astype(_I64)).reshape(-1).copy()
    plan = _single_core_plan(np.asarray(ucode), prof, prm_p, n, shape)
    r = run_plan(plan, st_p, acc_v, step, track_reads=True)
    read = np.zeros(acc_v.size, dtype=bool)
    for _, b in plan.batches:
        for idx in b.read:
            read[idx] = True
    out_s = st_p[:len(st)].astype(_I64)
    if np.issubdtype(state_in.dtype, np.unsignedinteger):
        out = to_u32(out_s).astype(state_in.dtype)
    else:
        out = out_s.astype(state_in.dtype) if state_in.dtype.itemsize >= 4 else out_s
    return NeuronPhase(state=out, spike_compartments=r.comp, spike_payloads=r.payload,
                       acc_read=read if rows else read.reshape(G, n), updates=n, errors=int(r.errors[0]),
                       instructions=int(r.instructions[0]))
