"""Bias, variance, data mismatch and dev-set overfitting from a row of error rates, and the exact
Bayes error of a synthetic set whose classes overlap by a known amount.

The lecture notes (course 3, "human-level performance", "bias and variance with mismatched data
distributions") read a row of errors from top to bottom::

    human-level  --(avoidable bias)-->  training  --(variance)-->  training-dev
                 --(data mismatch)-->   dev       --(overfitting to the dev set)-->  test

Each gap is the difference of two neighbouring errors; the largest one says what to work on first.
Error rates may be fractions or percentages, as long as one row uses one unit.
"""

from __future__ import annotations

import math

import numpy as np

from course_utils.rng import make_rng

__all__ = ["GAPS", "diagnose", "gaussian_bayes_error", "gaussian_threshold", "two_gaussians"]

#: The gaps :func:`diagnose` returns, in the order of the row (ties go to the earlier one).
GAPS = ("avoidable_bias", "variance", "data_mismatch", "dev_overfitting")

_TIE_DIGITS = 12  # 0.7 - 0.5 and 0.8 - 0.7 differ in the 17th digit; they are the same gap


def _error(name: str, value, required: bool):
    if value is None:
        if required:
            raise ValueError(f"diagnose: {name} error is required, got None")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"diagnose: {name} error must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"diagnose: {name} error must be a finite number >= 0, got {value}")
    return value


def diagnose(human, train, train_dev=None, dev=None, test=None) -> dict:
    """Split the distance from human-level error to test error into the four gaps of the notes.

    Arguments (error rates in one unit, fractions or percentages; ``None`` = not measured):
        human -- human-level error, the proxy for Bayes error (required)
        train -- training error (required)
        train_dev -- error on the training-dev set: training distribution, not trained on
        dev, test -- errors on the dev and test sets
    Returns: a dict with
        ``"avoidable_bias"`` = train - human (negative once training error is below the proxy);
        ``"variance"`` = train_dev - train, or dev - train when there is no training-dev set
        (then train and dev are assumed to come from one distribution), None without either;
        ``"data_mismatch"`` = dev - train_dev (None unless both are given);
        ``"dev_overfitting"`` = test - dev (None unless both are given);
        ``"focus"`` -- the name of the largest gap (one of :data:`GAPS`), the first in that order on
        a tie (compared to 12 decimals), or None when no gap is above zero.
    Raises: ValueError if human or train is None, an error is not a finite number >= 0, or test is
        given without dev.
    """
    human = _error("human-level", human, True)
    train = _error("training", train, True)
    train_dev = _error("training-dev", train_dev, False)
    dev = _error("dev", dev, False)
    test = _error("test", test, False)
    if test is not None and dev is None:
        raise ValueError("diagnose: a test error needs the dev error (overfitting to the dev set is test - dev)")
    if train_dev is not None:
        variance = train_dev - train
    elif dev is not None:
        variance = dev - train
    else:
        variance = None
    result = {
        "avoidable_bias": train - human,
        "variance": variance,
        "data_mismatch": None if dev is None or train_dev is None else dev - train_dev,
        "dev_overfitting": None if test is None else test - dev,
    }
    focus, largest = None, 0.0
    for name in GAPS:
        gap = result[name]
        if gap is not None and round(gap, _TIE_DIGITS) > round(largest, _TIE_DIGITS):
            focus, largest = name, gap
    result["focus"] = focus
    return result


def _check_overlap(distance, sigma, prior) -> tuple[float, float, float]:
    distance, sigma, prior = float(distance), float(sigma), float(prior)
    if not (math.isfinite(distance) and distance > 0):
        raise ValueError(f"distance between the class means must be > 0, got {distance}")
    if not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be > 0, got {sigma}")
    if not 0 < prior < 1:
        raise ValueError(f"prior (the share of class 1) must be strictly between 0 and 1, got {prior}")
    return distance, sigma, prior


def gaussian_threshold(distance, sigma=1.0, prior=0.5) -> float:
    """The Bayes decision threshold on the first coordinate for :func:`two_gaussians`.

    Class 0 is centred at ``-distance/2`` and class 1 at ``+distance/2`` on the first axis, both
    with standard deviation ``sigma`` on every axis; the other axes carry no information, so the
    best possible rule predicts 1 exactly when ``x1 > t`` with
    ``t = sigma**2 * ln((1 - prior) / prior) / distance`` (0 for equal priors).
    Raises: ValueError if distance or sigma is not > 0, or prior is not in (0, 1).
    """
    distance, sigma, prior = _check_overlap(distance, sigma, prior)
    return sigma**2 * math.log((1 - prior) / prior) / distance


def gaussian_bayes_error(distance, sigma=1.0, prior=0.5) -> float:
    """The exact Bayes error of two Gaussian classes with a known overlap: no classifier does better.

    ``(1 - prior) * P(x1 > t | class 0) + prior * P(x1 < t | class 1)`` with the threshold
    ``t`` of :func:`gaussian_threshold`; for equal priors this is ``Phi(-distance / (2 sigma))``,
    Phi the standard normal distribution function (computed with :func:`math.erfc`).
    Returns: a fraction in (0, 0.5].
    Raises: ValueError if distance or sigma is not > 0, or prior is not in (0, 1).
    """
    t = gaussian_threshold(distance, sigma, prior)
    distance, sigma, prior = _check_overlap(distance, sigma, prior)
    phi = lambda z: 0.5 * math.erfc(-z / math.sqrt(2))  # standard normal distribution function
    return (1 - prior) * phi((-distance / 2 - t) / sigma) + prior * phi((t - distance / 2) / sigma)


def two_gaussians(m: int, distance=2.0, sigma=1.0, prior=0.5, n_features: int = 2, seed=None):
    """``m`` points of two Gaussian classes whose overlap, hence Bayes error, is known exactly.

    Arguments: m -- number of points; distance -- between the class means (along the first axis);
        sigma -- standard deviation on every axis; prior -- probability of class 1;
        n_features -- dimensions (>= 1); seed -- int, None or a Generator (:func:`course_utils.rng.make_rng`).
    Returns: ``(X, Y)``: X ``(n_features, m)`` float, Y ``(1, m)`` int labels 0/1. The labels are drawn
        first (Bernoulli(prior)), then the points; the same seed gives the same set.
    Raises: ValueError if m < 1 or n_features < 1, or as :func:`gaussian_threshold`.
    """
    distance, sigma, prior = _check_overlap(distance, sigma, prior)
    if int(m) != m or m < 1 or int(n_features) != n_features or n_features < 1:
        raise ValueError(f"m and n_features must be positive integers, got m={m!r}, n_features={n_features!r}")
    rng = make_rng(seed)
    y = (rng.random(int(m)) < prior).astype(np.int64)
    X = sigma * rng.standard_normal((int(n_features), int(m)))
    X[0] += np.where(y == 1, distance / 2, -distance / 2)
    return X, y.reshape(1, -1)
