"""``kilauea cache list | size | clean``: the compiled-model cache.

The cache is ``$KILAUEA_CACHE/cxxrtl`` when that is set, else
``~/.cache/kilauea/cxxrtl`` (``$XDG_CACHE_HOME`` honoured); see
kilauea.sim.cxxrtl.build for its layout and kilauea.sim.cxxrtl.cache for the
cleaning rules (an entry being built is never deleted).
"""
from __future__ import annotations

import sys
import time

import click

from .codes import ExitCode

__all__ = ["COMMANDS"]


def _age(seconds: float) -> str:
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= n:
            return f"{seconds / n:.1f}{unit}"
    return f"{max(seconds, 0):.0f}s"


@click.group("cache")
def cache_group() -> None:
    """The compiled chip models (one per chip shape and RTL version, 5-8 MB each)."""


@cache_group.command("list")
def cache_list() -> None:
    """Every cached model: key, size, build time, last use, what it is."""
    from ..sim.cxxrtl.build import cache_dir
    from ..sim.cxxrtl.cache import entries, human_size
    root = cache_dir()
    found = entries(root)
    now = time.time()
    if found:
        click.echo(f"{'key':<32}  {'size':>9}  {'built (UTC)':<16}  {'last used':>9}  name")
    for e in found:
        built = time.strftime("%Y-%m-%d %H:%M", time.gmtime(e.built))
        note = "" if e.complete else "  (incomplete: being built or interrupted)"
        click.echo(f"{e.key:<32}  {human_size(e.size):>9}  {built:<16}  "
                   f"{_age(e.age_s(now)) + ' ago':>9}  {e.name}{note}")
    click.echo(f"{len(found)} models in {root}")


@cache_group.command("size")
def cache_size() -> None:
    """The cache's folder, its number of models and its size on disk."""
    from ..sim.cxxrtl.build import cache_dir
    from ..sim.cxxrtl.cache import entries, human_size, total_size
    root = cache_dir()
    click.echo(f"{human_size(total_size(root))} in {len(entries(root))} models ({root})")


@cache_group.command("clean")
@click.option("--older-than", "older_than", metavar="AGE", default=None,
              help="remove models last used more than AGE ago (7d, 12h, 30m, 45s; "
                   "a plain number is days)")
@click.option("--all", "everything", is_flag=True, help="remove every model")
@click.option("--dry-run", is_flag=True, help="say what would go, remove nothing")
def cache_clean(older_than: str | None, everything: bool, dry_run: bool) -> None:
    """Remove cached models (never one being built right now).

    Give --older-than AGE or --all. A removed model is rebuilt (g++, a few
    minutes) the next time its chip shape runs on the compiled engine.
    """
    from ..sim.cxxrtl.build import cache_dir
    from ..sim.cxxrtl.cache import clean, human_size, parse_age
    if everything == (older_than is not None):
        raise click.UsageError("give one of --older-than AGE or --all")
    try:
        age = None if everything else parse_age(older_than)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--older-than") from None
    root = cache_dir()
    try:
        res = clean(root, older_than_s=age, everything=everything, dry_run=dry_run)
    except OSError as e:
        click.echo(f"kilauea cache clean: {root}: {e}", err=True)
        sys.exit(ExitCode.FAILED)
    verb = "would remove" if dry_run else "removed"
    for e in res.removed:
        click.echo(f"{verb} {e.key} ({human_size(e.size)}, {e.name})")
    for e in res.busy:
        click.echo(f"kept {e.key}: being built right now")
    click.echo(f"{verb} {res.n_removed} models ({human_size(res.freed)}); "
               f"{len(res.kept) + len(res.busy)} kept in {root}")


COMMANDS = (cache_group,)
