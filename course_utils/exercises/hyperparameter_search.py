"""Track 2, notebook 06 (hyperparameter search): the reference of the graded ``zoom_box``.

Coarse to fine: after a round of random trials, the next round samples inside a box around the
best of them. The box is drawn in the space the trials were sampled in, the exponents
``log10(learning_rate)`` and ``log10(1 - beta1)`` (:mod:`course_utils.optim.tuning`), widened by
a margin and kept inside the first round's ranges.

Source: coarse to fine, the lecture notes (Course 2, week 3, "Tuning process"); random search,
Bergstra & Bengio (2012), "Random Search for Hyper-Parameter Optimization", JMLR 13.
"""

from __future__ import annotations

import numpy as np

__all__ = ["zoom_box"]


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
