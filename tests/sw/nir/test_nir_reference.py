"""The committed snnTorch and Norse exports (tests/sw/nir/data, written by
scripts/nir_reference.py) run on kilauea against the spikes the framework
recorded.

Float CPU models: the very spike trains snnTorch recorded (reset and dt
match). Fixed point (CPU ``fixed_pt`` and the chip, which agree bit for
bit): per output neuron, a spike count within max(1, 5%) of the framework's, the
agreement docs/nir.md states for these networks.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kilauea import ChipCfg, CpuSimCfg
from kilauea.nir import FRAMEWORKS, Framework, Reset, from_nir, run_nir

DATA = Path(__file__).parent / "data"
FILES = sorted(p.stem for p in DATA.glob("*.nir"))


def _reference(stem: str):
    ref = np.load(DATA / f"{stem}.npz")
    return ref["input"], ref["output"], dict(framework=str(ref["framework"]),
                                             reset=str(ref["reset"]))


def test_the_reference_files_are_there():
    assert len(FILES) >= 6, FILES
    assert {np.load(DATA / f"{s}.npz")["framework"].item() for s in FILES} == {"snntorch",
                                                                             "norse"}


@pytest.mark.parametrize("stem", FILES)
def test_float_cpu_reproduces_the_recorded_spikes(stem):
    x, y, conv = _reference(stem)
    net = from_nir(DATA / f"{stem}.nir", **conv)
    out = run_nir(net, {"input": x}, CpuSimCfg(select_tag="floating_pt"))["output"]
    assert y.sum() > 20, "the reference network must spike"
    np.testing.assert_array_equal(out, y, err_msg=stem)


@pytest.mark.parametrize("stem", FILES)
def test_fixed_point_cpu_and_chip_agree_with_the_recorded_counts(stem):
    x, y, conv = _reference(stem)
    cpu = run_nir(from_nir(DATA / f"{stem}.nir", fixed_point=True, **conv),
                  {"input": x}, CpuSimCfg(select_tag="fixed_pt"))["output"]
    chip = run_nir(from_nir(DATA / f"{stem}.nir", fixed_point=True, **conv),
                   {"input": x}, ChipCfg(engine="model"))["output"]
    np.testing.assert_array_equal(chip, cpu, err_msg=f"{stem}: chip vs CPU fixed_pt")
    want, got = y.sum(axis=0), cpu.sum(axis=0)
    tol = np.maximum(1, np.ceil(0.05 * want))
    assert np.all(np.abs(got - want) <= tol), f"{stem}: counts {got} vs recorded {want}"


def test_norse_current_convention_matters(monkeypatch):
    """Norse's CubaLIF read without its current convention (the input jumps
    I; v integrates the previous I) does not reproduce Norse, so the test
    above checks the convention."""
    x, y, _ = _reference("norse_lif_zero")
    monkeypatch.setitem(FRAMEWORKS, "plain", Framework(FRAMEWORKS["norse"].dt, Reset.ZERO))
    out = run_nir(from_nir(DATA / "norse_lif_zero.nir", framework="plain"), {"input": x},
                  CpuSimCfg(select_tag="floating_pt"))["output"]
    assert not np.array_equal(out, y)


def test_the_wrong_reset_changes_the_spikes():
    """The reset matters: a subtractive network imported with reset to zero
    does not reproduce snnTorch (so the test above checks the reset)."""
    x, y, _ = _reference("snntorch_leaky_subtract")
    out = run_nir(from_nir(DATA / "snntorch_leaky_subtract.nir", reset="zero"), {"input": x},
                  CpuSimCfg(select_tag="floating_pt"))["output"]
    assert not np.array_equal(out, y)
