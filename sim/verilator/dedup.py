"""One RTLIL module per kind of circuit: merge the modules whose bodies are equal.

Amaranth writes one RTLIL module per instance (``kl_noc.mesh.router_0_0``,
``kl_noc.mesh.router_0_0.fifo_E``, ...), so a W x H mesh holds W x H router
modules and their FIFOs, even where the circuits are the same. Since the
router's coordinates are inputs (`kilauea.hw.router.Router`), routers with the
same ports are the same circuit, and their modules differ only in their names
and in the names of the submodules they instantiate. `dedup` merges them
bottom up: modules with equal bodies become one (the first, in file order),
the cells that instantiated the others instantiate it, and that may make their
parents equal in turn, until nothing changes. A mesh of any size then has at
most nine router modules (interior, four edges, four corners) and two FIFO
modules, so the Verilog, Verilator's C++ and its compile time stop growing
with the number of tiles apart from the top's wiring.

Nothing else changes: the circuit each instance computes is its own module's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["dedup", "module_names", "rename"]

#: a module: attribute lines, ``module \\name``, the body, ``end`` (column 0)
_MODULE = re.compile(r"((?:^attribute [^\n]*\n)*)^module (\S+)\n(.*?)^end\n", re.M | re.S)
#: a cell line, naming the module it instantiates (or a ``$`` primitive)
_CELL = re.compile(r"^(  cell )(\S+)( \S+)$", re.M)
#: a port's position in a wire declaration (``wire width 1 input 6 \\w__valid``)
_PORT_NUMBER = re.compile(r"^(  wire .*?(?:input|output|inout)) \d+ ", re.M)


@dataclass(frozen=True)
class _Module:
    attrs: str      # attribute lines before ``module``
    name: str       # RTLIL identifier, with its backslash
    body: str       # the lines between ``module`` and ``end``


def _parse(text: str) -> list[_Module]:
    mods = [_Module(m.group(1), m.group(2), m.group(3)) for m in _MODULE.finditer(text)]
    rebuilt = "".join(_render(m) for m in mods)
    if len(rebuilt.split()) != len(text.split()):
        raise ValueError("dedup: the RTLIL holds text outside modules it cannot keep")
    return mods


def _render(mod: _Module) -> str:
    return f"{mod.attrs}module {mod.name}\n{mod.body}end\n"


def _rename_cells(body: str, renames: dict[str, str]) -> str:
    return _CELL.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + m.group(3),
                     body)


def _shape(body: str) -> tuple:
    """What decides a module's circuit: its wire declarations as a set
    (Amaranth numbers a module's ports in the order its parent first used
    them, and cells connect to ports by name, so the numbers do not matter),
    each cell's connections as a set (likewise ordered by first use),
    everything else in order."""
    wires, rest = [], []
    for para in body.split("\n\n"):
        lines = para.strip("\n").splitlines()
        if lines and lines[-1].startswith("  wire "):
            wires.append(_PORT_NUMBER.sub(r"\1 ", para.strip("\n")))
        elif any(line.startswith("  cell ") for line in lines):
            # a cell's port connections, by name, in any order
            conns = sorted(line for line in lines if line.startswith("    connect "))
            rest.append("\n".join([*(ln for ln in lines if not ln.startswith("    connect ")),
                                   *conns]))
        else:
            rest.append(para)
    return tuple(sorted(wires)), tuple(rest)


def dedup(text: str) -> str:
    """`text` (RTLIL) with each set of equal modules merged into one; the top
    module (``attribute \\top 1``) is never merged away."""
    mods = _parse(text)
    while True:
        first: dict[tuple, str] = {}        # shape -> the name of its first module
        renames: dict[str, str] = {}
        for mod in mods:
            if "\\top " in mod.attrs:
                continue
            keep = first.setdefault(_shape(mod.body), mod.name)
            if keep != mod.name:
                renames[mod.name] = keep
        if not renames:
            return "".join(_render(m) for m in mods)
        mods = [_Module(m.attrs, m.name, _rename_cells(m.body, renames))
                for m in mods if m.name not in renames]


def module_names(text: str) -> list[str]:
    """The names of the modules in RTLIL `text`, in file order."""
    return [m.group(2) for m in _MODULE.finditer(text)]


def rename(text: str, renames: dict[str, str]) -> str:
    """RTLIL `text` with modules renamed (old name -> new name, both RTLIL
    identifiers with their backslash): their ``module`` lines and the cells
    that instantiate them."""
    def sub(m: re.Match) -> str:
        return m.group(1) + renames.get(m.group(2), m.group(2)) + m.group(3)
    return re.sub(r"^(module |  cell )(\S+)((?: \S+)?)$", sub, text, flags=re.M)
