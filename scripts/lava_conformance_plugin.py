"""pytest plugin used by ``scripts/lava_conformance.py``: one JSON line per test.

Loaded with ``-p lava_conformance_plugin`` in both the lava-nc reference venv
(Python 3.10) and kilauea's venv (Python 3.11), so it uses the standard
library and pytest's public hooks only. It appends to the file named by the
environment variable ``LAVA_CONFORMANCE_LOG``:

- ``{"event": "start", "nodeid": ...}`` when a test starts (so the test a
  killed module was stuck in can be named),
- ``{"event": "test", "nodeid": ..., "outcome": "passed"|"failed"|"skipped",
  "reason": {...}}`` when it ends,
- ``{"event": "collect", "nodeid": ..., "reason": {...}}`` for a module
  that could not be collected (an import error, usually).

``reason`` classifies the first failure: ``type`` (the exception class),
``message`` (its first line, 300 characters at most), ``where`` (the last
traceback frame inside the code under test, ``file:function``) and ``group``
(the key the report ranks failures by: ``missing module M``,
``missing name M.N``, or ``Type in where``).
"""
import json
import os
import re
import sys

import pytest

_LOG = os.environ.get("LAVA_CONFORMANCE_LOG", "")
_SRC = os.environ.get("LAVA_CONFORMANCE_SRC", "")  # the code under test
_TESTS = os.environ.get("LAVA_CONFORMANCE_TESTS", "")  # the test tree
_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)' from '([^']+)'")
_NO_MODULE = re.compile(r"No module named '([^']+)'")


def _write(record: dict) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")


def _first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0][:300] if text else ""


def _group(typ: str, message: str, where: str) -> str:
    """The failure group: what a fix would have to add or change."""
    named = _CANNOT_IMPORT.search(message)
    if named:
        return f"missing name {named.group(2)}.{named.group(1)}"
    missing = _NO_MODULE.search(message)
    if missing and typ in ("ModuleNotFoundError", "ImportError"):
        return f"missing module {missing.group(1)}"
    return f"{typ} in {where}" if where else typ


def _where(excinfo) -> str:
    """``file:function`` of the deepest frame in the code under test (else
    in the test tree), relative to that tree."""
    found = ""
    for roots in ((_SRC,), (_TESTS,)):
        for entry in excinfo.traceback:
            path = str(entry.path)
            for root in roots:
                if root and path.startswith(root) and not path.startswith(
                        sys.prefix):
                    rel = os.path.relpath(path, root)
                    found = f"{rel}:{entry.name}"
        if found:
            return found
    return found


def _reason_from_excinfo(excinfo) -> dict:
    typ = excinfo.type.__name__
    message = _first_line(str(excinfo.value))
    where = _where(excinfo)
    return {"type": typ, "message": message, "where": where,
            "group": _group(typ, message, where)}


def _reason_from_text(text: str) -> dict:
    """Classify a collection error from pytest's rendering ("E   Type: msg")."""
    errors = [line[1:].strip() for line in text.splitlines()
              if line.startswith("E ")]
    last = errors[-1] if errors else _first_line(text)
    typ, _, message = last.partition(": ")
    if not re.fullmatch(r"[\w.]+", typ):
        typ, message = "CollectionError", last
    typ = typ.rsplit(".", 1)[-1]
    return {"type": typ, "message": message[:300], "where": "",
            "group": _group(typ, message, "")}


def pytest_runtest_logstart(nodeid, location):
    _write({"event": "start", "nodeid": nodeid})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None:
        report.user_properties.append(
            ("lava_conformance_reason", _reason_from_excinfo(call.excinfo)))


class _Outcomes:
    """Per test: the first failing phase's reason, and the final outcome."""

    def __init__(self):
        self.reasons = {}
        self.outcome = {}


_STATE = _Outcomes()


def pytest_runtest_logreport(report):
    nodeid = report.nodeid
    if report.failed and nodeid not in _STATE.reasons:
        reason = dict(report.user_properties).get("lava_conformance_reason")
        if reason is None:
            reason = _reason_from_text(str(report.longrepr))
        reason["phase"] = report.when
        _STATE.reasons[nodeid] = reason
    if report.when == "call" or report.failed or report.skipped:
        previous = _STATE.outcome.get(nodeid)
        if previous != "failed":
            _STATE.outcome[nodeid] = report.outcome


def pytest_runtest_logfinish(nodeid, location):
    _write({"event": "test", "nodeid": nodeid,
            "outcome": _STATE.outcome.get(nodeid, "failed"),
            "reason": _STATE.reasons.get(nodeid)})


def pytest_collectreport(report):
    if report.failed:
        _write({"event": "collect", "nodeid": report.nodeid,
                "reason": _reason_from_text(str(report.longrepr))})
