"""Classification metrics. One unit everywhere: a fraction in [0, 1] (format it with ``:.1%``)."""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "predict_classes", "precision_recall_f1", "weighted_error", "confusion_matrix"]


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


def _binary_pair(y_true, y_pred, name):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")
    if y_true.size == 0:
        raise ValueError(f"{name} of no examples is undefined")
    for label, y in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.isin(y, (0, 1)).all():
            raise ValueError(f"{name}: {label} must hold only 0 and 1, got the values {np.unique(y)[:6]}")
    return y_true.astype(bool), y_pred.astype(bool)


def precision_recall_f1(y_true, y_pred) -> tuple[float, float, float]:
    """Precision, recall and their harmonic mean F1 for binary labels (1 = the positive class).

    With TP = true positives, FP = false positives, FN = false negatives:
    ``precision = TP / (TP + FP)`` (of the examples called positive, the fraction that are),
    ``recall = TP / (TP + FN)`` (of the positives, the fraction found), and
    ``F1 = 2 * precision * recall / (precision + recall)``.

    Edge cases, without warnings: no positive predictions (TP + FP = 0) gives precision 0; no positive
    examples (TP + FN = 0) gives recall 0; precision + recall = 0 gives F1 0. (The same values as
    scikit-learn's ``precision_recall_fscore_support(..., zero_division=0)``.)

    Arguments: y_true, y_pred -- arrays of the same shape, e.g. ``(1, m)`` or ``(m,)``, of 0 and 1.
    Returns: ``(precision, recall, f1)``, three floats in [0, 1].
    Raises: ValueError if the shapes differ, there is no example, or a value is not 0 or 1.
    Source: van Rijsbergen (1979), *Information Retrieval*, 2nd ed., ch. 7 (the F measure).
    """
    t, p = _binary_pair(y_true, y_pred, "precision_recall_f1")
    tp = int(np.sum(t & p))
    predicted, actual = int(p.sum()), int(t.sum())
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(precision), float(recall), float(f1)


def weighted_error(y_true, y_pred, weights) -> float:
    """The weighted fraction of mistakes: ``sum_i w_i [y_pred_i != y_true_i] / sum_i w_i``, in [0, 1].

    With all weights 1 this is the ordinary error, ``1 - accuracy``. A weight of 10 on an example
    makes a mistake on it count as much as ten ordinary mistakes.

    Arguments: y_true, y_pred -- labels of the same shape (binary or class indices); weights --
        non-negative numbers of that same shape, one per example.
    Returns: a float in [0, 1].
    Raises: ValueError if the shapes differ, a weight is negative or not finite, or the weights sum to 0
        (which includes no examples).
    """
    y_true, y_pred, w = np.asarray(y_true), np.asarray(y_pred), np.asarray(weights, dtype=float)
    if not (y_true.shape == y_pred.shape == w.shape):
        raise ValueError(f"weighted_error: y_true {y_true.shape}, y_pred {y_pred.shape} and weights {w.shape} "
                         f"must have the same shape")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weighted_error: the weights must be finite and >= 0")
    total = float(w.sum())
    if total == 0:
        raise ValueError("weighted_error: the weights sum to 0, so the weighted error is undefined")
    return float(np.sum(w * (y_pred != y_true)) / total)


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Arguments: y_true, y_pred -- class indices in ``[0, n_classes)``, the same number of them (any
        shape, e.g. ``(1, m)`` or ``(m,)``); n_classes -- the number of classes C.
    Returns: ``(C, C)`` int64 array; entry ``[i, j]`` is the number of examples of true class i predicted
        as j, so the diagonal holds the correct ones and each row sums to the size of its class.
    Raises: ValueError if the numbers of labels differ or a label is outside ``[0, n_classes)`` or not an integer.
    """
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.size != y_pred.size:
        raise ValueError(f"confusion_matrix: y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    for label, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"confusion_matrix: {label} must hold integer classes in [0, {n_classes}), "
                             f"got the range [{y.min()}, {y.max()}]")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true.astype(np.int64), y_pred.astype(np.int64)), 1)
    return counts
