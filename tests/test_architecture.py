"""The package's shape: imports point one way, with no cycle, and modules stay small.

Reads the source of every kilauea module with `ast` (imports inside functions and
under ``if TYPE_CHECKING`` count as much as those at the top), so a rule broken by a
module that no test imports is caught all the same. The folders map onto the one
namespace as in setup.py: sw/ -> kilauea, hw/ -> kilauea.hw, sim/ -> kilauea.sim.

The rules (docs/architecture.md, "Layers"):

- no import cycle among kilauea modules;
- ``hw`` imports nothing of kilauea outside ``kilauea.hw`` and not ``amaranth.sim``;
  ``sim`` imports nothing outside ``kilauea.sim`` and ``kilauea.hw``;
  ``kilauea.core`` imports none of runtime, compiler, sim, proc, tools;
  only ``kilauea.lava`` imports ``kilauea.lava``, only ``kilauea.cli`` the CLI;
- no module over 500 lines and no function over 80 lines in ``hw/`` and ``sw/runtime/``;
- ``import kilauea.hw.packet`` loads nothing of kilauea outside ``kilauea`` and ``kilauea.hw``.

Each rule is one test; the checker functions take a plain module graph, so the last
tests feed them small synthetic graphs to show that they do report a violation.
"""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOTS = {"kilauea": REPO / "sw", "kilauea.hw": REPO / "hw", "kilauea.sim": REPO / "sim"}

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
SIZE_CHECKED = ("kilauea.hw", "kilauea.runtime")


@dataclass(frozen=True)
class Import:
    """One import statement's target, as written in `module` at `line`."""
    module: str          # the importing module
    target: str          # the absolute name of the imported module or package
    line: int


@dataclass(frozen=True)
class Rule:
    """Modules under `scope` may not import modules under any of `forbidden`,
    except those under one of `allowed` (prefixes of dotted names)."""
    scope: str
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...] = ()
    why: str = ""


DIRECTION_RULES = (
    Rule("kilauea.hw", ("kilauea", "amaranth.sim"), ("kilauea.hw",),
         "hw uses neither sim nor sw, and no simulator"),
    Rule("kilauea.sim", ("kilauea",), ("kilauea.sim", "kilauea.hw"), "sim uses only hw"),
    Rule("kilauea.core", ("kilauea.runtime", "kilauea.compiler", "kilauea.sim", "kilauea.proc",
                          "kilauea.tools"), (), "the host API core knows no runtime or library"),
)
LAVA = "kilauea.lava"
#: Packages nothing else of ours imports (the porting namespace, the command line),
#: each with the modules that may import it.
LEAVES = {LAVA: (LAVA,), "kilauea.cli": ("kilauea.cli", "kilauea.__main__")}


def under(name: str, prefix: str) -> bool:
    """True when dotted `name` is `prefix` or lies below it."""
    return name == prefix or name.startswith(prefix + ".")


# --- reading the package -------------------------------------------------------------------

def module_files() -> dict[str, Path]:
    """Every kilauea module -> its source file."""
    files: dict[str, Path] = {}
    for root_name, folder in ROOTS.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([root_name, *parts])
            if any(p in ("__pycache__",) or "-" in p for p in parts):
                continue
            files[name] = path
    return files


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """The kilauea (and amaranth.sim) modules `module` imports anywhere in its source.

    ``from package import name`` points at ``package.name`` when that is a module,
    else at ``package`` itself."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append(Import(module, sub if sub in known else base, node.lineno))
    return [i for i in found if under(i.target, "kilauea") or under(i.target, "amaranth.sim")]


def import_graph() -> dict[str, list[Import]]:
    files = module_files()
    known = set(files)
    return {name: imports_of(name, path, known) for name, path in files.items()}


# --- the checkers (pure: they take a graph) ------------------------------------------------

def find_cycles(graph: dict[str, list[Import]]) -> list[list[str]]:
    """One cycle (a list of modules, first repeated last) per strongly connected component
    of the kilauea import graph that has more than one module or imports itself."""
    edges = {m: sorted({i.target for i in imps if i.target in graph}) for m, imps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def strongconnect(v: str) -> None:          # Tarjan, iterative over the edge lists
        work = [(v, iter(edges[v]))]
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(edges[w])))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    components.append(comp)

    for v in sorted(edges):
        if v not in index:
            strongconnect(v)
    cycles = []
    for comp in components:
        if len(comp) > 1 or comp[0] in edges[comp[0]]:
            cycles.append(_cycle_in(sorted(comp), edges))
    return sorted(cycles)


def _cycle_in(comp: list[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected component."""
    members = set(comp)
    start = comp[0]
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in edges[v]:
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w in members and w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle through {start}")


def direction_violations(graph: dict[str, list[Import]],
                         rules: tuple[Rule, ...] = DIRECTION_RULES) -> list[str]:
    """Every import against the layer direction, as 'module:line imports target (rule)'."""
    bad = []
    for module, imps in sorted(graph.items()):
        for imp in imps:
            for rule in rules:
                if (under(module, rule.scope) and any(under(imp.target, f) for f in rule.forbidden)
                        and not any(under(imp.target, a) for a in rule.allowed)):
                    bad.append(f"{module}:{imp.line} imports {imp.target} ({rule.why})")
            for leaf, importers in LEAVES.items():
                if under(imp.target, leaf) and not any(under(module, m) for m in importers):
                    bad.append(f"{module}:{imp.line} imports {imp.target} ({leaf} is a leaf)")
    return bad


def size_violations(files: dict[str, Path], scopes: tuple[str, ...] = SIZE_CHECKED) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and functions over MAX_FUNCTION_LINES lines."""
    bad = []
    for module, path in sorted(files.items()):
        if not any(under(module, s) for s in scopes):
            continue
        source = path.read_text()
        n = len(source.splitlines())
        if n > MAX_MODULE_LINES:
            bad.append(f"{module}: {n} lines (max {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    bad.append(f"{module}:{node.lineno} {node.name}(): {length} lines "
                               f"(max {MAX_FUNCTION_LINES})")
    return bad


# --- the rules, one test each ----------------------------------------------------------------

@pytest.fixture(scope="module")
def graph() -> dict[str, list[Import]]:
    return import_graph()


def test_the_walk_sees_the_package(graph):
    assert {"kilauea", "kilauea.hw.packet", "kilauea.sim", "kilauea.compiler.compile"} <= set(graph)
    assert any(i.target == "kilauea.hw.packet" for i in graph["kilauea.hw.router"])


def test_no_import_cycle(graph):
    cycles = find_cycles(graph)
    assert not cycles, "import cycles (one per tangle):\n" + "\n".join(
        " -> ".join(c) for c in cycles)


def test_hw_imports_only_hw(graph):
    bad = direction_violations({m: i for m, i in graph.items() if under(m, "kilauea.hw")})
    assert not bad, "\n".join(bad)


def test_sim_imports_only_sim_and_hw(graph):
    bad = direction_violations({m: i for m, i in graph.items() if under(m, "kilauea.sim")})
    assert not bad, "\n".join(bad)


def test_core_imports_no_runtime_compiler_or_library(graph):
    bad = direction_violations({m: i for m, i in graph.items() if under(m, "kilauea.core")})
    assert not bad, "\n".join(bad)


def test_only_leaves_import_themselves(graph):
    """Nothing of ours imports kilauea.lava (the porting namespace) or the CLI."""
    bad = [b for b in direction_violations(graph) if b.endswith("is a leaf)")]
    assert not bad, "\n".join(bad)


def test_hw_and_runtime_modules_are_small():
    bad = size_violations(module_files())
    assert not bad, "\n".join(bad)


PRIVATE_AMARANTH = re.compile(r"amaranth\.(hdl\.)?_|\._ir\b|\b_ast\b|SignalDict")


def test_hw_and_sim_use_public_amaranth_apis_only():
    bad = [f"{path.relative_to(REPO)}:{i}: {line.strip()}"
           for name, path in module_files().items()
           if under(name, "kilauea.hw") or under(name, "kilauea.sim")
           for i, line in enumerate(path.read_text().splitlines(), 1)
           if PRIVATE_AMARANTH.search(line)]
    assert not bad, "private Amaranth APIs:\n" + "\n".join(bad)


def test_importing_the_packet_format_loads_only_hw():
    code = ("import sys, kilauea.hw.packet\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('kilauea'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout.split()
    extra = [m for m in out if m != "kilauea" and not under(m, "kilauea.hw")]
    assert not extra, f"import kilauea.hw.packet also loads: {extra}"


def test_flat_namespace_is_lazy_and_complete():
    code = ("import sys, kilauea\n"
            "assert [m for m in sys.modules if m.startswith('kilauea')] == ['kilauea']\n"
            "ns = {}\n"
            "exec('from kilauea import *', ns)\n"
            "missing = [n for n in kilauea.__all__ if n not in ns]\n"
            "assert not missing, missing\n"
            "assert kilauea.quantize.__module__ == 'kilauea.tools.quantize'\n"
            "assert kilauea.compiler.compile_network is kilauea.compile_network\n"
            "assert set(kilauea.__all__) <= set(dir(kilauea))\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    import kilauea
    with pytest.raises(AttributeError, match="no attribute 'NoSuchName'"):
        kilauea.NoSuchName


# --- the checkers catch what they should ---------------------------------------------------

def _synthetic(edges: dict[str, list[str]]) -> dict[str, list[Import]]:
    return {m: [Import(m, t, 1) for t in ts] for m, ts in edges.items()}


def test_checker_reports_a_cycle():
    g = _synthetic({"kilauea.a": ["kilauea.b"], "kilauea.b": ["kilauea.c"],
                    "kilauea.c": ["kilauea.a"], "kilauea.d": ["kilauea.a"],
                    "kilauea.e": ["kilauea.e"]})
    assert find_cycles(g) == [["kilauea.a", "kilauea.b", "kilauea.c", "kilauea.a"],
                              ["kilauea.e", "kilauea.e"]]
    assert find_cycles(_synthetic({"kilauea.a": ["kilauea.b"], "kilauea.b": []})) == []


def test_checker_reports_imports_against_the_direction():
    g = _synthetic({"kilauea.hw.x": ["kilauea.hw.packet", "kilauea.sim.golden", "amaranth.sim"],
                    "kilauea.sim.y": ["kilauea.hw.packet", "kilauea.compiler"],
                    "kilauea.core.z": ["kilauea.core.ports", "kilauea.runtime.runtime"],
                    "kilauea.proc.w": ["kilauea.lava.proc"],
                    "kilauea.lava.v": ["kilauea.lava.proc", "kilauea.proc.lif"]})
    bad = direction_violations(g)
    assert [b.split(" ")[0] + " " + b.split(" ")[2] for b in bad] == [
        "kilauea.core.z:1 kilauea.runtime.runtime",
        "kilauea.hw.x:1 kilauea.sim.golden", "kilauea.hw.x:1 amaranth.sim",
        "kilauea.proc.w:1 kilauea.lava.proc",
        "kilauea.sim.y:1 kilauea.compiler"]


def test_checker_reads_relative_and_nested_imports(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("from . import ports\nfrom ..sim import golden\n"
                   "def f():\n    from ...x import y\n    import kilauea.runtime\n")
    known = {"kilauea.core.ports"}
    got = [i.target for i in imports_of("kilauea.core.m", src, known)]
    assert sorted(got) == ["kilauea.core.ports", "kilauea.runtime", "kilauea.sim"]


def test_checker_reports_long_modules_and_functions(tmp_path):
    src = tmp_path / "big.py"
    body = "\n".join(f"    x{i} = {i}" for i in range(90))
    src.write_text(f"def long():\n{body}\n" + "\n" * 420)
    bad = size_violations({"kilauea.hw.big": src})
    assert bad == ["kilauea.hw.big: 511 lines (max 500)",
                   "kilauea.hw.big:1 long(): 91 lines (max 80)"]
