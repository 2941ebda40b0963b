"""Random networks (feed-forward, recurrent, fan-in, direct same-step links)
against a numpy transcription of Lava's timing. Seeded; the seed is printed
on failure."""
import numpy as np
import pytest

from kilauea import RunSteps
from kcore_testlib import Conn, Neuron, lif_float_step


def _build_and_reference(seed, steps):
    rng = np.random.default_rng(seed)
    n_groups = int(rng.integers(2, 6))
    sizes = rng.integers(1, 5, n_groups)
    biases = [rng.uniform(0.0, 4.0, s) * (rng.random(s) < 0.7) for s in sizes]
    biases[0] = rng.uniform(2.0, 4.0, sizes[0])     # group 0 always spikes
    neurons = [Neuron(shape=(int(s),), bias=b, name=f"g{i}")
               for i, (s, b) in enumerate(zip(sizes, biases))]
    conns = []      # (src group, dst group, weights, Conn process)
    chain = [(g, g + 1) for g in range(n_groups - 1)]    # keeps the network connected
    extra = [tuple(int(x) for x in rng.integers(0, n_groups, 2))
             for _ in range(int(rng.integers(1, 2 * n_groups + 1)))]  # cycles, self-loops
    for a, b in chain + extra:
        w = rng.uniform(-3.0, 8.0, (sizes[b], sizes[a]))
        c = Conn(weights=w, name=f"c{len(conns)}")
        neurons[a].s_out.connect(c.s_in)
        c.a_out.connect(neurons[b].a_in)
        conns.append((a, b, w, c))
    direct = []     # same-step links, lower to higher group only (no recv cycles)
    for a in range(n_groups):
        for b in range(a + 1, n_groups):
            if sizes[a] == sizes[b] and rng.random() < 0.3:
                neurons[a].s_out.connect(neurons[b].a_in)
                direct.append((a, b))

    u = [np.zeros(s) for s in sizes]
    v = [np.zeros(s) for s in sizes]
    buff = [np.zeros(sizes[b]) for _, b, _, _ in conns]
    total_spikes = 0
    for _ in range(steps):
        spikes = [None] * n_groups
        for g in range(n_groups):
            a_in = np.zeros(sizes[g])
            for k, (_, b, _, _) in enumerate(conns):
                if b == g:
                    a_in = a_in + buff[k]
            for a, b in direct:
                if b == g:
                    a_in = a_in + spikes[a]
            u[g], v[g], spikes[g] = lif_float_step(u[g], v[g], a_in, biases[g])
            total_spikes += int(spikes[g].sum())
        buff = [w[:, spikes[a]].sum(axis=1) for a, _, w, _ in conns]
    return neurons, conns, v, buff, total_spikes


@pytest.mark.parametrize("seed", range(30))
def test_random_network_matches_numpy(seed):
    steps = 25
    neurons, conns, v_ref, buff_ref, spikes = _build_and_reference(1000 + seed, steps)
    try:
        neurons[0].run(condition=RunSteps(num_steps=steps))
        assert all(n.runtime is neurons[0].runtime for n in neurons)
        assert spikes > 0
        for n, v in zip(neurons, v_ref):
            np.testing.assert_allclose(n.v.get(), v, atol=1e-9)
        for (_, _, _, c), b in zip(conns, buff_ref):
            np.testing.assert_allclose(c.a_buff.get(), b, atol=1e-9)
    except AssertionError as e:
        raise AssertionError(f"seed {1000 + seed}: {e}") from None
    finally:
        neurons[0].stop()
