"""The mutant list of scripts/mutate.py stays applicable: ids unique, every
fragment a single line occurring exactly once in its hw/ file, every named
test path present, and the runner's scratch copy imports its own kilauea.
A refactor of the RTL that moves a mutated line fails here (re-anchor the
mutant in scripts/mutants.py) instead of leaving the list to rot."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_kilauea_{name}", ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod        # dataclasses look their module up there
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return mod


mutate = _load("mutate")


def test_mutant_list_is_well_formed():
    assert mutate.problems() == []
    mutants = mutate.MUTANTS
    assert len(mutants) >= 20
    files = {m.file for m in mutants}
    # most mutants live outside the neuron engine's files (which are rewritten often)
    assert sum(not m.volatile for m in mutants) >= 20
    assert {"hw/router.py", "hw/hostport.py", "hw/barrier.py", "hw/mesh.py",
            "hw/neurocore/fanout_engine.py", "hw/neurocore/core.py"} <= files
    for m in mutants:
        assert isinstance(m.tests, tuple) and m.what
        if m.equivalent:
            assert len(m.equivalent) > 40, f"{m.id}: say why it is equivalent"


def test_problems_names_what_is_wrong():
    m = mutate.MUTANTS[0]
    with pytest.raises(FrozenInstanceError):
        m.id = "x"
    gone = replace(m, original=m.original + " and more")
    twice = replace(m, id="twice")
    msgs = mutate.problems((m, replace(m, original="self", id="many"), gone, twice, twice,
                            replace(m, id="nofile", file="sw/__init__.py"),
                            replace(m, id="notest", tests=("tests/nowhere.py",))))
    text = "\n".join(msgs)
    assert "id 'twice' used 2 times" in text
    assert f"{m.id}: fragment occurs 0 times" in text
    assert "many: fragment occurs" in text
    assert "nofile: sw/__init__.py is not a file under hw/" in text
    assert "notest: test path tests/nowhere.py does not exist" in text


def test_scratch_copy_imports_its_own_tree(tmp_path):
    """The runner's scratch copy: kilauea, kilauea.hw, kilauea.sim come from
    the copy (checked on creation), and a mutation there is what imports."""
    s = mutate.Scratch(timeout=120)
    try:
        m = next(m for m in mutate.MUTANTS if m.id == "core-tx-ignore-ready")
        path = s.repo / m.file
        path.write_text(path.read_text().replace(m.original, m.replacement))
        r = subprocess.run([sys.executable, "-c",
                            "import inspect, kilauea.hw.neurocore.core as c; "
                            "print(c.__file__); print(inspect.getsource(c))"],
                           cwd=s.repo, env=s.env, capture_output=True, text=True, check=True)
        assert r.stdout.startswith(str(s.base))
        assert m.replacement in r.stdout and m.original not in r.stdout
    finally:
        s.remove()
    assert not s.base.exists()


def test_list_file_errors_name_the_mutant(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('[groups]\nA = ["tests/x.py"]\n\n[[mutant]]\nid = "m1"\nfile = "hw/router.py"\n'
                   'original = "a"\nreplacement = "b"\nwhat = "w"\ntests = "B"\n')
    with pytest.raises(ValueError, match="mutant 'm1': tests = 'B' is not a group"):
        mutate.load_mutants(bad)
    bad.write_text(bad.read_text().replace('tests = "B"', 'tests = "A"\ncolour = 1'))
    with pytest.raises(ValueError, match="mutant 'm1'.*colour"):
        mutate.load_mutants(bad)
