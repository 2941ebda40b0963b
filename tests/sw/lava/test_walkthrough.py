"""docs/walkthrough.py runs end to end (both tags), writes its PNGs, and its
spike counts are what the models give (recomputed here independently:
the spec transcription for fixed_pt, a numpy loop for floating_pt)."""
import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).parents[3] / "docs" / "walkthrough.py"


@pytest.fixture(scope="module")
def walkthrough():
    spec = importlib.util.spec_from_file_location("kilauea_walkthrough", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _float_layer(n, du, dv, bias, vth, inputs):
    u, v = np.zeros(n), np.zeros(n)
    vs, ss = [], []
    for a_in in inputs:
        u = u * (1 - du) + a_in
        v = v * (1 - dv) + u + bias
        s = v > vth
        v = np.where(s, 0, v)
        vs.append(v)
        ss.append(s)
    return np.array(vs), np.array(ss)


def _float_expected(p, w, input_spikes=None, steps=100):
    l1, l2 = p["lif1"], p["lif2"]
    if input_spikes is None:
        in1 = [np.zeros(3)] * steps
        bias1 = np.array(l1["bias_mant"])
    else:       # generator -> Dense(eye * w_in): one step of delay
        w_in = p["input_weight"]
        in1 = [np.zeros(3)] + [w_in * s for s in input_spikes[:-1]]
        bias1 = 0
    v1, s1 = _float_layer(3, l1["du"], l1["dv"], bias1, l1["vth"], in1)
    in2 = [np.zeros(2)] + [w[:, s].sum(axis=1) for s in s1[:-1]]
    v2, s2 = _float_layer(2, l2["du"], l2["dv"], l2["bias_mant"], l2["vth"], in2)
    return v1, v2, int(s1.sum()), int(s2.sum())


def _fixed_expected(spec_ref, p, w, input_spikes=None, steps=100):
    l1, l2 = p["lif1"], p["lif2"]
    bias1 = list(l1["bias_mant"]) if input_spikes is None else [0, 0, 0]
    pops = {"l1": spec_ref.Lif(3, du=l1["du"], dv=l1["dv"], bias_mant=bias1,
                               vth=l1["vth"]),
            "l2": spec_ref.Lif(2, du=l2["du"], dv=l2["dv"],
                               bias_mant=[l2["bias_mant"]] * 2, vth=l2["vth"])}
    conns = [spec_ref.Conn("l1", "l2", w.tolist())]
    if input_spikes is not None:
        pops = {"gen": spec_ref.Replay(input_spikes.tolist()), **pops}
        conns.append(spec_ref.Conn(
            "gen", "l1", (np.eye(3, dtype=int) * p["input_weight"]).tolist()))
    rec = spec_ref.run_network(pops, conns, steps)
    return (np.array(rec["l1"]["v"]), np.array(rec["l2"]["v"]),
            int(np.sum(rec["l1"]["s"])), int(np.sum(rec["l2"]["s"])))


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_walkthrough_numbers_and_plots(walkthrough, spec_ref, tmp_path, tag,
                                       capsys):
    results = walkthrough.main(["--out", str(tmp_path), "--tag", tag])
    printed = capsys.readouterr().out
    p = walkthrough.PARAMS[tag]
    for part in ("part1", "part2"):
        r = results[part]
        png = pathlib.Path(r["png"])
        assert png.parent == tmp_path and png.stat().st_size > 10_000
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        gen = r.get("input_spikes")
        gen = None if gen is None else gen.astype(bool)
        if tag == "fixed_pt":
            v1, v2, n1, n2 = _fixed_expected(spec_ref, p, r["weights"], gen)
            assert r["v1"].tolist() == v1.tolist()
            assert r["v2"].tolist() == v2.tolist()
            assert n1 > 0 and n2 > 0        # both layers spike in fixed point
        else:
            v1, v2, n1, n2 = _float_expected(p, r["weights"], gen)
            np.testing.assert_allclose(r["v1"], v1, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(r["v2"], v2, rtol=1e-12, atol=1e-12)
        assert (r["spikes1"], r["spikes2"]) == (n1, n2)
        assert f"{part} ({tag}): lif1 spikes {n1}, lif2 spikes {n2}" in printed
    assert results["part2"]["input_spikes"].sum() > 0


def test_walkthrough_command_line(tmp_path):
    """The demo command: default output folder ./demo-output."""
    out = subprocess.run([sys.executable, str(SCRIPT)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "part2 (floating_pt)" in out.stdout
    assert sorted(p.name for p in (tmp_path / "demo-output").iterdir()) == [
        "walkthrough_part1_v.png", "walkthrough_part2_v.png"]
