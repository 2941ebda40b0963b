"""``kilauea export`` and ``kilauea synth``: the chip's RTL out of Amaranth.

``export`` is `kilauea.hw.export` (the NoC of a mesh with its host port, or
one router) behind the command line. ``synth`` hands over to
``kilauea.hw.synth`` when the hardware provides that module (its ``main(argv)``
gets the arguments); this installation may not: then it says so and exits
with status 3 (ExitCode.UNAVAILABLE).
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import click

from .codes import ExitCode

__all__ = ["COMMANDS", "SYNTH_MODULE"]

#: the module ``kilauea synth`` delegates to, when it exists
SYNTH_MODULE = "kilauea.hw.synth"


def _pair(text: str, sep: str, what: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in text.lower().split(sep))
    except ValueError:
        raise click.BadParameter(f"must look like 2{sep}3, not {text!r}", param_hint=what) from None
    return a, b


@click.command("export")
@click.option("--mesh", metavar="WxH", default=None,
              help="the NoC of W x H tiles with the host port (default 2x2)")
@click.option("--router", metavar="X,Y", default=None, help="one router at tile X,Y instead")
@click.option("--format", "fmt", type=click.Choice(["verilog", "rtlil"]), default="verilog",
              show_default=True)
@click.option("--fifo-depth", type=click.IntRange(min=1), default=None,
              help="router FIFO depth (default: ChipParams')")
@click.option("--max-host-reads", type=click.IntRange(min=1), default=None,
              help="host port read slots (default: ChipParams')")
@click.option("--name", default=None, help="top module name (default noc / router)")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="file to write, '-' for stdout (default build/<name>-<shape>.v or .il)")
def export_cmd(mesh, router, fmt, fifo_depth, max_host_reads, name, output) -> None:
    """Write the Verilog (or RTLIL) of the chip's network on chip.

    `--mesh WxH` (default 2x2) writes the NoC with its host port, tile slots
    as ports; `--router X,Y` writes one router with its five ports.
    """
    from ..hw.export import build
    from ..hw.params import ChipParams
    if mesh is not None and router is not None:
        raise click.UsageError("give --mesh or --router, not both")
    defaults = ChipParams()
    kw = dict(fifo_depth=fifo_depth or defaults.fifo_depth,
              max_host_reads=max_host_reads or defaults.max_host_reads, fmt=fmt, name=name)
    if router is not None:
        xy = _pair(router, ",", "--router")
        kw["router"], shape = xy, f"{xy[0]}_{xy[1]}"
    else:
        wh = _pair(mesh or "2x2", "x", "--mesh")
        kw["mesh"], shape = wh, f"{wh[0]}x{wh[1]}"
    try:
        text = build(**kw)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if output == "-":
        click.echo(text, nl=False)
        return
    top = name or ("router" if router is not None else "noc")
    out = Path(output or f"build/{top}-{shape}.{'v' if fmt == 'verilog' else 'il'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    click.echo(f"wrote {out} ({len(text)} bytes, {fmt})")


@click.command("synth", context_settings={"ignore_unknown_options": True,
                                          "allow_interspersed_args": False})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def synth_cmd(args) -> None:
    """Synthesise the chip (when the hardware provides kilauea.hw.synth).

    ARGS go to that module's main(). Exit status 3 when this installation
    has no synthesis flow.
    """
    if importlib.util.find_spec(SYNTH_MODULE) is None:
        click.echo(f"kilauea synth: this installation has no synthesis flow ({SYNTH_MODULE} "
                   f"does not exist). Write the RTL with `kilauea export` and synthesise it "
                   f"with your own tools (e.g. yosys).", err=True)
        sys.exit(ExitCode.UNAVAILABLE)
    module = importlib.import_module(SYNTH_MODULE)
    if not callable(getattr(module, "main", None)):
        click.echo(f"kilauea synth: {SYNTH_MODULE} has no main(argv) to run", err=True)
        sys.exit(ExitCode.UNAVAILABLE)
    sys.exit(module.main(list(args)) or 0)


COMMANDS = (export_cmd, synth_cmd)
