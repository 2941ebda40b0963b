"""A loop-style transcription of docs/learning.md, "How a plastic connection steps"
(with "Traces", "Random streams" and steps 6-8 of "Fixed point"), for a fixed-point
LearningDense with binary input, one neuron and one synapse at a time in plain Python
integers. The products' values (steps 1-5) come from tests/sw/learning's own
transcription, learning_spec_ref.fixed_rule. Shares no code with kilauea.proc.plastic.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

TRACE_MAX = 127
SHIFT = 7                        # accumulator step per unit of w, d, t: 2**7
SAT = {"weights": (-256, 255), "tag_2": (0, 255), "tag_1": (-257, 255)}
#: The weights' range by sign mode (8 magnitude bits; MIXED has the sign bit too).
WEIGHT_RANGE = {"MIXED": (-256, 255), "EXCITATORY": (0, 255), "INHIBITORY": (-255, 0)}


@dataclass
class Streams:
    """The five streams of "Random streams", each holding its current number."""
    seed: int
    gens: dict = field(default_factory=dict)
    now: dict = field(default_factory=dict)

    def __post_init__(self):
        for name, seed in (("xd", self.seed), ("xi", self.seed + 1), ("yd", self.seed + 2),
                           ("yi", self.seed + 3), ("syn", 2)):
            self.gens[name] = np.random.default_rng(seed)
            self._draw(name)

    def _draw(self, name: str) -> None:
        g = self.gens[name]
        self.now[name] = int(g.integers(0, 128)) if name in ("xi", "yi") else float(g.random())

    def advance_traces(self) -> None:
        for name in ("xd", "xi", "yd", "yi"):
            self._draw(name)

    def advance_syn(self) -> None:
        self._draw("syn")


def split(impulse: float):
    whole = math.floor(impulse)
    return whole, round((impulse - whole) * 256)


def add_impulse(x: int, impulse: float, r: int) -> int:
    whole, frac = split(impulse)
    return min(max(x + whole + (1 if r < frac else 0), 0), TRACE_MAX)


def decay(x: int, tau: float, r: float) -> int:
    if tau == 0:
        return 0
    v = math.exp(-1 / tau) * x
    f = math.floor(v)
    return f + (1 if r < v - f else 0)


class RefConnection:
    """The connection's state and its step, as the docs say."""

    def __init__(self, weights, tag_1, tag_2, taus, impulses, t_epoch, rng_seed,
                 rules, k, spec_ref, sign_mode="MIXED"):
        # truncated to 8 bits before the first step: MIXED clears one low bit
        cut = 1 if sign_mode == "MIXED" else 0
        self.w = [[(int(v) >> cut) << cut for v in row] for row in weights]
        self.sign_mode = sign_mode
        self.t1 = [[int(v) for v in row] for row in tag_1]
        self.t2 = [[int(v) for v in row] for row in tag_2]
        self.n_post, self.n_pre = len(self.w), len(self.w[0])
        self.taus, self.imp = taus, impulses            # dicts "x1".."y3"
        self.T, self.k, self.rules, self.ref = t_epoch, k, rules, spec_ref
        self.x = {n: [0] * self.n_pre for n in ("x1", "x2")}
        self.y = {n: [0] * self.n_post for n in ("y1", "y2", "y3")}
        self.tx, self.ty = [0] * self.n_pre, [0] * self.n_post
        self.r = Streams(rng_seed)

    def step(self, n: int, pre, post) -> None:
        at = (n - 1) % self.T + 1
        for j in range(self.n_pre):
            if pre[j]:
                if self.tx[j] > 0:
                    for name in ("x1", "x2"):
                        self.x[name][j] = add_impulse(self.x[name][j], self.imp[name], 0)
                self.tx[j] = at
        self.r.advance_traces()
        for i in range(self.n_post):
            if post[i]:
                if self.ty[i] > 0:
                    for name in ("y1", "y2", "y3"):
                        self.y[name][i] = add_impulse(self.y[name][i], self.imp[name],
                                                      self.r.now["yi"])
                self.ty[i] = at
        self.r.advance_traces()
        if n % self.T == 0:
            self.learn(n)

    def replay(self, traces: dict, times, rd: float, ri: int) -> dict:
        """name -> [value at step 0..T] per neuron."""
        out = {}
        for name, vals in traces.items():
            hist = []
            for neuron, v in enumerate(vals):
                h = [v]
                for t in range(1, self.T + 1):
                    v = decay(v, self.taus[name], rd)
                    if times[neuron] == t:
                        v = add_impulse(v, self.imp[name], ri)
                    h.append(v)
                hist.append(h)
            out[name] = hist
        return out

    def learn(self, n: int) -> None:
        self.r.advance_syn()
        xh = self.replay(self.x, self.tx, self.r.now["xd"], self.r.now["xi"])
        yh = self.replay(self.y, self.ty, self.r.now["yd"], self.r.now["yi"])
        s = self.state(xh, yh, n)
        new = {}
        for name, products in self.rules.items():
            var = {"weights": self.w, "tag_1": self.t1, "tag_2": self.t2}[name]
            new[name] = [[self.finish(name, self.ref.fixed_rule(
                products, var[i][j] << SHIFT, s, i, j))
                for j in range(self.n_pre)] for i in range(self.n_post)]
        self.w, self.t1, self.t2 = (new.get("weights", self.w), new.get("tag_1", self.t1),
                                    new.get("tag_2", self.t2))
        self.x = {k: [h[-1] for h in v] for k, v in xh.items()}
        self.y = {k: [h[-1] for h in v] for k, v in yh.items()}
        self.tx, self.ty = [0] * self.n_pre, [0] * self.n_post

    def state(self, xh, yh, n) -> dict:
        """spec_ref's state: traces at the dependencies' times, per synapse."""
        s = {"x0": [t > 0 for t in self.tx], "y0": [t > 0 for t in self.ty],
             "u": 1 if self.k is not None and (n // self.T) % 2 ** self.k == 0 else 0,
             "weights": self.w, "tag_1": self.t1, "tag_2": self.t2}
        for name, hist in list(xh.items()) + list(yh.items()):
            pre = name.startswith("x")
            s[f"{name}_x0"] = [[hist[j if pre else i][self.tx[j]] for j in range(self.n_pre)]
                               for i in range(self.n_post)]
            s[f"{name}_y0"] = [[hist[j if pre else i][self.ty[i]] for j in range(self.n_pre)]
                               for i in range(self.n_post)]
            s[f"{name}_u"] = [[hist[j if pre else i][-1] for j in range(self.n_pre)]
                              for i in range(self.n_post)]
        return s

    def finish(self, name: str, acc: int) -> int:
        """Steps 6-8: sign, stochastic rounding, back to the variable, saturation."""
        if name == "tag_2" or (name == "weights" and self.sign_mode == "EXCITATORY"):
            acc = max(0, acc)
        if name == "weights" and self.sign_mode == "INHIBITORY":
            acc = min(0, acc)
        q = 2 ** SHIFT
        whole = math.floor(acc / q)
        frac = acc / q - whole
        value = whole + (1 if self.r.now["syn"] < frac else 0)
        lo, hi = WEIGHT_RANGE[self.sign_mode] if name == "weights" else SAT[name]
        return min(max(value, lo), hi)
