"""Random generators for library code: never numpy's global state."""

from __future__ import annotations

import numpy as np

SeedLike = "int | np.random.Generator | None"


def make_rng(seed=None) -> np.random.Generator:
    """A ``np.random.Generator`` from an int seed, or the Generator itself if given one."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
