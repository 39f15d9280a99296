"""Track 1, notebook 01 (numpy basics): the exercise-shaped functions.

``basic_sigmoid`` works on one Python number with the ``math`` module (the point of the exercise
is why that is not enough); ``softmax_rows`` is the row-wise softmax of the classic exercise
(the library's :func:`course_utils.nn.activations.softmax` takes an ``axis``); ``image2vector`` and
``normalize_rows`` reshape and normalise arrays. ``sigmoid``, ``sigmoid_derivative`` and the losses
have the library's signatures and come from :mod:`course_utils.nn`.
"""

from __future__ import annotations

import math

import numpy as np

from course_utils.nn.activations import softmax

__all__ = ["basic_sigmoid", "softmax_rows", "image2vector", "normalize_rows"]


def image2vector(image: np.ndarray) -> np.ndarray:
    """Unroll an image into a column vector.

    Arguments: image -- array of shape ``(length, height, depth)``.
    Returns: array of shape ``(length * height * depth, 1)``, in C (row-major) order.
    Raises: ValueError if image is not 3-D.
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
    Raises: ValueError if x is not 2-D.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"normalize_rows expects a 2-D array (n, m), got shape {x.shape}")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def basic_sigmoid(x: float) -> float:
    """Sigmoid of one real number with the ``math`` module: ``1 / (1 + e^-x)``.

    Arguments: x -- a Python number. Returns: a Python float in [0, 1] (it rounds to 1.0 for
    x above about 37 and to 0.0 for x below about -745).
    Shows why numpy is needed: the ``math`` module works on one number at a time, so an array
    of more than one entry raises (ValueError at the ``x >= 0`` test).
    Source: the logistic function, Verhulst (1845), "Recherches mathematiques sur la loi
    d'accroissement de la population"; the branch on the sign keeps ``exp``'s argument <= 0,
    a standard rewriting (``e^x / (1 + e^x)`` for x < 0), not a published method.
    """
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # never overflows for x < 0
    return e / (1.0 + e)


def softmax_rows(x):
    """Row-wise softmax of a matrix ``(n, m)``: each row sums to 1 (Track 1, notebook 01).

    Arguments: x -- ``(n, m)``. Returns: a new array ``(n, m)``; ``softmax(x, axis=1)``.
    Source: as :func:`softmax` (Bridle (1990)).
    """
    return softmax(x, axis=1)
