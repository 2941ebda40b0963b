"""`python -m kilauea.hw.export` writes the Verilog the cocotb benches use."""
import re

import pytest

from kilauea.hw.export import build, main


def test_cli_writes_router_verilog(tmp_path):
    out = tmp_path / "sub" / "router.v"
    assert main(["--router", "1,1", "--fifo-depth", "2", "-o", str(out)]) == 0
    text = out.read_text()
    assert re.search(r"^module router\(", text, re.M)
    for port in range(5):
        assert f"inp__{port}__payload" in text and f"out__{port}__ready" in text


def test_mesh_ports_follow_the_tile_slot():
    text = build(mesh=(1, 2), fmt="verilog")
    assert re.search(r"^module noc\(", text, re.M)
    for name in ("host_in__valid", "host_out__payload", "tiles__0__1__rx__valid",
                 "tiles__0__1__tx__ready", "tiles__0__1__idle", "tiles__0__1__step_seen",
                 "hang", "stepping", "status"):
        assert re.search(rf"\b(input|output) (\[\d+:0\] )?{name};", text), name
    assert "tiles__1__0" not in text


def test_bad_arguments_are_refused(capsys):
    with pytest.raises(SystemExit):
        main(["--mesh", "2by2", "-o", "-"])
    assert "--mesh must look like 2x3" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--mesh", "17x1", "-o", "-"])
    assert "mesh_w=17" in capsys.readouterr().err
    with pytest.raises(ValueError, match="exactly one"):
        build()
