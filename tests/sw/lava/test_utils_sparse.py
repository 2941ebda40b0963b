"""``kilauea.lava.utils.sparse.find``: scipy's ``find``, optionally with
the stored zeros."""
import numpy as np
from scipy.sparse import csr_matrix

from kilauea.lava.utils.sparse import find


def test_find_lists_stored_zeros_on_request_only() -> None:
    mat = csr_matrix(np.array([[1, 0, 2], [0, 3, 0]]))
    mat.data[1] = 0                                   # stored zero at (0, 2)
    rows, cols, vals = find(mat, explicit_zeros=True)
    assert list(zip(rows, cols, vals)) == [(0, 0, 1), (0, 2, 0), (1, 1, 3)]
    rows, cols, vals = find(mat)
    assert list(zip(rows, cols, vals)) == [(0, 0, 1), (1, 1, 3)]
    assert mat.nnz == 3 and mat.data.tolist() == [1, 0, 3]   # unchanged
