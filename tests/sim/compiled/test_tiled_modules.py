"""The Verilator build's Verilog has one module per kind of circuit: merging
equal RTLIL modules (`dedup`) keeps different circuits apart, and the number
of modules of the mesh does not grow with the number of tiles."""
import re

import pytest

from kilauea.hw.noc import Noc
from kilauea.hw.params import ChipParams
from kilauea.hw.router import Port
from kilauea.sim.verilator.build import BLOCK, config, hierarchical
from kilauea.sim.verilator.dedup import dedup, module_names, rename
from kilauea.sim.verilator.tiled import noc_rtlil, router_module

LEAF = """attribute \\generator "Amaranth"
module \\{name}

  wire width 4 input {a} \\a

  wire width 4 output {b} \\y

  cell $add $1
    parameter \\A_WIDTH 4
    connect \\A \\a
    connect \\B 4'{k}
    connect \\Y \\y
  end
end
"""

PARENT = """attribute \\generator "Amaranth"
module \\{name}

  wire width 4 input 1 \\a

  wire width 4 output 2 \\y

  cell \\{child} \\u
    connect \\a \\a
    connect \\y \\y
  end
end
"""

TOP = """attribute \\generator "Amaranth"
attribute \\top 1
module \\top
{cells}end
"""


def _design(leaves: dict[str, tuple[str, int, int]], parents: dict[str, str]) -> str:
    cells = "".join(f"  cell \\{p} \\i_{p}\n  end\n" for p in parents)
    return (TOP.format(cells=cells)
            + "".join(PARENT.format(name=p, child=c) for p, c in parents.items())
            + "".join(LEAF.format(name=n, k=k, a=a, b=b) for n, (k, a, b) in leaves.items()))


def test_dedup_merges_equal_modules_bottom_up_and_keeps_different_ones():
    leaves = {"l1": ("0011", 1, 2), "l2": ("0011", 2, 1),     # equal but for port numbers
              "l3": ("0101", 1, 2)}                           # another constant
    parents = {"p1": "l1", "p2": "l2", "p3": "l3"}
    text = dedup(_design(leaves, parents))
    assert module_names(text) == ["\\top", "\\p1", "\\p3", "\\l1", "\\l3"]
    assert "cell \\l1 \\u" in text and "cell \\l3 \\u" in text
    assert "cell \\p1 \\i_p1" in text and "cell \\p1 \\i_p2" in text
    assert "cell \\p3 \\i_p3" in text


def test_dedup_never_merges_the_top_and_renames_cells():
    text = _design({"l1": ("0011", 1, 2)}, {"p1": "l1"})
    assert dedup(text).count("module ") == 3
    renamed = rename(text, {"\\l1": "\\leaf"})
    assert module_names(renamed) == ["\\top", "\\p1", "\\leaf"]
    assert "cell \\leaf \\u" in renamed


def test_dedup_refuses_text_outside_modules():
    with pytest.raises(ValueError, match="outside modules"):
        dedup(_design({"l1": ("0011", 1, 2)}, {}) + "autoidx 5\n")


def _kinds(w: int, h: int) -> set[str]:
    kinds = set()
    for x in range(w):
        for y in range(h):
            ports = {Port.L}
            ports |= {Port.N} if y > 0 else set()
            ports |= {Port.S} if y < h - 1 else set()
            ports |= {Port.E} if x < w - 1 else set()
            ports |= {Port.W} if x > 0 or y == 0 else set()
            kinds.add(router_module(ports))
    return kinds


@pytest.mark.parametrize("w,h", [(1, 1), (2, 2), (3, 3), (5, 4)])
def test_one_module_per_kind_of_router(w, h):
    """kl_noc: the routers are instances of one module per set of ports (at
    most nine), all FIFOs of the routers one module, whatever the mesh's size."""
    params = ChipParams(mesh_w=w, mesh_h=h)
    names = module_names(noc_rtlil(Noc(params, coord_ports=True)))
    routers = {n for n in names if re.fullmatch(r"\\kl_router_[NESWL]+", n)}
    assert routers == _kinds(w, h)
    assert len(routers) <= 9
    fifos = [n for n in names if re.search(r"\.fifo_[NESWL]$", n)]
    assert len(fifos) == 1, fifos
    cells = [n for n in names if re.fullmatch(r"\\kl_noc\.mesh\.router_\d+_\d+", n)]
    assert len(cells) == len(routers)       # one RouterCell wrapper per kind


def test_module_count_stops_growing():
    """From 3 x 3 on, a bigger mesh adds no module; the hierarchical blocks
    Verilator compiles once (from BLOCK_MIN_TILES tiles on) are the router
    kinds and the core."""
    counts = [len(module_names(noc_rtlil(Noc(ChipParams(mesh_w=w, mesh_h=h), coord_ports=True))))
              for w, h in ((3, 3), (4, 3), (4, 4))]
    assert counts[0] == counts[1] == counts[2], counts
    kinds = _kinds(6, 6)
    assert len(kinds) == 8          # the top left corner is a top edge router (+ host port)
    modules = "".join(f"module {k[1:]}(a, b);\nendmodule\n" for k in kinds)
    modules += "module kl_core(clk);\nendmodule\n"

    def top(w, h):
        cores = "".join(f"  kl_core core_{x}_{y}(.clk(clk));\n" for x in range(w) for y in range(h))
        return modules + f"module top(clk);\n{cores}endmodule\n"
    big, small = top(6, 6), top(4, 4)
    assert hierarchical(big) and not hierarchical(small)
    vlt = config(big)
    assert vlt.count("hier_block") == 9 and '"top"' not in vlt
    assert set(BLOCK.findall(big)) == {k[1:] for k in kinds} | {"kl_core"}
    assert config(small) == '`verilator_config\nno_inline -module "kl_core"\n'
    assert config("module top(clk);\nendmodule\n") == "`verilator_config\n"
