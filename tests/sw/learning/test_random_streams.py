"""The fixed-point random streams (docs/learning.md, "Random streams"): each a numpy
PCG64 generator drawing one number at a time, seeded from the rule's rng_seed
(traces) or the fixed seed 2 (synaptic variables); runs repeat exactly."""
import os

import numpy as np
import pytest

from kilauea.learning import ConnVarRandom, TraceRandom, rule_randoms

SEEDS = ([int(os.environ["KILAUEA_SEED"])] if "KILAUEA_SEED" in os.environ
         else list(range(0, 2400, 100)))
DRAWS = 64


def _trace_stream(stream: TraceRandom, n: int):
    out = []
    for _ in range(n):
        out.append((float(stream.random_trace_decay), int(stream.random_impulse_addition)))
        stream.advance()
    return out


def _conn_stream(stream: ConnVarRandom, n: int):
    out = []
    for _ in range(n):
        out.append(float(stream.random_stochastic_round))
        stream.advance()
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_trace_streams_are_numpy_generators_seeded_as_documented(seed):
    randoms = rule_randoms(seed)
    for stream, decay_seed in ((randoms.x, seed), (randoms.y, seed + 2)):
        decay = np.random.default_rng(decay_seed)
        impulse = np.random.default_rng(decay_seed + 1)
        want = [(float(decay.random()), int(impulse.integers(0, 128, size=1)[0]))
                for _ in range(DRAWS)]
        assert _trace_stream(stream, DRAWS) == want, f"seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
def test_conn_var_stream_ignores_the_rule_seed(seed):
    reference = np.random.default_rng(2)
    want = [float(reference.random()) for _ in range(DRAWS)]
    assert _conn_stream(rule_randoms(seed).conn_var, DRAWS) == want, f"seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
def test_same_seed_same_streams_other_seed_other_streams(seed):
    a, b, c = rule_randoms(seed), rule_randoms(seed), rule_randoms(seed + 1)
    assert _trace_stream(a.x, DRAWS) == _trace_stream(b.x, DRAWS)
    assert _trace_stream(a.y, DRAWS) == _trace_stream(b.y, DRAWS)
    assert _trace_stream(c.x, DRAWS) != _trace_stream(rule_randoms(seed).x, DRAWS)


def test_number_types_and_ranges():
    stream = TraceRandom()
    values = _trace_stream(stream, 2000)
    assert stream.random_trace_decay.dtype == np.float64
    assert stream.random_impulse_addition.dtype == np.int64
    assert all(0 <= r < 1 and 0 <= k < 128 for r, k in values)
    assert {k for _, k in values} == set(range(128))
    assert ConnVarRandom().random_stochastic_round.dtype == np.float64
