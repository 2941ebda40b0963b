"""Random NIR graphs (LIF, CubaLIF, IF, Threshold behind Affine, Linear,
Scale and Flatten nodes, biases included) imported with from_nir and run on
the float CPU models give the spikes of a plain Euler simulation of NIR's
equations (tests/sw/nir/nirsim_reference.py), for both resets; in fixed point the
CPU and the chip agree bit for bit."""
from __future__ import annotations

import numpy as np
import nir
import pytest

from kilauea import ChipCfg, CpuSimCfg
from kilauea.nir import from_nir, run_nir

from nirsim_reference import simulate

DT = 1e-3


def _neuron(kind: str, n: int, rng) -> nir.NIRNode:
    full = lambda v: np.full(n, v)                         # noqa: E731
    thr = full(float(rng.uniform(0.5, 1.5)))
    if kind == "LIF":
        tau = full(DT / float(rng.uniform(0.05, 0.5)))
        return nir.LIF(tau=tau, r=rng.uniform(0.5, 2.0, n) * tau / DT, v_leak=full(0.0),
                       v_threshold=thr)
    if kind == "CubaLIF":
        ts, tm = full(DT / float(rng.uniform(0.2, 0.7))), full(DT / float(rng.uniform(0.05, 0.4)))
        return nir.CubaLIF(tau_syn=ts, tau_mem=tm, r=tm / DT, v_leak=full(0.0), v_threshold=thr,
                           w_in=rng.uniform(0.5, 1.5, n) * ts / DT)
    if kind == "IF":
        return nir.IF(r=full(1.0 / DT), v_threshold=thr)
    return nir.Threshold(threshold=thr)


def _graph(seed: int):
    rng = np.random.default_rng(seed)
    sizes = [int(rng.integers(4, 9)) for _ in range(4)]
    kinds = ["LIF", "CubaLIF", "IF", "Threshold"]
    rng.shuffle(kinds)
    nodes = {"input": nir.Input(input_type={"input": np.array([sizes[0]])})}
    edges, prev = [], "input"
    for layer, kind in enumerate(kinds[:3]):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        w = rng.uniform(-0.4, 1.0, (n_out, n_in)) * 2.0 / n_in ** 0.5
        chain = [(f"lin{layer}", nir.Affine(weight=w, bias=rng.uniform(-0.05, 0.15, n_out))
                  if rng.random() < 0.7 else nir.Linear(weight=w))]
        if rng.random() < 0.5:
            chain.append((f"scale{layer}", nir.Scale(scale=rng.uniform(0.7, 1.3, n_out))))
        chain.append((f"neu{layer}", _neuron(kind, n_out, rng)))
        for name, node in chain:
            nodes[name] = node
            edges.append((prev, name))
            prev = name
    nodes["output"] = nir.Output(output_type={"output": np.array([sizes[3]])})
    edges.append((prev, "output"))
    x = (rng.random((40, sizes[0])) < 0.4).astype(float)
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False), x, kinds[:3]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("reset", ["zero", "subtract"])
def test_float_import_matches_nir_equations(seed, reset):
    g, x, kinds = _graph(seed)
    want = simulate(g, x, DT, reset)["output"]
    got = run_nir(from_nir(g, dt=DT, reset=reset), {"input": x},
                  CpuSimCfg(select_tag="floating_pt"))["output"]
    assert want.sum() > 3, f"seed {seed}: the output must spike ({kinds})"
    np.testing.assert_array_equal(got, want, err_msg=f"seed {seed}, reset {reset}, {kinds}")


@pytest.mark.parametrize("seed", [0, 1])
def test_fixed_point_cpu_equals_chip(seed):
    g, x, _ = _graph(seed)
    cpu = run_nir(from_nir(g, dt=DT, fixed_point=True), {"input": x},
                  CpuSimCfg(select_tag="fixed_pt"))["output"]
    chip = run_nir(from_nir(g, dt=DT, fixed_point=True), {"input": x},
                   ChipCfg(engine="model"))["output"]
    np.testing.assert_array_equal(chip, cpu, err_msg=f"seed {seed}")
