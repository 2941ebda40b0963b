"""``kilauea export`` and ``kilauea synth``: the chip's RTL out of Amaranth.

``export`` is `kilauea.hw.export` (the whole chip, its NoC, one core or one
router) behind the command line. ``synth`` hands its arguments to
``kilauea.hw.synth``'s ``main(argv)`` (imported when run: it loads no tool
until then).
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click


__all__ = ["COMMANDS", "SYNTH_MODULE"]

#: the module ``kilauea synth`` delegates to
SYNTH_MODULE = "kilauea.hw.synth"


def _pair(text: str, sep: str, what: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in text.lower().split(sep))
    except ValueError:
        raise click.BadParameter(f"must look like 2{sep}3, not {text!r}", param_hint=what) from None
    return a, b


@click.command("export")
@click.option("--part", type=click.Choice(["chip", "noc", "core", "router"]), default="chip",
              show_default=True, help="the whole chip, its NoC, one core or one router")
@click.option("--mesh", metavar="WxH", default=None, help="tiles (default 2x2)")
@click.option("--tile", metavar="X,Y", default="0,0", show_default=True,
              help="the core's or router's tile")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="a ChipParams field, e.g. n_compartments=256 (repeatable)")
@click.option("--format", "fmt", type=click.Choice(["verilog", "rtlil"]), default="verilog",
              show_default=True)
@click.option("--keep-zero-init", is_flag=True, help="write the all-zero memory initialisers too")
@click.option("--name", default=None, help="top module name (default: the part)")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="file to write, '-' for stdout (default build/<name>-<shape>.v or .il)")
def export_cmd(part, mesh, tile, params, fmt, keep_zero_init, name, output) -> None:
    """Write the Verilog (or RTLIL) of the chip or one of its blocks.

    `python -m kilauea.hw.export` behind the command line: the whole chip
    by default; `--part noc|core|router` for one block.
    """
    from ..hw import export
    try:
        chip = export.parse_params(_pair(mesh or "2x2", "x", "--mesh"), list(params))
        text = export.build(export.Part(part), chip, tile=_pair(tile, ",", "--tile"),
                            fmt=export.Format(fmt), name=name, keep_zero_init=keep_zero_init)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    if output == "-":
        click.echo(text, nl=False)
        return
    top = name or part
    shape = f"{chip.mesh_w}x{chip.mesh_h}" if part in ("chip", "noc") else tile.replace(",", "_")
    out = Path(output or f"build/{top}-{shape}.{'v' if fmt == 'verilog' else 'il'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    click.echo(f"wrote {out} ({len(text)} bytes, {fmt})")


@click.command("synth", add_help_option=False,
               context_settings={"ignore_unknown_options": True,
                                 "allow_interspersed_args": False})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def synth_cmd(args) -> None:
    """Synthesis and timing report (yosys, nextpnr-ecp5): ARGS go to
    `python -m kilauea.hw.synth` (``kilauea synth --help`` lists them)."""
    module = importlib.import_module(SYNTH_MODULE)
    sys.exit(module.main(list(args)) or 0)


COMMANDS = (export_cmd, synth_cmd)
