"""Sequence metrics: whole-sequence exact match, and an accuracy per group (per locale, per format ...).

One unit everywhere, as in :mod:`course_utils.metrics.classification`: a fraction in [0, 1] (format it with
``:.1%``). A translated date is right only if all of its characters are: "1958-08-30" against "1958-08-31"
is wrong, although 9 of its 10 characters are (the per-character accuracy would say 90 %).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["exact_matches", "exact_match", "accuracy_by_group"]


def exact_matches(Y_hat, Y) -> np.ndarray:
    """Which sequences are right in every position.

    Arguments: Y_hat, Y -- token indices ``(m, T_y)``, one row per sequence, of the same shape.
    Returns: ``(m,)`` bool, True where the whole row of Y_hat equals Y's.
    Raises: ValueError if the shapes differ or are not 2-D.
    """
    Y_hat, Y = np.asarray(Y_hat), np.asarray(Y)
    if Y_hat.shape != Y.shape or Y.ndim != 2:
        raise ValueError(f"exact_matches: Y_hat has shape {Y_hat.shape} but Y has shape {Y.shape}; both must be "
                         f"(m, T_y)")
    return np.all(Y_hat == Y, axis=1)


def exact_match(Y_hat, Y) -> float:
    """The fraction of sequences right in every position, in [0, 1].

    Arguments: Y_hat, Y -- ``(m, T_y)`` of the same shape, m >= 1.
    Returns: a float.
    Raises: ValueError if the shapes differ or are not 2-D, or there is no sequence.
    """
    right = exact_matches(Y_hat, Y)
    if right.size == 0:
        raise ValueError("exact_match of no sequences is undefined")
    return float(right.mean())


def accuracy_by_group(correct, groups: Sequence) -> dict:
    """The fraction right in each group (e.g. each locale), groups in sorted order.

    Arguments: correct -- ``(m,)`` bool (or 0/1), e.g. :func:`exact_matches`; groups -- m labels (str or int).
    Returns: ``{group: (accuracy, count)}``: accuracy a float in [0, 1], count the group's examples (an int).
    Raises: ValueError if the lengths differ.
    """
    correct = np.asarray(correct, dtype=bool).reshape(-1)
    groups = list(groups)
    if len(groups) != correct.size:
        raise ValueError(f"accuracy_by_group: {correct.size} results but {len(groups)} group labels")
    labels = np.asarray(groups, dtype=object)
    out = {}
    for g in sorted(set(groups)):
        hit = correct[labels == g]
        out[g] = (float(hit.mean()), int(hit.size))
    return out
