"""docs/nir.md's example: a classifier trained in snnTorch, run on kilauea.

``docs/nir/classifier.nir`` and its test set ``docs/nir/classifier_test.npz``
were written by ``scripts/nir_example_train.py`` (snnTorch). This script
needs only kilauea: it imports the graph, runs the test set on the CPU in
floating point, on the CPU in fixed point and on the emulated chip, prints
the accuracy table of docs/nir.md and draws ``docs/nir/accuracy.png``::

    .venv/bin/python docs/nir_example.py [--plot PATH]

The samples run side by side in one network: ``batched`` makes a graph of
N independent copies of the classifier (block-diagonal weights).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import nir

from kilauea import ChipCfg, CpuSimCfg
from kilauea.nir import from_nir, run_nir

HERE = Path(__file__).parent / "nir"


def batched(g: nir.NIRGraph, n: int) -> nir.NIRGraph:
    """``n`` independent copies of a graph of Linear and LIF nodes."""
    nodes = {}
    for name, node in g.nodes.items():
        if isinstance(node, nir.Linear):
            nodes[name] = nir.Linear(weight=np.kron(np.eye(n), node.weight))
        elif isinstance(node, nir.LIF):
            nodes[name] = nir.LIF(**{k: np.tile(getattr(node, k), n) for k in
                                     ("tau", "r", "v_leak", "v_threshold", "v_reset")})
        elif isinstance(node, nir.Input):
            nodes[name] = nir.Input(input_type={"input": np.array([n * node.input_type["input"][0]])})
        elif isinstance(node, nir.Output):
            nodes[name] = nir.Output(output_type={"output": np.array([n * node.output_type["output"][0]])})
        else:
            raise ValueError(f"batched: node {name} ({type(node).__name__}) not handled")
    return nir.NIRGraph(nodes=nodes, edges=list(g.edges), type_check=False)


#: the runs of the table: label -> (fixed point, run configuration)
RUNS = {"kilauea CPU float": (False, CpuSimCfg(select_tag="floating_pt")),
        "kilauea CPU fixed": (True, CpuSimCfg(select_tag="fixed_pt")),
        "kilauea chip": (True, ChipCfg(engine="model", mesh=(2, 2)))}


def spike_counts(n_samples: int | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The labels of the first ``n_samples`` test samples and, per run (and
    ``"snnTorch"``, recorded), their output spike counts (N, 3)."""
    data = np.load(HERE / "classifier_test.npz")
    x, y = data["x"][:n_samples], data["y"][:n_samples]
    n, t, n_in = x.shape
    g = batched(nir.read(str(HERE / "classifier.nir")), n)
    inp = {"input": x.transpose(1, 0, 2).reshape(t, n * n_in)}
    counts = {"snnTorch": data["snntorch_counts"][:n]}
    for label, (fixed, cfg) in RUNS.items():
        out = run_nir(from_nir(g, fixed_point=fixed), inp, cfg)["output"]
        counts[label] = out.sum(axis=0).reshape(n, -1)
    return y, counts


def accuracies(y: np.ndarray, counts: dict[str, np.ndarray]) -> dict[str, float]:
    """The class is the output neuron that spikes most (the first on a tie,
    as torch's argmax)."""
    return {k: float(np.mean(c.argmax(axis=1) == y)) for k, c in counts.items()}


def plot(acc: dict[str, float], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.2))
    labels = [k.replace("kilauea ", "kilauea\n") for k in acc]
    ax.bar(labels, [100 * a for a in acc.values()], color=["#777", "#38a", "#38a", "#c53"])
    for i, a in enumerate(acc.values()):
        ax.text(i, 100 * a + 1, f"{100 * a:.1f}%", ha="center")
    ax.set_ylim(0, 105)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("snnTorch classifier imported through NIR")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plot", type=Path, default=HERE / "accuracy.png")
    args = ap.parse_args()
    acc = accuracies(*spike_counts())
    for k, v in acc.items():
        print(f"{k:<20} {100 * v:.1f}%")
    plot(acc, args.plot)


if __name__ == "__main__":
    main()
