"""Shared builds for the compiled-engine tests: each design is compiled once
(g++, about a minute on this machine) and then loaded from the user cache."""
import dataclasses
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
for p in (HERE, HERE.parent, HERE.parents[1] / "hw" / "noc"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from compiled_helpers import make_testcore_engine  # noqa: E402


@pytest.fixture(scope="session")
def testcore_model():
    """Builds (or finds) the test-core NoC model once per session."""
    e = make_testcore_engine()
    yield e.model_path
    e.close()


@pytest.fixture(scope="session")
def chip_model():
    """Builds (or finds) the SMALL chip model once per session."""
    from kilauea.sim.engines.compiled import chip_model_path
    from sim_chip_images import SMALL
    return chip_model_path(SMALL)
