"""`python -m kilauea.hw.export`: the whole chip by default, or one block,
as Verilog or RTLIL, without all-zero memory initialisers."""
import re

import pytest

from kilauea.hw.export import Format, Part, build, main, parse_params, strip_zero_init
from kilauea.hw.params import ChipParams

SMALL = ChipParams(mesh_w=1, mesh_h=2, n_compartments=8, n_synapses=32, n_axons=8, n_fanout=8,
                   n_ucode=16, n_profiles=2, n_delay_slots=2, n_acc_groups=1)


def test_cli_writes_router_verilog(tmp_path):
    out = tmp_path / "sub" / "router.v"
    assert main(["--part", "router", "--tile", "1,1", "--param", "fifo_depth=2",
                 "-o", str(out)]) == 0
    text = out.read_text()
    assert re.search(r"^module router\(", text, re.M)
    for port in range(5):
        assert f"inp__{port}__payload" in text and f"out__{port}__ready" in text


def test_noc_ports_follow_the_tile_slot():
    text = build(Part.NOC, ChipParams(mesh_w=1, mesh_h=2))
    assert re.search(r"^module noc\(", text, re.M)
    for name in ("host_in__valid", "host_out__payload", "tiles__0__1__rx__valid",
                 "tiles__0__1__tx__ready", "tiles__0__1__idle", "tiles__0__1__step_seen",
                 "hang", "stepping", "status"):
        assert re.search(rf"\b(input|output) (\[\d+:0\] )?{name};", text), name
    assert "tiles__1__0" not in text


def test_the_default_part_is_the_whole_chip_with_its_cores():
    text = build(params=SMALL)
    assert re.search(r"^module chip\(", text, re.M)
    for name in ("host_in__valid", "host_out__payload", "hang", "stepping", "status"):
        assert re.search(rf"\b(input|output) (\[\d+:0\] )?{name};", text), name
    assert "tiles__" not in text.split(");", 1)[0]          # tile slots are filled, not ports
    assert "synapse_mem" in text and "ucode_mem" in text     # the neurocores are inside


@pytest.mark.parametrize("fmt", list(Format))
def test_zero_initialisers_are_dropped_unless_kept(fmt):
    kept = build(Part.CORE, SMALL, fmt=fmt, keep_zero_init=True)
    stripped = build(Part.CORE, SMALL, fmt=fmt)
    assert stripped == strip_zero_init(kept, fmt)
    if fmt is Format.VERILOG:
        assert kept.count("initial begin") >= 6 and "initial begin" not in stripped
        assert "reg [31:0] synapse_mem [31:0];" in stripped
    else:
        assert kept.count("$meminit_v2") >= 6 and "$meminit_v2" not in stripped
        assert "memory width 32 size 32 \\synapse_mem" in stripped


def test_a_non_zero_initialiser_is_kept():
    verilog = ("  initial begin\n    m[0] = 8'd0;\n    m[1] = 8'd3;\n  end\n"
               "  initial begin\n    z[0] = 8'd0;\n    z[1] = 8'h00;\n  end\n")
    assert strip_zero_init(verilog, Format.VERILOG) == verilog.split("  initial begin\n    z")[0]
    cell = ("  cell $meminit_v2 $1\n    parameter \\WIDTH 8\n    connect \\DATA 16'%s\n  end\n")
    il = cell % "0000000000000001" + cell % "0000000000000000"
    assert strip_zero_init(il, Format.RTLIL) == cell % "0000000000000001"


def test_parameters_are_named_and_checked():
    assert parse_params((3, 1), ["n_compartments=256", "fifo_depth=0x2"]) == \
        ChipParams(mesh_w=3, mesh_h=1, n_compartments=256, fifo_depth=2)
    with pytest.raises(ValueError, match="n_neurons.*one of mesh_w"):
        parse_params(None, ["n_neurons=3"])
    with pytest.raises(ValueError, match="n_compartments='many': not an integer"):
        parse_params(None, ["n_compartments=many"])


def test_bad_arguments_are_refused(capsys):
    with pytest.raises(SystemExit):
        main(["--mesh", "2by2", "-o", "-"])
    assert "--mesh must look like 2x3" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--mesh", "17x1", "-o", "-"])
    assert "mesh_w=17" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--part", "core", "--mesh", "1x1", "--tile", "1,0", "-o", "-"])
    assert "tile 1,0 is outside the 1x1 mesh" in capsys.readouterr().err
