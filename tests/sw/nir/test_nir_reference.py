"""The committed snnTorch exports (tests/sw/nir/data, written by
scripts/nir_reference.py) run on kilauea against snnTorch's recorded spikes.

Float CPU models: the very spike trains snnTorch recorded (reset and dt
match). Fixed point (CPU ``fixed_pt`` and the chip, which agree bit for
bit): per output neuron, a spike count within max(1, 5%) of snnTorch's, the
agreement docs/nir.md states for these networks.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kilauea import ChipCfg, CpuSimCfg
from kilauea.nir import from_nir, run_nir

DATA = Path(__file__).parent / "data"
FILES = sorted(p.stem for p in DATA.glob("*.nir"))


def _reference(stem: str):
    ref = np.load(DATA / f"{stem}.npz")
    return ref["input"], ref["output"], str(ref["reset"])


def test_the_reference_files_are_there():
    assert len(FILES) >= 4, FILES


@pytest.mark.parametrize("stem", FILES)
def test_float_cpu_reproduces_the_recorded_spikes(stem):
    x, y, reset = _reference(stem)
    net = from_nir(DATA / f"{stem}.nir", reset=reset)
    out = run_nir(net, {"input": x}, CpuSimCfg(select_tag="floating_pt"))["output"]
    assert y.sum() > 20, "the reference network must spike"
    np.testing.assert_array_equal(out, y, err_msg=stem)


@pytest.mark.parametrize("stem", FILES)
def test_fixed_point_cpu_and_chip_agree_with_the_recorded_counts(stem):
    x, y, reset = _reference(stem)
    cpu = run_nir(from_nir(DATA / f"{stem}.nir", reset=reset, fixed_point=True),
                  {"input": x}, CpuSimCfg(select_tag="fixed_pt"))["output"]
    chip = run_nir(from_nir(DATA / f"{stem}.nir", reset=reset, fixed_point=True),
                   {"input": x}, ChipCfg(engine="model"))["output"]
    np.testing.assert_array_equal(chip, cpu, err_msg=f"{stem}: chip vs CPU fixed_pt")
    want, got = y.sum(axis=0), cpu.sum(axis=0)
    tol = np.maximum(1, np.ceil(0.05 * want))
    assert np.all(np.abs(got - want) <= tol), f"{stem}: counts {got} vs snnTorch {want}"


def test_the_wrong_reset_changes_the_spikes():
    """The reset matters: a subtractive network imported with reset to zero
    does not reproduce snnTorch (so the test above checks the reset)."""
    x, y, _ = _reference("snntorch_leaky_subtract")
    out = run_nir(from_nir(DATA / "snntorch_leaky_subtract.nir", reset="zero"), {"input": x},
                  CpuSimCfg(select_tag="floating_pt"))["output"]
    assert not np.array_equal(out, y)
