"""Loss and cost functions.

Shapes follow the course: predictions and labels are ``(1, m)`` (or ``(n_y, m)``) with one
column per example.
"""

from __future__ import annotations

import numpy as np

__all__ = ["L1", "L2", "cross_entropy_cost", "cross_entropy_cost_from_logits"]


def _same_shape(yhat, y, name):
    yhat, y = np.asarray(yhat, dtype=float), np.asarray(y, dtype=float)
    if yhat.shape != y.shape:
        raise ValueError(f"{name}: yhat has shape {yhat.shape} but y has shape {y.shape}; they must match")
    return yhat, y


def L1(yhat, y) -> float:
    """L1 loss ``sum |y - yhat|``. Arguments: two arrays of the same shape. Returns: float."""
    yhat, y = _same_shape(yhat, y, "L1")
    return float(np.sum(np.abs(y - yhat)))


def L2(yhat, y) -> float:
    """L2 loss ``sum (y - yhat)^2``. Arguments: two arrays of the same shape. Returns: float."""
    yhat, y = _same_shape(yhat, y, "L2")
    d = y - yhat
    return float(np.dot(d.ravel(), d.ravel()))


def cross_entropy_cost(A, Y) -> float:
    """Binary cross-entropy ``-(1/m) sum(Y log A + (1 - Y) log(1 - A))``.

    Arguments: A -- probabilities ``(1, m)``; Y -- labels 0/1 ``(1, m)``.
    Returns: the cost as a Python float. Probabilities of exactly 0 or 1 are clipped by
    1e-15 so a confident mistake gives a large finite cost, not NaN.
    """
    A, Y = _same_shape(A, Y, "cross_entropy_cost")
    m = Y.shape[-1]
    A = np.clip(A, 1e-15, 1 - 1e-15)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)


def cross_entropy_cost_from_logits(Z, Y) -> float:
    """The same cost computed from ``Z`` (with ``A = sigmoid(Z)``) without overflow.

    Uses ``-log s(z) = log(1 + e^-z)``: cost = ``(1/m) sum(log(1 + e^z) - Y z)``.
    """
    Z, Y = _same_shape(Z, Y, "cross_entropy_cost_from_logits")
    m = Y.shape[-1]
    return float(np.sum(np.logaddexp(0.0, Z) - Y * Z) / m)
