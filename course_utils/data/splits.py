"""Train / dev / test splits: how big each part is, seeded shuffles, and the training-dev set.

Data is column-major like the rest of the library: inputs ``X`` ``(n_x, m)`` and labels ``Y``
``(n_y, m)``, one example per column. Shuffles draw from their own seeded generator
(:func:`course_utils.rng.make_rng`), never from numpy's global state.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_utils.rng import make_rng

__all__ = ["DEV_TEST_CAP", "split_sizes", "shuffled_split", "make_training_dev_split"]

#: Dev and test sets larger than this add little confidence (the notes: 10,000 examples each are enough).
DEV_TEST_CAP = 10_000


def _count(value, name, lowest=0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lowest:
        raise ValueError(f"{name} must be an int >= {lowest}, got {value!r}")
    return int(value)


def split_sizes(m, cap=DEV_TEST_CAP) -> tuple[int, int, int]:
    """How many of ``m`` examples go to the training, dev and test sets.

    The dev set and the test set each get a fifth of the data, ``m // 5``, but never more than
    ``cap`` examples; the training set gets the rest. So small data sets are split 60/20/20
    (``m = 1,000``: 600 / 200 / 200) and large ones mostly train (``m = 1,000,000``: 980,000 /
    10,000 / 10,000, that is 98/1/1).

    Arguments: m -- the number of examples, an int >= 0; cap -- the largest dev (and test) set, an int >= 0.
    Returns: ``(m_train, m_dev, m_test)``, ints that sum to m, with ``m_dev == m_test == min(m // 5, cap)``.
    Raises: ValueError if m or cap is not an int >= 0.
    """
    m, cap = _count(m, "m"), _count(cap, "cap")
    m_dev = min(m // 5, cap)
    return m - 2 * m_dev, m_dev, m_dev


def shuffled_split(X, Y, sizes, seed=None):
    """Shuffle the examples (columns) once and cut them into consecutive parts of the given sizes.

    ``perm = make_rng(seed).permutation(m)``; part k holds the columns ``perm[start_k:start_k + sizes[k]]``
    in that order. This is the notes' option 1 (shuffle everything, then split).

    Arguments: X ``(n_x, m)``, Y ``(n_y, m)``; sizes -- ints >= 0 that sum to at most m (the rest
        is left out); seed -- an int, None or a ``np.random.Generator``.
    Returns: a list with one ``(X_part, Y_part)`` pair per size, and, last, the indices ``perm`` (so a
        caller can trace where each example came from).
    Raises: ValueError if X and Y hold different numbers of examples or the sizes exceed m or are not
        ints >= 0.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must be (n_x, m) and (n_y, m), got {X.shape} and {Y.shape}")
    sizes = [_count(s, "each size") for s in sizes]
    m = X.shape[1]
    if sum(sizes) > m:
        raise ValueError(f"the sizes {sizes} add up to {sum(sizes)}, more than the {m} examples")
    perm = make_rng(seed).permutation(m)
    parts, start = [], 0
    for s in sizes:
        idx = perm[start:start + s]
        parts.append((X[:, idx], Y[:, idx]))
        start += s
    return parts + [perm]


def make_training_dev_split(X, Y, train_dev_size, seed=None):
    """Carve a training-dev set out of a training set: same distribution, but not trained on.

    ``perm = np.random.default_rng(seed).permutation(m)`` (or the given Generator's permutation); the
    first ``train_dev_size`` columns of ``perm`` form the training-dev set, the remaining ones, in
    ``perm`` order, the new training set.

    Arguments: X ``(n_x, m)``, Y ``(n_y, m)`` -- the training set; train_dev_size -- an int in
        ``[0, m]``; seed -- an int, None or a ``np.random.Generator``.
    Returns: ``(X_train, Y_train, X_train_dev, Y_train_dev)`` with ``m - train_dev_size`` and
        ``train_dev_size`` columns (inputs are not modified).
    Raises: ValueError as :func:`shuffled_split`, or if train_dev_size is not an int in ``[0, m]``.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    k = _count(train_dev_size, "train_dev_size")
    m = X.shape[1] if X.ndim == 2 else 0
    if k > m:
        raise ValueError(f"train_dev_size is {k}, more than the {m} training examples")
    (X_td, Y_td), (X_tr, Y_tr), _ = shuffled_split(X, Y, [k, m - k], seed)
    return X_tr, Y_tr, X_td, Y_td
