"""A direct, loop-style transcription of docs/numerics.md (and docs/processes.md).

Written from the spec text, on Python integers, one neuron and one synapse at
a time, and deliberately independent of ``kilauea.numerics`` (nothing is
imported from kilauea), so tests comparing the two can catch a bug in either.
Slow; meant for small random networks.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def trunc_shr(x: int, k: int) -> int:
    """sign(x) * (abs(x) >> k)."""
    if x < 0:
        return -((-x) >> k)
    return x >> k


def shr(x: int, k: int) -> int:
    """Arithmetic shift right (Python's >> floors)."""
    return x >> k


# ----------------------------------------------------------------- weights
def sign_mode_of(w):
    flat = [x for row in w for x in row]
    if min(flat) >= 0:
        return "EXCITATORY"
    if max(flat) <= 0:
        return "INHIBITORY"
    return "MIXED"


def prepare_weights(w, sign_mode=None, nwb=8):
    """Clip to 8 bits, then truncate to nwb bits, element by element."""
    mode = sign_mode or sign_mode_of(w)
    out = []
    for row in w:
        new_row = []
        for x in row:
            x = int(x)
            # clip
            if mode == "INHIBITORY":
                x = -min(max(-x, 0), 255)
            elif mode == "MIXED":
                x = min(max(x, -256), 255)
            else:
                x = min(max(x, 0), 255)
            # truncate
            t = 8 - nwb + (1 if mode == "MIXED" else 0)
            if mode == "INHIBITORY":
                x = -(((-x) >> t) << t)
            else:
                x = (x >> t) << t
            new_row.append(x)
        out.append(new_row)
    return out


# ----------------------------------------------------------------- neurons
@dataclass
class Lif:
    n: int
    du: int = 0
    dv: int = 0
    bias_mant: list = None
    bias_exp: list = None
    vth: int = 10
    u: list = None
    v: list = None
    reset_interval: int = 0      # > 0: LIFReset
    reset_offset: int = 0
    refractory_period: int = 0   # > 0: LIFRefractory
    refractory_end: list = None

    def __post_init__(self):
        self.bias_mant = list(self.bias_mant or [0] * self.n)
        self.bias_exp = list(self.bias_exp or [0] * self.n)
        self.u = list(self.u or [0] * self.n)
        self.v = list(self.v or [0] * self.n)
        self.refractory_end = [0] * self.n

    def step(self, t: int, a_in: list) -> list:
        if self.reset_interval > 0 and \
                t % self.reset_interval == self.reset_offset % self.reset_interval:
            self.u = [0] * self.n
            self.v = [0] * self.n
        spikes = []
        for i in range(self.n):
            u = trunc_shr(self.u[i] * (4096 - (self.du + 1)), 12) + (a_in[i] << 6)
            if u > 2 ** 23:
                u -= 2 ** 24
            elif u <= -(2 ** 23):
                u += 2 ** 24
            self.u[i] = u
            if self.refractory_period > 0 and not self.refractory_end[i] < t:
                v = self.v[i]                       # frozen
            else:
                be = self.bias_exp[i]
                bias = self.bias_mant[i] << be if be >= 0 else shr(self.bias_mant[i], -be)
                v = trunc_shr(self.v[i] * (4096 - self.dv), 12) + u + bias
                v = min(max(v, -(2 ** 23 - 1)), 2 ** 23 - 1)
            s = 1 if v > (self.vth << 6) else 0
            if s:
                v = 0
                if self.refractory_period > 0:
                    self.refractory_end[i] = t + self.refractory_period
            self.v[i] = v
            spikes.append(s)
        return spikes


# ------------------------------------------------------------- connections
@dataclass
class Conn:
    src: str
    dst: str
    weights: list                 # out x in, the user's matrix
    weight_exp: int = 0
    nwb: int = 8
    sign_mode: str = None
    delays: list = None           # out x in, or None (all 0)
    prepared: list = field(init=False)

    def __post_init__(self):
        self.prepared = prepare_weights(self.weights, self.sign_mode, self.nwb)


def run_network(pops: dict, conns: list, num_steps: int):
    """Run LIF populations joined by (Delay)Dense connections.

    Returns ``{pop_name: {"u": [[...] per step], "v": ..., "s": ...}}``.
    Timing (spec): a spike at step t through a synapse of delay d reaches the
    target's input at step t + 1 + d; the shift by weight_exp floors each
    connection's own per-step (per-delay) sum.
    """
    pending = {}   # (dst, arrival_step) -> list of inputs
    rec = {name: {"u": [], "v": [], "s": []} for name in pops}
    for t in range(1, num_steps + 1):
        spikes = {}
        for name, pop in pops.items():
            a_in = pending.pop((name, t), [0] * pop.n)
            spikes[name] = pop.step(t, a_in)
            rec[name]["u"].append(list(pop.u))
            rec[name]["v"].append(list(pop.v))
            rec[name]["s"].append(list(spikes[name]))
        for c in conns:
            n_out = len(c.prepared)
            n_in = len(c.prepared[0])
            sums = {}   # delay -> per-target sum of this step
            for j in range(n_out):
                for i in range(n_in):
                    if spikes[c.src][i]:
                        d = c.delays[j][i] if c.delays is not None else 0
                        sums.setdefault(d, [0] * n_out)
                        sums[d][j] += c.prepared[j][i]
            for d, acc in sums.items():
                key = (c.dst, t + 1 + d)
                buf = pending.setdefault(key, [0] * pops[c.dst].n)
                for j in range(n_out):
                    a = acc[j]
                    a = a << c.weight_exp if c.weight_exp > 0 else shr(a, -c.weight_exp)
                    buf[j] += a
    return rec


class Replay:
    """A population whose spikes are given (e.g. recorded from a generator):
    ``spikes[t - 1]`` at step t."""

    def __init__(self, spikes):
        self.spikes = [[1 if x else 0 for x in row] for row in spikes]
        self.n = len(self.spikes[0])
        self.u = [0] * self.n
        self.v = [0] * self.n

    def step(self, t: int, a_in: list) -> list:
        return list(self.spikes[t - 1])
