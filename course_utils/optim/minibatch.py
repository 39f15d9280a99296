"""Mini-batches: shuffle the examples once per epoch, then cut them into consecutive batches."""

from __future__ import annotations

import numpy as np

from course_utils.rng import make_rng

__all__ = ["random_mini_batches"]


def random_mini_batches(X, Y, mini_batch_size: int = 64, seed=0) -> list:
    """Shuffle the examples, then cut them into mini-batches.

    Arguments: X ``(n_x, m)``; Y ``(n_y, m)``; mini_batch_size; seed for
    ``np.random.default_rng(seed).permutation(m)`` (the one random draw).
    Returns: a list of ``(mini_batch_X, mini_batch_Y)``: ``m // mini_batch_size`` full batches,
    then one batch of the ``m % mini_batch_size`` remaining examples if there are any.
    Raises: ValueError if X and Y hold different numbers of examples, or mini_batch_size < 1.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples but Y has {Y.shape[1]}")
    if mini_batch_size < 1:
        raise ValueError(f"mini_batch_size must be >= 1, got {mini_batch_size}")
    m = X.shape[1]
    permutation = make_rng(seed).permutation(m)
    X_shuffled, Y_shuffled = X[:, permutation], Y[:, permutation]
    return [(X_shuffled[:, k:k + mini_batch_size], Y_shuffled[:, k:k + mini_batch_size])
            for k in range(0, m, mini_batch_size)]
