"""Loss and cost functions, and the gradients of the costs.

Shapes follow the course: predictions and labels are ``(1, m)`` (or ``(n_y, m)``, ``(C, m)``) with
one column per example.

The library's gradient convention starts here: a *cost* is the average of the per-example losses,
so its gradient carries the ``1 / m``; every layer's backward pass then sums over the batch and
never divides by m. The ``*_cost_backward`` functions return the gradient with respect to the
output layer's pre-activation Z (sigmoid or softmax folded in), which stays finite when a
confident output rounds to exactly 0 or 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["L1", "L2", "cross_entropy_cost", "cross_entropy_cost_from_logits", "sigmoid_cross_entropy_cost_backward",
           "softmax_cross_entropy_cost", "softmax_cross_entropy_cost_backward"]


def _same_shape(yhat, y, name):
    yhat, y = np.asarray(yhat, dtype=float), np.asarray(y, dtype=float)
    if yhat.shape != y.shape:
        raise ValueError(f"{name}: yhat has shape {yhat.shape} but y has shape {y.shape}; they must match")
    return yhat, y


def L1(yhat, y) -> float:
    """L1 loss ``sum |y - yhat|``. Arguments: two arrays of the same shape. Returns: float.

    Raises: ValueError if the shapes differ.
    """
    yhat, y = _same_shape(yhat, y, "L1")
    return float(np.sum(np.abs(y - yhat)))


def L2(yhat, y) -> float:
    """L2 loss ``sum (y - yhat)^2``. Arguments: two arrays of the same shape. Returns: float.

    Raises: ValueError if the shapes differ.
    """
    yhat, y = _same_shape(yhat, y, "L2")
    d = y - yhat
    return float(np.dot(d.ravel(), d.ravel()))


def cross_entropy_cost(A, Y) -> float:
    """Binary cross-entropy ``-(1/m) sum(Y log A + (1 - Y) log(1 - A))``.

    Arguments: A -- probabilities ``(1, m)``; Y -- labels 0/1 ``(1, m)``.
    Returns: the cost as a Python float. Probabilities of exactly 0 or 1 are clipped by
    1e-15 so a confident mistake gives a large finite cost, not NaN.
    Raises: ValueError if the shapes of A and Y differ.
    Source: the negative log-likelihood of logistic regression, Cox (1958), "The regression
    analysis of binary sequences", Journal of the Royal Statistical Society, Series B.
    """
    A, Y = _same_shape(A, Y, "cross_entropy_cost")
    m = Y.shape[-1]
    A = np.clip(A, 1e-15, 1 - 1e-15)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)


def cross_entropy_cost_from_logits(Z, Y) -> float:
    """The same cost computed from ``Z`` (with ``A = sigmoid(Z)``) without overflow.

    Uses ``-log s(z) = log(1 + e^-z)``: cost = ``(1/m) sum(log(1 + e^z) - Y z)``.
    Arguments: Z -- logits ``(1, m)``; Y -- labels 0/1 ``(1, m)``. Returns: the cost, a Python float.
    Raises: ValueError if the shapes of Z and Y differ.
    Source: as :func:`cross_entropy_cost` (Cox (1958), JRSS B).
    """
    Z, Y = _same_shape(Z, Y, "cross_entropy_cost_from_logits")
    m = Y.shape[-1]
    return float(np.sum(np.logaddexp(0.0, Z) - Y * Z) / m)


def sigmoid_cross_entropy_cost_backward(AL, Y) -> np.ndarray:
    """Gradient of :func:`cross_entropy_cost` with respect to the logits Z, where ``AL = sigmoid(Z)``.

    ``dZ = (AL - Y) / m``: the sigmoid's derivative ``AL (1 - AL)`` cancels the loss's
    ``-(Y / AL - (1 - Y) / (1 - AL))``, so the product is computed directly (no 0/0 at saturation).
    Arguments: AL, Y ``(n_y, m)``. Returns ``(n_y, m)``.
    Raises: ValueError if the shapes differ.
    """
    AL, Y = _same_shape(AL, Y, "sigmoid_cross_entropy_cost_backward")
    return (AL - Y) / Y.shape[-1]


def softmax_cross_entropy_cost(Y_hat, Y) -> float:
    """``-(1/m) sum_i sum_j Y[j, i] log Y_hat[j, i]``.

    Arguments: Y_hat probabilities and one-hot Y, both ``(C, m)``. Returns a float; probabilities
    are clipped at 1e-15 so a confident mistake gives a large finite cost.
    Raises: ValueError if the shapes differ.
    """
    Y_hat, Y = _same_shape(Y_hat, Y, "softmax_cross_entropy_cost")
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(np.clip(Y_hat, 1e-15, 1.0))) / m)


def softmax_cross_entropy_cost_backward(Y_hat, Y) -> np.ndarray:
    """Gradient of :func:`softmax_cross_entropy_cost` with respect to the scores Z (``Y_hat = softmax(Z)``).

    ``dZ = (Y_hat - Y) / m``: the softmax's Jacobian and the log's derivative cancel.
    Arguments: both ``(C, m)``, Y one-hot. Returns ``(C, m)``.
    Raises: ValueError if the shapes differ.
    Source: Bridle (1990), "Probabilistic interpretation of feedforward classification network
    outputs", in Neurocomputing (NATO ASI Series F68).
    """
    Y_hat, Y = _same_shape(Y_hat, Y, "softmax_cross_entropy_cost_backward")
    return (Y_hat - Y) / Y.shape[1]
