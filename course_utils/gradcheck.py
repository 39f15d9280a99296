"""Gradient checking: numerical gradients by central differences, to check a backward pass.

``relative_difference`` of the analytic and numerical gradients is the number to read:
below :data:`FINE` (1e-7) the backward pass is right; from :data:`BUG` (1e-3) on it is almost
surely wrong; in between, look closer. :func:`difference_message` says so in words.

Source: the two-sided difference ``(J(theta + eps) - J(theta - eps)) / (2 eps)`` has error
O(eps^2) (central differences, classical numerical analysis); the thresholds 1e-7 / 1e-3 for
``eps = 1e-7`` are the rules of thumb of the lecture (Ng, "Improving Deep Neural Networks",
week 1, "Gradient checking"), also used in CS231n's notes on gradient checks.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["FINE", "BUG", "numerical_gradient", "relative_difference", "dictionary_to_vector",
           "vector_to_dictionary", "gradient_difference", "difference_message"]

#: below this relative difference the backward pass agrees with the numerical gradient
FINE = 1e-7
#: at or above this relative difference there is almost surely a bug
BUG = 1e-3

_GREEN, _YELLOW, _RED, _RESET = "\033[92m", "\033[93m", "\033[91m", "\033[0m"


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
    """``||a - b|| / (||a|| + ||b||)``, in [0, 1] (0.0 when both are zero).

    Entries so small (or large) that their squares underflow (or overflow) are rescaled by the
    largest magnitude first, so ``relative_difference(0, 1e-300)`` is 1.0, not 0.0.
    """
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    with np.errstate(over="ignore", under="ignore"):
        denominator = np.linalg.norm(a) + np.linalg.norm(b)
        if denominator != 0 and np.isfinite(denominator) and denominator > 1e-150:
            return float(np.linalg.norm(a - b) / denominator)
        scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
        if scale == 0 or not np.isfinite(scale):
            return 0.0 if scale == 0 else float("nan")
        a, b = a / scale, b / scale
        return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def dictionary_to_vector(d: dict, keys=None):
    """Stack the arrays of ``d`` (in ``keys`` order) into one column ``(n, 1)``.

    Returns: ``(theta, layout)`` where layout is the list of ``(key, shape)`` to undo it.
    """
    keys = list(keys if keys is not None else d.keys())
    layout = [(k, np.shape(d[k])) for k in keys]
    theta = np.concatenate([np.asarray(d[k], dtype=float).reshape(-1, 1) for k in keys], axis=0)
    return theta, layout


def vector_to_dictionary(theta, layout) -> dict:
    """Inverse of ``dictionary_to_vector``.

    Raises: ValueError if theta's number of entries differs from what the layout needs.
    """
    theta = np.asarray(theta, dtype=float).ravel()
    needed = sum(int(np.prod(shape)) for _, shape in layout)
    if needed != theta.size:
        raise ValueError(f"theta has {theta.size} entries, the layout needs {needed}")
    out, start = {}, 0
    for key, shape in layout:
        size = int(np.prod(shape))
        out[key] = theta[start:start + size].reshape(shape).copy()
        start += size
    return out


def gradient_difference(grads: dict, numerical: dict) -> float:
    """Relative difference over all keys of ``numerical`` (analytic grads may have extra keys)."""
    keys = list(numerical)
    return relative_difference(dictionary_to_vector(grads, keys)[0], dictionary_to_vector(numerical, keys)[0])


def difference_message(difference, color=True) -> str:
    """A verdict on a gradient-check difference, with the lecture's rules of thumb.

    Arguments:
        difference -- the relative difference, a number >= 0.
        color -- wrap the message in an ANSI colour (green / yellow / red) for notebooks.
    Returns:
        the message: below :data:`FINE` (1e-7) the backward pass agrees; from :data:`BUG` (1e-3)
        on "There is a mistake in the backward propagation! difference = ..."; in between,
        a call for a closer look.
    Raises: ValueError if difference is not a single number.
    """
    arr = np.asarray(difference, dtype=float)
    if arr.shape != ():
        raise ValueError(f"difference must be a single number (shape ()), got an array of shape {arr.shape}")
    difference = float(arr)
    if difference < FINE:
        colour, text = _GREEN, f"The backward propagation agrees with the numerical gradient: difference = {difference:.3e}"
    elif difference < BUG:
        colour, text = _YELLOW, (f"Take a closer look at the backward propagation, compare it component by "
                                 f"component: difference = {difference:.3e}")
    else:
        colour, text = _RED, f"There is a mistake in the backward propagation! difference = {difference:.3e}"
    return f"{colour}{text}{_RESET}" if color else text
