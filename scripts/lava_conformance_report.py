"""Join the lava-nc and kilauea runs of the conformance measure and report.

Input: per test module, the records ``lava_conformance_plugin`` wrote in
each venv. Output: the table on stdout and ``build/lava-conformance.json``
(every test of the scope: folder, learning or not, outcome in lava-nc and on
kilauea, and for a failing kilauea test of T its reason class; plus the
failure groups ranked by how many tests of T each blocks).
"""
from __future__ import annotations

import collections
import dataclasses
import fnmatch
import json
import pathlib
import re

LEARNING = ("magma/core/learning/**", "proc/dense/test_learning.py",
            "proc/dense/test_stdp_sim.py", "proc/clp/**")


def is_learning(module: str) -> bool:
    return any(fnmatch.fnmatch(module, p) or module == p for p in LEARNING)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One test's result in one venv: ``passed``, ``failed`` or ``skipped``,
    and for a failure its reason (see ``lava_conformance_plugin``)."""
    outcome: str
    reason: dict | None


def module_outcomes(records: list[dict]) -> dict[str, Outcome]:
    """Test nodeid -> Outcome for one module's records. A module that could
    not be collected or was killed leaves its tests out (or, for the test it
    was stuck in, records a timeout)."""
    found: dict[str, Outcome] = {}
    started = None
    for record in records:
        if record["event"] == "start":
            started = record["nodeid"]
        elif record["event"] == "test":
            found[record["nodeid"]] = Outcome(record["outcome"],
                                              record["reason"])
            started = None
        elif record["event"] == "module":
            if record["timed_out"] and started:
                found[started] = Outcome("failed", _timeout_reason(record))
            started = None
    return found


def _timeout_reason(module: dict) -> dict:
    return {"type": "Timeout", "where": "", "phase": "call",
            "message": f"module killed after {module['seconds']} s",
            "group": "timeout (test hangs or is too slow)"}


def missing_reason(records: list[dict]) -> dict:
    """Why a test of the reference did not run on kilauea at all."""
    for record in records:
        if record["event"] == "collect":
            return dict(record["reason"], phase="collect")
    ended = next((r for r in records if r["event"] == "module"), None)
    if ended is None:
        return {"type": "NotRun", "message": "module not run", "where": "",
                "group": "not run", "phase": "none"}
    if ended["timed_out"]:
        return dict(_timeout_reason(ended),
                    group="timeout (not reached before the module was killed)")
    return {"type": "NotRun", "where": "", "phase": "none",
            "message": ended["tail"].strip().splitlines()[-1:][0][:300]
            if ended["tail"].strip() else f"rc={ended['rc']}",
            "group": "not collected (test missing on kilauea)"}


def join(results: dict) -> list[dict]:
    """One row per test that ran in lava-nc (passed, failed or skipped)."""
    rows = []
    for module, (ref_records, kil_records) in sorted(results.items()):
        ref, kil = module_outcomes(ref_records), module_outcomes(kil_records)
        for nodeid, ref_outcome in sorted(ref.items()):
            kil_outcome = kil.get(nodeid)
            reason = None
            if kil_outcome is None:
                outcome, reason = "failed", missing_reason(kil_records)
            else:
                outcome = kil_outcome.outcome
                if outcome != "passed":
                    reason = kil_outcome.reason or {
                        "type": outcome, "message": "", "where": "",
                        "group": outcome, "phase": "call"}
            rows.append({"nodeid": nodeid, "module": module,
                         "folder": module.rsplit("/", 1)[0],
                         "learning": is_learning(module),
                         "lava_nc": ref_outcome.outcome, "kilauea": outcome,
                         "reason": reason})
    return rows


def tally(rows: list[dict]) -> tuple[int, int]:
    """(passed on kilauea, T) over rows that pass in lava-nc."""
    ref = [r for r in rows if r["lava_nc"] == "passed"]
    return sum(r["kilauea"] == "passed" for r in ref), len(ref)


def group_of(reason: dict) -> str:
    """The group a failure is ranked under: the plugin's (a missing module
    or name, or the exception type and the kilauea function it left), except
    for a failure raised in the test's own code, which is grouped by its
    message (numbers and names of processes folded), or for an
    AssertionError by its test module."""
    where = reason.get("where", "")
    if not where and reason["group"] == reason["type"]:
        where = "lava/"  # raised at a test module's top level
    if not where.startswith("lava/"):
        return reason["group"]
    if reason["type"] == "AssertionError":
        return f"AssertionError (result differs) in {where.split(':')[0]}"
    message = re.sub(r"\b\w+_\d+\b", "<proc>", reason["message"])
    message = re.sub(r"\d+", "N", message)[:120]
    return f"{reason['type']}: {message}"


def groups(rows: list[dict]) -> list[dict]:
    """Failure groups of T's tests outside learning, largest first."""
    by_group = collections.defaultdict(list)
    for row in rows:
        if row["lava_nc"] == "passed" and row["kilauea"] != "passed" \
                and not row["learning"]:
            by_group[group_of(row["reason"])].append(row["nodeid"])
    ranked = sorted(by_group.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [{"group": g, "tests": len(ids), "nodeids": ids}
            for g, ids in ranked]


def _pct(p: int, t: int) -> str:
    return f"{100 * p / t:5.1f}%" if t else "    -"


def print_table(rows: list[dict], version: str) -> None:
    by_folder = collections.defaultdict(list)
    for row in rows:
        if not row["learning"]:
            by_folder[row["folder"]].append(row)
    width = max([len(f) for f in by_folder] + [len("learning")]) + 2
    print(f"\n{'folder':<{width}}{'lava-nc ' + version:>16}{'kilauea':>9}"
          f"{'%':>8}")
    for folder in sorted(by_folder):
        p, t = tally(by_folder[folder])
        print(f"{folder:<{width}}{t:>16}{p:>9}{_pct(p, t):>8}")
    p, t = tally([r for r in rows if r["learning"]])
    print(f"{'learning':<{width}}{t:>16}{p:>9}{_pct(p, t):>8}"
          "  (separate: magma/core/learning, proc/dense/test_learning.py,"
          " proc/dense/test_stdp_sim.py, proc/clp)")


def report(results: dict, version: str, out: pathlib.Path) -> int:
    """Print the table and final line; write ``out/lava-conformance.json``."""
    rows = join(results)
    print_table(rows, version)
    ranked = groups(rows)
    print("\nlargest failure groups (tests of T outside learning):")
    for group in ranked[:15]:
        print(f"{group['tests']:>5}  {group['group']}")
    p, t = tally([r for r in rows if not r["learning"]])
    lp, lt = tally([r for r in rows if r["learning"]])
    out.mkdir(parents=True, exist_ok=True)
    summary = {"lava_nc_version": version, "passed": p, "total": t,
               "learning_passed": lp, "learning_total": lt}
    (out / "lava-conformance.json").write_text(json.dumps(
        {"summary": summary, "groups": ranked, "tests": rows}, indent=1))
    print(f"\nper-test results: {out / 'lava-conformance.json'}")
    print(f"lava-nc conformance: {p}/{t} passed")
    return 0
