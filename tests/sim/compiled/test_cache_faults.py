"""The build cache under environmental faults (issue 13, item 2): a cache
folder that is a file, a full disk, a sidecar that is JSON but not an object,
no compiler on PATH, Ctrl-C during a build. A fake compiler (a shell script)
and a fake design keep these tests free of real g++ builds, except the one
that runs the chip model already in the shared cache."""
import errno
import importlib
import os
import signal
import time
from pathlib import Path

import pytest

from kilauea.sim.cxxrtl.build import BuildError, CacheError, _entry_ok, build
from kilauea.sim.engines import make_engine

# the module (kilauea.sim.cxxrtl re-exports its function `build` under the same name)
bld = importlib.import_module("kilauea.sim.cxxrtl.build")
pysim_mod = importlib.import_module("kilauea.sim.engines.pysim")

OK_CXX = """#!/bin/sh
[ "$1" = "--version" ] && { echo "fake c++ 1.0"; exit 0; }
out=""; while [ $# -gt 0 ]; do [ "$1" = "-o" ] && out="$2"; shift; done
printf 'not really a library' > "$out"
"""
HANG_CXX = """#!/bin/sh
[ "$1" = "--version" ] && { echo "fake c++ 1.0"; exit 0; }
sleep 60 &
echo $! > "$KL_TEST_PIDS.tmp"; echo $$ >> "$KL_TEST_PIDS.tmp"; mv "$KL_TEST_PIDS.tmp" "$KL_TEST_PIDS"
wait
"""


def script(folder: Path, name: str, text: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def fake_design(monkeypatch):
    """No elaboration or yosys: every top 'generates' the same small C++."""
    monkeypatch.setattr(bld, "generate_cxx", lambda top: "// a fake design\n")


@pytest.fixture
def fake_pysim(monkeypatch):
    """The fallback engine, without building the Amaranth simulation."""
    class FakePysim:
        def __init__(self, params, **options):
            self.params = params
    monkeypatch.setattr(pysim_mod, "PysimEngine", FakePysim)
    return FakePysim


def small_params():
    from kilauea.hw.params import ChipParams
    return ChipParams(mesh_w=1, mesh_h=1)


def test_sidecar_that_is_not_an_object_is_rebuilt(tmp_path, fake_design, capsys):
    cxx = script(tmp_path / "bin", "fakecxx", OK_CXX)
    root = tmp_path / "cache"
    so = build(lambda: None, name="echo", key="k", cxx=cxx, root=root)
    key = so.parent.name
    assert _entry_ok(so.parent, key) == (True, "")
    for text in ("null", "[1, 2]", "3"):
        (so.parent / "entry.json").write_text(text)
        ok, why = _entry_ok(so.parent, key)
        assert not ok and "not an object" in why
        capsys.readouterr()
        assert build(lambda: None, name="echo", key="k", cxx=cxx, root=root) == so
        err = capsys.readouterr().err
        assert "unusable" in err and "not an object" in err and "built the echo model" in err
        assert _entry_ok(so.parent, key) == (True, "")


def test_cache_folder_that_is_a_file(tmp_path, monkeypatch, fake_design, fake_pysim, capsys):
    monkeypatch.setenv("CXX", script(tmp_path / "bin", "fakecxx", OK_CXX))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(CacheError, match="Not a directory") as info:
        build(lambda: None, name="echo", key="k", root=blocker)
    assert str(blocker) in str(info.value)
    monkeypatch.setenv("KILAUEA_CACHE", str(blocker))
    params = small_params()
    assert isinstance(make_engine("auto", params), fake_pysim)
    err = capsys.readouterr().err
    assert 'engine "auto"' in err and "Not a directory" in err and str(blocker) in err
    with pytest.raises(BuildError, match=f"cache {blocker}.*Not a directory"):
        make_engine("compiled", params)


@pytest.mark.parametrize("code", [errno.EFBIG, errno.ENOSPC])
def test_full_disk(tmp_path, monkeypatch, fake_design, fake_pysim, capsys, code):
    monkeypatch.setenv("CXX", script(tmp_path / "bin", "fakecxx", OK_CXX))
    cache = tmp_path / "cache"
    monkeypatch.setenv("KILAUEA_CACHE", str(cache))
    real_write = Path.write_text

    def write_text(self, *a, **k):
        if cache in self.parents:
            raise OSError(code, os.strerror(code), str(self))
        return real_write(self, *a, **k)
    monkeypatch.setattr(Path, "write_text", write_text)
    params = small_params()
    assert isinstance(make_engine("auto", params), fake_pysim)
    err = capsys.readouterr().err
    assert 'engine "auto"' in err and os.strerror(code) in err and str(cache) in err
    with pytest.raises(CacheError, match=os.strerror(code)) as info:
        make_engine("compiled", params)
    assert str(cache) in str(info.value) and errno.errorcode[code] in str(info.value)
    assert not list(cache.rglob("*.tmp*"))


def test_cached_model_needs_no_compiler(tmp_path, monkeypatch, fake_design):
    monkeypatch.delenv("CXX", raising=False)
    bindir = tmp_path / "bin"
    script(bindir, "g++", OK_CXX)
    monkeypatch.setenv("PATH", str(bindir))
    so = build(lambda: None, name="echo", key="k", root=tmp_path / "cache")
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert bld.compiler() is None

    def no_elaboration():
        raise AssertionError("a cached model was elaborated again")
    assert build(no_elaboration, name="echo", key="k", root=tmp_path / "cache") == so
    with pytest.raises(BuildError, match="no C.. compiler found.*no cached echo model"):
        build(no_elaboration, name="echo", key="other", root=tmp_path / "cache")


def test_auto_uses_the_cached_chip_model_without_compiler(chip_model, tmp_path, monkeypatch):
    from kilauea.sim.engines.compiled import CompiledEngine
    from sim_chip_images import SMALL
    monkeypatch.delenv("CXX", raising=False)
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    e = make_engine("auto", SMALL)
    try:
        assert isinstance(e, CompiledEngine) and e.model_path == chip_model
    finally:
        e.close()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_ctrl_c_kills_the_compiler_and_removes_temporaries(tmp_path, monkeypatch, fake_design):
    cxx = script(tmp_path / "bin", "fakecxx", HANG_CXX)
    pids_file = tmp_path / "pids"
    monkeypatch.setenv("KL_TEST_PIDS", str(pids_file))

    def interrupt(signum, frame):
        if not pids_file.exists():     # not started yet: try again shortly
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            return
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGALRM, interrupt)
    pids = []
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            build(lambda: None, name="echo", key="k", cxx=cxx, root=tmp_path / "cache")
        pids = [int(p) for p in pids_file.read_text().split()]
        deadline = time.monotonic() + 5
        while any(map(alive, pids)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(alive, pids)), "the compiler (or a process it started) survived"
        assert not list((tmp_path / "cache").rglob("*.tmp*"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
