"""Hyperparameter search: sampling on the right scale, grid versus random search (Track 2, notebook 06).

Sampling a learning rate uniformly between 0.0001 and 1 would spend 90% of the samples
between 0.1 and 1; sampling its exponent uniformly gives each decade the same share.

Source: random search versus grid search: Bergstra & Bengio (2012), "Random Search for
Hyper-Parameter Optimization", JMLR 13.
"""

from __future__ import annotations

import numpy as np

from course_utils.rng import make_rng

__all__ = ["sample_learning_rate", "sample_beta", "grid_points", "random_points"]


def _exponents(num: int, low: float, high: float, seed) -> np.ndarray:
    """``low + (high - low) * u`` with ``u = np.random.default_rng(seed).random(num)``."""
    if num < 1:
        raise ValueError(f"num must be >= 1, got {num}")
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    return low + (high - low) * make_rng(seed).random(num)


def _check_ranges(ranges: dict) -> None:
    bad = {k: v for k, v in ranges.items() if not (len(v) == 2 and v[0] < v[1])}
    if not ranges or bad:
        raise ValueError(f"ranges must map names to (low, high) exponents with low < high; got {ranges}")


def sample_learning_rate(num: int, low: float = -4.0, high: float = 0.0, seed=None) -> np.ndarray:
    """``num`` learning rates ``10**r`` with ``r = low + (high - low) * u``, ``u ~ U[0, 1)``.

    ``u = np.random.default_rng(seed).random(num)`` (one draw). With the defaults,
    ``r = -4 * rand`` shifted to ``[-4, 0)``: values from 0.0001 to 1, equally many per decade.
    Arguments: num -- how many, >= 1; low, high -- the exponent range; seed -- an int, None or
    a ``np.random.Generator``.
    Returns: array ``(num,)``.
    Raises: ValueError if num < 1 or not low < high.
    """
    return 10.0 ** _exponents(num, low, high, seed)


def sample_beta(num: int, low: float = -3.0, high: float = -1.0, seed=None) -> np.ndarray:
    """``num`` values ``beta = 1 - 10**r`` with ``r = low + (high - low) * u``, ``u ~ U[0, 1)``.

    Defaults give beta in (0.9, 0.999]: as fine near 0.999 (a 1000-step window) as near 0.9
    (10 steps), where a small change of beta changes the window a lot.
    Arguments: num -- how many, >= 1; low, high -- the exponent range of ``1 - beta``; seed --
    an int, None or a ``np.random.Generator``.
    Returns: array ``(num,)``.
    Raises: ValueError if num < 1 or not low < high.
    """
    return 1.0 - 10.0 ** _exponents(num, low, high, seed)


def grid_points(ranges: dict, per_axis: int) -> list[dict]:
    """A grid: ``per_axis`` log-spaced values on each ``name: (low_exponent, high_exponent)`` axis.

    Returns: a list of ``per_axis ** len(ranges)`` dicts ``{name: 10**exponent}``, the last axis
    varying fastest.
    Raises: ValueError if per_axis < 1, ``ranges`` is empty, or a range is not a pair
    ``(low, high)`` with low < high; TypeError if a range is a bare number.
    Source: grid search, the baseline that Bergstra & Bengio (2012), "Random Search for
    Hyper-Parameter Optimization", JMLR 13, compare random search with.
    """
    if per_axis < 1:
        raise ValueError(f"per_axis must be >= 1, got {per_axis}")
    _check_ranges(ranges)
    axes = {k: 10.0 ** np.linspace(lo, hi, per_axis) for k, (lo, hi) in ranges.items()}
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    return [dict(zip(axes, vals)) for vals in zip(*(m.ravel() for m in mesh))]


def random_points(ranges: dict, num: int, seed=None) -> list[dict]:
    """``num`` random points, each exponent uniform in its ``(low, high)`` range (log scale).

    Returns: a list of ``num`` dicts ``{name: 10**exponent}``; the axes are drawn in ``ranges`` order,
    ``num`` values per axis from one ``np.random.default_rng(seed)``.
    Raises: ValueError if num < 1, ``ranges`` is empty, or a range is not a pair
    ``(low, high)`` with low < high; TypeError if a range is a bare number.
    Source: random search, Bergstra & Bengio (2012), "Random Search for Hyper-Parameter
    Optimization", JMLR 13.
    """
    if num < 1:
        raise ValueError(f"num must be >= 1, got {num}")
    _check_ranges(ranges)
    rng = make_rng(seed)
    draws = {k: 10.0 ** (lo + (hi - lo) * rng.random(num)) for k, (lo, hi) in ranges.items()}
    return [{k: float(v[i]) for k, v in draws.items()} for i in range(num)]
