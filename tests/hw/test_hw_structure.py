"""The shape rules of `kilauea.hw` (issue 9): small modules and functions,
no simulation code, public Amaranth APIs only."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import kilauea.hw

HW = Path(kilauea.hw.__file__).parent
SIM = HW.parent / "sim"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
PRIVATE_AMARANTH = re.compile(r"amaranth\.(hdl\.)?_|\._ir\b|\b_ast\b|SignalDict")


def _sources(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def test_modules_and_functions_are_small():
    too_big = []
    for f in _sources(HW):
        text = f.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_big.append(f"{f.relative_to(HW)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    too_big.append(f"{f.relative_to(HW)}:{node.lineno} {node.name}: {n} lines")
    assert not too_big, "over the size limits:\n" + "\n".join(too_big)


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    """(module, relative level) of every import statement, functions included."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.module or "", node.level))
    return out


def test_hw_imports_no_simulation_or_software():
    bad = []
    for f in _sources(HW):
        depth = len(f.relative_to(HW).parts) - 1       # package levels below kilauea.hw
        for module, level in _imports(ast.parse(f.read_text())):
            if module.startswith("amaranth.sim"):
                bad.append(f"{f.relative_to(HW)}: imports {module}")
            if module.startswith("kilauea.") and not module.startswith("kilauea.hw"):
                bad.append(f"{f.relative_to(HW)}: imports {module}")
            if level > depth + 1:                       # climbs out of kilauea.hw
                bad.append(f"{f.relative_to(HW)}: imports {'.' * level}{module}")
    assert not bad, "\n".join(bad)


def test_public_amaranth_apis_only():
    bad = [f"{f}:{i}: {line.strip()}"
           for root in (HW, SIM) for f in _sources(root)
           for i, line in enumerate(f.read_text().splitlines(), 1)
           if PRIVATE_AMARANTH.search(line)]
    assert not bad, "private Amaranth APIs:\n" + "\n".join(bad)
