"""Choosing a model: one optimising metric, the others satisficing (good enough is enough).

The lecture notes' example: classifiers A (90 % accuracy, 80 ms), B (92 %, 95 ms) and C (95 %,
1,500 ms); maximise accuracy subject to a running time of at most 100 ms, which picks B.
"""

from __future__ import annotations

import math

__all__ = ["pick_model"]


def pick_model(candidates, optimizing, constraints):
    """The name of the candidate with the largest ``optimizing`` value among those meeting every constraint.

    Arguments:
        candidates -- a sequence of dicts, each with a ``"name"`` and a number per metric, e.g.
            ``{"name": "B", "accuracy": 0.92, "running_time_ms": 95}``.
        optimizing -- the key of the metric to maximise (for an error, pass its negative or the accuracy).
        constraints -- ``{key: upper_bound}``: a candidate is acceptable when ``candidate[key] <= bound``
            for every key (a value equal to the bound is acceptable). ``{}`` means no constraint.
    Returns: the ``"name"`` of the best acceptable candidate; on a tie, the first in the sequence; None
        when no candidate meets the constraints (or there are none).
    Raises: KeyError if a candidate lacks ``"name"``, the optimising key or a constrained key;
        ValueError if a metric value is NaN.
    """
    best_name, best_value = None, -math.inf
    for c in candidates:
        name = c["name"]
        for key in [optimizing, *constraints]:
            if key not in c:
                raise KeyError(f"candidate {name!r} has no value for {key!r}")
            if isinstance(c[key], float) and math.isnan(c[key]):
                raise ValueError(f"candidate {name!r}: {key} is NaN")
        if all(c[key] <= bound for key, bound in constraints.items()):
            if best_name is None or c[optimizing] > best_value:
                best_name, best_value = name, c[optimizing]
    return best_name
