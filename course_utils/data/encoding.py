"""Encodings of labels."""

from __future__ import annotations

import numpy as np

__all__ = ["one_hot"]


def one_hot(labels, num_classes: int) -> np.ndarray:
    """One-hot encode integer labels of shape ``(1, m)`` or ``(m,)``. Returns ``(C, m)`` float.

    Raises: ValueError if a label is outside ``[0, num_classes)``.
    """
    labels = np.asarray(labels).ravel().astype(int)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be in [0, {num_classes}), got range [{labels.min()}, {labels.max()}]")
    Y = np.zeros((num_classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y
