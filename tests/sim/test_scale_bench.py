"""bench/scale.py --quick runs: a 2000-neuron block-random network (100
synapses per neuron) compiled and stepped on the model engine, its table row
printed (mesh, synapses, compile time, steps/s, peak memory)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scale.py"


def test_scale_quick_prints_its_row():
    out = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines() if line.strip().startswith("2000")]
    assert len(rows) == 1, out.stdout
    neurons, mesh, cores, synapses, compile_s, us_syn, first_s, steps_s, rss = rows[0]
    assert (mesh, int(synapses)) == ("2x2", 2000 * 100)
    assert 0 < int(cores) <= 4
    assert float(compile_s) > 0 and float(steps_s) > 0 and float(rss) > 0
