"""Synthetic 2-D data sets, generated and seeded here; the lesson is the algorithm, not the data."""

from __future__ import annotations

import numpy as np

from course_utils.rng import make_rng

__all__ = ["planar_flower", "two_circles", "moons", "noisy_blobs"]


def planar_flower(m: int = 400, petals: int = 4, noise: float = 0.2, radius: float = 4.0, seed=1):
    """A flower of two interleaved classes in the plane (Track 1, notebook 03).

    Half the points of each class lie on alternate petals of the curve r = radius * sin(petals * t)
    (with Gaussian noise ``noise`` on both t and r), so no straight line separates them.
    Arguments: m -- number of points, even; petals, noise, radius -- the curve's shape;
    seed -- an int, None or a ``np.random.Generator`` (see :func:`course_utils.rng.make_rng`).
    Returns: X ``(2, m)`` float, Y ``(1, m)`` int of 0/1 (m even; m // 2 per class).
    Raises: ValueError if m is odd.
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


def two_circles(m: int = 300, noise: float = 0.05, factor: float = 0.5, seed=1):
    """Two concentric rings (sklearn's make_circles, seeded). Returns X ``(2, m)``, Y ``(1, m)`` int.

    Arguments: m -- number of points; noise -- standard deviation of the Gaussian noise;
    factor -- inner radius over outer radius; seed -- an int or a ``np.random.Generator``
    (one draw from it gives scikit-learn's seed), or None (fresh entropy: not reproducible).
    Raises: ValueError (scikit-learn's InvalidParameterError) if m < 0, noise < 0 or factor is
    not in [0, 1).
    Source: ``sklearn.datasets.make_circles`` (Pedregosa et al. (2011), "Scikit-learn: Machine
    Learning in Python", JMLR 12).
    """
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=m, noise=noise, factor=factor, random_state=_sk_seed(seed))
    return X.T, y.reshape(1, -1).astype(np.int64)


def moons(m: int = 300, noise: float = 0.2, seed=1):
    """Two interleaving half moons (sklearn's make_moons, seeded). Returns X ``(2, m)``, Y ``(1, m)`` int.

    Arguments: m -- number of points; noise -- standard deviation of the Gaussian noise;
    seed -- an int, a ``np.random.Generator``, or None (fresh entropy: not reproducible).
    Raises: ValueError (scikit-learn's InvalidParameterError) if m < 1 or noise < 0.
    Source: ``sklearn.datasets.make_moons`` (Pedregosa et al. (2011), "Scikit-learn: Machine
    Learning in Python", JMLR 12).
    """
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=m, noise=noise, random_state=_sk_seed(seed))
    return X.T, y.reshape(1, -1).astype(np.int64)


def noisy_blobs(m: int = 200, flip: float = 0.1, seed=1):
    """Two overlapping Gaussian clouds with a fraction ``flip`` of labels flipped: a small, noisy
    training set that a large network overfits. Returns X ``(2, m)``, Y ``(1, m)`` int.

    Arguments: m -- number of points (classes alternate, so m // 2 or m // 2 + 1 per class
    before flipping); flip -- probability that a label is flipped; seed -- an int, None or a
    ``np.random.Generator``.
    """
    rng = make_rng(seed)
    Y = (np.arange(m) % 2).astype(np.int64)
    centres = np.array([[-0.6, -0.3], [0.6, 0.3]])
    X = centres[Y] + rng.standard_normal((m, 2)) * 0.55
    flipped = rng.random(m) < flip
    Y = np.where(flipped, 1 - Y, Y)
    return X.T, Y.reshape(1, -1)


def _sk_seed(seed) -> int:
    """scikit-learn wants an int or RandomState; derive an int from our seed, Generator or None
    (None: fresh entropy, as ``np.random.default_rng(None)`` everywhere else in the library)."""
    if isinstance(seed, np.random.Generator) or seed is None:
        return int(make_rng(seed).integers(2**31 - 1))
    return int(seed)
