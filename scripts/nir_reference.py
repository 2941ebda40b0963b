"""Write the NIR reference files of tests/sw/nir/data/ from real snnTorch and Norse models.

Not run by the tests: it needs torch and snnTorch, which kilauea does not
depend on. Run it in a separate environment::

    python -m venv /tmp/nir-ref && /tmp/nir-ref/bin/pip install torch snntorch nir
    /tmp/nir-ref/bin/pip install --no-deps norse     # optional: the Norse files
    /tmp/nir-ref/bin/python scripts/nir_reference.py tests/sw/nir/data

For each model it writes ``<name>.nir`` (snnTorch's ``export_to_nir``) and
``<name>.npz``: ``input`` (T, n_in) binary spikes (seeded), ``output`` (T,
n_out) the spikes the framework's forward pass gives for them,
``framework`` and ``reset`` (the conventions to import it with) and
``versions``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import snntorch as snn
from snntorch import utils as snn_utils
from snntorch.export_nir import export_to_nir
import nir

T = 60


def _per_neuron(n: int, value: float) -> torch.Tensor:
    """snnTorch exports a scalar beta as a 0-d tau that NIR's type check
    rejects: give beta and threshold per neuron."""
    return torch.full((n,), value)


def _linear(n_in: int, n_out: int, gen: torch.Generator, lo: float, hi: float) -> torch.nn.Linear:
    lin = torch.nn.Linear(n_in, n_out, bias=False)
    with torch.no_grad():
        lin.weight.copy_(lo + (hi - lo) * torch.rand(n_out, n_in, generator=gen))
    return lin


def leaky_subtract(gen):
    """Two Leaky layers, snnTorch's default reset (subtract)."""
    return torch.nn.Sequential(
        _linear(8, 12, gen, -0.3, 0.9), snn.Leaky(beta=_per_neuron(12, 0.9), threshold=_per_neuron(12, 1.0), init_hidden=True),
        _linear(12, 4, gen, -0.4, 0.6),
        snn.Leaky(beta=_per_neuron(4, 0.8), threshold=_per_neuron(4, 1.0), init_hidden=True,
                  output=True)), "subtract", 8


def leaky_zero(gen):
    """Two Leaky layers with reset_mechanism="zero" (Lava's reset)."""
    return torch.nn.Sequential(
        _linear(10, 10, gen, -0.2, 0.7),
        snn.Leaky(beta=_per_neuron(10, 0.85), threshold=_per_neuron(10, 0.8), reset_mechanism="zero",
                  init_hidden=True),
        _linear(10, 5, gen, -0.4, 0.7),
        snn.Leaky(beta=_per_neuron(5, 0.7), threshold=_per_neuron(5, 1.0), reset_mechanism="zero",
                  init_hidden=True,
                  output=True)), "zero", 10


def synaptic_subtract(gen):
    """A Synaptic (current-based) layer then a Leaky layer, subtractive reset."""
    return torch.nn.Sequential(
        _linear(6, 8, gen, -0.3, 0.5),
        snn.Synaptic(alpha=_per_neuron(8, 0.6), beta=_per_neuron(8, 0.85), threshold=_per_neuron(8, 1.0),
                     init_hidden=True),
        _linear(8, 3, gen, -0.4, 0.6),
        snn.Leaky(beta=_per_neuron(3, 0.9), threshold=_per_neuron(3, 1.0), init_hidden=True,
                  output=True)), "subtract", 6


def conv_subtract(gen):
    """Conv2d (1 -> 2 channels, 3x3, padding 1) on 6x6 input, Leaky, AvgPool2d
    2x2, Flatten, Linear, Leaky: the convolution and pooling paths."""
    conv = torch.nn.Conv2d(1, 2, 3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.copy_(-0.2 + 0.8 * torch.rand(2, 1, 3, 3, generator=gen))
    return torch.nn.Sequential(
        conv, snn.Leaky(beta=torch.full((2, 6, 6), 0.8), threshold=torch.ones(2, 6, 6),
                        init_hidden=True),
        torch.nn.AvgPool2d(2), torch.nn.Flatten(), _linear(18, 4, gen, -0.5, 0.6),
        snn.Leaky(beta=_per_neuron(4, 0.85), threshold=_per_neuron(4, 1.0), init_hidden=True,
                  output=True)), "subtract", (1, 6, 6)


MODELS = {"snntorch_leaky_subtract": leaky_subtract, "snntorch_leaky_zero": leaky_zero,
          "snntorch_synaptic_subtract": synaptic_subtract, "snntorch_conv_subtract": conv_subtract}


def _norse_models() -> dict:
    """Norse's LIFBoxCell (NIR LIF) and LIFCell (NIR CubaLIF), if Norse is installed."""
    try:
        import norse.torch as nt
        from norse.torch.module.lif_box import LIFBoxCell, LIFBoxParameters
        from norse.torch.functional.lif import LIFParameters
    except ImportError:
        return {}

    def box(n: int, tau_mem_inv: float):
        return LIFBoxCell(LIFBoxParameters(
            tau_mem_inv=torch.full((n,), tau_mem_inv), v_th=torch.ones(n),
            v_leak=torch.zeros(n), v_reset=torch.zeros(n)))

    def lif_box(gen):
        return nt.SequentialState(_linear(8, 10, gen, -1.0, 8.0), box(10, 100.0),
                                  _linear(10, 4, gen, -3.0, 8.0), box(4, 200.0)), "zero", 8

    def lif_cuba(gen):
        p = LIFParameters(tau_syn_inv=torch.full((8,), 200.0), tau_mem_inv=torch.full((8,), 100.0),
                          v_th=torch.ones(8), v_leak=torch.zeros(8), v_reset=torch.zeros(8))
        return nt.SequentialState(_linear(6, 8, gen, -0.5, 1.5), nt.LIFCell(p),
                                  _linear(8, 3, gen, -3.0, 6.0), box(3, 150.0)), "zero", 6

    return {"norse_lifbox_zero": lif_box, "norse_lif_zero": lif_cuba}


def _record(model, x: torch.Tensor) -> np.ndarray:
    if type(model).__name__ == "SequentialState":
        return _record_norse(model, x)
    snn_utils.reset(model)
    out = []
    with torch.no_grad():
        for t in range(x.shape[0]):
            spk, _ = model(x[t:t + 1])
            out.append(spk[0].numpy().reshape(-1))
    return np.array(out, dtype=np.float32)


def _record_norse(model, x: torch.Tensor) -> np.ndarray:
    state, out = None, []
    with torch.no_grad():
        for t in range(x.shape[0]):
            z, state = model(x[t:t + 1], state)
            out.append(z[0].numpy().reshape(-1))
    return np.array(out, dtype=np.float32)


def _export(model, x: torch.Tensor, conv: bool):
    """snnTorch's export_to_nir with a sample without the batch axis (NIR's
    types have none). A conv net needs the batch axis for its Flatten
    (start_dim=1), which NIR's type inference then trips over: it is
    skipped during the export, and the graph typed afterwards from the
    unbatched input shape."""
    if type(model).__name__ == "SequentialState":
        import norse.torch as nt
        return nt.to_nir(model, x[0])
    if not conv:
        return export_to_nir(model, x[0])
    infer = nir.NIRGraph.infer_types
    nir.NIRGraph.infer_types = lambda self: None
    try:
        graph = export_to_nir(model, x[:1])
    finally:
        nir.NIRGraph.infer_types = infer
    graph.nodes["input"] = nir.Input(input_type={"input": np.array(x.shape[1:])})
    shapes, h = {}, x[:1]
    with torch.no_grad():                       # each module's unbatched in / out shapes
        for name, mod in model.named_children():
            out = mod(h)
            out = out[0] if isinstance(out, tuple) else out
            shapes[name] = (tuple(h.shape[1:]), tuple(out.shape[1:]))
            h = out
    snn_utils.reset(model)
    for name, node in list(graph.nodes.items()):
        if name not in shapes:
            continue
        shape_in, shape_out = shapes[name]
        if isinstance(node, nir.Flatten):
            graph.nodes[name] = nir.Flatten(input_type={"input": np.array(shape_in)},
                                            start_dim=0, end_dim=-1)
            continue
        if isinstance(node, nir.Conv2d):
            node.input_shape = np.array(shape_in[1:])
        node.input_type = {"input": np.array(shape_in)}
        node.output_type = {"output": np.array(shape_out)}
    graph.nodes["output"] = nir.Output(output_type={"output": np.array(shape_out)})
    return graph


def _norse_version() -> str:
    try:
        import norse
        return f"norse {norse.__version__}"
    except ImportError:
        return "no norse"


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for i, (name, make) in enumerate({**MODELS, **_norse_models()}.items()):
        gen = torch.Generator().manual_seed(100 + i)
        model, reset, n_in = make(gen)
        shape = n_in if isinstance(n_in, tuple) else (n_in,)
        x = (torch.rand((T,) + shape, generator=gen) < 0.35).float()
        out = _record(model, x)
        if name.startswith("snntorch"):
            snn_utils.reset(model)
        graph = _export(model, x, isinstance(n_in, tuple))
        nir.write(str(out_dir / f"{name}.nir"), graph)
        np.savez_compressed(out_dir / f"{name}.npz", input=x.numpy(), output=out, reset=reset,
                            framework=name.split("_")[0],
                            versions=f"torch {torch.__version__}, snntorch {snn.__version__}, "
                                     f"nir {nir.__version__}, {_norse_version()}")
        print(f"{name}: nodes {list(graph.nodes)}, output spikes {int(out.sum())} "
              f"of {out.size}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/sw/nir/data"))
