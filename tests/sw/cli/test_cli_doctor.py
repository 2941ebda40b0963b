"""``kilauea doctor``: exit status 1 exactly when a required item is missing."""
from __future__ import annotations

from kilauea.cli import ExitCode, doctor


def test_doctor_here(invoke):
    res = invoke("doctor")
    assert res.exit_code == ExitCode.OK, res.output
    for name in ("python", "amaranth", "g++", "iverilog", "verilator", "yosys", "cocotb",
                 "cache"):
        assert f" {name} " in res.output
    assert "kilauea is ready" in res.output


def test_doctor_missing_required(invoke, monkeypatch):
    monkeypatch.setitem(doctor.PACKAGES, "no-such-dist-kl",
                        (doctor.Level.REQUIRED, "testing"))
    res = invoke("doctor")
    assert res.exit_code == ExitCode.FAILED
    assert "[MISS] no-such-dist-kl" in res.output
    assert "pip install no-such-dist-kl" in res.output


def test_doctor_strict_counts_recommended(invoke, monkeypatch):
    monkeypatch.setitem(doctor.PROGRAMS, "no-such-tool-kl",
                        (doctor.Level.RECOMMENDED, "testing", "kl-tool", "--version"))
    assert invoke("doctor").exit_code == ExitCode.OK
    res = invoke("doctor", "--strict")
    assert res.exit_code == ExitCode.FAILED
    assert "[warn] no-such-tool-kl" in res.output and "apt-get install kl-tool" in res.output
