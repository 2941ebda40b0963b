"""Golden neuron interpreter: runs a core's neuron phase on its memory images.

    run_neuron_phase(ucode, profile, param, state, step, acc, n_compartments,
                     n_groups=None) -> NeuronPhase

Inputs (word arrays exactly as the RTL memories hold them; signed or unsigned
32-bit values, any integer dtype):

    ucode    [n_ucode]                         instruction words (kilauea.hw.isa)
    profile  [n_profiles * PROFILE_WORDS]      profile headers + shared parameters
    param    [n_compartments * PARAM_WORDS]    compartment headers + parameters
    state    [n_compartments * STATE_WORDS]    state words (not modified)
    step     int                               time step t (counts from 1)
    acc      [n_groups, >= n_compartments]     accumulator values of this step's
                                               slot (int32/int64 words, 32-bit wrapped)
    n_compartments  compartments 0..n-1 to update (CONFIG)
    n_groups        accumulator groups per compartment (default acc.shape[0]);
                    ACC's group is taken modulo n_groups, as in the RTL

Returns a `NeuronPhase`:

    state               the updated STATE image (same dtype and convention as given)
    spike_compartments  int64 [n_spikes], in emission order (compartment order,
                        then program order), as the RTL emits them on `spike`
    spike_payloads      int64 [n_spikes], 24-bit signed payloads
    acc_read            bool [n_groups, n_compartments]: accumulators the programs
                        read (and the RTL cleared); the caller clears them
    updates             compartment updates done (= n_compartments)
    errors              error pulses (undefined opcodes, MOD by zero, a spike
                        payload outside 24 bits, a program running past the
                        last UCODE word, and one per compartment skipped
                        because its profile index is >= n_profiles or its
                        profile's entry address is >= n_ucode: a skipped
                        compartment runs nothing, as in the RTL)
    instructions        instructions executed (sum over compartments)

Execution is vectorised: compartments are grouped by profile and each
instruction is one numpy operation over the compartment vector of a profile.
Semantics follow `kilauea.hw.isa` and `docs/isa.md` exactly.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ...hw import isa
from ...hw.isa import Opcode
from ...hw.fixed_point import PAYLOAD_BITS
from ...hw.neurocore import compartment_memory as cm
from ...hw.words import to_s32, to_u32, unpack_array, wrap_signed

__all__ = ["NeuronPhase", "run_neuron_phase"]


def _payload(x):
    return wrap_signed(np.asarray(x), PAYLOAD_BITS)


def _shl(x, n):
    """Low 32 bits of x << n (n in 0..63), signed."""
    u = x.astype(np.uint64) << n.astype(np.uint64)
    return to_s32(u)


def _imm6(imm: int) -> int:
    """The RTL's shift of MULT/MULF (and width of WRAP/SAT): the immediate's
    low 6 bits. The assembler only emits 0..63 (widths 1..32), where this is
    the immediate itself; a raw word may hold any 14-bit value."""
    return int(imm) & 63


def _half(imm: int) -> int:
    """h = 2**(w-1) of WRAP/SAT as the RTL forms it: w = the immediate's low
    6 bits, exponent (w - 1) mod 32 (so w = 0 gives 2**31)."""
    return 1 << ((_imm6(imm) - 1) & 31)


@dataclass
class NeuronPhase:
    state: np.ndarray
    spike_compartments: np.ndarray
    spike_payloads: np.ndarray
    acc_read: np.ndarray
    updates: int
    errors: int
    instructions: int


@functools.lru_cache(maxsize=64)
def _decode_cached(raw: bytes) -> tuple:
    return tuple(_decode_all(np.frombuffer(raw, dtype=np.int64)))


def _decode_all(ucode: np.ndarray):
    f = unpack_array(isa.Instruction, to_u32(ucode))
    return [tuple(int(f[k][i]) for k in ("op", "rd", "ra", "rb", "rc", "imm")) for i in range(len(ucode))]


_DEFINED = {op.value for op in Opcode}


def run_neuron_phase(ucode, profile, param, state, step: int, acc, n_compartments: int,
                     n_groups: int | None = None) -> NeuronPhase:
    ucode = np.asarray(ucode)
    profile_s = to_s32(np.asarray(profile))
    param_s = to_s32(np.asarray(param))
    state_in = np.asarray(state)
    st = to_s32(state_in).copy()
    acc = np.asarray(acc)
    if acc.ndim != 2:
        raise ValueError(f"acc must be [groups, compartments], got shape {acc.shape}")
    G = acc.shape[0] if n_groups is None else n_groups
    n = int(n_compartments)
    if n > len(param_s) // cm.PARAM_WORDS or n > len(st) // cm.STATE_WORDS:
        raise ValueError(f"n_compartments={n} exceeds the PARAM/STATE images "
                         f"({len(param_s) // cm.PARAM_WORDS} / {len(st) // cm.STATE_WORDS} compartments)")
    if acc.shape[1] < n or acc.shape[0] < G:
        raise ValueError(f"acc shape {acc.shape} too small for {G} groups x {n} compartments")
    accv = to_s32(acc[:G, :n].astype(np.int64))
    acc_read = np.zeros((G, n), dtype=bool)
    n_profiles = len(profile_s) // cm.PROFILE_WORDS
    prog = _decode_cached(to_u32(ucode).tobytes())
    n_ucode = len(prog)
    step_val = np.int64(to_s32(int(step)))

    comps = np.arange(n)
    prof_of = cm.unpack_param_header(param_s[comps * cm.PARAM_WORDS]) if n else np.zeros(0, np.int64)
    bad = prof_of >= n_profiles         # skipped with one error each, as in the RTL

    spikes_c, spikes_seq, spikes_p = [], [], []
    errors = int(bad.sum())
    instructions = 0
    for p in np.unique(prof_of[~bad]):
        p = int(p)
        idx = comps[prof_of == p]
        k = len(idx)
        pc = int(cm.unpack_profile_header(profile_s[p * cm.PROFILE_WORDS]))
        consts = profile_s[p * cm.PROFILE_WORDS:(p + 1) * cm.PROFILE_WORDS]
        R = np.zeros((isa.N_REGS, k), dtype=np.int64)
        sbase = idx * cm.STATE_WORDS
        pbase = idx * cm.PARAM_WORDS
        seq = 0
        while True:
            if pc >= n_ucode:           # entry beyond UCODE: skipped, one error each
                errors += k
                break
            op, rd, ra, rb, rc, imm = prog[pc]
            instructions += k
            last = pc == n_ucode - 1
            res = None
            err = np.zeros(k, dtype=bool)
            if op not in _DEFINED:
                err[:] = True
            else:
                o = Opcode(op)
                A = R[ra]
                if o == Opcode.END:
                    break
                elif o == Opcode.NOP:
                    pass
                elif o == Opcode.LDS:
                    res = st[sbase + (imm % cm.STATE_WORDS)]
                elif o == Opcode.STS:
                    st[sbase + (imm % cm.STATE_WORDS)] = A
                elif o == Opcode.LDP:
                    res = param_s[pbase + (imm % cm.PARAM_WORDS)]
                elif o == Opcode.LDC:
                    res = np.full(k, consts[imm % cm.PROFILE_WORDS], dtype=np.int64)
                elif o == Opcode.LDT:
                    res = np.full(k, step_val, dtype=np.int64)
                elif o == Opcode.ACC:
                    g = imm % G
                    res = np.where(acc_read[g, idx], 0, accv[g, idx])
                    acc_read[g, idx] = True
                elif o == Opcode.MULT:
                    prod = A * R[rb]
                    res = to_s32(np.sign(prod) * (np.abs(prod) >> np.int64(_imm6(imm))))
                elif o == Opcode.MULF:
                    res = to_s32((A * R[rb]) >> np.int64(_imm6(imm)))
                elif o == Opcode.SEL:
                    res = np.where(R[rc] != 0, A, R[rb])
                elif o == Opcode.ABS:
                    res = to_s32(np.abs(A))
                elif o == Opcode.WRAP:
                    h = np.int64(_half(imm))
                    res = to_s32(np.where(A > h, A - 2 * h, np.where(A <= -h, A + 2 * h, A)))
                elif o == Opcode.SAT:
                    h = np.int64(_half(imm))
                    res = np.clip(A, -(h - 1), h - 1)
                elif o == Opcode.SPK:
                    fire = R[rc] != 0
                    if fire.any():
                        full = A[fire] + imm
                        spikes_c.append(idx[fire])
                        spikes_seq.append(np.full(int(fire.sum()), seq, dtype=np.int64))
                        spikes_p.append(_payload(full))
                        h = 1 << (PAYLOAD_BITS - 1)
                        err[fire] = (full < -h) | (full >= h)
                    seq += 1
                else:
                    B = to_s32(R[rb] + imm)
                    if o == Opcode.ADD:
                        res = to_s32(A + B)
                    elif o == Opcode.SUB:
                        res = to_s32(A - B)
                    elif o == Opcode.SHL:
                        res = _shl(A, np.clip(B, 0, isa.SHIFT_MAX))
                    elif o == Opcode.SHR:
                        res = A >> np.clip(B, 0, isa.SHIFT_MAX)
                    elif o == Opcode.TSHR:
                        res = np.sign(A) * (np.abs(A) >> np.clip(B, 0, isa.SHIFT_MAX))
                    elif o == Opcode.ASH:
                        s = np.clip(B, -isa.SHIFT_MAX, isa.SHIFT_MAX)
                        res = np.where(s >= 0, _shl(A, np.maximum(s, 0)), A >> np.maximum(-s, 0))
                    elif o == Opcode.CGT:
                        res = (A > B).astype(np.int64)
                    elif o == Opcode.CGE:
                        res = (A >= B).astype(np.int64)
                    elif o == Opcode.CEQ:
                        res = (A == B).astype(np.int64)
                    elif o == Opcode.MAX:
                        res = np.maximum(A, B)
                    elif o == Opcode.MIN:
                        res = np.minimum(A, B)
                    elif o == Opcode.AND:
                        res = to_s32(A & B)
                    elif o == Opcode.OR:
                        res = to_s32(A | B)
                    elif o == Opcode.XOR:
                        res = to_s32(A ^ B)
                    elif o == Opcode.MOD:
                        zero = B == 0
                        err |= zero
                        res = np.where(zero, 0, np.mod(A, np.where(zero, 1, B)))
                    else:  # pragma: no cover - every opcode is handled above
                        raise AssertionError(o)
            if res is not None and rd != 0:
                R[rd] = res
            errors += int(err.sum())
            if last:                    # ran past the last UCODE word without END:
                errors += k             # the engine ends the program with an error
                break
            pc += 1

    if spikes_c:
        sc = np.concatenate(spikes_c)
        ss = np.concatenate(spikes_seq)
        sp = np.concatenate(spikes_p)
        order = np.lexsort((ss, sc))
        sc, sp = sc[order], sp[order]
    else:
        sc = np.zeros(0, dtype=np.int64)
        sp = np.zeros(0, dtype=np.int64)
    if np.issubdtype(state_in.dtype, np.unsignedinteger):
        out = to_u32(st).astype(state_in.dtype)
    else:
        out = st.astype(state_in.dtype) if state_in.dtype.itemsize >= 4 else st
    return NeuronPhase(state=out, spike_compartments=sc.astype(np.int64),
                       spike_payloads=sp.astype(np.int64), acc_read=acc_read,
                       updates=n, errors=errors, instructions=instructions)
