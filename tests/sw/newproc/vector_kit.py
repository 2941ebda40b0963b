"""The two-input networks of the NormVecDelay / ProdNeuron tests: two
RingBuffers through two Dense (24-bit messages) into the process, its
outputs into sinks. ``lava_case(seed)`` draws the data as the runs that
gave the lava-nc 0.10 numbers of the tests did."""
import numpy as np

from kilauea import Dense, RunSteps
from kilauea.proc.io import sink, source

import newproc_kit as kit


def lava_case(seed):
    rng = np.random.default_rng(seed)
    n, steps = 4, 6
    big = 2 ** 22 if seed % 2 else 3000
    d1 = rng.integers(-big, big, (n, steps))
    d2 = rng.integers(-big, big, (n, steps))
    w = np.diag(rng.integers(-128, 128, n))
    return rng, d1, d2, w


def run_two_inputs(proc, d1, d2, w, out_ports, extra_vars=()):
    """Run ``proc`` fed ``w @ d1`` on ``a_in1`` and ``d2`` on ``a_in2``;
    return the sinks' data (n, steps) per port and the Vars asked for.
    (Dense delays by one step: the process sees ``w @ d1[:, t - 1]`` at
    step t, see :func:`inputs`.)"""
    n, steps = d1.shape
    s1, s2 = source.RingBuffer(data=d1), source.RingBuffer(data=d2)
    dense1 = Dense(weights=w, num_message_bits=24)
    dense2 = Dense(weights=np.eye(n, dtype=int), num_message_bits=24)
    s1.s_out.connect(dense1.s_in)
    s2.s_out.connect(dense2.s_in)
    dense1.a_out.connect(proc.a_in1)
    dense2.a_out.connect(proc.a_in2)
    sinks = []
    for port in out_ports:
        k = sink.RingBuffer(shape=(n,), buffer=steps)
        getattr(proc, port).connect(k.a_in)
        sinks.append(k)
    proc.run(condition=RunSteps(num_steps=steps), run_cfg=kit.cpu_fixed())
    try:
        return ([k.data.get().astype(np.int64) for k in sinks],
                [getattr(proc, v).get().astype(np.int64) for v in extra_vars])
    finally:
        proc.stop()


def s32(x):
    """Wrap int64 values to 32 bits signed (a transcription's int32)."""
    return (np.asarray(x, dtype=np.int64) + 2 ** 31) % 2 ** 32 - 2 ** 31


def even(w):
    """Weights a mixed-sign Dense keeps as they are (it drops their lowest
    bit): the random tests use these, so that ``inputs`` holds."""
    return (w // 2) * 2


def inputs(d1, d2, w):
    """What the process receives at each step (columns): the Dense outputs,
    one step late (zeros at step 1), int32 sums; ``w`` even."""
    x1 = np.zeros_like(d1)
    x2 = np.zeros_like(d2)
    x1[:, 1:] = s32(w @ d1)[:, :-1]
    x2[:, 1:] = d2[:, :-1]
    return x1, x2
