"""Synthetic 2-D data sets, generated and seeded here; the lesson is the algorithm, not the data."""

from __future__ import annotations

import numpy as np

from .rng import make_rng

__all__ = ["planar_flower"]


def planar_flower(m: int = 400, petals: int = 4, noise: float = 0.2, radius: float = 4.0, seed=1):
    """A flower of two interleaved classes in the plane (Track 1, notebook 03).

    Half the points of each class lie on alternate petals of the curve r = radius * sin(petals * t)
    (with Gaussian noise ``noise`` on both t and r), so no straight line separates them.
    Returns: X ``(2, m)`` float, Y ``(1, m)`` int of 0/1 (m even; m // 2 per class).
    """
    if m % 2:
        raise ValueError(f"m must be even (two equal classes), got {m}")
    rng = make_rng(seed)
    n = m // 2
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype=np.int64)
    for j in range(2):
        ix = slice(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + rng.standard_normal(n) * noise
        r = radius * np.sin(petals * t) + rng.standard_normal(n) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T
