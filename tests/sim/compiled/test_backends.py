"""The compiled engine's two back ends: choosing one, and Verilator equal to
CXXRTL job for job (spikes, cycle counts, read answers) on random traffic."""
import dataclasses

import pytest

from kilauea.hw.params import ChipParams
from kilauea.sim.engines.compiled import BACKEND_ENV, CompiledEngine, resolve_backend
from kilauea.sim.verilator import toolchain
from kilauea.sim.verilator.tiled import CoreTile, glue_verilog

from sim_chip_images import CXX_SMALL, build_images, host_inputs, snapshot

HAVE_VERILATOR = toolchain.installed()
needs_verilator = pytest.mark.skipif(not HAVE_VERILATOR, reason="Verilator is not installed")


def test_resolve_backend(monkeypatch):
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    auto = "verilator" if HAVE_VERILATOR else "cxxrtl"
    assert resolve_backend() == auto
    assert resolve_backend(trace=True) == "cxxrtl"           # waveforms: CXXRTL
    assert resolve_backend("cxxrtl") == "cxxrtl"
    monkeypatch.setenv(BACKEND_ENV, "cxxrtl")
    assert resolve_backend() == "cxxrtl"
    assert resolve_backend("auto") == auto                   # the argument wins
    monkeypatch.setenv(BACKEND_ENV, "iverilog")
    with pytest.raises(ValueError, match=rf"\${BACKEND_ENV}='iverilog'"):
        resolve_backend()
    with pytest.raises(ValueError, match="backend='fast'"):
        resolve_backend("fast")
    with pytest.raises(ValueError, match="no waveforms"):
        resolve_backend("verilator", trace=True)


def test_glue_connects_every_slot_member_of_every_tile():
    """The tiled top wires each tile's four slot members (rx, tx: valid,
    ready, payload; idle; step_seen) between kl_noc and its kl_core."""
    from kilauea.hw.noc import Noc
    params = dataclasses.replace(ChipParams(), mesh_w=3, mesh_h=2)
    glue = glue_verilog(params, Noc(params), CoreTile(params))
    for x, y in params.tiles():
        assert f"kl_core core_{x}_{y}(.clk(clk), .rst(rst), .x(4'd{x}), .y(4'd{y})" in glue
        for member in ("rx__payload", "rx__valid", "rx__ready", "tx__payload", "tx__valid",
                       "tx__ready", "idle", "step_seen"):
            wire = f"t_{x}_{y}__{member}"
            assert f".tiles__{x}__{y}__{member}({wire})" in glue
            assert f".{member}({wire})" in glue
    assert glue.count("kl_noc noc(") == 1


@needs_verilator
@pytest.mark.parametrize("seed", [11, 12])
def test_verilator_equals_cxxrtl(cxxrtl_chip_model, seed):
    """Random images and host inputs: every step's host-bound spikes (in
    delivery order) and cycle count, the cycles of the loads, and the state,
    counters and status read back agree (on CXX_SMALL: two tiles, one lane)."""
    images = build_images(CXX_SMALL, seed)
    with CompiledEngine(CXX_SMALL, backend="verilator") as v, \
            CompiledEngine(CXX_SMALL, backend="cxxrtl") as c:
        assert (v.backend, c.backend) == ("verilator", "cxxrtl")
        v.load_images(images)
        c.load_images(images)
        assert v.io_cycles == c.io_cycles, f"seed {seed}"
        for t in range(1, 7):
            inp = host_inputs(CXX_SMALL, t, seed)
            a, b = v.step(t, inp), c.step(t, inp)
            assert a.cycles == b.cycles, f"seed {seed} step {t}"
            assert a.host_axon.tolist() == b.host_axon.tolist(), f"seed {seed} step {t}"
            assert a.host_payload.tolist() == b.host_payload.tolist(), f"seed {seed} step {t}"
        assert snapshot(v, CXX_SMALL) == snapshot(c, CXX_SMALL), f"seed {seed}"
        assert v.total_cycles == c.total_cycles, f"seed {seed}"
