"""Waveforms from the compiled engine: a VCD of every signal, optionally
only for a range of steps."""
import re

from kilauea.sim.engines.compiled import CompiledEngine

from sim_chip_images import CXX_SMALL, build_images, host_inputs


def times(path):
    return [int(m) for m in re.findall(r"^#(\d+)$", path.read_text(), re.M)]


def test_vcd_of_a_step_range(cxxrtl_chip_model, tmp_path):
    vcd = tmp_path / "run.vcd"
    images = build_images(CXX_SMALL, 3)
    with CompiledEngine(CXX_SMALL, trace=vcd, trace_steps=(2, 3)) as e:
        e.load_images(images)
        starts = []
        for t in range(1, 5):
            starts.append(e.total_cycles)
            e.step(t, host_inputs(CXX_SMALL, t, 3))
        ends = starts[1:] + [e.total_cycles]
    text = vcd.read_text()
    assert "$enddefinitions" in text
    assert "host_out" in text and "core_1_0" in text
    ts = times(vcd)
    # only steps 2 and 3: 1000 time units per clock period (1 MHz in ns)
    assert min(ts) == starts[1] * 1000
    assert max(ts) == ends[2] * 1000
    assert len(ts) == 1 + 2 * (ends[2] - starts[1])


def test_vcd_of_everything(cxxrtl_chip_model, tmp_path):
    vcd = tmp_path / "all.vcd"
    with CompiledEngine(CXX_SMALL, trace=str(vcd)) as e:
        e.step(1, None)
        n = e.total_cycles
    ts = times(vcd)
    assert ts[0] == 0 and max(ts) == n * 1000
