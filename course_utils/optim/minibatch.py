"""Mini-batches: shuffle the examples once per epoch, then cut them into consecutive batches."""

from __future__ import annotations

import numpy as np

from course_utils.rng import make_rng

__all__ = ["random_mini_batches"]


def random_mini_batches(X, Y, mini_batch_size: int = 64, seed=0, *, example_axis: int = -1) -> list:
    """Shuffle the examples, then cut them into mini-batches.

    Arguments: X ``(n_x, m)``; Y ``(n_y, m)``; mini_batch_size; seed for
    ``np.random.default_rng(seed).permutation(m)`` (the one random draw); example_axis -- the axis
    that counts the examples in both X and Y (default -1, the columns; 0 for images ``(m, n_H, n_W,
    n_C)`` with labels ``(m, n_y)``).
    Returns: a list of ``(mini_batch_X, mini_batch_Y)``: ``m // mini_batch_size`` full batches,
    then one batch of the ``m % mini_batch_size`` remaining examples if there are any.
    Raises: ValueError if X and Y hold different numbers of examples, or mini_batch_size < 1.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    m = X.shape[example_axis]
    if Y.shape[example_axis] != m:
        raise ValueError(f"X has {m} examples but Y has {Y.shape[example_axis]} (axis {example_axis})")
    if mini_batch_size < 1:
        raise ValueError(f"mini_batch_size must be >= 1, got {mini_batch_size}")
    permutation = make_rng(seed).permutation(m)
    X_shuffled = np.take(X, permutation, axis=example_axis)
    Y_shuffled = np.take(Y, permutation, axis=example_axis)

    def cut(A, k):
        index = [slice(None)] * A.ndim
        index[example_axis] = slice(k, k + mini_batch_size)
        return A[tuple(index)]

    return [(cut(X_shuffled, k), cut(Y_shuffled, k)) for k in range(0, m, mini_batch_size)]
