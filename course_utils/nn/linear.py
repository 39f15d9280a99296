"""Fully connected layers as forward/backward pairs.

Shapes (column-major, one column per example):
    A_prev ``(n_prev, m)``, W ``(n, n_prev)``, b ``(n, 1)``, Z and A ``(n, m)``.
Caches (tuples, opaque to the caller):
    linear ``(A_prev, W, b)``; linear-activation ``(linear_cache, Z)``.

The library's one gradient convention (see :mod:`course_utils.nn`): the upstream gradient already
belongs to the *average* cost (the loss divides by m), so ``dW`` and ``db`` are plain sums over the
batch and no layer divides by m. The classic exercise ``linear_backward`` (which divides by m) is an
adapter in :mod:`course_utils.exercises.deep_step_by_step`.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn import activations as act

__all__ = ["ACTIVATIONS", "activation_pair", "linear_forward", "linear_backward", "linear_activation_forward",
           "linear_activation_backward"]

#: activation name -> (forward(Z) -> (A, cache), backward(dA, cache) -> (dZ, {}))
ACTIVATIONS = {
    "sigmoid": (act.sigmoid_forward, act.sigmoid_backward),
    "relu": (act.relu_forward, act.relu_backward),
    "tanh": (act.tanh_forward, act.tanh_backward),
    "leaky_relu": (act.leaky_relu_forward, act.leaky_relu_backward),
}


def activation_pair(name: str):
    """``(forward, backward)`` of the activation layer called ``name``.

    Raises: ValueError for a name not in :data:`ACTIVATIONS`.
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}") from None


def linear_forward(A, W, b):
    """Z = W A + b.

    Arguments: A ``(n_prev, m)``; W ``(n, n_prev)``; b ``(n, 1)``.
    Returns: ``(Z, cache)`` with Z ``(n, m)`` and ``cache = (A, W, b)``.
    Raises: ValueError if W cannot multiply A, or b is not ``(n, 1)``.
    """
    A, W, b = np.asarray(A, dtype=float), np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    if W.ndim != 2 or A.ndim != 2 or W.shape[1] != A.shape[0]:
        raise ValueError(f"linear_forward: W {W.shape} cannot multiply A {A.shape}; "
                         f"expected W (n, n_prev) and A (n_prev, m)")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"linear_forward: b must have shape {(W.shape[0], 1)}, got {b.shape}")
    return W @ A + b, (A, W, b)


def linear_backward(dZ, cache):
    """Gradients of the linear step, summed over the batch.

    Arguments: dZ ``(n, m)``, the gradient of the (already averaged) cost; cache ``(A_prev, W, b)``.
    Returns: ``(dA_prev, {"dW": dZ A_prev^T, "db": sum of dZ over the batch})`` with shapes
    ``(n_prev, m)``, ``(n, n_prev)``, ``(n, 1)``.
    Raises: ValueError if dZ is not ``(n, m)``.
    """
    A_prev, W, b = cache
    dZ = np.asarray(dZ, dtype=float)
    if dZ.shape != (W.shape[0], A_prev.shape[1]):
        raise ValueError(f"linear_backward: dZ has shape {dZ.shape}, expected {(W.shape[0], A_prev.shape[1])}")
    return W.T @ dZ, {"dW": dZ @ A_prev.T, "db": np.sum(dZ, axis=1, keepdims=True)}


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b) with g one of :data:`ACTIVATIONS` ("sigmoid", "relu", "tanh", "leaky_relu").

    Returns: ``(A, cache)`` with A ``(n, m)`` and ``cache = ((A_prev, W, b), Z)``.
    Raises: ValueError for an unknown activation or mismatched shapes.
    """
    forward, _ = activation_pair(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = forward(Z)
    return A, (linear_cache, activation_cache)


def linear_activation_backward(dA, cache, activation):
    """Backward pass of :func:`linear_activation_forward`.

    Arguments: dA ``(n, m)``; cache ``((A_prev, W, b), Z)``; the activation's name.
    Returns: ``(dA_prev, {"dW", "db"})``, summed over the batch like :func:`linear_backward`.
    Raises: ValueError for an unknown activation or mismatched shapes.
    """
    _, backward = activation_pair(activation)
    linear_cache, activation_cache = cache
    dZ, _ = backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)
