"""Verilator's run-time library, built once and shared by every chip shape:
a design links it only where its settings and run-time objects are the
library's; a second request reuses the library, a damaged one is rebuilt."""
from pathlib import Path

import pytest

from kilauea.sim.verilator import runtime, toolchain

needs_tools = pytest.mark.skipif(not toolchain.available()[0],
                                 reason="Verilator, make or g++ missing")

CLASSES = """# Verilated -*- Makefile -*-
VM_C11 = 1
VM_TIMING = 0
VM_COVERAGE = 0
VM_PARALLEL_BUILDS = {parallel}
VM_TRACE = {trace}
VM_TRACE_FST = 0
VM_TRACE_SAIF = 0
VM_TRACE_VCD = 0

VM_CLASSES_FAST += \\
  Vkl \\

VM_GLOBAL_FAST += \\
{objects}
VM_GLOBAL_SLOW += \\

"""


def classes(objects=("verilated", "verilated_threads"), trace=0, parallel=1) -> str:
    return CLASSES.format(objects="".join(f"  {o} \\\n" for o in objects), trace=trace,
                          parallel=parallel)


def test_matches_the_designs_the_library_serves():
    assert runtime.matches(classes())                                     # flat chip
    assert runtime.matches(classes(("verilated", "verilated_dpi", "verilated_threads"),
                                   parallel=0))                           # hierarchical
    assert not runtime.matches(classes(trace=1))                          # traced: other objects
    assert not runtime.matches(classes(("verilated", "verilated_vcd_c")))
    assert not runtime.matches(classes().replace("VM_TIMING = 0", "VM_TIMING = 1"))
    assert not runtime.matches(classes().replace("VM_COVERAGE = 0\n", ""))


@needs_tools
def test_the_library_is_built_once_and_rebuilt_when_damaged(tmp_path: Path):
    lib = runtime.ensure(tmp_path, "g++", "-O1", jobs=2)
    assert lib.parent == runtime.folder(tmp_path, "g++", "-O1")
    stamp = lib.stat().st_mtime_ns
    assert runtime.start(tmp_path, "g++", "-O1").result() == lib
    assert lib.stat().st_mtime_ns == stamp                                # reused
    assert runtime.folder(tmp_path, "g++", "-O2") != lib.parent           # the level is in the tag
    lib.write_bytes(lib.read_bytes()[:100])                               # damaged
    again = runtime.ensure(tmp_path, "g++", "-O1")
    assert again == lib and again.stat().st_size > 100_000
    assert not list(lib.parent.parent.glob("*.tmp*"))                     # no work folder left
