import importlib.util
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).parent


@pytest.fixture(scope="session")
def networks():
    """The seeded plastic networks shared with scripts/learning_reference.py."""
    spec = importlib.util.spec_from_file_location("learning_networks",
                                                  HERE / "nets" / "networks.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod
