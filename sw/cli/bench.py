"""``kilauea bench list | run NAME [ARGS]...``: the benchmark scripts in bench/.

The scripts live in the repository (``bench/`` beside ``sw/``), not in the
installed package: with an editable install (``scripts/setup.sh``) they are
found from the package's own folder; ``--dir`` (or ``$KILAUEA_BENCH_DIR``)
points elsewhere. Without the folder the commands exit with status 3.
A script runs in a fresh Python (``sys.executable``); its exit status is the
command's.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import click

from .codes import ExitCode

__all__ = ["COMMANDS", "bench_dir", "bench_scripts"]

BENCH_ENV = "KILAUEA_BENCH_DIR"


def bench_dir(override: Path | None = None) -> Path:
    """``override``, else ``$KILAUEA_BENCH_DIR``, else ``bench/`` of the repository."""
    if override is not None:
        return Path(override)
    if os.environ.get(BENCH_ENV):
        return Path(os.environ[BENCH_ENV])
    import kilauea
    return Path(kilauea.__file__).resolve().parent.parent / "bench"


def bench_scripts(folder: Path) -> dict[str, str]:
    """Script name (file stem) -> the first line of its docstring."""
    found = {}
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            doc = ast.get_docstring(ast.parse(path.read_text(), filename=str(path))) or ""
        except (OSError, SyntaxError, ValueError):
            doc = "(unreadable)"
        found[path.stem] = doc.strip().splitlines()[0] if doc.strip() else ""
    return found


def _folder(override: Path | None) -> Path:
    folder = bench_dir(override)
    if not folder.is_dir():
        click.echo(f"kilauea bench: no benchmark folder at {folder} (the scripts come with "
                   f"the repository; use --dir or ${BENCH_ENV})", err=True)
        sys.exit(ExitCode.UNAVAILABLE)
    return folder


DIR = click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
                   default=None, help=f"benchmark folder (default: bench/ of the repository, "
                                      f"or ${BENCH_ENV})")


@click.group("bench")
def bench_group() -> None:
    """List or run the benchmark scripts (bench/*.py)."""


@bench_group.command("list")
@DIR
def bench_list(folder: Path | None) -> None:
    """List the benchmark scripts with their one-line descriptions."""
    folder = _folder(folder)
    scripts = bench_scripts(folder)
    width = max((len(n) for n in scripts), default=0)
    for name, line in scripts.items():
        click.echo(f"{name:<{width}}  {line}")
    click.echo(f"({len(scripts)} scripts in {folder}; run one with `kilauea bench run NAME`, "
               f"its options with `kilauea bench run NAME --help`)")


@bench_group.command("run", context_settings={"ignore_unknown_options": True,
                                              "allow_interspersed_args": False})
@DIR
@click.argument("name")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench_run(folder: Path | None, name: str, args) -> None:
    """Run benchmark NAME (e.g. `chip`); ARGS go to the script."""
    folder = _folder(folder)
    scripts = bench_scripts(folder)
    stem = name[:-3] if name.endswith(".py") else name
    if stem not in scripts:
        raise click.BadParameter(f"no benchmark {name!r} in {folder}; there are: "
                                 f"{', '.join(scripts) or 'none'}", param_hint="NAME")
    done = subprocess.run([sys.executable, str(folder / f"{stem}.py"), *args])
    sys.exit(done.returncode)


COMMANDS = (bench_group,)
