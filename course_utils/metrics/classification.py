"""Classification metrics. One unit everywhere: a fraction in [0, 1] (format it with ``:.1%``)."""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "predict_classes"]


def accuracy(Y_pred, Y) -> float:
    """The fraction of entries where ``Y_pred == Y``, in [0, 1].

    Arguments: Y_pred, Y -- labels of the same shape, e.g. ``(1, m)`` of 0/1 or class indices.
    Raises: ValueError if the shapes differ or there is no example.
    """
    Y_pred, Y = np.asarray(Y_pred), np.asarray(Y)
    if Y_pred.shape != Y.shape:
        raise ValueError(f"accuracy: Y_pred has shape {Y_pred.shape} but Y has shape {Y.shape}")
    if Y.size == 0:
        raise ValueError("accuracy of no examples is undefined")
    return float(np.mean(Y_pred == Y))


def predict_classes(Z) -> np.ndarray:
    """The most likely class per column of scores or probabilities ``(C, m)``. Returns ``(1, m)`` int."""
    return np.argmax(np.asarray(Z), axis=0).reshape(1, -1)
