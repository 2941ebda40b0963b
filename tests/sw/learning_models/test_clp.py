"""The CLP processes (kilauea.proc.clp): NoveltyDetector, Allocator, Readout,
PrototypeLIF, each against what its docstring says, on seeded random inputs."""
import numpy as np
import pytest

from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import Loihi2SimCfg
from kilauea.lava.proc.clp.novelty_detector.process import NoveltyDetector
from kilauea.lava.proc.clp.nsm.process import Allocator, Readout
from kilauea.lava.proc.clp.prototype_lif.process import PrototypeLIF
from kilauea.lava.proc.io.sink import RingBuffer as Sink
from kilauea.lava.proc.io.source import RingBuffer as Source
from kilauea.lava.proc.lif.process import LIF

CFG = Loihi2SimCfg(select_tag="fixed_pt")


def _run(root, steps):
    root.run(condition=RunSteps(num_steps=steps), run_cfg=CFG)


def novelty_reference(inputs, outputs, t_wait):
    """NoveltyDetector's docstring, step by step."""
    waiting, passed, out = False, 0, []
    for a, b in zip(inputs, outputs):
        novelty = False
        if a:
            waiting, passed = True, 0
        if b:
            waiting, passed = False, 0
        elif passed > t_wait:
            novelty, waiting, passed = True, False, 0
        if waiting:
            passed += 1
        out.append(int(novelty))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_novelty_detector(seed):
    rng = np.random.default_rng(seed)
    steps, t_wait = 60, int(rng.integers(0, 6))
    inputs = (rng.random(steps) < 0.08).astype(int)
    outputs = (rng.random(steps) < 0.05).astype(int)
    det = NoveltyDetector(t_wait=t_wait)
    Source(data=inputs[np.newaxis]).s_out.connect(det.input_aval_in)
    Source(data=outputs[np.newaxis]).s_out.connect(det.output_aval_in)
    sink = Sink(shape=(1,), buffer=steps)
    det.novelty_detected_out.connect(sink.a_in)
    _run(det, steps)
    got = np.asarray(sink.data.get())[0].astype(int).tolist()
    det.stop()
    want = novelty_reference(inputs, outputs, t_wait)
    assert got == want, f"seed {seed}, t_wait {t_wait}"


def test_novelty_after_t_wait_silent_steps():
    inputs, outputs = np.zeros((1, 12), dtype=int), np.zeros((1, 12), dtype=int)
    inputs[0, 2] = 1                                   # an input at step 3
    assert novelty_reference(inputs[0], outputs[0], 4) == [0] * 7 + [1] + [0] * 4
    outputs[0, 5] = 1                                  # answered at step 6: no novelty
    assert sum(novelty_reference(inputs[0], outputs[0], 4)) == 0


def test_allocator_counts_ids_from_one():
    triggers = np.array([[0, 1, 0, 1, 1, 0]])
    alloc = Allocator(n_protos=3)
    Source(data=triggers).s_out.connect(alloc.trigger_in)
    sink = Sink(shape=(1,), buffer=6)
    alloc.allocate_out.connect(sink.a_in)
    _run(alloc, 6)
    assert np.asarray(sink.data.get())[0].tolist() == [0, 1, 0, 2, 3, 0]
    assert int(np.asarray(alloc.next_alloc_id.get()).item()) == 4
    alloc.stop()


def test_readout_labels_pseudo_labels_and_feedback():
    # winners: proto 1 at step 1 (unlabelled: pseudo -2), labelled 5 by the user at
    # step 2; proto 1 again at step 3, user says 5 (correct), step 4 user says 7 (wrong)
    spikes = np.zeros((3, 5), dtype=int)
    spikes[1, 0] = spikes[1, 2] = 1
    labels = np.array([[0, 5, 5, 7, 0]])
    readout = Readout(n_protos=3)
    Source(data=spikes).s_out.connect(readout.inference_in)
    Source(data=labels).s_out.connect(readout.label_in)
    sinks = {p: Sink(shape=(1,), buffer=5) for p in ("user_output", "feedback",
                                                     "trigger_alloc")}
    for port, sink in sinks.items():
        getattr(readout, port).connect(sink.a_in)
    _run(readout, 5)
    got = {p: np.asarray(s.data.get())[0].astype(int).tolist() for p, s in sinks.items()}
    assert got["user_output"] == [-2, 5, 5, 0, 0]
    assert got["feedback"] == [0, 0, 1, -1, 0]
    assert got["trigger_alloc"] == [0, 0, 0, 1, 0]
    assert np.asarray(readout.proto_labels.get()).tolist() == [0, 5, 0]
    readout.stop()


def test_prototype_lif_one_shot_and_reset():
    """Third factor id 2 at step 3: neuron 1 alone spikes, sends bap, y1 = 127;
    reset_in at step 5 zeroes u and v of neuron 0 (driven by its bias)."""
    kw = dict(du=100, dv=100, vth=50, bias_mant=np.array([200, 0, 0]), bias_exp=2)
    third = np.repeat(np.array([[0, 0, 2, 0, 0, 0]]), 3, axis=0)   # one id, to all
    reset = np.zeros((3, 6), dtype=int)
    reset[0, 4] = 1
    proto = PrototypeLIF(shape=(3,), **kw)
    Source(data=third).s_out.connect(proto.a_third_factor_in)
    Source(data=reset).s_out.connect(proto.reset_in)
    sinks = {p: Sink(shape=(3,), buffer=6) for p in ("s_out", "s_out_bap", "s_out_y1")}
    for port, sink in sinks.items():
        getattr(proto, port).connect(sink.a_in)
    vs = []
    for _ in range(6):
        _run(proto, 1)
        vs.append(np.asarray(proto.v.get()).copy())
    got = {p: np.asarray(s.data.get()).astype(int) for p, s in sinks.items()}
    proto.stop()
    assert got["s_out_bap"][:, 2].tolist() == [0, 1, 0]
    assert got["s_out"][:, 2].tolist() == [0, 1, 0]
    assert got["s_out_y1"][:, 2].tolist() == [0, 127, 0]
    assert got["s_out_bap"].sum() == 1
    assert vs[4][0] == 0 and vs[3][0] != 0
    # besides steps 3 and 5, neuron 0 steps as LIF with the same parameters
    lif = LIF(shape=(3,), **kw)
    ref = []
    for _ in range(2):
        _run(lif, 1)
        ref.append(np.asarray(lif.v.get()).copy())
    lif.stop()
    np.testing.assert_array_equal(np.array(vs[:2]), np.array(ref))
