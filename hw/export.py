"""Write the Verilog (or RTLIL) of the NoC's components.

    python -m kilauea.hw.export --mesh 2x2 -o build/chip.v
    python -m kilauea.hw.export --router 1,1 -o build/router.v
    python -m kilauea.hw.export --mesh 4x4 --fifo-depth 2 --format rtlil -o build/noc.il

`--mesh WxH` writes `Noc` (mesh + host port, tile slots as ports, module
name `noc` unless `--name`); `--router X,Y` writes one `Router` with all
five ports (module `router`). Port names follow Amaranth's flattening of the
signatures: ``host_in__valid``, ``host_in__payload`` (64 bits, the flit),
``tiles__X__Y__rx__ready``, ``inp__2__valid`` (router input S), and so on.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amaranth.back import rtlil, verilog

from .hostport import DEFAULT_TIMEOUT_CYCLES
from .noc import Noc
from .params import ChipParams
from .router import Router

__all__ = ["build", "main"]


def _pair(text: str, sep: str, what: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in text.lower().split(sep))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must look like 2{sep}3, not {text!r}") from None
    return a, b


def build(*, mesh: tuple[int, int] | None = None, router: tuple[int, int] | None = None,
          fifo_depth: int = 4, max_host_reads: int = 8,
          timeout_cycles: int = DEFAULT_TIMEOUT_CYCLES, fmt: str = "verilog",
          name: str | None = None) -> str:
    """The text of the requested component (exactly one of mesh / router)."""
    if (mesh is None) == (router is None):
        raise ValueError("give exactly one of mesh=(w, h) or router=(x, y)")
    if mesh is not None:
        params = ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], fifo_depth=fifo_depth,
                            max_host_reads=max_host_reads)
        top = Noc(params, timeout_cycles=timeout_cycles)
        name = name or "noc"
    else:
        top = Router(router[0], router[1], fifo_depth)
        name = name or "router"
    if fmt == "verilog":
        return verilog.convert(top, name=name)
    if fmt == "rtlil":
        return rtlil.convert(top, name=name)
    raise ValueError(f"unknown format {fmt!r} (verilog or rtlil)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kilauea.hw.export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--mesh", type=lambda t: _pair(t, "x", "--mesh"),
                      help="NoC of W x H tiles with the host port, e.g. 2x2")
    what.add_argument("--router", type=lambda t: _pair(t, ",", "--router"),
                      help="one router at tile X,Y, e.g. 1,1")
    ap.add_argument("--fifo-depth", type=int, default=ChipParams().fifo_depth)
    ap.add_argument("--max-host-reads", type=int, default=ChipParams().max_host_reads)
    ap.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_CYCLES,
                    help="step cycle bound at reset (default %(default)s)")
    ap.add_argument("--format", choices=("verilog", "rtlil"), default="verilog")
    ap.add_argument("--name", help="top module name (default noc / router)")
    ap.add_argument("-o", "--output", required=True, help="file to write ('-' for stdout)")
    a = ap.parse_args(argv)
    try:
        text = build(mesh=a.mesh, router=a.router, fifo_depth=a.fifo_depth,
                     max_host_reads=a.max_host_reads, timeout_cycles=a.timeout,
                     fmt=a.format, name=a.name)
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
