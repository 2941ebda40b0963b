"""Shared pieces of the neuron-program tests: numpy transcriptions of the
spec's fixed-point equations (written from `docs/numerics.md`, independent
of the microcode) and random parameter generators, exposed as the `cases`
fixture."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

from kilauea import neurons

I31 = 1 << 31


def trunc_shr(x, k):
    """sign(x) * (|x| >> k); x fits int64 here (|u| < 2**31 times a 13-bit factor)."""
    x = np.asarray(x, dtype=np.int64)
    return np.sign(x) * (np.abs(x) >> k)


def in_range(*arrays):
    for a in arrays:
        assert np.all(np.abs(np.asarray(a, dtype=np.int64)) < I31), \
            "test inputs left Lava's int32 range; the spec requires exactness only inside it"


def group_input(acc, wexp):
    """a_in = sum over groups of (acc << e if e >= 0 else shr(acc, -e))."""
    total = np.zeros(acc.shape[1], dtype=np.int64)
    for g, e in enumerate(wexp):
        total += (acc[g] << e) if e >= 0 else (acc[g] >> -e)
    return total


def eff_bias(m, e):
    return np.where(e >= 0, m << np.maximum(e, 0), m >> np.maximum(-e, 0))


EDGE_HITS = {"u_wrap_up": 0, "u_wrap_down": 0, "v_clip": 0}


def lif_u(u, a_in, du):
    u2 = trunc_shr(u * (4096 - (du + 1)), 12) + (a_in << 6)
    EDGE_HITS["u_wrap_up"] += int(np.sum(u2 > 2**23))
    EDGE_HITS["u_wrap_down"] += int(np.sum(u2 <= -2**23))
    u2 = np.where(u2 > 2**23, u2 - 2**24, np.where(u2 <= -2**23, u2 + 2**24, u2))
    in_range(u * (4096 - (du + 1)) >> 12, a_in << 6, u2)
    return u2


def lif_v(v, u2, dv, bm, be):
    v2 = trunc_shr(v * (4096 - dv), 12) + u2 + eff_bias(bm, be)
    in_range(v2)
    EDGE_HITS["v_clip"] += int(np.sum(np.abs(v2) > 2**23 - 1))
    return np.clip(v2, -(2**23 - 1), 2**23 - 1)


def lif_ref(st, p, a_in, t):
    u = lif_u(st["u"], a_in, p["du"])
    v = lif_v(st["v"], u, p["dv"], p["bias_mant"], p["bias_exp"])
    s = v > (p["vth"] << 6)
    return {"u": u, "v": np.where(s, 0, v)}, s, s.astype(np.int64)


def lif_reset_ref(st, p, a_in, t):
    if t % p["reset_interval"] == p["reset_offset"] % p["reset_interval"]:
        st = {"u": st["u"] * 0, "v": st["v"] * 0}
    return lif_ref(st, p, a_in, t)


def lif_refractory_ref(st, p, a_in, t):
    u = lif_u(st["u"], a_in, p["du"])
    active = st["refractory_end"] < t
    v = np.where(active, lif_v(st["v"], u, p["dv"], p["bias_mant"], p["bias_exp"]), st["v"])
    s = v > (p["vth"] << 6)
    rend = np.where(s, t + p["refractory_period"], st["refractory_end"])
    return {"u": u, "v": np.where(s, 0, v), "refractory_end": rend}, s, s.astype(np.int64)


def graded_ref(absolute):
    def ref(st, p, a_in, t):
        v = st["v"] + a_in
        in_range(v)
        s = (np.abs(v) if absolute else v) > p["vth"]
        assert np.all(np.abs(v[s]) < 1 << 23), "graded payloads are 24-bit: test input too large"
        return {"v": v * 0}, s, np.where(s, v, 0)
    return ref


def sigma_delta_ref(relu, cum):
    def ref(st, p, a_in, t):
        sigma = st["sigma"] + a_in
        act = sigma + p["bias"]
        if relu:
            act = np.maximum(0, act)
        delta = act - st["act"] + st["residue"]
        error = st["error"]
        if cum:
            error = error + delta
            s = np.where(np.abs(error) >= p["vth"], delta, 0)
            error = np.where(s != 0, 0, error)
        else:
            s = np.where(np.abs(delta) >= p["vth"], delta, 0)
        in_range(sigma, act, delta, error)
        s_out = s >> p["state_exp"]
        assert np.all(np.abs(s_out) < 1 << 23), "graded payloads are 24-bit: test input too large"
        return ({"sigma": sigma, "act": act, "residue": delta - s, "error": error},
                s_out != 0, s_out)
    return ref


def lif_values(rng, n, big=False):
    du = int(rng.choice([0, 4095, int(rng.integers(0, 4096))]))
    dv = int(rng.choice([0, int(rng.integers(0, 4096))]))
    return dict(du=du, dv=dv, vth=int(rng.integers(0, 2000 if not big else 1 << 17)),
                bias_mant=rng.integers(-4096, 4096, n), bias_exp=rng.integers(-8, 8, n))


@dataclass
class Case:
    name: str
    make: Callable[[int], neurons.NeuronProgram]
    values: Callable          # (rng, n) -> user values
    ref: Callable             # (state dict, values, a_in, t) -> (state, spike mask, payloads)
    state: tuple[str, ...]
    acc_bits: int             # accumulator magnitudes below 2**acc_bits
    max_wexp: int             # largest group exponent (keeps a_in inside the spec's range)


def _reset_values(rng, n):
    v = lif_values(rng, n)
    v["reset_interval"] = int(rng.integers(1, 9))
    v["reset_offset"] = int(rng.integers(0, 20))
    return v


def _refr_values(rng, n):
    v = lif_values(rng, n)
    v["refractory_period"] = int(rng.integers(0, 6))
    return v


def _sd_values(rng, n):
    return dict(vth=int(rng.integers(0, 3000)), state_exp=int(rng.integers(0, 8)),
                bias=rng.integers(-2000, 2000, n))


CASES = [
    Case("lif", neurons.lif, lif_values, lif_ref, ("u", "v"), 17, 5),
    Case("lif_reset", neurons.lif_reset, _reset_values, lif_reset_ref, ("u", "v"), 17, 5),
    Case("lif_refractory", neurons.lif_refractory, _refr_values, lif_refractory_ref,
         ("u", "v", "refractory_end"), 17, 5),
    Case("graded_vec", neurons.graded_vec,
         lambda rng, n: dict(vth=int(rng.integers(0, 5000))), graded_ref(True), ("v",), 20, 1),
    Case("graded_relu_vec", neurons.graded_relu_vec,
         lambda rng, n: dict(vth=int(rng.integers(0, 5000))), graded_ref(False), ("v",), 20, 1),
    Case("sigma_delta_unit", lambda g: neurons.sigma_delta(g, "unit", False), _sd_values,
         sigma_delta_ref(False, False), ("sigma", "act", "residue", "error"), 12, 4),
    Case("sigma_delta_relu", lambda g: neurons.sigma_delta(g, "relu", False), _sd_values,
         sigma_delta_ref(True, False), ("sigma", "act", "residue", "error"), 12, 4),
    Case("sigma_delta_unit_cum", lambda g: neurons.sigma_delta(g, "unit", True), _sd_values,
         sigma_delta_ref(False, True), ("sigma", "act", "residue", "error"), 12, 4),
    Case("sigma_delta_relu_cum", lambda g: neurons.sigma_delta(g, "relu", True), _sd_values,
         sigma_delta_ref(True, True), ("sigma", "act", "residue", "error"), 12, 4),
]


def random_acc(rng, case, groups, n):
    """Accumulator values: mostly small, some zero, a few near the case's bound."""
    a = rng.integers(-(1 << case.acc_bits), 1 << case.acc_bits, (groups, n))
    a = np.where(rng.random((groups, n)) < 0.5, a >> int(rng.integers(0, case.acc_bits)), a)
    return np.where(rng.random((groups, n)) < 0.15, 0, a).astype(np.int64)


def ref_state_from_values(prog, values, n):
    prof, par, st = prog.images(n, values)
    from kilauea.hw.neurocore import compartment_memory as cm
    st = st.reshape(n, cm.STATE_WORDS)
    return {name: st[:, d.index].copy() for name, d in prog.state.items()}


CASE_NAMES = [c.name for c in CASES]


@pytest.fixture
def nref():
    """This module: the transcriptions, CASES and helpers."""
    import sys
    return sys.modules[__name__]
