"""from_nir names every node or parameter that does not map, with the
reason, in one error; to_nir and run_nir reject what has no counterpart."""
from __future__ import annotations

import numpy as np
import nir
import pytest

from kilauea import CpuSimCfg, Dense, LIF, LIFReset
from kilauea.nir import NirExportError, NirImportError, from_nir, run_nir, to_nir


def _lif(n, tau=1e-3, **kw):
    return nir.LIF(tau=np.full(n, tau) if np.ndim(tau) == 0 else np.asarray(tau),
                   r=np.full(n, 10.0), v_leak=np.zeros(n), v_threshold=np.ones(n), **kw)


def test_every_problem_is_named_once():
    nodes = {
        "input": nir.Input(input_type={"input": np.array([3])}),
        "lin": nir.Linear(weight=np.ones((3, 3))),
        "bad_tau": _lif(3, tau=[1e-3, 2e-3, 1e-3]),
        "delay": nir.Delay(delay=np.ones(3)),
        "reset": _lif(3, v_reset=np.full(3, 0.5)),
        "li": nir.LI(tau=np.full(3, 1e-3), r=np.ones(3), v_leak=np.zeros(3)),
        "lin2": nir.Linear(weight=np.ones((3, 3))),
        "after_li": _lif(3),
        "output": nir.Output(output_type={"output": np.array([3])}),
    }
    edges = [("input", "lin"), ("lin", "bad_tau"), ("bad_tau", "delay"), ("delay", "reset"),
             ("lin", "li"), ("li", "lin2"), ("lin2", "after_li"), ("after_li", "output")]
    g = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    with pytest.raises(NirImportError) as e:
        from_nir(g, dt=1e-4)
    assert set(e.value.problems) == {"bad_tau", "delay", "reset", "li"}
    msg = str(e.value)
    assert "'tau' differs across neurons" in msg and "v_reset" in msg
    assert "Delay" in e.value.problems["delay"] or "delays" in e.value.problems["delay"]
    assert "LI" in e.value.problems["li"]


def test_output_fed_by_a_linear_node_and_unknown_nodes():
    g = nir.NIRGraph(nodes={
        "input": nir.Input(input_type={"input": np.array([2])}),
        "lin": nir.Linear(weight=np.ones((2, 2))),
        "i": nir.I(r=np.ones(2)),
        "output": nir.Output(output_type={"output": np.array([2])}),
    }, edges=[("input", "lin"), ("lin", "i"), ("lin", "output")], type_check=False)
    with pytest.raises(NirImportError) as e:
        from_nir(g)
    assert set(e.value.problems) == {"output", "i"}


def test_bad_arguments():
    g = nir.NIRGraph.from_list(nir.Linear(weight=np.ones((2, 2))), _lif(2))
    with pytest.raises(ValueError, match="framework 'keras' unknown"):
        from_nir(g, framework="keras")
    with pytest.raises(ValueError, match="dt = 0"):
        from_nir(g, dt=0)
    with pytest.raises(NirImportError, match="unstable"):
        from_nir(g, dt=0.01)          # dt / tau = 10
    with pytest.raises(TypeError, match="NIRGraph or a path"):
        from_nir({"nodes": {}})
    with pytest.raises(ValueError, match="binary spikes"):
        run_nir(from_nir(g), {"input": np.full((3, 2), 0.5)}, CpuSimCfg())
    with pytest.raises(ValueError, match="inputs for"):
        run_nir(from_nir(g), {"x": np.zeros((3, 2))}, CpuSimCfg())


def test_li_in_fixed_point_is_refused():
    g = nir.NIRGraph.from_list(nir.Linear(weight=np.ones((2, 2))),
                               nir.LI(tau=np.full(2, 1e-3), r=np.ones(2), v_leak=np.zeros(2)))
    assert from_nir(g).populations                    # float: fine
    with pytest.raises(NirImportError, match="fixed-point scale"):
        from_nir(g, fixed_point=True)


def test_to_nir_refuses_what_nir_cannot_say():
    a = LIFReset(shape=(2,), du=1.0, dv=0.5, reset_interval=4, name="r")
    d = Dense(weights=np.ones((2, 2)), name="d")
    a.s_out.connect(d.s_in)
    with pytest.raises(NirExportError, match="'r' \\(LIFReset\\)"):
        to_nir(a)
    b = LIF(shape=(2,), du=1.0, dv=0.0, bias_mant=1.0, name="if_bias")
    with pytest.raises(NirExportError, match="IF has no bias"):
        to_nir(b)
    c = LIF(shape=(2,), du=0.5, dv=0.0, name="cuba_no_leak")
    with pytest.raises(NirExportError, match="finite time constants"):
        to_nir(c)
    e = LIF(shape=(2,), du=1.0, dv=0.5, name="e")
    g = Dense(weights=np.ones((2, 2)), num_message_bits=8, name="graded")
    e.s_out.connect(g.s_in)
    with pytest.raises(NirExportError, match="graded input"):
        to_nir(e)


def test_a_loop_of_linear_nodes_is_named():
    g = nir.NIRGraph(nodes={
        "input": nir.Input(input_type={"input": np.array([2])}),
        "a": nir.Linear(weight=np.eye(2)),
        "b": nir.Linear(weight=np.eye(2)),
        "lif": _lif(2),
        "output": nir.Output(output_type={"output": np.array([2])}),
    }, edges=[("a", "b"), ("b", "a"), ("b", "lif"), ("lif", "output")], type_check=False)
    with pytest.raises(NirImportError, match="cycle of linear nodes"):
        from_nir(g)
