"""Progress bars on long blocking runs (kilauea.runtime.progress): shown when
asked for, never when switched off, and the chunked run computes what one
run computes."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import LIF, CpuSimCfg, Dense, Monitor, RunSteps
from kilauea.runtime import progress


def _run(num_steps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lif1 = LIF(shape=(4,), du=300, dv=200, bias_mant=rng.integers(50, 200, 4), bias_exp=2,
               vth=40)
    dense = Dense(weights=rng.integers(-60, 120, (3, 4)))
    lif2 = LIF(shape=(3,), du=700, dv=300, vth=30)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    mon = Monitor()
    mon.probe(lif2.v, num_steps)
    lif1.run(condition=RunSteps(num_steps=num_steps), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    data = mon.get_data()[lif2.name]["v"]
    lif1.stop()
    return data


@pytest.mark.parametrize("seed", [3, 11])
def test_bar_shown_and_results_unchanged(monkeypatch, capsys, seed):
    n = progress.MIN_STEPS * 3 + 7              # chunks of 2 steps, the last one shorter
    monkeypatch.setenv(progress.PROGRESS_ENV, "0")
    plain = _run(n, seed)
    assert "step" not in capsys.readouterr().err
    monkeypatch.setenv(progress.PROGRESS_ENV, "1")
    monkeypatch.setattr(progress, "DELAY_S", 0.0)
    calls = []
    real = progress.run_with_progress

    def spy(run_steps, t_first, n_steps, desc="kilauea"):
        return real(lambda t, k: (calls.append((t, k)), run_steps(t, k)), t_first, n_steps,
                    desc)
    monkeypatch.setattr("kilauea.runtime.runtime.run_with_progress", spy)
    chunked = _run(n, seed)
    assert f"0/{n} " in capsys.readouterr().err, "no progress bar"
    assert len(calls) > 1 and sum(k for _, k in calls) == n
    assert [t for t, _ in calls] == list(np.cumsum([1] + [k for _, k in calls[:-1]]))
    np.testing.assert_array_equal(plain, chunked, err_msg=f"seed {seed}")


def test_short_runs_are_not_chunked():
    calls = []
    progress.run_with_progress(lambda t, k: calls.append((t, k)), 5, progress.MIN_STEPS - 1)
    assert calls == [(5, progress.MIN_STEPS - 1)]
