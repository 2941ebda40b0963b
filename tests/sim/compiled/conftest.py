"""Shared builds for the compiled-engine tests: each design is compiled once
(g++ or Verilator, one to two minutes on this machine) and then loaded from the user cache."""
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


@pytest.fixture(scope="session")
def cxxrtl_chip_model():
    """Builds (or finds) the CXXRTL model of CXX_SMALL once per session."""
    from kilauea.sim.engines.compiled import chip_model_path
    from sim_chip_images import CXX_SMALL
    return chip_model_path(CXX_SMALL, backend="cxxrtl")
