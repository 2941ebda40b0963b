"""The lava-nc conformance measure: lava-nc 0.10's own unit tests on kilauea.lava.

Run through ``scripts/lava-conformance.sh``, which builds the venvs. Steps:

1. Copy ``tests/lava`` out of the installed lava-nc wheel (package ``tests``)
   into a temporary tree, unchanged, and run every test module of the scope
   in the lava-nc venv, one pytest subprocess per module under a hard
   ``timeout``. The tests that pass there are T. This reference result is
   cached per module in ``.lava-ref/reference-<lava-nc version>/``.
2. Copy the tree again with ``lava.`` module references rewritten to
   ``kilauea.lava.`` (import lines, attribute chains, string paths) and run
   the same modules in kilauea's venv.
3. Join the two: a test of T passes on kilauea only if it ran and passed
   there. A module that fails to import, a test that was not reached
   because its module was killed by the timeout, and an excluded test all
   count as failed. Print a table per test folder, a separate line for
   learning, the final line ``lava-nc conformance: P/T passed`` (T: the
   tests of the scope outside learning that pass in lava-nc), and write
   every test's outcome and failure reason to ``build/lava-conformance.json``.

Scope (relative to lava-nc's ``tests/lava``): ``magma/core/process/**``,
``magma/core/model/test_decorators.py``, ``magma/core/model/test_sub_model.py``,
``magma/core/learning/**``, ``magma/runtime/**``, ``proc/**``,
``utils/test_weightutils.py``, ``utils/test_plots.py``. Learning:
``magma/core/learning/**``, ``proc/dense/test_learning.py``,
``proc/dense/test_stdp_sim.py``, ``proc/clp/**``.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lava_conformance_report import report  # noqa: E402

SCOPE = ("magma/core/process/**", "magma/core/model/test_decorators.py",
         "magma/core/model/test_sub_model.py", "magma/core/learning/**",
         "magma/runtime/**", "proc/**", "utils/test_weightutils.py",
         "utils/test_plots.py")
REPO = pathlib.Path(__file__).resolve().parent.parent
PLUGIN = "lava_conformance_plugin"

# `lava.` starting a dotted name (not `tests.lava.`, not `my_lava.`).
_LAVA_REF = re.compile(r"(?<![\w.])lava\.(?=[A-Za-z_])")
_IMPORT_LAVA = re.compile(r"^(\s*)import lava(\s*(?:#.*)?)$", re.MULTILINE)
_IMPORT_LAVA_AS = re.compile(r"^(\s*)import lava as (\w+)", re.MULTILINE)
_FROM_LAVA = re.compile(r"^(\s*)from lava import ", re.MULTILINE)


def rewrite(source: str) -> str:
    """Rewrite a Lava source file's ``lava`` module references to
    ``kilauea.lava``: ``from lava.x import``, ``import lava.x [as y]``,
    ``lava.x.Y`` in code and in strings (mock.patch targets), ``import
    lava``, ``from lava import``."""
    source = _IMPORT_LAVA.sub(r"\1from kilauea import lava\2", source)
    source = _IMPORT_LAVA_AS.sub(r"\1import kilauea.lava as \2", source)
    source = _FROM_LAVA.sub(r"\1from kilauea.lava import ", source)
    return _LAVA_REF.sub("kilauea.lava.", source)


def in_scope(rel: str, patterns=SCOPE) -> bool:
    """Whether a test module path (relative to ``tests/lava``) is in scope."""
    return any(fnmatch.fnmatch(rel, p) or rel == p for p in patterns)


def test_modules(lava_tests: pathlib.Path) -> list[str]:
    """The scope's test modules, as paths relative to ``tests/lava``."""
    found = []
    for path in sorted(lava_tests.rglob("*.py")):
        rel = path.relative_to(lava_tests).as_posix()
        name = path.name
        if (name.startswith("test_") or name.endswith("_test.py")) \
                and in_scope(rel):
            found.append(rel)
    return found


def copy_tree(wheel_tests: pathlib.Path, dest: pathlib.Path,
              rewritten: bool) -> None:
    """Copy the wheel's ``tests`` package to ``dest/tests`` (rewriting the
    Python files' Lava references if asked) and pin pytest's config there."""
    shutil.copytree(wheel_tests, dest / "tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if rewritten:
        for path in (dest / "tests").rglob("*.py"):
            path.write_text(rewrite(path.read_text(encoding="utf-8")),
                            encoding="utf-8")
    (dest / "pytest.ini").write_text("[pytest]\naddopts =\n")


def run_module(python: str, tree: pathlib.Path, module: str,
               log: pathlib.Path, timeout_s: int, src: str,
               extra_path: str = "") -> dict:
    """Run one test module in its own pytest process under a hard timeout;
    its per-test records go to ``log``; ``extra_path`` (a folder of
    packages) goes on its PYTHONPATH. When the timeout kills it inside a
    test, that test is recorded as timed out and the module runs again
    without it and without the tests already done (5 tries at most).
    Returns how the last try ended."""
    part = log.with_suffix(".part")
    part.unlink(missing_ok=True)
    env = dict(os.environ, LAVA_CONFORMANCE_LOG=str(part),
               LAVA_CONFORMANCE_SRC=src,
               LAVA_CONFORMANCE_TESTS=str(tree / "tests"),
               PYTHONPATH=os.pathsep.join(
                   p for p in (str(REPO / "scripts"), str(tree), extra_path) if p),
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    cmd = ["timeout", "-k", "15", str(timeout_s), os.path.abspath(python),
           "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", PLUGIN,
           "--rootdir", str(tree), f"tests/lava/{module}"]
    done_ids: list[str] = []
    for _ in range(5):
        ended = _run_once(cmd + [f"--deselect={n}" for n in done_ids],
                          tree, env, module)
        with open(part, "a", encoding="utf-8") as out:
            out.write(json.dumps(ended) + "\n")
        started = [r["nodeid"] for r in read_log(part)
                   if r["event"] == "start"]
        if not ended["timed_out"] or not started \
                or started[-1] in done_ids:
            break
        done_ids = list(dict.fromkeys(done_ids + started))
    part.replace(log)
    return ended


def _run_once(cmd: list[str], tree: pathlib.Path, env: dict,
              module: str) -> dict:
    start = time.monotonic()
    done = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    return {"event": "module", "module": module, "rc": done.returncode,
            "timed_out": done.returncode in (124, 137),
            "seconds": round(time.monotonic() - start, 1),
            "tail": done.stdout[-2000:]}


def run_all(python: str, tree: pathlib.Path, modules: list[str],
            logs: pathlib.Path, timeout_s: int, jobs: int, src: str,
            label: str, extra_path: str = "") -> None:
    """Run ``modules`` (``jobs`` at a time), each into ``logs/<module>.jsonl``."""
    logs.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(run_module, python, tree, m, log_path(logs, m),
                               timeout_s, src, extra_path): m
                   for m in modules}
        for i, future in enumerate(concurrent.futures.as_completed(futures)):
            ended = future.result()
            flag = " TIMEOUT" if ended["timed_out"] else ""
            print(f"[{label} {i + 1}/{len(modules)}] {ended['module']} "
                  f"rc={ended['rc']} {ended['seconds']}s{flag}", flush=True)


def log_path(logs: pathlib.Path, module: str) -> pathlib.Path:
    return logs / (module.replace("/", "__") + ".jsonl")


def read_log(path: pathlib.Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as log:
        return [json.loads(line) for line in log if line.strip()]


def wheel_tests(python: str) -> tuple[pathlib.Path, str]:
    """The installed lava-nc wheel's ``tests`` package and lava-nc's version."""
    code = ("import importlib.metadata as m, os, tests.lava as t; "
            "print(os.path.dirname(os.path.dirname(t.__file__))); "
            "print(m.version('lava-nc'))")
    out = subprocess.run([python, "-c", code], check=True, text=True,
                         stdout=subprocess.PIPE).stdout.split()
    return pathlib.Path(out[0]), out[1]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref-python", required=True,
                        help="python of the lava-nc venv")
    parser.add_argument("--python", default=str(REPO / ".venv/bin/python"),
                        help="python of kilauea's venv")
    parser.add_argument("--extra-path", default="",
                        help="folder of extra packages for kilauea's run "
                             "(lava-nc's test dependencies)")
    parser.add_argument("--cache", default=str(REPO / ".lava-ref"))
    parser.add_argument("--out", default=str(REPO / "build"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds per test module on kilauea (lava-nc's "
                             "slowest module takes about 50 s)")
    parser.add_argument("--ref-timeout", type=int, default=900,
                        help="seconds per test module in lava-nc")
    parser.add_argument("--only", default="",
                        help="regex: rerun only the matching modules on "
                             "kilauea, reuse the last results of the others")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing, report the last results")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    wheel, version = wheel_tests(args.ref_python)
    modules = test_modules(wheel / "lava")
    ref_logs = pathlib.Path(args.cache) / f"reference-lava-nc-{version}"
    kil_logs = pathlib.Path(args.out) / "lava-conformance-logs"
    with tempfile.TemporaryDirectory(prefix="lava-conformance-") as tmp:
        if not args.report_only:
            todo = [m for m in modules if not log_path(ref_logs, m).exists()]
            if todo:
                tree = pathlib.Path(tmp) / "reference"
                copy_tree(wheel, tree, rewritten=False)
                print(f"[reference] running {len(todo)} modules in lava-nc "
                      f"{version} (cached in {ref_logs})", flush=True)
                run_all(args.ref_python, tree, todo, ref_logs,
                        args.ref_timeout, args.jobs, str(wheel.parent), "ref")
            only = re.compile(args.only) if args.only else None
            todo = [m for m in modules if only is None or only.search(m)]
            tree = pathlib.Path(tmp) / "kilauea"
            copy_tree(wheel, tree, rewritten=True)
            run_all(args.python, tree, todo, kil_logs, args.timeout,
                    args.jobs, str(REPO), "kilauea",
                    os.path.abspath(args.extra_path) if args.extra_path else "")
    results = {m: (read_log(log_path(ref_logs, m)),
                   read_log(log_path(kil_logs, m))) for m in modules}
    return report(results, version, pathlib.Path(args.out))


if __name__ == "__main__":
    sys.exit(main())
