"""to_nir(from_nir(g)) gives g back on the supported nodes: the neuron nodes
with their parameters, and one Linear / Affine node per pair of connected
neuron nodes holding the composed weights and bias. Also through a .nir
file, for random graphs (the same spikes after the round trip), and for a
quantised network (``fixed_point=True``: its float equivalent)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import nir
import pytest

from kilauea import CpuSimCfg, Dense, LIF
from kilauea.nir import from_nir, run_nir, to_nir
from kilauea.proc.lifsub.process import LIFSubtract

from test_nir_equivalence import DT, _graph

DATA = Path(__file__).parent / "data"
FILES = sorted(p.stem for p in DATA.glob("snntorch_*.nir"))   # exported with their conventions
_NEURON_FIELDS = ("tau", "tau_syn", "tau_mem", "r", "w_in", "v_leak", "v_threshold")


def _linear_between(g, src: str, dst: str) -> np.ndarray:
    """The weight of the Linear node on the edge path src -> lin -> dst."""
    lins = [d for s, d in g.edges if s == src and (d, dst) in set(map(tuple, g.edges))]
    assert len(lins) == 1, (src, dst, g.edges)
    return np.asarray(g.nodes[lins[0]].weight)


@pytest.mark.parametrize("stem", FILES)
def test_snntorch_files_round_trip(stem, tmp_path):
    g = nir.read(str(DATA / f"{stem}.nir"))
    net = from_nir(g, reset=str(np.load(DATA / f"{stem}.npz")["reset"]))
    path = tmp_path / "back.nir"
    nir.write(str(path), to_nir(net))
    h = nir.read(str(path))
    assert {n for n, o in h.nodes.items() if type(o).__name__ in ("Input", "Output")} \
        == {"input", "output"}
    for name, node in g.nodes.items():
        kind = type(node).__name__
        if kind in ("LIF", "CubaLIF"):
            assert type(h.nodes[name]).__name__ == kind
            for f in _NEURON_FIELDS:
                if hasattr(node, f):
                    np.testing.assert_allclose(np.ravel(getattr(h.nodes[name], f)),
                                               np.ravel(getattr(node, f)),
                                               rtol=1e-6, err_msg=f"{stem}: {name}.{f}")
    pairs = [("input", "1", "0"), ("1", "3", "2")]
    for src, dst, lin in pairs:
        if isinstance(g.nodes[lin], nir.Linear):
            np.testing.assert_allclose(_linear_between(h, src, dst), g.nodes[lin].weight,
                                       rtol=1e-7)


@pytest.mark.parametrize("seed", range(3))
def test_random_graphs_round_trip_to_the_same_spikes(seed):
    g, x, _ = _graph(seed)
    cfg = CpuSimCfg(select_tag="floating_pt")
    first = run_nir(from_nir(g, dt=DT), {"input": x}, cfg)["output"]
    back = to_nir(from_nir(g, dt=DT), dt=DT)
    assert any(type(n).__name__ == "Affine" for n in back.nodes.values()) or seed != 0
    again = run_nir(from_nir(back, dt=DT), {"input": x}, cfg)["output"]
    np.testing.assert_array_equal(again, first, err_msg=f"seed {seed}")


def test_a_kilauea_network_exports_with_its_names():
    a = LIF(shape=(3,), du=1.0, dv=0.25, vth=1.5, bias_mant=[0.1, 0.0, -0.1], name="a")
    d = Dense(weights=np.arange(6.0).reshape(2, 3) / 10, name="d")
    b = LIFSubtract(shape=(2,), du=0.5, dv=0.0625, vth=2.0, name="b")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    g = to_nir(a, dt=1e-3)
    assert {"a", "d", "b", "output_b"} <= set(g.nodes)
    assert isinstance(g.nodes["a"], nir.LIF) and isinstance(g.nodes["b"], nir.CubaLIF)
    np.testing.assert_allclose(g.nodes["a"].tau, 4e-3)
    np.testing.assert_allclose(g.nodes["a"].v_leak, [0.4, 0.0, -0.4])
    np.testing.assert_allclose(g.nodes["b"].tau_syn, 2e-3)
    np.testing.assert_allclose(g.nodes["b"].tau_mem, 16e-3)
    assert ("a", "d") in g.edges and ("d", "b") in g.edges


def test_fixed_point_export_is_the_float_network_it_approximates():
    stem = "snntorch_leaky_zero"
    g = nir.read(str(DATA / f"{stem}.nir"))
    h = to_nir(from_nir(g, reset="zero", fixed_point=True), fixed_point=True)
    for name in ("1", "3"):
        np.testing.assert_allclose(h.nodes[name].tau, g.nodes[name].tau, rtol=2e-3)
    w = _linear_between(h, "1", "3") / h.nodes["3"].v_threshold[0]
    want = g.nodes["2"].weight / g.nodes["3"].v_threshold[0]
    assert np.abs(w - want).max() <= np.abs(want).max() / 2 ** 7
