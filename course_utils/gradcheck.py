"""Numerical gradients by central differences, to check a backward pass.

``relative_difference`` of the analytic and numerical gradients is the number to read:
below about 1e-7 the backward pass is right; above 1e-3 it is almost surely wrong.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["numerical_gradient", "relative_difference", "dictionary_to_vector", "vector_to_dictionary",
           "gradient_difference"]


def numerical_gradient(cost: Callable[[dict], float], parameters: dict, epsilon: float = 1e-7) -> dict:
    """``{"d" + key: array}``: (J(p + eps) - J(p - eps)) / (2 eps) for every entry of every parameter.

    ``cost`` maps a parameter dict to a float; it is called 2 * (number of entries) times
    on copies, so ``parameters`` is never modified.
    """
    grads = {}
    for key, value in parameters.items():
        value = np.asarray(value, dtype=float)
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: np.array(v, dtype=float, copy=True) for k, v in parameters.items()}
            minus = {k: np.array(v, dtype=float, copy=True) for k, v in parameters.items()}
            plus[key][idx] += epsilon
            minus[key][idx] -= epsilon
            g[idx] = (cost(plus) - cost(minus)) / (2 * epsilon)
        grads["d" + key] = g
    return grads


def relative_difference(a, b) -> float:
    """``||a - b|| / (||a|| + ||b||)`` (0.0 when both are zero)."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def dictionary_to_vector(d: dict, keys=None):
    """Stack the arrays of ``d`` (in ``keys`` order) into one column ``(n, 1)``.

    Returns: ``(theta, layout)`` where layout is the list of ``(key, shape)`` to undo it.
    """
    keys = list(keys if keys is not None else d.keys())
    layout = [(k, np.shape(d[k])) for k in keys]
    theta = np.concatenate([np.asarray(d[k], dtype=float).reshape(-1, 1) for k in keys], axis=0)
    return theta, layout


def vector_to_dictionary(theta, layout) -> dict:
    """Inverse of ``dictionary_to_vector``."""
    theta = np.asarray(theta, dtype=float).ravel()
    out, start = {}, 0
    for key, shape in layout:
        size = int(np.prod(shape))
        out[key] = theta[start:start + size].reshape(shape).copy()
        start += size
    if start != theta.size:
        raise ValueError(f"theta has {theta.size} entries, the layout needs {start}")
    return out


def gradient_difference(grads: dict, numerical: dict) -> float:
    """Relative difference over all keys of ``numerical`` (analytic grads may have extra keys)."""
    keys = list(numerical)
    return relative_difference(dictionary_to_vector(grads, keys)[0], dictionary_to_vector(numerical, keys)[0])
