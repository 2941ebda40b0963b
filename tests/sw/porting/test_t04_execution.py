"""Porting Lava's in-depth tutorial 04 (Execution) to kilauea.

Patterns: Lava's top-level names (``from lava import LIF, RunSteps, ...``),
blocking and non-blocking RunSteps, RunContinuous with pause/set/resume,
running a network from any of its processes, manual compile + runtime, and
the same network on the CPU (fixed_pt) and on the chip (Loihi2HwCfg).
"""
import time

import numpy as np
import pytest

from kilauea.lava import (LIF, Dense, RunSteps, RunContinuous, Loihi1SimCfg,
                          Loihi2SimCfg, Loihi2HwCfg, Monitor)


def test_run_steps_blocking_single_process():
    lif = LIF(shape=(1,), bias_mant=2.0, vth=100.0)
    lif.run(condition=RunSteps(num_steps=42), run_cfg=Loihi2SimCfg())
    np.testing.assert_allclose(lif.v.get(), [84.0])
    lif.stop()


def test_run_from_downstream_process_runs_whole_network():
    lif1 = LIF(shape=(1,), bias_mant=4.0, vth=10.0)
    dense = Dense(weights=np.eye(1) * 3.0)
    lif2 = LIF(shape=(1,), vth=1000.0)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    # run() on lif2: lif1 spikes at steps 3, 6, 9 (12 > 10), each spike
    # reaches lif2's current one step later (Dense), u never decays (du=0)
    lif2.run(condition=RunSteps(num_steps=10), run_cfg=Loihi2SimCfg())
    np.testing.assert_allclose(lif2.u.get(), [9.0])
    # v: u is 3 over steps 4..6, 6 over 7..9, 9 at 10: 9 + 18 + 9
    np.testing.assert_allclose(lif2.v.get(), [36.0])
    np.testing.assert_allclose(lif1.v.get(), [4.0])
    lif2.stop()


def test_non_blocking_run_steps_then_wait():
    lif = LIF(shape=(2,), bias_mant=1.0, vth=1000.0)
    lif.run(condition=RunSteps(num_steps=30, blocking=False),
            run_cfg=Loihi2SimCfg())
    lif.wait()
    np.testing.assert_allclose(lif.v.get(), [30.0, 30.0])
    lif.stop()


def test_run_continuous_pause_set_resume():
    lif = LIF(shape=(1,), bias_mant=1.0, vth=1e9)
    lif.run(condition=RunContinuous(), run_cfg=Loihi2SimCfg())
    time.sleep(0.02)
    lif.pause()
    v_paused = lif.v.get()
    assert v_paused[0] >= 0 and v_paused[0] == int(v_paused[0])
    time.sleep(0.01)
    np.testing.assert_array_equal(lif.v.get(), v_paused)  # really paused
    lif.v.set(np.array([0.0]))
    # resume (the tutorial passes Loihi1SimCfg on resume: config is ignored)
    lif.run(condition=RunSteps(num_steps=5), run_cfg=Loihi1SimCfg())
    np.testing.assert_allclose(lif.v.get(), [5.0])
    lif.stop()


def test_compile_then_run_via_process_api():
    lif1 = LIF(shape=(1,), bias_mant=4.0, vth=10.0)
    dense = Dense(weights=np.eye(1))
    lif1.s_out.connect(dense.s_in)
    lif1.compile(run_cfg=Loihi2SimCfg())
    lif1.run(condition=RunSteps(num_steps=2), run_cfg=Loihi2SimCfg())
    np.testing.assert_allclose(lif1.v.get(), [8.0])
    lif1.stop()


def test_manual_compiler():
    from kilauea.lava.magma.compiler.compiler import Compiler
    lif = LIF(shape=(1,))
    executable = Compiler().compile(lif, run_cfg=Loihi2SimCfg())
    assert executable is not None


def test_manual_runtime():
    from kilauea.lava.magma.runtime.runtime import Runtime
    from kilauea.lava.magma.core.process.message_interface_enum import (
        ActorType)
    lif = LIF(shape=(1,), bias_mant=1.0, vth=100.0)
    executable = lif.compile(run_cfg=Loihi2SimCfg())
    runtime = Runtime(exe=executable,
                      message_infrastructure_type=ActorType.MultiProcessing)
    runtime.initialize()
    runtime.start(run_condition=RunSteps(num_steps=7))
    np.testing.assert_array_equal(lif.v.get(), [7.0])     # v += bias each step
    runtime.start(run_condition=RunSteps(num_steps=3))    # continues
    assert runtime.global_time == 10
    np.testing.assert_array_equal(lif.v.get(), [10.0])
    runtime.stop()


def _lif_dense_lif(cfg, steps=25):
    lif1 = LIF(shape=(3,), du=300, dv=200, bias_mant=[90, 120, 150],
               bias_exp=6, vth=20)
    dense = Dense(weights=np.array([[40, -20, 60], [10, 80, -30]]))
    lif2 = LIF(shape=(2,), du=500, dv=100, vth=300)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    mon = Monitor()
    mon.probe(lif2.v, steps)
    mon_s = Monitor()
    mon_s.probe(lif1.s_out, steps)
    lif2.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    out = (mon.get_data()[lif2.name]["v"].copy(),
           mon_s.get_data()[lif1.name]["s_out"].copy(),
           lif1.u.get().copy(), lif2.u.get().copy())
    lif2.stop()
    return out


def test_same_network_cpu_fixed_pt_equals_loihi2_hw_cfg():
    cpu = _lif_dense_lif(Loihi2SimCfg(select_tag="fixed_pt"))
    chip = _lif_dense_lif(Loihi2HwCfg(engine="model"))
    assert cpu[1].sum() > 3            # lif1 does spike
    assert np.abs(cpu[0]).max() > 0    # and lif2 sees it
    for a, b in zip(cpu, chip):
        np.testing.assert_array_equal(a, b)


def test_loihi2_hw_cfg_plain_construction():
    cfg = Loihi2HwCfg()
    # Lava users write Loihi2HwCfg() with no arguments; it must not fail
    assert cfg is not None


def test_run_continuous_pause_set_resume_on_chip():
    lif = LIF(shape=(1,), bias_mant=1, vth=100000)
    cfg = Loihi2HwCfg(engine="model")
    lif.run(condition=RunContinuous(), run_cfg=cfg)
    time.sleep(0.02)
    lif.pause()
    v_paused = lif.v.get()
    assert v_paused[0] >= 0
    lif.v.set(np.array([0]))
    lif.run(condition=RunSteps(num_steps=3), run_cfg=cfg)
    np.testing.assert_array_equal(lif.v.get(), [3])
    lif.stop()
