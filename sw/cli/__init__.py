"""The ``kilauea`` command (also ``python -m kilauea``), built on click.

    kilauea run SCRIPT [ARGS]... [--engine E] [--mesh WxH]   run a script
    kilauea compile SCRIPT [ARGS]... [--mesh WxH]            compile report, no run
    kilauea export [--part P] [--mesh WxH] [-o FILE]          Verilog / RTLIL of the chip or a block
    kilauea synth ...                                        when kilauea.hw provides it
    kilauea bench list | run NAME [ARGS]...                  the scripts in bench/
    kilauea cache list | size | clean (--older-than AGE | --all)
    kilauea doctor                                           what is installed, what is missing

Exit codes (`ExitCode`): 0 done; 1 failed (the script raised, a required tool
is missing, nothing to compile); 2 bad usage (click's own); 3 not available in
this installation (no ``synth`` in the hardware, no ``bench/`` folder).
Nothing in kilauea imports this package: it is an entry point only.
"""
from __future__ import annotations

import click

from .codes import ExitCode

__all__ = ["ExitCode", "cli", "main"]


EPILOG = ("Exit codes: 0 done, 1 failed, 2 bad usage, 3 not available in this installation. "
          "Environment: KILAUEA_ENGINE and KILAUEA_MESH (ChipCfg's defaults), KILAUEA_CACHE "
          "(the compiled-model cache's folder), KILAUEA_PROGRESS=0 (no progress bars).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EPILOG)
@click.version_option(package_name="kilauea", prog_name="kilauea")
def cli() -> None:
    """kilauea: an open neuromorphic chip with Lava's host API.

    Run and compile networks, export the chip's RTL, look after the
    compiled-model cache, and check the installation (`kilauea doctor`).
    """


def _register() -> None:
    from . import bench, cache, doctor, hardware, scripts
    for module in (scripts, hardware, bench, cache, doctor):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> int:
    """Run the command line `argv` (default: ``sys.argv[1:]``); returns the exit code."""
    try:
        cli.main(args=argv, prog_name="kilauea", standalone_mode=True)
    except SystemExit as e:
        code = e.code
        return code if isinstance(code, int) else (0 if code is None else ExitCode.FAILED)
    return ExitCode.OK
