import importlib.util
import pathlib
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

_SPEC_REF = pathlib.Path(__file__).parents[1] / "numerics" / "spec_ref.py"


@pytest.fixture(scope="session")
def spec_ref():
    """The independent loop-style transcription of the spec."""
    spec = importlib.util.spec_from_file_location("kilauea_spec_ref", _SPEC_REF)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod   # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod
