"""Look after the compiled-model cache that `build` fills: list, measure, clean.

The layout is `build`'s (see its module docstring): under `cache_dir()`, one
folder per design key (32 hex digits) holding ``design.cc``, ``model.so`` and
``entry.json``; ``shapes/`` (small index files naming a design key);
``locks/<design key>.lock`` (the lock a build holds while it writes that
entry). Cleaning takes each entry's lock without waiting: an entry being built
right now (its lock held) is skipped, never deleted. Lock files themselves are
kept (empty files; deleting one while another process waits on it would let two
builds of one key run at once). Index files that name a removed entry go too.

"Last used" is the later of the entry's build time and the access time of its
``model.so`` (loading the library reads it; file systems mounted ``noatime``
record no access, and then it is the build time).
"""
from __future__ import annotations

import calendar
import errno
import fcntl
import json
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .build import cache_dir

__all__ = ["CacheEntry", "CleanResult", "entries", "total_size", "clean", "parse_age",
           "human_size"]

_KEY_RE = re.compile(r"^[0-9a-f]{32}$")
LOCKS, SHAPES = "locks", "shapes"


@dataclass(frozen=True)
class CacheEntry:
    """One compiled model in the cache."""
    key: str                 # the design key (the folder's name)
    path: Path
    size: int                # bytes in the folder
    built: float             # build time, seconds since the epoch (folder mtime without a sidecar)
    last_used: float         # see the module docstring
    name: str                # what was built ("chip", ...); "?" without a sidecar
    complete: bool           # entry.json and model.so both present

    def age_s(self, now: float | None = None) -> float:
        """Seconds since the entry was last used."""
        return (time.time() if now is None else now) - self.last_used


@dataclass(frozen=True)
class CleanResult:
    """What `clean` did."""
    removed: list[CacheEntry] = field(default_factory=list)
    busy: list[CacheEntry] = field(default_factory=list)     # being built: kept
    kept: list[CacheEntry] = field(default_factory=list)     # too recent: kept
    freed: int = 0                                           # bytes

    @property
    def n_removed(self) -> int:
        return len(self.removed)


def _folder_size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        try:
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
        except OSError:
            continue
    return total


def _entry(path: Path) -> CacheEntry:
    so, meta = path / "model.so", path / "entry.json"
    built = path.stat().st_mtime
    name = "?"
    try:
        info = json.loads(meta.read_text())
        name = str(info.get("name", "?"))
        built = float(calendar.timegm(time.strptime(info["built"], "%Y-%m-%dT%H:%M:%SZ")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    used = built
    try:
        used = max(built, so.stat().st_atime)
    except OSError:
        pass
    return CacheEntry(key=path.name, path=path, size=_folder_size(path), built=built,
                      last_used=used, name=name, complete=so.exists() and meta.exists())


def entries(root: Path | None = None) -> list[CacheEntry]:
    """Every model folder in the cache, least recently used first."""
    root = Path(root) if root is not None else cache_dir()
    if not root.is_dir():
        return []
    found = [_entry(p) for p in root.iterdir() if p.is_dir() and _KEY_RE.match(p.name)]
    return sorted(found, key=lambda e: e.last_used)


def total_size(root: Path | None = None) -> int:
    """Bytes under the cache folder (models, index and lock files)."""
    root = Path(root) if root is not None else cache_dir()
    return _folder_size(root) if root.is_dir() else 0


def parse_age(text: str) -> float:
    """``"7d"``, ``"12h"``, ``"30m"``, ``"45s"`` or a plain number of days -> seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dhms]?)\s*", str(text).lower())
    if not m:
        raise ValueError(f"an age looks like 7d, 12h, 30m or 45s, not {text!r}")
    unit = {"d": 86400, "": 86400, "h": 3600, "m": 60, "s": 1}[m.group(2)]
    return float(m.group(1)) * unit


def _try_lock(path: Path):
    """The open lock file, locked, or None when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "a")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        f.close()
        if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return None
        raise
    return f


def _drop_dangling_shapes(root: Path) -> None:
    """Remove index files naming a design key whose folder is gone."""
    shapes = root / SHAPES
    if not shapes.is_dir():
        return
    for f in shapes.iterdir():
        try:
            key = f.read_text().strip()
        except OSError:
            continue
        if not (root / key).is_dir():
            f.unlink(missing_ok=True)


def clean(root: Path | None = None, *, older_than_s: float | None = None,
          everything: bool = False, dry_run: bool = False) -> CleanResult:
    """Remove models: every one (`everything`) or those last used more than
    `older_than_s` seconds ago. Entries being built are skipped (`busy`)."""
    if everything == (older_than_s is not None):
        raise ValueError("clean: give exactly one of everything=True or older_than_s")
    root = Path(root) if root is not None else cache_dir()
    removed, busy, kept = [], [], []
    now = time.time()
    for e in entries(root):
        if not everything and e.age_s(now) <= older_than_s:
            kept.append(e)
            continue
        lock = _try_lock(root / LOCKS / f"{e.key}.lock")
        if lock is None:
            busy.append(e)
            continue
        try:
            if not dry_run:
                shutil.rmtree(e.path)
            removed.append(e)
        finally:
            lock.close()
    if removed and not dry_run:
        _drop_dangling_shapes(root)
    return CleanResult(removed, busy, kept, sum(e.size for e in removed))


def human_size(n: int) -> str:
    """Bytes as ``"5.2 MB"`` (decimal units)."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover

