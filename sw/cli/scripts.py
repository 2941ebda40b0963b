"""``kilauea run`` and ``kilauea compile``: a user's script, as ``python SCRIPT`` runs it.

``run`` sets ``$KILAUEA_ENGINE`` / ``$KILAUEA_MESH`` (ChipCfg's defaults, see
kilauea.core.run_configs) and runs the script as ``__main__``; a ChipCfg the
script creates without ``engine=`` / ``mesh=`` takes them.

``compile`` runs the script the same way, but its first run on ChipCfg is
compiled and not run: the chip executor factory is swapped (through
``kilauea.core.registry``, the runtime's own plug-in point) for one that
compiles the network, and the script stops there. The compile report (cores,
placement, resources) is printed. A script needs no change for this; code
before its first chip run (CPU runs included) does run.
"""
from __future__ import annotations

import os
import runpy
import sys
import traceback
from pathlib import Path

import click

from .codes import ExitCode

__all__ = ["COMMANDS", "run_script", "CompiledOnly"]


class CompiledOnly(BaseException):
    """Raised by the compile-only executor factory to end the script after
    its first chip run was compiled (a BaseException, so that a script's
    ``except Exception`` does not swallow it)."""

    def __init__(self, compiled, cfg):
        super().__init__("compiled, not run")
        self.compiled = compiled
        self.cfg = cfg


def _compile_only(cfg, network) -> list:
    from ..compiler import compile_network
    from ..core.model import AbstractNcProcessModel
    if not any(issubclass(lf.model_cls, AbstractNcProcessModel) for lf in network.leaves):
        raise click.ClickException("the script's first ChipCfg run has no process with a "
                                   "chip model (nothing to compile)")
    raise CompiledOnly(compile_network(network, cfg.params), cfg)


def run_script(script: Path, args: tuple[str, ...]) -> int:
    """Run `script` as ``__main__`` with ``sys.argv = [script, *args]``;
    returns its exit status (a traceback is printed when it raises)."""
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [str(script), *args]
    sys.path.insert(0, str(script.resolve().parent))
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as e:
        code = e.code
        if code is None or isinstance(code, int):
            return code or 0
        click.echo(str(code), err=True)
        return ExitCode.FAILED
    except (CompiledOnly, click.ClickException):
        raise
    except Exception as e:   # noqa: BLE001 - the script failed: report it as python does
        tb = e.__traceback__
        while tb is not None and Path(tb.tb_frame.f_code.co_filename) != script:
            tb = tb.tb_next        # drop the frames of this command and runpy
        traceback.print_exception(type(e), e, tb or e.__traceback__)
        return ExitCode.FAILED
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
    return ExitCode.OK


def _set_chip_defaults(engine: str | None, mesh: str | None) -> None:
    from ..core.run_configs import ENGINE_ENV, MESH_ENV, parse_mesh
    if mesh is not None:
        try:
            parse_mesh(mesh, "--mesh")
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--mesh") from None
        os.environ[MESH_ENV] = mesh
    if engine is not None:
        os.environ[ENGINE_ENV] = engine


def _engine_choice() -> click.Choice:
    from ..core.run_configs import ENGINE_NAMES
    return click.Choice(ENGINE_NAMES)


SCRIPT = click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
SCRIPT_ARGS = click.argument("script_args", nargs=-1, type=click.UNPROCESSED)
MESH = click.option("--mesh", metavar="WxH", default=None,
                    help="chip mesh for ChipCfg() without mesh= (sets $KILAUEA_MESH)")


@click.command("run", context_settings={"ignore_unknown_options": True,
                                        "allow_interspersed_args": False})
@click.option("--engine", type=_engine_choice(), default=None,
              help="chip engine for ChipCfg() without engine= (sets $KILAUEA_ENGINE)")
@MESH
@SCRIPT
@SCRIPT_ARGS
def run_cmd(engine: str | None, mesh: str | None, script: Path, script_args) -> None:
    """Run SCRIPT (a Python file) with chip defaults; ARGS go to the script.

    Options come before SCRIPT: `kilauea run --mesh 3x3 net.py --steps 10`.
    Exit status: the script's own (1 when it raises).
    """
    _set_chip_defaults(engine, mesh)
    sys.exit(run_script(script, script_args))


@click.command("compile", context_settings={"ignore_unknown_options": True,
                                            "allow_interspersed_args": False})
@MESH
@click.option("--plot", "plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE.png", help="also draw the cores' utilisation as a heat map")
@SCRIPT
@SCRIPT_ARGS
def compile_cmd(mesh: str | None, plot: Path | None, script: Path, script_args) -> None:
    """Compile the network of SCRIPT's first chip run and print the report.

    SCRIPT runs as usual until it first runs a network with ChipCfg; that
    network is compiled (placement on the mesh, each core's neurons,
    synapses, axons, fan-out and estimated cycles per step) instead of run,
    and the script stops. Exit status 1 when the script finishes without a
    chip run.
    """
    from ..core.registry import register_executor
    from ..core.run_configs import ChipCfg
    from ..runtime.chip import make_chip_executors
    _set_chip_defaults(None, mesh)
    register_executor(ChipCfg, _compile_only)
    try:
        status = run_script(script, script_args)
    except CompiledOnly as done:
        click.echo(f"compiled for a {done.cfg.mesh[0]}x{done.cfg.mesh[1]} mesh "
                   f"(nothing was run)")
        click.echo(str(done.compiled.report))
        if plot is not None:
            from ..tools.chipplot import save_chip_png
            click.echo(f"wrote {save_chip_png(done.compiled.report, plot)}")
        sys.exit(ExitCode.OK)
    finally:
        register_executor(ChipCfg, make_chip_executors)
    if status == ExitCode.OK:
        raise click.ClickException(f"{script} finished without running a network on the chip "
                                   f"(ChipCfg): nothing to compile")
    sys.exit(status)


COMMANDS = (run_cmd, compile_cmd)
