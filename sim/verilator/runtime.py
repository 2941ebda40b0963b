"""Verilator's run-time library, built once and shared by every chip shape.

Every Verilated model links ``libverilated.a`` (``verilated.cpp``,
``verilated_threads.cpp``, ``verilated_dpi.cpp``: about 6 s of g++), whose objects depend only on
Verilator, the compiler, the optimisation level and the model's settings
(trace, coverage, timing: all off here), never on the design. So it is a
toolchain artefact: `ensure` builds it once per `tag` into
``<cache>/verilator-runtime/<tag>/libverilated.a`` (under a lock; other
processes wait, then reuse it) with verilated.mk's own rules and flags, and
`start` does that on a thread while the chip's Verilog is generated (Python
uses one core, g++ the other), so a first build on a fresh machine hides it
and a new chip shape skips it.

The settings are those of `SETTINGS`; `matches` checks that a verilated
design (its ``<prefix>_classes.mk``) asks for the same settings and global
objects, else the design builds its own library as before.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..cxxrtl.build import BuildError, _compiler_version, _lock, _run_compiler, _sha256
from . import toolchain

__all__ = ["SETTINGS", "GLOBAL_OBJECTS", "tag", "ensure", "start", "matches", "folder"]

#: the model settings of verilated.mk the library is built with (as the
#: ``<prefix>_classes.mk`` of a design built with `build.VERILATOR_FLAGS` sets them)
#: (``VM_PARALLEL_BUILDS`` only groups the design's own files: not here)
SETTINGS = {"VM_C11": "1", "VM_TIMING": "0", "VM_COVERAGE": "0", "VM_TRACE": "0",
            "VM_TRACE_FST": "0", "VM_TRACE_SAIF": "0", "VM_TRACE_VCD": "0"}
#: the run-time sources (``include/<name>.cpp``) such designs link: a flat
#: one the first and last, a hierarchical one (DPI between its blocks) all
#: three (the linker takes from the archive only what a model uses)
GLOBAL_OBJECTS = ("verilated", "verilated_dpi", "verilated_threads")
LIBRARY = "libverilated.a"

_MAKEFILE = """\
VERILATOR_ROOT = {root}
VM_PREFIX = runtime
VM_USER_CFLAGS = -fPIC
VM_SC = 0
# (verilated.mk: the objects depend on $(VM_PREFIX).mk, this file)
{settings}
VM_GLOBAL_FAST = {objects}
VM_GLOBAL_SLOW =
include $(VERILATOR_ROOT)/include/verilated.mk
libverilated.a: $(VK_GLOBAL_OBJS)
"""


def _makefile(opt: str) -> str:
    settings = "\n".join(f"{k} = {v}" for k, v in SETTINGS.items())
    return _MAKEFILE.format(root=toolchain.root(), settings=settings,
                            objects=" ".join(GLOBAL_OBJECTS)) + f"# OPT_GLOBAL={opt}\n"


def tag(cxx: str, opt: str) -> str:
    """What decides the library: Verilator's and the compiler's versions, the
    makefile (settings, objects), `opt` (g++'s optimisation) and make's variables."""
    return _sha256("\0".join([toolchain.version(), _compiler_version(cxx), _makefile(opt),
                              *toolchain.MAKE_VARS]).encode())[:16]


def folder(root: Path, cxx: str, opt: str) -> Path:
    return root / "verilator-runtime" / tag(cxx, opt)


def _sound(where: Path) -> bool:
    try:
        info = json.loads((where / "runtime.json").read_text())
        return (where / LIBRARY).stat().st_size == info["size"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def ensure(root: Path, cxx: str, opt: str, jobs: int = 1) -> Path:
    """The path of the shared ``libverilated.a`` for (`cxx`, `opt`): built
    now (make -j`jobs`) unless a sound one is there. BuildError on failure."""
    where = folder(root, cxx, opt)
    with _lock(root / "locks" / f"runtime-{where.name}.lock"):
        if _sound(where):
            return where / LIBRARY
        work = where.with_name(f"{where.name}.tmp{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            (work / "runtime.mk").write_text(_makefile(opt))
            env = toolchain.env()
            env["CXX"] = cxx
            _run_compiler(["make", "-s", "-C", str(work), "-f", "runtime.mk", f"-j{jobs}",
                           *toolchain.MAKE_VARS, f"OPT_GLOBAL={opt}", LIBRARY],
                          "Verilator run-time", env=env)
            shutil.rmtree(where, ignore_errors=True)
            where.mkdir(parents=True)
            shutil.move(str(work / LIBRARY), where / LIBRARY)
            (where / "runtime.json").write_text(json.dumps(
                {"tag": where.name, "size": (where / LIBRARY).stat().st_size,
                 "verilator": toolchain.version(), "compiler": cxx, "opt": opt}))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return where / LIBRARY


def start(root: Path, cxx: str, opt: str) -> Future:
    """`ensure` on a thread (make -j1: the caller's Python has the other
    core); the future's result is the library's path."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verilator-runtime")
    try:
        return pool.submit(ensure, root, cxx, opt, 1)
    finally:
        pool.shutdown(wait=False)


_VAR = re.compile(r"^(VM_\w+)\s*(\+?=)\s*((?:[^\n]*\\\n)*[^\n]*)$", re.M)


def matches(classes_mk: str) -> bool:
    """Whether the design whose ``<prefix>_classes.mk`` is `classes_mk` links
    the shared library: the same `SETTINGS`, run-time objects among
    `GLOBAL_OBJECTS`."""
    values: dict[str, list[str]] = {}
    for name, _, value in _VAR.findall(classes_mk):
        values.setdefault(name, []).extend(value.replace("\\\n", " ").split())
    same = all(values.get(k) == [v] for k, v in SETTINGS.items())
    objects = values.get("VM_GLOBAL_FAST", []) + values.get("VM_GLOBAL_SLOW", [])
    return same and set(objects) <= set(GLOBAL_OBJECTS)
