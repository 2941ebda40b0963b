"""Write the Verilog (or RTLIL) of the chip or one of its blocks.

    python -m kilauea.hw.export -o build/chip.v                  # whole 2 x 2 chip
    python -m kilauea.hw.export --mesh 1x1 --param n_compartments=256 -o build/chip11.v
    python -m kilauea.hw.export --part core -o build/core.v      # one neurocore
    python -m kilauea.hw.export --part router --tile 1,1 -o build/router.v
    python -m kilauea.hw.export --part noc --mesh 4x4 --format rtlil -o build/noc.il

Parts (`Part`):

* ``chip`` (default): `Chip`, the NoC with a neurocore in every tile slot;
  top module ``chip``; ports ``host_in__*``, ``host_out__*``, ``stepping``,
  ``hang``, ``status``.
* ``noc``: `Noc`, mesh + host port with the tile slots as ports
  (``tiles__X__Y__rx__valid`` ...); module ``noc``.
* ``core``: one `Core` at tile ``--tile``; module ``core``.
* ``router``: one `Router` with its five ports (``inp__2__valid`` is
  input S) and its coordinate inputs ``x``, ``y`` (in a chip they are tied
  to the tile's; ``--tile`` sets their initial values); module ``router``.

The chip's sizes are `ChipParams` (``--mesh WxH`` and ``--param NAME=VALUE``
for any capacity, e.g. ``n_compartments=256`` for a reduced chip).

Zero initialisers. Amaranth gives every memory an initial value, all zeros
unless stated; written out, those are one line per word (17.8 MB of the
default 2 x 2 chip's 18 MB). The chip does not rely on them (memories are
cleared by hardware or loaded before use), so they are dropped by default:
`strip_zero_init` removes every memory initialiser whose words are all zero
(Verilog ``initial`` blocks, RTLIL ``$meminit_v2`` cells) and keeps any with
a non-zero word. ``--keep-zero-init`` writes them.
"""
from __future__ import annotations

import argparse
import dataclasses
import enum
import re
import sys
from pathlib import Path

from amaranth.back import rtlil, verilog

from .chip import Chip
from .hostport import DEFAULT_TIMEOUT_CYCLES
from .neurocore.core import Core
from .noc import Noc
from .params import ChipParams
from .router import Router

__all__ = ["Part", "Format", "top", "build", "strip_zero_init", "parse_params", "main"]


class Part(enum.Enum):
    """What to export."""
    CHIP = "chip"
    NOC = "noc"
    CORE = "core"
    ROUTER = "router"


class Format(enum.Enum):
    VERILOG = "verilog"
    RTLIL = "rtlil"


def top(part: Part, params: ChipParams, *, tile: tuple[int, int] = (0, 0),
        timeout_cycles: int = DEFAULT_TIMEOUT_CYCLES):
    """The Amaranth component of `part` (`tile` places a core or router)."""
    x, y = tile
    if part in (Part.CORE, Part.ROUTER) and not (0 <= x < params.mesh_w and 0 <= y < params.mesh_h):
        raise ValueError(f"tile {x},{y} is outside the {params.mesh_w}x{params.mesh_h} mesh")
    if part is Part.CHIP:
        return Chip(params, timeout_cycles=timeout_cycles)
    if part is Part.NOC:
        return Noc(params, timeout_cycles=timeout_cycles)
    if part is Part.CORE:
        return Core(params, x, y)
    return Router(x, y, params.fifo_depth)


# one memory's all-zero initialiser, as Amaranth's back ends write it
_VERILOG_ZERO_INIT = re.compile(r"^  initial begin\n(?:    [\w$\\.]+\[\d+\] = \d+'[dhb]0+;\n)+  end\n",
                                re.M)
_RTLIL_MEMINIT = re.compile(r"^(?:  attribute [^\n]*\n)*  cell \$meminit_v2 [^\n]*\n"
                            r"(?:    [^\n]*\n)*?  end\n", re.M)
_RTLIL_ZERO_DATA = re.compile(r"^    connect \\DATA \d+'0+$", re.M)


def strip_zero_init(text: str, fmt: Format) -> str:
    """`text` without the memory initialisers whose words are all zero."""
    if fmt is Format.VERILOG:
        return _VERILOG_ZERO_INIT.sub("", text)
    return _RTLIL_MEMINIT.sub(lambda m: "" if _RTLIL_ZERO_DATA.search(m.group(0)) else m.group(0),
                              text)


def build(part: Part = Part.CHIP, params: ChipParams | None = None, *,
          tile: tuple[int, int] = (0, 0), fmt: Format = Format.VERILOG, name: str | None = None,
          keep_zero_init: bool = False, timeout_cycles: int = DEFAULT_TIMEOUT_CYCLES) -> str:
    """The text of `part` for the chip `params` (default `ChipParams()`);
    the top module is called `name` (default the part's value)."""
    params = params or ChipParams()
    component = top(part, params, tile=tile, timeout_cycles=timeout_cycles)
    name = name or part.value
    if fmt is Format.VERILOG:
        text = verilog.convert(component, name=name)
    else:
        text = rtlil.convert(component, name=name)
    return text if keep_zero_init else strip_zero_init(text, fmt)


_PARAM_NAMES = tuple(f.name for f in dataclasses.fields(ChipParams))


def parse_params(mesh: tuple[int, int] | None, settings: list[str]) -> ChipParams:
    """`ChipParams` from a mesh shape and ``NAME=VALUE`` strings; a `ValueError`
    names an unknown parameter or a value that is not an integer."""
    changes: dict[str, int] = {}
    if mesh is not None:
        changes["mesh_w"], changes["mesh_h"] = mesh
    for text in settings:
        key, sep, value = text.partition("=")
        if not sep or key not in _PARAM_NAMES:
            raise ValueError(f"--param {text!r}: expected NAME=VALUE with NAME one of "
                             f"{', '.join(_PARAM_NAMES)}")
        try:
            changes[key] = int(value, 0)
        except ValueError:
            raise ValueError(f"--param {key}={value!r}: not an integer") from None
    return ChipParams(**changes)


def _pair(text: str, sep: str, what: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in text.lower().split(sep))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must look like 2{sep}3, not {text!r}") from None
    return a, b


def _arguments() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m kilauea.hw.export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=[p.value for p in Part], default=Part.CHIP.value)
    ap.add_argument("--mesh", type=lambda t: _pair(t, "x", "--mesh"),
                    help="tiles W x H (default ChipParams': 2x2)")
    ap.add_argument("--tile", type=lambda t: _pair(t, ",", "--tile"), default=(0, 0),
                    help="X,Y of the core or router (default 0,0)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a ChipParams field, e.g. n_compartments=256 (repeatable)")
    ap.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_CYCLES,
                    help="step cycle bound at reset (default %(default)s)")
    ap.add_argument("--format", choices=[f.value for f in Format], default=Format.VERILOG.value)
    ap.add_argument("--name", help="top module name (default: the part)")
    ap.add_argument("--keep-zero-init", action="store_true",
                    help="write the all-zero memory initialisers too")
    ap.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")
    return ap


def main(argv=None) -> int:
    ap = _arguments()
    a = ap.parse_args(argv)
    try:
        params = parse_params(a.mesh, a.param)
        text = build(Part(a.part), params, tile=a.tile, fmt=Format(a.format), name=a.name,
                     keep_zero_init=a.keep_zero_init, timeout_cycles=a.timeout)
    except ValueError as e:
        ap.error(str(e))
    if a.output == "-":
        sys.stdout.write(text)
    else:
        out = Path(a.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"wrote {out} ({len(text)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
