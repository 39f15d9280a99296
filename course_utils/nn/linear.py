"""Fully connected layers as forward/backward pairs (Track 1, notebook 04).

Shapes (column-major, one column per example):
    A_prev ``(n_prev, m)``, W ``(n, n_prev)``, b ``(n, 1)``, Z and A ``(n, m)``.
Caches:
    linear cache ``(A_prev, W, b)``; activation cache ``Z``;
    linear-activation cache ``(linear_cache, activation_cache)``.
"""

from __future__ import annotations

import numpy as np

import course_utils.nn.activations as act

__all__ = ["ACTIVATIONS", "linear_forward", "linear_backward", "linear_activation_forward",
           "linear_activation_backward"]

#: activation name -> (forward(Z) -> (A, Z), backward(dA, Z) -> dZ)
ACTIVATIONS = {
    "sigmoid": (act.sigmoid_forward, act.sigmoid_backward),
    "relu": (act.relu_forward, act.relu_backward),
    "tanh": (act.tanh_forward, act.tanh_backward),
}


def _activation(name):
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}") from None


def linear_forward(A, W, b):
    """Z = W A + b.

    Arguments: A ``(n_prev, m)``; W ``(n, n_prev)``; b ``(n, 1)``.
    Returns: ``(Z, cache)`` with Z ``(n, m)`` and ``cache = (A, W, b)``.
    """
    A, W, b = np.asarray(A, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if W.ndim != 2 or A.ndim != 2 or W.shape[1] != A.shape[0]:
        raise ValueError(f"linear_forward: W {W.shape} cannot multiply A {A.shape}; "
                         f"expected W (n, n_prev) and A (n_prev, m)")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"linear_forward: b must have shape {(W.shape[0], 1)}, got {b.shape}")
    return W @ A + b, (A, W, b)


def linear_backward(dZ, cache):
    """Gradients of the linear step.

    Arguments: dZ ``(n, m)``; cache ``(A_prev, W, b)``.
    Returns: ``(dA_prev, dW, db)`` with shapes ``(n_prev, m)``, ``(n, n_prev)``, ``(n, 1)``;
    dW and db are averaged over the m examples.
    """
    A_prev, W, b = cache
    dZ = np.asarray(dZ, dtype=float)
    if dZ.shape != (W.shape[0], A_prev.shape[1]):
        raise ValueError(f"linear_backward: dZ has shape {dZ.shape}, expected {(W.shape[0], A_prev.shape[1])}")
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b) with g one of "sigmoid", "relu", "tanh".

    Returns: ``(A, cache)`` with A ``(n, m)`` and ``cache = ((A_prev, W, b), Z)``.
    """
    forward, _ = _activation(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = forward(Z)
    return A, (linear_cache, activation_cache)


def linear_activation_backward(dA, cache, activation):
    """Backward pass of ``linear_activation_forward``.

    Arguments: dA ``(n, m)``; cache ``((A_prev, W, b), Z)``; activation name.
    Returns: ``(dA_prev, dW, db)``.
    """
    _, backward = _activation(activation)
    linear_cache, activation_cache = cache
    dZ = backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)
