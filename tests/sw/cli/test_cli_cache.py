"""``kilauea cache list | size | clean`` on a private cache folder
($KILAUEA_CACHE) filled with made-up entries in build.py's layout."""
from __future__ import annotations

import fcntl
import json
import os
import time

import pytest

from kilauea.cli import ExitCode
from kilauea.sim.cxxrtl.cache import clean, entries, parse_age

DAY = 86400


def _entry(root, key, age_days, size=1000, complete=True):
    d = root / key
    d.mkdir(parents=True)
    (d / "design.cc").write_text("//")
    when = time.time() - age_days * DAY
    if complete:
        (d / "model.so").write_bytes(b"\0" * size)
        (d / "entry.json").write_text(json.dumps(
            {"key": key, "name": f"model {key[:2]}",
             "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))}))
        os.utime(d / "model.so", (when, when))
    os.utime(d, (when, when))
    shape = root / "shapes" / f"shape-{key[:4]}"
    shape.parent.mkdir(exist_ok=True)
    shape.write_text(key + "\n")
    return d


@pytest.fixture
def cache(tmp_path):
    root = tmp_path / "cache" / "cxxrtl"
    keys = {"old": "a" * 32, "new": "b" * 32, "busy": "c" * 32}
    _entry(root, keys["old"], 40, size=3000)
    _entry(root, keys["new"], 1)
    _entry(root, keys["busy"], 50, complete=False)
    (root / "locks").mkdir()
    return root, keys


def test_list_and_size(invoke, cache):
    root, keys = cache
    res = invoke("cache", "list")
    assert res.exit_code == ExitCode.OK
    lines = res.output.splitlines()
    assert [ln.split()[0] for ln in lines[1:4]] == [keys["busy"], keys["old"], keys["new"]]
    assert "incomplete" in lines[1] and "model aa" in lines[2]
    assert f"3 models in {root}" in res.output
    res = invoke("cache", "size")
    assert res.exit_code == ExitCode.OK and "in 3 models" in res.output


def test_clean_older_than_keeps_recent_and_busy(invoke, cache):
    root, keys = cache
    with open(root / "locks" / f"{keys['busy']}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)            # a build of this entry is going on
        res = invoke("cache", "clean", "--older-than", "30d")
    assert res.exit_code == ExitCode.OK, res.output
    assert f"removed {keys['old']}" in res.output
    assert f"kept {keys['busy']}: being built" in res.output
    assert sorted(p.name for p in root.iterdir() if len(p.name) == 32) == \
        sorted([keys["new"], keys["busy"]])
    # the index file of the removed entry went with it
    assert sorted(f.read_text().strip() for f in (root / "shapes").iterdir()) == \
        sorted([keys["new"], keys["busy"]])


def test_clean_all_and_dry_run(invoke, cache):
    root, keys = cache
    res = invoke("cache", "clean", "--all", "--dry-run")
    assert "would remove 3 models" in res.output and len(entries(root)) == 3
    res = invoke("cache", "clean", "--all")
    assert res.exit_code == ExitCode.OK and entries(root) == []
    assert not list((root / "shapes").iterdir())


@pytest.mark.parametrize("args", [(), ("--all", "--older-than", "1d"), ("--older-than", "soon")])
def test_clean_needs_one_valid_choice(invoke, cache, args):
    assert invoke("cache", "clean", *args).exit_code == ExitCode.USAGE
    assert len(entries(cache[0])) == 3


def test_empty_or_absent_cache(invoke):
    assert "0 models" in invoke("cache", "list").output
    assert invoke("cache", "clean", "--all").exit_code == ExitCode.OK


def test_parse_age_and_clean_arguments(tmp_path):
    assert [parse_age(t) for t in ("2d", "3h", "1.5m", "10s", "7")] == \
        [2 * DAY, 3 * 3600, 90, 10, 7 * DAY]
    with pytest.raises(ValueError):
        parse_age("-1d")
    with pytest.raises(ValueError):
        clean(tmp_path, everything=True, older_than_s=1)
