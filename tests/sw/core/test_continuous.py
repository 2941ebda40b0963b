"""Background runs: RunContinuous, non-blocking RunSteps, pause/wait/stop, Vars."""
import time

import numpy as np
import pytest

from kilauea import (CPU, AbstractProcess, LavaPyType, LoihiProtocol,
                     ProcessModelError, PyLoihiProcessModel, RunContinuous,
                     RunSteps, RuntimeStateError, Var, implements, requires)


class Counter(AbstractProcess):
    """acc += inc every step; ``last`` holds the last time step seen."""

    def __init__(self, *, inc=1, fail_at=-1, **kwargs):
        super().__init__(inc=inc, fail_at=fail_at, **kwargs)
        self.inc = Var(shape=(2,), init=inc)
        self.acc = Var(shape=(2,), init=0)
        self.last = Var(shape=(1,), init=0)


@implements(proc=Counter, protocol=LoihiProtocol)
@requires(CPU)
class PyCounter(PyLoihiProcessModel):
    inc = LavaPyType(np.ndarray, np.int64)
    acc = LavaPyType(np.ndarray, np.int64)
    last = LavaPyType(int, int)

    def run_spk(self):
        if self.time_step == self.proc_params["fail_at"]:
            raise KeyError("no such key")
        self.acc[:] = self.acc + self.inc
        self.last = self.time_step


def _wait_until(cond, timeout=5.0):
    end = time.time() + timeout
    while not cond():
        if time.time() > end:
            raise AssertionError("timed out")
        time.sleep(0.002)


def test_run_continuous_pause_get_set_then_continue_exactly():
    c = Counter(inc=1)
    c.run(condition=RunContinuous())
    _wait_until(lambda: c.last.get()[0] >= 50)
    # get while running happens between two steps: acc matches last exactly
    for _ in range(5):
        acc, last = c.acc.get(), c.last.get()
        assert acc[0] >= last[0] - 2   # two separate reads may straddle steps
    c.pause()
    k = c.runtime.time_step
    assert k >= 50 and c.runtime.state == "paused"
    np.testing.assert_array_equal(c.acc.get(), [k, k])
    assert c.last.get()[0] == k
    time.sleep(0.02)
    assert c.runtime.time_step == k            # really paused
    c.inc.set(np.array([10, 100]))
    c.acc.set(5, idx=0)
    c.run(condition=RunSteps(num_steps=7))
    np.testing.assert_array_equal(c.acc.get(), [5 + 70, k + 700])
    assert c.last.get()[0] == k + 7 and c.runtime.time_step == k + 7
    c.stop()


def test_set_while_running_takes_effect_between_steps():
    c = Counter(inc=0)
    c.run(condition=RunContinuous())
    _wait_until(lambda: c.last.get()[0] >= 10)
    c.inc.set(np.array([1, 1]))
    _wait_until(lambda: c.acc.get()[0] >= 3)
    c.pause()
    k = c.runtime.time_step
    acc = c.acc.get()
    # inc was 0 up to some step s and 1 afterwards: acc = k - s, both counters equal
    assert acc[0] == acc[1] and 0 < acc[0] <= k - 10
    c.stop()


def test_non_blocking_run_steps_and_wait():
    c = Counter(inc=3)
    c.run(condition=RunSteps(num_steps=10**7, blocking=False))
    with pytest.raises(RuntimeStateError, match="already going on"):
        c.run(condition=RunSteps(num_steps=1))
    c.pause()
    k = c.runtime.time_step
    assert 0 < k < 10**7
    np.testing.assert_array_equal(c.acc.get(), [3 * k, 3 * k])
    c.run(condition=RunSteps(num_steps=200, blocking=False))
    c.wait()
    assert c.runtime.time_step == k + 200
    np.testing.assert_array_equal(c.acc.get(), [3 * k + 600, 3 * k + 600])
    c.stop()


def test_exception_in_background_run_surfaces_in_caller():
    c = Counter(fail_at=30, name="counter")
    c.run(condition=RunContinuous())
    with pytest.raises(ProcessModelError, match=r"'counter'.*PyCounter.*KeyError.*time step 30"):
        c.wait()
    assert c.last.get()[0] == 29
    c.stop()


def test_stop_during_continuous_run():
    c = Counter()
    c.run(condition=RunContinuous())
    _wait_until(lambda: c.last.get()[0] >= 5)
    c.stop()
    assert c.runtime.state == "stopped"
    assert not c.runtime.is_running
