"""docs/nir.md's example: the committed snnTorch classifier reproduces the
accuracy table of the docs on kilauea (no snnTorch needed), with the float
CPU run giving snnTorch's very output spike counts; and, where snnTorch is
installed, the training script reproduces the committed classifier."""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import nir
import pytest

ROOT = pathlib.Path(__file__).parents[3]

#: the table of docs/nir.md (test accuracy, %, on the 120 test samples)
TABLE = {"snnTorch": 78.3, "kilauea CPU float": 78.3, "kilauea CPU fixed": 80.0,
         "kilauea chip": 80.0}


def _load(name: str, path: pathlib.Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_example_reproduces_the_docs_table(tmp_path):
    ex = _load("kilauea_nir_example", ROOT / "docs" / "nir_example.py")
    y, counts = ex.spike_counts()
    np.testing.assert_array_equal(counts["kilauea CPU float"], counts["snnTorch"])
    np.testing.assert_array_equal(counts["kilauea chip"], counts["kilauea CPU fixed"])
    acc = ex.accuracies(y, counts)
    assert {k: round(100 * v, 1) for k, v in acc.items()} == TABLE
    text = (ROOT / "docs" / "nir.md").read_text()
    for label, value in TABLE.items():
        assert f"| {label} | {value:.1f} % |" in text, label
    ex.plot(acc, tmp_path / "accuracy.png")
    assert (tmp_path / "accuracy.png").stat().st_size > 1000


def test_the_training_script_reproduces_the_classifier(tmp_path):
    pytest.importorskip("snntorch")
    train = _load("kilauea_nir_train", ROOT / "scripts" / "nir_example_train.py")
    train.main(tmp_path)
    want = nir.read(str(ROOT / "docs" / "nir" / "classifier.nir"))
    got = nir.read(str(tmp_path / "classifier.nir"))
    for name, node in want.nodes.items():
        if isinstance(node, nir.Linear):
            np.testing.assert_allclose(got.nodes[name].weight, node.weight, atol=1e-5)
    ref = np.load(ROOT / "docs" / "nir" / "classifier_test.npz")
    new = np.load(tmp_path / "classifier_test.npz")
    np.testing.assert_array_equal(new["snntorch_pred"], ref["snntorch_pred"])
