"""Softmax classification: one-hot labels, the softmax cross-entropy cost and its gradient.

Scores Z and probabilities Y_hat have shape ``(C, m)``: C classes, one column per example.
Labels are either class indices ``(1, m)`` or one-hot ``(C, m)``.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.activations import softmax

__all__ = ["one_hot", "softmax_cross_entropy_cost", "softmax_cross_entropy_backward", "predict_classes"]


def one_hot(labels, num_classes: int) -> np.ndarray:
    """One-hot encode integer labels of shape ``(1, m)`` or ``(m,)``. Returns ``(C, m)`` float."""
    labels = np.asarray(labels).ravel().astype(int)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be in [0, {num_classes}), got range [{labels.min()}, {labels.max()}]")
    Y = np.zeros((num_classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def softmax_cross_entropy_cost(Y_hat, Y) -> float:
    """``-(1/m) sum_i sum_j Y[j, i] log Y_hat[j, i]``. Arguments: both ``(C, m)``, Y one-hot. Returns a float."""
    Y_hat, Y = np.asarray(Y_hat, dtype=float), np.asarray(Y, dtype=float)
    if Y_hat.shape != Y.shape:
        raise ValueError(f"Y_hat has shape {Y_hat.shape} but Y has shape {Y.shape}")
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(np.clip(Y_hat, 1e-15, 1.0))) / m)


def softmax_cross_entropy_backward(Y_hat, Y) -> np.ndarray:
    """Gradient of the cost (summed over examples) with respect to the scores Z: ``dZ = Y_hat - Y``.

    The softmax's Jacobian and the log's derivative cancel to this simple difference.
    Arguments: Y_hat = softmax(Z) and one-hot Y, both ``(C, m)``. Returns ``(C, m)``.
    Divide by m (as ``linear_backward`` does) to get the gradient of the average cost.
    """
    Y_hat, Y = np.asarray(Y_hat, dtype=float), np.asarray(Y, dtype=float)
    if Y_hat.shape != Y.shape:
        raise ValueError(f"Y_hat has shape {Y_hat.shape} but Y has shape {Y.shape}")
    return Y_hat - Y


def predict_classes(Z) -> np.ndarray:
    """The most likely class per column of scores or probabilities ``(C, m)``. Returns ``(1, m)`` int."""
    return np.argmax(np.asarray(Z), axis=0).reshape(1, -1)


_ = softmax  # re-exported for convenience: course_utils.nn.softmax.softmax
