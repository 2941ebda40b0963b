"""A plain forward-Euler simulator of feed-forward NIR graphs, written from
NIR's equations (not from kilauea.nir): the reference of the import tests.

Every node is evaluated at every step in topological order with no delay
(as snnTorch does). Resets: "zero" (v = 0 after a spike) or "subtract"
(snnTorch's: vth subtracted at the next step from the undecayed sum).
"""
from __future__ import annotations

import numpy as np


def _topo(g) -> list[str]:
    preds = {n: [] for n in g.nodes}
    for s, d in g.edges:
        preds[d].append(s)
    order, done = [], set()

    def visit(n):
        if n in done:
            return
        for p in preds[n]:
            visit(p)
        done.add(n)
        order.append(n)

    for n in g.nodes:
        visit(n)
    return order, preds


def simulate(g, x: np.ndarray, dt: float, reset: str) -> dict[str, np.ndarray]:
    """Output node name -> (T, n) spikes for input ``x`` (T, n_in) on the
    single Input node."""
    order, preds = _topo(g)
    state: dict[str, dict] = {n: {} for n in g.nodes}
    outs = {n: [] for n, o in g.nodes.items() if type(o).__name__ == "Output"}
    for t in range(len(x)):
        val: dict[str, np.ndarray] = {}
        for n in order:
            node, kind = g.nodes[n], type(g.nodes[n]).__name__
            inp = sum(val[p] for p in preds[n]) if preds[n] else None
            if kind == "Input":
                val[n] = np.asarray(x[t], dtype=np.float64).reshape(-1)
            elif kind == "Output":
                val[n] = inp
                outs[n].append(inp)
            elif kind in ("Affine", "Linear"):
                val[n] = np.asarray(node.weight, np.float64) @ inp + (
                    np.asarray(node.bias, np.float64) if kind == "Affine" else 0)
            elif kind == "Scale":
                val[n] = np.asarray(node.scale, np.float64).reshape(-1) * inp
            elif kind == "Flatten":
                val[n] = inp
            elif kind == "Threshold":
                val[n] = (inp > np.asarray(node.threshold, np.float64)).astype(float)
            else:
                val[n] = _neuron(node, kind, inp, state[n], dt, reset)
    return {n: np.array(v) for n, v in outs.items()}


def _neuron(node, kind: str, inp, st: dict, dt: float, reset: str) -> np.ndarray:
    f = lambda a: np.asarray(a, np.float64).reshape(-1)     # noqa: E731
    v = st.get("v", np.zeros_like(inp))
    thr = f(node.v_threshold)
    was = v > thr                                           # the previous step's spikes
    if reset == "zero":
        v = np.where(was, 0.0, v)
    if kind == "CubaLIF":
        i = st.get("i", np.zeros_like(inp))
        i = i + dt / f(node.tau_syn) * (-i + f(node.w_in) * inp)
        st["i"] = i
        v = v + dt / f(node.tau_mem) * (f(node.v_leak) - v + f(node.r) * i)
    elif kind == "LIF":
        v = v + dt / f(node.tau) * (f(node.v_leak) - v + f(node.r) * inp)
    elif kind == "IF":
        v = v + dt * f(node.r) * inp
    else:
        raise ValueError(kind)
    if reset == "subtract":
        v = v - np.where(was, thr, 0.0)
    st["v"] = v
    return (v > thr).astype(float)
