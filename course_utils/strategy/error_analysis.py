"""Error analysis: count the categories of a sample of dev-set mistakes, and the ceiling each one
puts on improvement (lecture notes, course 3, "carrying out error analysis").

The notes' example: a cat classifier has 10 % dev error; of 100 mistakes looked at, 5 are dogs.
Even a perfect fix for dogs removes only those 5 % of the mistakes, so the dev error can fall at most
to ``10 % * (1 - 5/100) = 9.5 %``; with 50 dogs in the 100 it could fall to 5 %.
"""

from __future__ import annotations

import numpy as np

__all__ = ["best_error_after_fix", "error_analysis_table"]


def best_error_after_fix(dev_error, count, examined) -> float:
    """The lowest dev error reachable by fixing every mistake of one category: the improvement ceiling.

    Arguments: dev_error -- the dev error (a fraction or a percentage); count -- mistakes of the
        category among ``examined`` mistakes looked at (0 <= count <= examined, examined >= 1).
    Returns: ``dev_error * (1 - count / examined)``, as a float in the unit of dev_error.
    Raises: ValueError if examined < 1, count is outside [0, examined] or dev_error < 0.
    """
    if examined < 1 or not 0 <= count <= examined:
        raise ValueError(f"need 0 <= count <= examined and examined >= 1, got count={count}, examined={examined}")
    if not dev_error >= 0:
        raise ValueError(f"dev_error must be >= 0, got {dev_error}")
    return float(dev_error) * (1 - count / examined)


def error_analysis_table(tags: dict, dev_error) -> dict:
    """The error-analysis spreadsheet: per category, how many mistakes it covers and the ceiling.

    Arguments:
        tags -- ``{category: ticks}``, ticks a 1-D bool array (or 0/1), one entry per examined dev
            mistake, True where that mistake belongs to the category. All arrays have the same
            length n >= 1. A mistake may belong to several categories or to none, so the counts
            need not add up to n.
        dev_error -- the dev error of the model (a fraction or a percentage).
    Returns: ``{category: {"count": int, "fraction": float, "best_dev_error": float}}`` in the order
        of ``tags``: the number of ticked mistakes, that number over n, and
        :func:`best_error_after_fix`, the dev error left if every mistake of the category were fixed.
    Raises: ValueError if tags is empty, an array is not 1-D, the lengths differ or are 0, an entry
        is not 0/1, or dev_error < 0.
    """
    if not tags:
        raise ValueError("error_analysis_table: no categories")
    ticks = {}
    for name, t in tags.items():
        a = np.asarray(t)
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"error_analysis_table: ticks of {name!r} must be a non-empty 1-D array, got shape {a.shape}")
        if not np.isin(a, (0, 1)).all():
            raise ValueError(f"error_analysis_table: ticks of {name!r} must be True/False (or 0/1)")
        ticks[name] = a.astype(bool)
    lengths = {a.size for a in ticks.values()}
    if len(lengths) != 1:
        raise ValueError(f"error_analysis_table: every category needs one tick per mistake; lengths {sorted(lengths)}")
    n = lengths.pop()
    table = {}
    for name, a in ticks.items():
        count = int(a.sum())
        table[name] = {"count": count, "fraction": count / n,
                       "best_dev_error": best_error_after_fix(dev_error, count, n)}
    return table
