"""MkDocs hooks of the documentation site (mkdocs.yml ``hooks:``).

- ``on_config``: the package's folders are not named after it (sw/ is
  ``kilauea``, setup.py maps them), so mkdocstrings (griffe) cannot find
  ``kilauea`` in the source tree: a symlink ``build/apidoc/kilauea -> sw``
  gives it one (``paths: [build/apidoc]`` in mkdocs.yml).
- ``on_nav``: the navigation is generated from docs/ (every page appears,
  pages added later included); the first pages are put first
  (`FIRST`), the API reference last, the rest stays alphabetical.
- ``on_page_markdown``: the marker ``<!-- kilauea-flat-namespace -->`` becomes
  the table of kilauea's flat namespace (name -> defining module), read from
  ``kilauea._EXPORTS``, so it cannot drift from the package.
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parents[1]
APIDOC = ROOT / "build" / "apidoc"
MARKER = "<!-- kilauea-flat-namespace -->"
FIRST = ("index.md", "getting-started.md", "tutorials.md", "architecture.md")


@event_priority(100)      # before mkdocstrings reads its `paths`
def on_config(config, **_):
    link = APIDOC / "kilauea"
    APIDOC.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink() or Path(os.readlink(link)) != ROOT / "sw":
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(ROOT / "sw", target_is_directory=True)
    return config


def _exports() -> dict[str, tuple[str, ...]]:
    """``kilauea._EXPORTS``, read from the source (nothing imported)."""
    tree = ast.parse((ROOT / "sw" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_EXPORTS":
            return ast.literal_eval(node.value)
    raise RuntimeError("kilauea/__init__.py defines no _EXPORTS")


def flat_namespace_table() -> str:
    rows = ["| name | defined in |", "|---|---|"]
    for module, names in _exports().items():
        full = "kilauea" + module
        for name in names:
            rows.append(f"| `{name}` | `{full}` |")
    return "\n".join(rows)


def on_page_markdown(markdown: str, **_) -> str:
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, flat_namespace_table())
    return markdown


def _rank(item) -> tuple[int, int]:
    """Sort key of a top-level navigation item: FIRST pages, then the rest,
    then sections (the API reference)."""
    src = getattr(getattr(item, "file", None), "src_uri", None)
    if src in FIRST:
        return (0, FIRST.index(src))
    return (2, 0) if getattr(item, "children", None) else (1, 0)


def on_nav(nav, **_):
    nav.items.sort(key=_rank)        # stable: the rest keeps its alphabetical order
    return nav
