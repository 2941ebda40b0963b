import importlib.util
import pathlib
import sys

import pytest

_SPEC_REF = pathlib.Path(__file__).parent / "spec_ref.py"


@pytest.fixture(scope="session")
def spec_ref():
    """The loop-style transcription of docs/learning.md."""
    spec = importlib.util.spec_from_file_location("kilauea_learning_spec_ref", _SPEC_REF)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod   # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod
