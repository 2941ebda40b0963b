"""Lava's ``lava.utils.sparse``: ``find`` with explicit zeros."""
from __future__ import annotations

import typing as ty

import numpy as np
from scipy import sparse

__all__ = ["find"]


def find(mat: sparse.spmatrix, explicit_zeros: bool = False
         ) -> ty.Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, cols, values)`` of the entries of ``mat``, as
    ``scipy.sparse.find``; with ``explicit_zeros`` the stored zeros are
    included too (row-major order, duplicates summed). ``mat`` is left
    unchanged."""
    if not explicit_zeros:
        return sparse.find(mat)
    coo = sparse.csr_matrix(mat, copy=True)
    coo.sum_duplicates()
    coo = coo.tocoo()
    return coo.row, coo.col, coo.data
