"""The registry between kilauea.core and the runtime: run configurations are
data, the runtime registers its builder and executor factories."""
import pytest

from kilauea.core import registry
from kilauea.core.run_configs import ENGINE_NAMES, ChipCfg, CpuSimCfg


def test_engine_names_match_the_sim_registry():
    from kilauea.sim.engines import ENGINE_NAMES as SIM_NAMES
    assert ENGINE_NAMES == SIM_NAMES


def test_unknown_engine_raises_at_construction():
    with pytest.raises(ValueError, match="unknown engine 'nope'"):
        ChipCfg(engine="nope")


def test_runtime_registers_itself():
    import kilauea.runtime as rt
    assert registry.runtime_builder() == rt.Runtime.build
    assert registry.executor_factory(ChipCfg()) is rt.make_chip_executors
    assert registry.executor_factory(CpuSimCfg()) is None


def test_factory_of_a_subclass_and_own_registration():
    class MyCfg(ChipCfg):
        pass

    class OwnCfg(ChipCfg):
        pass

    def own(cfg, network):
        return []
    registry.register_executor(OwnCfg, own)
    assert registry.executor_factory(MyCfg()) is registry.executor_factory(ChipCfg())
    assert registry.executor_factory(OwnCfg()) is own
    with pytest.raises(TypeError, match="run configuration class"):
        registry.register_executor(OwnCfg(), own)


def test_core_modules_import_no_runtime():
    import ast
    import pathlib
    import kilauea.core
    root = pathlib.Path(kilauea.core.__file__).parent
    for f in root.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                mod = (node.module or "").split(".")[0]
                assert mod not in ("runtime", "compiler", "sim", "proc", "numerics"), \
                    f"{f.name} imports ..{node.module}"
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert not a.name.startswith(("kilauea.runtime", "kilauea.compiler",
                                                  "kilauea.sim")), f"{f.name} imports {a.name}"
