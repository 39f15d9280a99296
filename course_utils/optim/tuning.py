"""Hyperparameter search: sampling on the right scale, grid versus random search (Track 2, notebook 06).

Sampling a learning rate uniformly between 0.0001 and 1 would spend 90% of the samples
between 0.1 and 1; sampling its exponent uniformly gives each decade the same share.

Coarse to fine: after a round of random trials, the next round samples inside a box around the
best of them (``zoom_box``), drawn in the space the trials were sampled in, the exponents
``log10(learning_rate)`` and ``log10(1 - beta1)``, widened by a margin and kept inside the first
round's ranges (the lecture notes, Course 2, week 3, "Tuning process").

Source: random search versus grid search: Bergstra & Bengio (2012), "Random Search for
Hyper-Parameter Optimization", JMLR 13.
"""

from __future__ import annotations

import numpy as np

from course_utils.rng import make_rng

__all__ = ["sample_learning_rate", "sample_beta", "grid_points", "random_points", "zoom_box"]


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

def _widened(exponents: np.ndarray, pad: float, bounds: tuple) -> tuple[float, float]:
    """``(min - pad, max + pad)`` of ``exponents``, kept inside ``bounds = (low, high)``."""
    low, high = bounds
    return float(max(low, exponents.min() - pad)), float(min(high, exponents.max() + pad))


def zoom_box(trials: list, k: int, pad: float, lr_range: tuple, beta_range: tuple) -> tuple:
    """The box of the next round of coarse to fine, around the ``k`` best trials.

    The ``k`` trials with the highest ``"dev_acc"`` (where trials tie, the earlier one in ``trials``
    first) give, on each axis, their smallest exponent minus ``pad`` and their largest plus ``pad``,
    never beyond the first round's range: the learning rate's exponent ``log10(learning_rate)``
    within ``lr_range``, and ``log10(1 - beta1)`` within ``beta_range``.

    Arguments:
        trials -- a list of dicts with at least the keys "learning_rate", "beta1" and "dev_acc"
        k -- int >= 1, how many of the best trials the box holds (all of them if there are fewer)
        pad -- decades added beyond the extreme exponents on each side, >= 0
        lr_range -- (low, high), the exponent range of the learning rate in the first round
        beta_range -- (low, high), the exponent range of 1 - beta1 in the first round
    Returns:
        (fine_lr_range, fine_beta_range) -- two (low, high) pairs of Python floats
    Raises:
        ValueError if ``trials`` is empty, k < 1 or pad < 0; KeyError if a trial lacks one of the keys.
    """
    if not trials or k < 1 or pad < 0:
        raise ValueError(f"need at least one trial, k >= 1 and pad >= 0; got {len(trials)} trial(s), "
                         f"k={k}, pad={pad}")
    best = sorted(trials, key=lambda trial: trial["dev_acc"], reverse=True)[:k]   # stable: ties keep their order
    log_lr = np.log10([trial["learning_rate"] for trial in best])
    log_one_minus_beta = np.log10([1.0 - trial["beta1"] for trial in best])
    return _widened(log_lr, pad, lr_range), _widened(log_one_minus_beta, pad, beta_range)
