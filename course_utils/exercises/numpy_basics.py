"""Reshaping and normalising arrays (Track 1, notebook 01)."""

from __future__ import annotations

import numpy as np

__all__ = ["image2vector", "normalize_rows"]


def image2vector(image: np.ndarray) -> np.ndarray:
    """Unroll an image into a column vector.

    Arguments: image -- array of shape ``(length, height, depth)``.
    Returns: array of shape ``(length * height * depth, 1)``, in C (row-major) order.
    """
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"image2vector expects a 3-D array (length, height, depth), got shape {image.shape}")
    return image.reshape(-1, 1).copy()


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Divide each row of ``x`` by its Euclidean norm.

    Arguments: x -- array of shape ``(n, m)``.
    Returns: array of shape ``(n, m)`` whose rows have norm 1. A row of zeros has no
    direction; it is returned unchanged (zeros) rather than as NaN.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"normalize_rows expects a 2-D array (n, m), got shape {x.shape}")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)
