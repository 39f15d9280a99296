"""Activation functions, their derivatives, and forward/backward layer pairs.

Conventions (see COURSE_DESIGN.md): every function accepts a numpy array of any shape
(or a number where noted) and returns a new array of the same shape; nothing is modified
in place. Forward/backward pairs follow ``*_forward(Z) -> (A, cache)`` and
``*_backward(dA, cache) -> dZ``.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "basic_sigmoid",
    "sigmoid", "sigmoid_derivative", "sigmoid_forward", "sigmoid_backward",
    "tanh", "tanh_derivative", "tanh_forward", "tanh_backward",
    "relu", "relu_derivative", "relu_forward", "relu_backward",
    "leaky_relu", "leaky_relu_derivative", "leaky_relu_forward", "leaky_relu_backward",
    "softmax", "softmax_rows",
]


def basic_sigmoid(x: float) -> float:
    """Sigmoid of one real number with the ``math`` module: ``1 / (1 + e^-x)``.

    Arguments: x -- a Python number. Returns: a Python float in (0, 1).
    Shows why numpy is needed: ``math.exp`` refuses arrays.
    """
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # never overflows for x < 0
    return e / (1.0 + e)


def sigmoid(z):
    """Sigmoid ``1 / (1 + e^-z)`` elementwise.

    Arguments: z -- number or array of any shape. Returns: same shape, values in (0, 1).
    Computed as ``exp(-log(1 + e^-z))`` so that large ``|z|`` neither overflows nor warns.
    """
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_derivative(x):
    """Derivative of the sigmoid at ``x``: ``s(x) * (1 - s(x))``. Same shape as ``x``."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent elementwise. Same shape as ``z``, values in (-1, 1)."""
    return np.tanh(np.asarray(z, dtype=float))


def tanh_derivative(z):
    """Derivative of tanh at ``z``: ``1 - tanh(z)^2``. Same shape as ``z``."""
    t = np.tanh(np.asarray(z, dtype=float))
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit ``max(0, z)`` elementwise. Same shape as ``z``."""
    return np.maximum(0.0, np.asarray(z, dtype=float))


def relu_derivative(z):
    """Derivative of ReLU: 1 where ``z > 0``, else 0 (we take 0 at ``z == 0``)."""
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z, alpha: float = 0.01):
    """Leaky ReLU ``max(alpha * z, z)`` for ``0 <= alpha < 1``. Same shape as ``z``."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_derivative(z, alpha: float = 0.01):
    """Derivative of leaky ReLU: 1 where ``z > 0``, else ``alpha`` (``alpha`` at 0)."""
    return np.where(np.asarray(z) > 0, 1.0, alpha)


def softmax(x, axis: int = 0):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, shifted by the max for stability.

    Arguments:
        x -- array of any shape.
        axis -- the axis that holds the classes. The default 0 matches the course's
                column-major data: scores of shape ``(n_classes, m)``.
    Returns: array of the same shape whose entries along ``axis`` sum to 1.
    """
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_rows(x):
    """Row-wise softmax of a matrix ``(n, m)``: each row sums to 1 (Track 1, notebook 01)."""
    return softmax(x, axis=1)


# --- forward/backward pairs: cache holds Z, the layer's input -------------------------

def _check_same_shape(dA, Z, name):
    if np.shape(dA) != np.shape(Z):
        raise ValueError(f"{name}: dA has shape {np.shape(dA)} but the cached Z has shape {np.shape(Z)}")


def sigmoid_forward(Z):
    """A = sigmoid(Z). Returns ``(A, cache)`` with ``cache = Z``; A has Z's shape."""
    return sigmoid(Z), np.array(Z, dtype=float, copy=True)


def sigmoid_backward(dA, cache):
    """dZ = dA * s(Z) * (1 - s(Z)) for the sigmoid layer; dA and Z have the same shape."""
    _check_same_shape(dA, cache, "sigmoid_backward")
    return np.asarray(dA, dtype=float) * sigmoid_derivative(cache)


def tanh_forward(Z):
    """A = tanh(Z). Returns ``(A, cache)`` with ``cache = Z``."""
    return tanh(Z), np.array(Z, dtype=float, copy=True)


def tanh_backward(dA, cache):
    """dZ = dA * (1 - tanh(Z)^2); dA and Z have the same shape."""
    _check_same_shape(dA, cache, "tanh_backward")
    return np.asarray(dA, dtype=float) * tanh_derivative(cache)


def relu_forward(Z):
    """A = max(0, Z). Returns ``(A, cache)`` with ``cache = Z``."""
    return relu(Z), np.array(Z, dtype=float, copy=True)


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0. Returns a new array; ``dA`` is left unchanged."""
    _check_same_shape(dA, cache, "relu_backward")
    return np.where(np.asarray(cache) > 0, np.asarray(dA, dtype=float), 0.0)


def leaky_relu_forward(Z, alpha: float = 0.01):
    """A = leaky_relu(Z). Returns ``(A, cache)`` with ``cache = (Z, alpha)``."""
    return leaky_relu(Z, alpha), (np.array(Z, dtype=float, copy=True), alpha)


def leaky_relu_backward(dA, cache):
    """dZ = dA where Z > 0, else alpha * dA."""
    Z, alpha = cache
    _check_same_shape(dA, Z, "leaky_relu_backward")
    return np.asarray(dA, dtype=float) * leaky_relu_derivative(Z, alpha)
