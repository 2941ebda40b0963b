"""Helpers of the compiled-engine tests: the 2 x 2 NoC with the NoC tests'
test cores, as a compiled engine (built once, then loaded from the cache)."""
import dataclasses
from pathlib import Path

from kilauea.hw.params import ChipParams

HERE = Path(__file__).parent
NOC_PARAMS = dataclasses.replace(ChipParams(), mesh_w=2, mesh_h=2)
#: the CXXRTL tests' NoC: 2 x 1 (g++ builds CXXRTL's flattened model in
#: about a minute; the 2 x 2 took two to four)
CXX_NOC_PARAMS = NOC_PARAMS.with_(mesh_h=1)
TESTCORE_SRC = HERE.parents[1] / "hw" / "noc" / "noc_testcore.py"


def make_testcore_noc(params=NOC_PARAMS):
    from kilauea.hw.noc import Noc
    from noc_testcore import TestCore
    return Noc(params, make_core=lambda x, y: TestCore(params, x, y))


def make_testcore_engine(params=NOC_PARAMS, **kw):
    """A compiled engine of the 2 x 2 NoC with the NoC tests' test cores."""
    from kilauea.sim.engines.compiled import CompiledEngine
    return CompiledEngine(params, make_top=lambda: make_testcore_noc(params),
                          top_name="noc-testcore", extra_sources=[TESTCORE_SRC], **kw)


