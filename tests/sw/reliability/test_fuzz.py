"""bench/fuzz.py in CI: two dozen seeded random networks (moderate profile)
on the CPU fixed-point models and the golden model (on the networks' mesh
shape and on a chip of small capacities), compared on every spike and probed
Var; a few networks with garbage packets injected into the RTL (compiled
engine, else pysim), none harmful; the harm check itself catches a packet
that is real input; the divergences the extreme profile found."""
import importlib.util
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _fuzz():
    spec = importlib.util.spec_from_file_location("kilauea_bench_fuzz", ROOT / "bench" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod          # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_fuzz_short_run_has_no_mismatch(tmp_path, capsys):
    fz = _fuzz()
    tally = fz.fuzz(24, seed=1000, steps=16, out=tmp_path, quiet=True, extreme=False)
    line = fz.summary(tally)
    assert line == "fuzz: 24 networks, 0 mismatches, 0 packets injected, 0 harmful", (
        line, capsys.readouterr().out)
    assert not list(tmp_path.iterdir())
    assert sum(v for k, v in tally.outcomes.items() if k.endswith("equal")) > 0


def test_reproduction_files_rerun(tmp_path):
    fz = _fuzz()
    net = fz.random_net(5, 6, extreme=False)
    path = fz.write_repro(tmp_path, net, "model", (1, "x", 0, None, None))
    assert fz.Net.from_json(net.to_json()) == net
    assert fz.main(["--repro", str(path)]) == 0       # equal: "no longer differs"


def test_extreme_u_beyond_24_bits_matches_the_cpu(tmp_path):
    fz = _fuzz()
    tally = fz.Tally()
    assert fz.check(fz.random_net(3, 10), fz.engines_for(False), tally, None)


def test_extreme_delay_dense_past_int32_is_the_known_difference():
    """Seed 37: a graded DelayDense sum past 2**31 (the chip wraps, lava-nc's
    DelayDense does not); the compiler warns and the fuzzer counts it apart.
    Without the warning it is a mismatch."""
    fz = _fuzz()
    net = fz.random_net(37, 24)
    warnings = fz.compile_for(net, fz.chip_params(fz.shape_of(37)))[1]
    tally = fz.Tally()
    assert fz.check(net, {"model": fz.engines_for(False, 37)["model"]}, tally, None, warnings)
    assert any("known difference" in k for k in tally.outcomes), tally.outcomes
    assert not fz.check(net, {"model": fz.engines_for(False, 37)["model"]}, fz.Tally(), None, [])


SEEDS_1X1 = (1, 4, 7)         # seed % 3 == 1: the 1 x 1 shape (one small build)


def test_injected_garbage_is_harmless(tmp_path):
    fz = _fuzz()
    rtl = fz.rtl_engine()
    tally = fz.Tally()
    seeds = SEEDS_1X1 if rtl == "compiled" else SEEDS_1X1[:1]     # pysim: ~1 min a network
    for s in seeds:
        t = fz.fuzz(1, seed=s, steps=6, out=tmp_path, quiet=True, extreme=False, inject=4,
                    rtl=rtl)
        tally.injected += t.injected
        tally.harmful += t.harmful
        tally.coverage.update(t.coverage)
    assert tally.injected >= len(seeds) and tally.harmful == 0, (rtl, tally)
    assert not list(tmp_path.iterdir())
    assert any(k.startswith("inject raised flag") or k.startswith("inject answered")
               for k in tally.coverage), tally.coverage

