"""The build cache: a second build of the same shape loads at once without
elaborating; a corrupted or stale entry is detected and rebuilt, never
loaded. Uses a tiny echo top (compiles in seconds) in a private cache."""
import json
import os

import numpy as np
import pytest

from kilauea.hw import packet
from kilauea.sim.cxxrtl.build import _entry_ok, build, cache_dir
from kilauea.sim.cxxrtl.model import JOB_READ, Model

from echo_top import EchoTop

FAST = ("-std=c++14", "-O0", "-fPIC", "-shared", "-w")


def works(so, salt: int) -> bool:
    """The library loads and answers reads as the echo top with `salt` does."""
    m = Model(so, max_host_reads=4)
    try:
        flits = packet.encode_array(packet.Kind.READ, 0, 0, 0, mem=1, addr=np.arange(9),
                                    tag=0, reply=1 << 8)
        assert m.job(JOB_READ, flits, 200)
        data = packet.decode_field(m.result(1), "body", "read_resp", "data")
        return data.tolist() == list(range(salt, salt + 9))
    finally:
        m.close()


def replace_file(path, data: bytes):
    """Write a new file in place of `path` (a new inode: a library already
    mapped by this process is never modified under it)."""
    tmp = str(path) + ".new"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def test_cache_hits_and_rebuilds(tmp_path, capsys):
    calls = []

    def make():
        calls.append(1)
        return EchoTop(salt=5)

    so = build(make, name="echo", key="shape-a", flags=FAST, root=tmp_path)
    err = capsys.readouterr().err
    assert "compiling the echo model" in err and "built the echo model in" in err
    assert len(calls) == 1
    meta = json.loads((so.parent / "entry.json").read_text())
    assert meta["so_size"] == so.stat().st_size

    # second run of the same shape: nothing elaborated, nothing compiled
    assert build(make, name="echo", key="shape-a", flags=FAST, root=tmp_path) == so
    assert len(calls) == 1 and capsys.readouterr().err == ""

    # a truncated library is detected and rebuilt
    good = so.read_bytes()
    replace_file(so, good[: len(good) // 2])
    assert build(make, name="echo", key="shape-a", flags=FAST, root=tmp_path) == so
    err = capsys.readouterr().err
    assert "unusable" in err and "bytes" in err and "built the echo model" in err
    assert len(calls) == 2

    # every other kind of damage is detected too (checked without rebuilding)
    key = meta["key"]
    assert _entry_ok(so.parent, key) == (True, "")
    good = so.read_bytes()
    data = bytearray(good)
    data[len(data) // 2] ^= 0xFF                       # same size, other bytes
    replace_file(so, bytes(data))
    assert "does not match the hash" in _entry_ok(so.parent, key)[1]
    replace_file(so, good)
    sidecar = so.parent / "entry.json"
    sound = sidecar.read_text()
    sidecar.write_text(json.dumps({**json.loads(sound), "key": "0" * 32}))
    assert "names another key" in _entry_ok(so.parent, key)[1]
    sidecar.write_text("{not json")
    assert "unreadable" in _entry_ok(so.parent, key)[1]
    sidecar.unlink()
    assert "unreadable" in _entry_ok(so.parent, key)[1]
    sidecar.write_text(sound)
    assert works(so, 5)


def test_design_change_gets_its_own_entry(tmp_path, capsys):
    """Another design under a stale shape key: the index is only a shortcut,
    a changed design (new shape key) compiles into a new entry."""
    a = build(lambda: EchoTop(salt=1), name="echo", key="k1", flags=FAST, root=tmp_path)
    b = build(lambda: EchoTop(salt=2), name="echo", key="k2", flags=FAST, root=tmp_path)
    assert a != b and works(a, 1) and works(b, 2)
    # the same design under a new shape key: found by its design key, no compile
    capsys.readouterr()
    c = build(lambda: EchoTop(salt=2), name="echo", key="k3", flags=FAST, root=tmp_path)
    assert c == b and "compiling" not in capsys.readouterr().err


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("KILAUEA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "kilauea" / "cxxrtl"
    monkeypatch.setenv("KILAUEA_CACHE", str(tmp_path / "k"))
    assert cache_dir() == tmp_path / "k" / "cxxrtl"


def test_compile_error_is_reported(tmp_path):
    from kilauea.sim.cxxrtl.build import BuildError
    with pytest.raises(BuildError, match="failed"):
        build(lambda: EchoTop(), name="echo", flags=FAST + ("-include", "/nonexistent/kl.h"),
              root=tmp_path)


def test_zero_memory_initialisers_are_stripped():
    from kilauea.sim.cxxrtl.build import strip_zero_inits
    text = ("\tstatic const value<32> mem_init_1[3] {\n"
            "\t\tvalue<32>{0x00000000u}, value<32>{0x00000000u}, value<32>{0x00000000u},\n\t};\n"
            "\tstatic const value<8> mem_init_2[2] {\n"
            "\t\tvalue<8>{0x00u}, value<8>{0x05u},\n\t};\n"
            "\tstd::copy(std::begin(mem_init_1), std::end(mem_init_1), &memory_a.data[4]);\n"
            "\tstd::copy(std::begin(mem_init_2), std::end(mem_init_2), &memory_b.data[0]);\n")
    out = strip_zero_inits(text)
    assert "mem_init_1" not in out
    assert "std::fill_n(&memory_a.data[4], 3, value<32>());" in out
    assert "value<8>{0x05u}" in out and "std::copy(std::begin(mem_init_2)" in out
