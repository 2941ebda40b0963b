"""Sparse Vars set on a built network, and the DelaySparse / DelayDense
weight-by-delay stacks agree."""
import numpy as np
import pytest
from scipy.sparse import csr_matrix

from kilauea import CpuSimCfg, RunSteps, Sparse, source
from kilauea.proc.dense.models import AbstractPyDelayDenseModel
from kilauea.proc.sparse.models import AbstractPyDelaySparseModel


def _built_sparse(weights):
    src = source.RingBuffer(data=np.ones((weights.shape[1], 3), int))
    conn = Sparse(weights=csr_matrix(weights))
    src.s_out.connect(conn.s_in)
    conn.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    return conn


def test_a_new_sparsity_pattern_is_taken():
    """Unlike lava-nc (which refuses it), kilauea lets a sparse Var change its
    stored entries between runs (the chip rewrites its synapse lists)."""
    conn = _built_sparse(np.array([[0, 32], [13, 0]]))
    try:
        conn.weights.set(csr_matrix(np.array([[5, 0], [13, 7]])))
        conn.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
        assert conn.weights.get().toarray().tolist() == [[5, 0], [13, 7]]
    finally:
        conn.stop()


def test_new_values_on_the_same_entries_are_taken():
    conn = _built_sparse(np.array([[0, 32], [13, 0]]))
    try:
        conn.weights.set(csr_matrix(np.array([[0, -6], [8, 0]])))
        conn.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
        assert conn.weights.get().toarray().tolist() == [[0, -6], [8, 0]]
    finally:
        conn.stop()


@pytest.mark.parametrize("seed", range(5))
def test_sparse_and_dense_delay_stacks_agree(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 7, size=2))
    weights = rng.integers(-5, 6, size=shape) * (rng.random(shape) < 0.5)
    delays = rng.integers(0, 4, size=shape) * (weights != 0)
    max_delay = int(rng.integers(3, 6))
    dense = AbstractPyDelayDenseModel.get_delay_wgts_mat(weights, delays, max_delay)
    sparse = AbstractPyDelaySparseModel.get_delay_wgts_mat(
        csr_matrix(weights), csr_matrix(delays), max_delay)
    assert sparse.shape == dense.shape == ((max_delay + 1) * shape[0], shape[1]), f"seed {seed}"
    np.testing.assert_array_equal(sparse.toarray(), dense, err_msg=f"seed {seed}")
    n = shape[0]
    for k in range(max_delay + 1):        # block k holds exactly the weights of delay k
        np.testing.assert_array_equal(dense[k * n:(k + 1) * n],
                                      np.where(delays == k, weights, 0), err_msg=f"seed {seed}")
