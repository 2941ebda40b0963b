#!/usr/bin/env python3
"""Mutation testing of the RTL: apply each single-line mutant of
`scripts/mutants.py` alone to a scratch copy of the repository, run its fast
tests there, and report which mutants the tests kill.

    .venv/bin/python scripts/mutate.py              # every mutant
    .venv/bin/python scripts/mutate.py --only fan-drop-last --only core-tx-ignore-ready
    .venv/bin/python scripts/mutate.py --list       # ids, files, what they change
    .venv/bin/python scripts/mutate.py --check      # every fragment matches exactly once
    .venv/bin/python scripts/mutate.py -j 2 --markdown

The scratch copy (a temporary folder per worker) holds the working tree
without .git, .venv and build outputs, and a package folder that maps
`kilauea`, `kilauea.hw`, `kilauea.sim` onto the copy's sw/, hw/, sim/; it
goes first on PYTHONPATH, ahead of the editable install, and the script
checks that every `kilauea` module the tests import comes from the copy
before it runs anything. The compiled-model cache points into the scratch
folder, so no mutant reaches the shared cache. Before the mutants, the
unmutated tests run once there and must pass (`--no-baseline` skips that).

Results: killed (a test failed or the run timed out), survived, equivalent
(survived, and the mutant carries the argument why it cannot change
behaviour), n/a (the fragment does not occur exactly once: re-anchor it).
Exit status 0 when every non-equivalent mutant is killed.
"""
from __future__ import annotations

import argparse
import enum
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from mutants import MUTANTS, Mutant, load as load_mutants  # noqa: E402

COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "build", ".lava-ref", "__pycache__",
                                     "*.pyc", ".pytest_cache", "site", "*.vcd", "sim_build")
PACKAGES = {"hw": "hw", "sim": "sim"}      # kilauea.<name> -> folder; kilauea itself -> sw/
IMPORT_CHECK = ("import sys, kilauea, kilauea.hw.chip, kilauea.hw.noc, kilauea.sim.golden.chip\n"
                "bad = [m.__file__ for n, m in sys.modules.items() if n.startswith('kilauea') and "
                "getattr(m, '__file__', None) and not m.__file__.startswith(sys.argv[1])]\n"
                "assert not bad, bad\n")


class Result(enum.Enum):
    KILLED = "killed"
    SURVIVED = "survived"
    EQUIVALENT = "equivalent"
    NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    result: Result
    killed_by: str          # first failing test (or "timeout", "collection error")
    seconds: float


def occurrences(mutant: Mutant, root: Path = ROOT) -> int:
    """How often the mutant's fragment occurs in its file under `root`."""
    return (root / mutant.file).read_text().count(mutant.original)


def problems(mutants=MUTANTS, root: Path = ROOT) -> list[str]:
    """What is wrong with the mutant list against the tree at `root`: ids not
    unique, files outside hw/, fragments spanning lines, not matching exactly
    once, or equal to their replacement, tests that do not exist."""
    out = []
    ids = [m.id for m in mutants]
    out += [f"id {i!r} used {ids.count(i)} times" for i in sorted(set(ids)) if ids.count(i) > 1]
    for m in mutants:
        if not m.file.startswith("hw/") or not (root / m.file).is_file():
            out.append(f"{m.id}: {m.file} is not a file under hw/")
            continue
        if "\n" in m.original + m.replacement or m.original == m.replacement:
            out.append(f"{m.id}: original/replacement must be one line each and differ")
        n = occurrences(m, root)
        if n != 1:
            out.append(f"{m.id}: fragment occurs {n} times in {m.file}"
                       + (" (volatile: re-anchor it)" if m.volatile else ""))
        out += [f"{m.id}: test path {t} does not exist" for t in m.tests if not (root / t).exists()]
        if not m.tests:
            out.append(f"{m.id}: no tests")
    return out


class Scratch:
    """A scratch copy of the repository whose `kilauea` the tests import."""

    def __init__(self, timeout: float):
        self.base = Path(tempfile.mkdtemp(prefix="kilauea-mutate-"))
        self.repo = self.base / "repo"
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        shutil.copytree(ROOT, self.repo, ignore=COPY_IGNORE, symlinks=True)
        pkg = self.base / "pkg" / "kilauea"
        pkg.mkdir(parents=True)
        for entry in (self.repo / "sw").iterdir():
            (pkg / entry.name).symlink_to(entry)
        for name, folder in PACKAGES.items():
            (pkg / name).symlink_to(self.repo / folder)
        self.env = dict(os.environ, PYTHONPATH=str(self.base / "pkg"), PYTHONDONTWRITEBYTECODE="1",
                        KILAUEA_CACHE=str(self.base / "cache"))
        self._check_imports()

    def _check_imports(self) -> None:
        r = subprocess.run([sys.executable, "-c", IMPORT_CHECK, str(self.base)], cwd=self.repo,
                           env=self.env, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"the scratch copy's kilauea is not the one imported:\n{r.stderr}")

    def pytest(self, tests) -> tuple[bool, str]:
        """Run `tests` (stop at the first failure); (passed, first failure)."""
        cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "-o", "addopts=", "--import-mode=importlib", "-rfE", *tests]
        self.proc = subprocess.Popen(cmd, cwd=self.repo, env=self.env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out, _ = self.proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            return False, "timeout"
        if self.proc.returncode == 0:
            return True, ""
        m = re.search(r"^(?:FAILED|ERROR) (\S+)", out, re.M)
        return False, m.group(1) if m else f"pytest exit {self.proc.returncode}"

    def run(self, mutant: Mutant) -> Outcome:
        t0 = time.monotonic()
        path = self.repo / mutant.file
        text = path.read_text()
        if text.count(mutant.original) != 1:
            return Outcome(mutant, Result.NOT_APPLICABLE, "", 0.0)
        path.write_text(text.replace(mutant.original, mutant.replacement))
        try:
            passed, first = self.pytest(mutant.tests)
        finally:
            path.write_text(text)
        if passed:
            result = Result.EQUIVALENT if mutant.equivalent else Result.SURVIVED
        else:
            result = Result.KILLED
        return Outcome(mutant, result, first, time.monotonic() - t0)

    def stop(self) -> None:
        """Kill a test run still going (the script was interrupted)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()

    def remove(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def run_all(mutants, jobs: int, timeout: float, baseline: bool) -> list[Outcome]:
    scratches: list[Scratch] = []
    try:
        for _ in range(max(1, min(jobs, len(mutants)))):
            scratches.append(Scratch(timeout))
        if baseline:
            tests = sorted({t for m in mutants for t in m.tests})
            ok, first = scratches[0].pytest(tests)
            if not ok:
                raise SystemExit(f"the unmutated tests fail ({first}): fix them first")
        queue = list(mutants)
        done: list[Outcome] = []

        def worker(scratch: Scratch) -> None:
            while True:
                try:
                    mutant = queue.pop(0)
                except IndexError:
                    return
                o = scratch.run(mutant)
                done.append(o)
                print(f"  {o.mutant.id:24s} {o.result.value:10s} {o.seconds:6.1f} s  {o.killed_by}",
                      flush=True)
        pool = ThreadPoolExecutor(len(scratches))
        try:
            list(pool.map(worker, scratches))
        except BaseException:
            queue.clear()
            for s in scratches:
                s.stop()
            raise
        finally:
            pool.shutdown(wait=True)
        order = {m.id: i for i, m in enumerate(mutants)}
        return sorted(done, key=lambda o: order[o.mutant.id])
    finally:
        for s in scratches:
            s.remove()


def summary(outcomes) -> str:
    n = {r: sum(o.result is r for o in outcomes) for r in Result}
    line = (f"mutants: {len(outcomes)}, killed {n[Result.KILLED]}, survived {n[Result.SURVIVED]}, "
            f"equivalent {n[Result.EQUIVALENT]}")
    return line + (f", n/a {n[Result.NOT_APPLICABLE]}" if n[Result.NOT_APPLICABLE] else "")


def table(outcomes, markdown: bool) -> str:
    if markdown:
        rows = ["| mutant | file | what it changes | result | killed by |", "|---|---|---|---|---|"]
        for o in outcomes:
            by = o.killed_by or (o.mutant.equivalent if o.result is Result.EQUIVALENT else "")
            rows.append(f"| `{o.mutant.id}` | {o.mutant.file} | {o.mutant.what} | "
                        f"{o.result.value} | {by.replace('|', '/')} |")
        return "\n".join(rows)
    rows = [f"{'mutant':24s} {'result':10s} {'file':32s} killed by"]
    rows += [f"{o.mutant.id:24s} {o.result.value:10s} {o.mutant.file:32s} {o.killed_by}"
             for o in outcomes]
    return "\n".join(rows)


def _terminate(signum, frame) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", metavar="ID", help="run this mutant (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--check", action="store_true", help="check the list against the tree and exit")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="mutants run in parallel (default 1)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per mutant (default 900)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the unmutated test run")
    ap.add_argument("--markdown", action="store_true", help="print the final table as markdown")
    ap.add_argument("--tests", action="append", metavar="PATH",
                    help="run these tests for every mutant instead of its group (repeatable)")
    args = ap.parse_args(argv)
    mutants = list(MUTANTS)
    if args.only:
        unknown = set(args.only) - {m.id for m in mutants}
        if unknown:
            ap.error(f"unknown mutant id(s): {', '.join(sorted(unknown))} (see --list)")
        mutants = [m for m in mutants if m.id in args.only]
    if args.tests:
        mutants = [replace(m, tests=tuple(args.tests)) for m in mutants]
    if args.list:
        for m in mutants:
            flag = " [equivalent]" if m.equivalent else " [volatile]" if m.volatile else ""
            print(f"{m.id:24s} {m.file:32s} {m.what}{flag}")
        return 0
    bad = problems(mutants)
    if args.check:
        print("\n".join(bad) or f"{len(mutants)} mutants, all well-formed")
        return 1 if bad else 0
    for line in bad:
        print(f"warning: {line}")
    signal.signal(signal.SIGTERM, _terminate)     # clean up the scratch copies
    outcomes = run_all(mutants, args.jobs, args.timeout, not args.no_baseline)
    print(table(outcomes, args.markdown))
    print(summary(outcomes))
    return 0 if all(o.result in (Result.KILLED, Result.EQUIVALENT) for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
