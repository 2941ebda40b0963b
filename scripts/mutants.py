"""The single-line RTL mutants `scripts/mutate.py` applies, one at a time:
`Mutant` records read from scripts/mutants.toml (the list itself, with
its test groups)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

LIST = Path(__file__).resolve().parent / "mutants.toml"


@dataclass(frozen=True)
class Mutant:
    """One single-line mutation of the RTL.

    id : unique short name (``area-what``).
    file : path under the repository root, inside hw/.
    original : a fragment of one line, occurring exactly once in `file`.
    replacement : the text that replaces `original` (one line).
    what : what the mutation does to the hardware, in words.
    tests : pytest paths that should kill it, fastest first.
    equivalent : why it cannot change behaviour ("" when it can).
    volatile : in a file being rewritten; re-anchor when it stops matching.
    """
    id: str
    file: str
    original: str
    replacement: str
    what: str
    tests: tuple[str, ...]
    equivalent: str = ""
    volatile: bool = False


def load(path: Path = LIST) -> tuple[Mutant, ...]:
    """The mutants of a list file; `tests` names one of its [groups]."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    groups = doc.get("groups", {})
    out = []
    for i, entry in enumerate(doc.get("mutant", [])):
        entry = dict(entry)
        group = entry.get("tests")
        if group not in groups:
            raise ValueError(f"{path.name}: mutant {entry.get('id', i)!r}: tests = {group!r} "
                             f"is not a group (groups: {', '.join(groups)})")
        entry["tests"] = tuple(groups[group])
        try:
            out.append(Mutant(**entry))
        except TypeError as e:
            raise ValueError(f"{path.name}: mutant {entry.get('id', i)!r}: {e}") from None
    return tuple(out)


MUTANTS: tuple[Mutant, ...] = load()
