"""Random generators for library code: never numpy's global state."""

from __future__ import annotations

import numpy as np

SeedLike = "int | np.random.Generator | None"


def make_rng(seed=None) -> np.random.Generator:
    """A ``np.random.Generator`` from an int seed, or the Generator itself if given one.

    Arguments: seed -- a non-negative int (or sequence of them), None for fresh entropy, or a
    ``np.random.Generator``, which is returned as it is (not copied), so draws continue its stream.
    Returns: a ``np.random.Generator`` (numpy's default bit generator, PCG64).
    Raises: ValueError (numpy) for a negative seed; TypeError for a seed of another kind
    (a float, a str, ...).
    Source: PCG64, O'Neill (2014), "PCG: A Family of Simple Fast Space-Efficient Statistically
    Good Algorithms for Random Number Generation", Harvey Mudd College technical report.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
