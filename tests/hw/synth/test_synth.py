"""kilauea.hw.synth: a small core through yosys (generic synth and synth_ecp5),
the report parsers, and the tool errors."""
from __future__ import annotations

import time

import pytest
from amaranth.hdl import Fragment, Shape

from kilauea.hw import isa, synth
from kilauea.hw.neurocore.accumulators import ANSWER_QUEUE
from kilauea.hw.neurocore.interfaces import ACC_BITS
from kilauea.hw.neurocore.neuron_join import OUTSTANDING
from kilauea.hw.neurocore.compartment_memory import banks_of
from kilauea.hw.neurocore.core import Core
from kilauea.hw.params import ChipParams
from kilauea.hw.synth_report import (MemoryShape, dp16kd_range, format_table, parse_fmax,
                                     parse_memories, parse_utilisation)

# every memory at least 512 words deep, so that synth_ecp5 puts all of them in
# block RAM (smaller ones go to LUT RAM)
TINY = ChipParams(mesh_w=1, mesh_h=1, n_compartments=512, n_synapses=1024, n_axons=512,
                  n_fanout=512, n_ucode=512, n_profiles=32, n_delay_slots=4, n_acc_groups=2)


@pytest.fixture(scope="module")
def core_report():
    t0 = time.perf_counter()
    report = synth.synthesize(synth.Block.CORE, TINY, map_luts=False)
    print(f"synthesis of the tiny core: {time.perf_counter() - t0:.1f} s")
    return report


def _lane_memories(params: ChipParams) -> list[tuple[int, int]]:
    """(depth, width) of the neuron engine's own small memories: per lane its
    registers (slots x r0..r7), its ACC request queue, tag queue (buffered:
    one entry in its output register) and answer words (one per slot); the
    arbiter's queue of owners."""
    k = isa.LANE_SLOTS
    per_lane = [(k * isa.N_REGS, 32), (k, params.acc_row_bits), (k - 1, (k - 1).bit_length()),
                (k, ACC_BITS)]
    return per_lane * params.n_lanes + [(OUTSTANDING, max(1, params.lane_bits))]


def test_core_memories_are_rams_of_the_cores_shapes(core_report):
    """Every Memory of the core is inferred as one RAM of its shape (yosys's
    ROMs, tables it makes of case statements, aside)."""
    core = Core(TINY)
    Fragment.get(core, None)                     # elaborated: no "unused" warning
    want = sorted([(m.depth, Shape.cast(m.shape).width) for memory in core.memories().values()
                   for m in banks_of(memory)] + _lane_memories(TINY)
                  + [(ANSWER_QUEUE, ACC_BITS)])     # the accumulators' queue of answers
    rams = [m for m in core_report.generic.memories if m.write_ports]
    got = sorted((m.depth, m.width) for m in rams)
    assert got == want
    assert all(m.read_ports >= 1 and m.write_ports == 1 for m in rams)


def test_core_generic_and_ecp5_statistics(core_report):
    g, e = core_report.generic, core_report.ecp5
    print(format_table([core_report]))
    assert g.latches == 0
    assert 500 < g.flip_flops < 20_000 and g.cells > g.flip_flops
    assert e.ff >= g.flip_flops // 2            # ECP5 flip-flops: the same registers
    # the lanes' registers and queues (at most 64 words) go to LUT RAM, the
    # core's memories (at least 512 words) to block RAM
    assert e.lutram > 0
    big = [m for m in g.memories if m.depth >= 512]
    core = Core(TINY)
    Fragment.get(core, None)                     # elaborated: its memories, as synthesised
    assert len(big) == sum(len(banks_of(mem)) for mem in core.memories().values())
    low = sum(dp16kd_range(m)[0] for m in big)
    high = sum(dp16kd_range(m)[1] for m in big)
    assert low <= e.dp16kd <= high, (low, e.dp16kd, high)
    assert e.mult18 > 0                          # the neuron engine's multiplier
    assert e.lut4 is None and g.depth is None    # quick mode: no LUT mapping


def test_dp16kd_range():
    assert dp16kd_range(MemoryShape("m", 32, 65536, 1, 1)) == (128, 128)
    assert dp16kd_range(MemoryShape("m", 32, 512, 1, 1)) == (1, 1)     # 512 x 36
    assert dp16kd_range(MemoryShape("m", 32, 512, 2, 1)) == (2, 4)     # 1024 x 18 only
    assert dp16kd_range(MemoryShape("m", 25, 4096, 1, 1)) == (6, 6)    # 2048 x 9, x 3


def test_parse_memories():
    dump = ("  attribute \\src \"x.py:1\"\n  cell $mem_v2 \\engine.state_mem\n"
            "    parameter \\WIDTH 32\n    parameter \\SIZE 64\n    parameter \\ABITS 6\n"
            "    parameter \\RD_PORTS 2\n    parameter \\WR_PORTS 1\n    connect \\RD_EN 1'1\n"
            "  end\n")
    assert parse_memories(dump) == (MemoryShape("engine.state_mem", 32, 64, 2, 1),)


NEXTPNR_LOG = """\
Info: Device utilisation:
Info: 	          TRELLIS_IO:      140/    365    38%
Info: 	          TRELLIS_FF:     2000/  83640     2%
Info: 	              DP16KD:       70/    208    33%
Info: Max frequency for clock '$glbnet$clk': 61.20 MHz (FAIL at 100.00 MHz)
Info: Routing..
Info: Max frequency for clock '$glbnet$clk': 57.93 MHz (FAIL at 100.00 MHz)
"""


def test_parse_nextpnr_log():
    assert parse_fmax(NEXTPNR_LOG) == (57.93, 100.0)          # the last line: after routing
    util = parse_utilisation(NEXTPNR_LOG)
    assert util["DP16KD"] == pytest.approx(70 / 208) and "TRELLIS_FF" in util
    with pytest.raises(ValueError, match="Max frequency"):
        parse_fmax("Info: Routing..\n")


def test_a_failing_tool_is_named_with_its_log(tmp_path):
    with pytest.raises(synth.ToolError, match=r"yosys failed \(exit status \d+\)") as e:
        synth.yosys("read_rtlil no_such_file.il\n", tmp_path)
    assert "no_such_file.il" in str(e.value)


def test_main_rejects_an_unknown_parameter(capsys):
    with pytest.raises(SystemExit):
        synth.main(["--param", "n_bogus=3", "--no-pnr"])
    assert "n_bogus" in capsys.readouterr().err


def test_main_prints_the_fmax_and_names_a_failing_tool(monkeypatch, capsys):
    from kilauea.hw.synth_report import PnrReport
    seen = {}

    def fake_pnr(params, **kw):
        seen["params"], seen["kw"] = params, kw
        return PnrReport("chip 1x1", "LFE5U-85KF CABGA381", 21.48, 100.0,
                         {"TRELLIS_COMB": 0.116, "DP16KD": 0.37})
    monkeypatch.setattr(synth, "place_and_route", fake_pnr)
    assert synth.main(["--pnr-only", "--pnr-param", "n_compartments=128"]) == 0
    out = capsys.readouterr().out
    assert "Fmax 21.48 MHz (FAIL at 100 MHz)" in out and "DP16KD 37%" in out
    assert seen["params"] == synth.REDUCED.with_(n_compartments=128)
    assert seen["kw"]["freq_mhz"] == 100.0 and seen["kw"]["router"] == "router2"
    assert seen["kw"]["timing_weight"] is None
    assert seen["kw"]["placer"] == "heap"
    synth.main(["--pnr-only", "--timing-weight", "40"])
    assert seen["kw"]["timing_weight"] == 40
    synth.main(["--pnr-only", "--placer", "static"])
    assert seen["kw"]["placer"] == "static" and seen["kw"]["timing_weight"] is None
    with pytest.raises(SystemExit):
        synth.main(["--pnr-only", "--placer", "static", "--timing-weight", "40"])
    assert "--timing-weight is a setting of the heap placer" in capsys.readouterr().err

    def failing(params, **kw):
        raise synth.ToolError("nextpnr-ecp5", 1, "Info: a\nERROR: no route\n")
    monkeypatch.setattr(synth, "place_and_route", failing)
    assert synth.main(["--pnr-only"]) == 1
    err = capsys.readouterr().err
    assert "nextpnr-ecp5 failed (exit status 1)" in err and "ERROR: no route" in err


@pytest.mark.parametrize("block", [synth.PnrBlock.LANE, synth.PnrBlock.ENGINE,
                                   synth.PnrBlock.CHIP])
def test_pnr_harness_has_two_pins_and_keeps_the_block(block):
    """A block placed on its own has one serial input and one registered
    output pin; its logic is all there (every output of the block reaches
    `dout`, so nothing is optimised away before place-and-route)."""
    import re
    params = TINY.with_(n_lanes=1)
    text = synth.pnr_rtlil(block, params)
    top = text[text.index("module \\chip"):]
    top = top[:top.index("\nend")]
    wires = re.findall(r"wire width \d+ (?:input|output) \d+ +\\(\w+)", top)
    assert sorted(wires) == ["clk", "din", "dout", "rst"]
    assert "lane" in text
    assert ("ucode_mem" in text) == (block is not synth.PnrBlock.LANE)
    assert ("hostport" in text) == (block is synth.PnrBlock.CHIP)


# what each block's RTLIL must hold: one of its memories or submodules
BLOCK_MARKS = {synth.PnrBlock.SYNAPSE: "synapse_mem", synth.PnrBlock.FANOUT: "fanout_mem",
               synth.PnrBlock.ACCUM: "fw_data", synth.PnrBlock.CLEAR: "running",
               synth.PnrBlock.ROUTER: "fifo_L", synth.PnrBlock.HOSTPORT: "in_fifo",
               synth.PnrBlock.NOC: "hostport", synth.PnrBlock.GLUE: "accumulators"}


@pytest.mark.parametrize("block", list(BLOCK_MARKS))
def test_pnr_blocks_elaborate_with_two_pins(block):
    """Each block of the chip other than the neuron engine elaborates in the
    harness: pins clk, rst, din, dout only, the block's logic inside; the
    core glue (`GLUE`) has the stand-in engine, not the lanes."""
    import re
    text = synth.pnr_rtlil(block, TINY)
    top = text[text.index("module \\chip"):]
    top = top[:top.index("\nend")]
    wires = re.findall(r"wire width \d+ (?:input|output) \d+ +\\(\w+)", top)
    assert sorted(wires) == ["clk", "din", "dout", "rst"]
    assert BLOCK_MARKS[block] in text
    # no lane's logic (source paths aside: the checkout's may say "lane")
    logic = "\n".join(line for line in text.splitlines() if "attribute \\src" not in line)
    assert "lane" not in logic


def test_place_and_route_names_a_bad_placer_setting():
    with pytest.raises(ValueError, match="placer 'annealing' is not one of"):
        synth.place_and_route(placer="annealing")
    with pytest.raises(ValueError, match="timing_weight=40 is a setting of the heap placer"):
        synth.place_and_route(placer="static", timing_weight=40)
