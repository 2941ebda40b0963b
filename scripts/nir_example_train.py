"""Train the docs/nir.md example classifier in snnTorch and export it to NIR.

Needs torch and snnTorch (not kilauea dependencies); run it in a separate
environment (see scripts/nir_reference.py)::

    /tmp/nir-ref/bin/python scripts/nir_example_train.py docs/nir

Writes ``classifier.nir`` and ``classifier_test.npz`` (the test set:
``x`` (N, T, 20) binary spikes, ``y`` (N,) labels, ``snntorch_pred`` (N,)
snnTorch's predictions, ``snntorch_counts`` (N, 3) its output spike counts).

The data set is synthetic: three classes of 20-channel Poisson spike
trains, each class firing at a high rate on its own (overlapping) subset of
channels; the class is the output neuron that spikes most.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import snntorch as snn
from snntorch import utils as snn_utils

sys.path.insert(0, str(Path(__file__).parent))
from nir_reference import _export  # noqa: E402

N_IN, N_HID, N_OUT, T = 20, 24, 3, 25


def make_data(n: int, rng: np.random.Generator, proto: np.ndarray):
    """``n`` samples: labels, and spikes at rates ``proto[label]`` jittered
    per sample."""
    y = rng.integers(0, N_OUT, n)
    rates = np.clip(proto[y] + rng.normal(0, 0.1, (n, N_IN)), 0.02, 0.9)
    x = (rng.random((n, T, N_IN)) < rates[:, None, :]).astype(np.float32)
    return x, y


def model(gen: torch.Generator) -> torch.nn.Sequential:
    lin1 = torch.nn.Linear(N_IN, N_HID, bias=False)
    lin2 = torch.nn.Linear(N_HID, N_OUT, bias=False)
    with torch.no_grad():
        lin1.weight.copy_(torch.randn(N_HID, N_IN, generator=gen) * 0.3)
        lin2.weight.copy_(torch.randn(N_OUT, N_HID, generator=gen) * 0.3)
    return torch.nn.Sequential(
        lin1, snn.Leaky(beta=torch.full((N_HID,), 0.9), threshold=torch.ones(N_HID),
                        init_hidden=True),
        lin2, snn.Leaky(beta=torch.full((N_OUT,), 0.9), threshold=torch.ones(N_OUT),
                        init_hidden=True, output=True))


def counts(net, x: torch.Tensor) -> torch.Tensor:
    """Output spike counts (N, 3) for a batch x (N, T, 20)."""
    snn_utils.reset(net)
    total = 0
    for t in range(x.shape[1]):
        spk, _ = net(x[:, t])
        total = total + spk
    return total


def main(out_dir: Path) -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    proto = np.where(rng.random((N_OUT, N_IN)) < 0.4, 0.22, 0.1)
    xtr, ytr = make_data(600, rng, proto)
    xte, yte = make_data(120, rng, proto)
    net = model(torch.Generator().manual_seed(0))
    opt = torch.optim.Adam(net.parameters(), lr=5e-3)
    xt, yt = torch.tensor(xtr), torch.tensor(ytr)
    for epoch in range(25):
        for i in range(0, len(xt), 100):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(counts(net, xt[i:i + 100]), yt[i:i + 100])
            loss.backward()
            opt.step()
    with torch.no_grad():
        c = counts(net, torch.tensor(xte)).numpy()
    pred = c.argmax(axis=1)
    print(f"snnTorch test accuracy {np.mean(pred == yte):.3f}")
    out_dir.mkdir(parents=True, exist_ok=True)
    graph = _export(net, torch.tensor(xte[0]), False)
    import nir
    nir.write(str(out_dir / "classifier.nir"), graph)
    np.savez_compressed(out_dir / "classifier_test.npz", x=xte.astype(np.uint8), y=yte,
                        snntorch_pred=pred, snntorch_counts=c.astype(np.int32))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/nir"))
