"""Track 1, notebook 04 (deep network step by step): the classic exercise signatures.

The classic assignment's backward pass takes the gradient of the *per-example* loss and lets
``linear_backward`` divide by m; its activation backward functions return ``dZ`` alone, and
``L_model_backward`` returns the per-example ``dA{l}`` entries too. The library
(:mod:`course_utils.nn.linear`, :mod:`course_utils.models.mlp`) puts the 1/m in the cost and lets
every layer sum; these adapters give the classic results on top of it.

Functions with the same signature and meaning in the library are imported, not redefined:
``initialize_parameters_deep`` (:mod:`course_utils.nn.init`), ``linear_forward`` and
``linear_activation_forward`` (:mod:`course_utils.nn.linear`), ``L_model_forward``
(:mod:`course_utils.models.mlp`), ``compute_cost`` = :func:`course_utils.nn.losses.cross_entropy_cost`.
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises.shallow_network import update_parameters
from course_utils.models.mlp import L_model_forward
from course_utils.nn import activations as act
from course_utils.nn import linear as lin
from course_utils.nn.init import initialize_parameters_deep
from course_utils.nn.linear import linear_activation_forward, linear_forward
from course_utils.nn.losses import cross_entropy_cost as compute_cost

__all__ = ["initialize_parameters_deep", "linear_forward", "linear_activation_forward", "L_model_forward",
           "compute_cost", "sigmoid_backward", "relu_backward", "linear_backward", "linear_activation_backward",
           "L_model_backward", "update_parameters"]

_CLASSIC_BACKWARD = {"sigmoid": act.sigmoid_backward, "relu": act.relu_backward, "tanh": act.tanh_backward}


def sigmoid_backward(dA, cache):
    """dZ = dA * s(Z) * (1 - s(Z)) with ``cache = Z``; returns dZ alone (the classic helper)."""
    return act.sigmoid_backward(dA, cache)[0]


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0, with ``cache = Z``; returns dZ alone (the classic helper)."""
    return act.relu_backward(dA, cache)[0]


def linear_backward(dZ, cache):
    """The classic linear backward step: dZ is the per-example gradient, dW and db are averaged.

    Arguments: dZ ``(n, m)``; cache ``(A_prev, W, b)``.
    Returns: ``(dA_prev, dW, db)`` with ``dW = (1/m) dZ A_prev^T``, ``db = (1/m) sum(dZ)``,
    ``dA_prev = W^T dZ``; shapes ``(n_prev, m)``, ``(n, n_prev)``, ``(n, 1)``.
    Raises: ValueError if dZ is not ``(n, m)``.
    """
    dA_prev, g = lin.linear_backward(dZ, cache)
    m = np.shape(cache[0])[1]
    return dA_prev, g["dW"] / m, g["db"] / m


def linear_activation_backward(dA, cache, activation):
    """Backward pass of ``linear_activation_forward`` with the classic averaging.

    Arguments: dA ``(n, m)``; cache ``((A_prev, W, b), Z)``; "sigmoid", "relu" or "tanh".
    Returns: ``(dA_prev, dW, db)``. Raises: ValueError for an unknown activation.
    """
    if activation not in _CLASSIC_BACKWARD:
        raise ValueError(f"activation must be one of {sorted(_CLASSIC_BACKWARD)}, got {activation!r}")
    linear_cache, activation_cache = cache
    dZ, _ = _CLASSIC_BACKWARD[activation](dA, activation_cache)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    """The classic backward pass of ``L_model_forward`` for the cross-entropy cost.

    Arguments: AL ``(1, m)``; Y ``(1, m)`` of 0/1; caches from ``L_model_forward``.
    Returns: grads ``{"dA{l-1}", "dW{l}", "db{l}"}`` for l = L, ..., 1 (so dA0 ... dA{L-1}), dW and
    db averaged over the examples, dA per example.
    """
    AL, Y = np.asarray(AL, dtype=float), np.asarray(Y, dtype=float).reshape(np.shape(AL))
    L = len(caches)
    grads = {}
    # dAL = -(Y/AL - (1-Y)/(1-AL)) times sigmoid'(ZL) = AL(1-AL) is AL - Y; computing the
    # product directly avoids 0/0 when a confident output rounds to exactly 0 or 1.
    linear_cache, _ = caches[L - 1]
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(AL - Y, linear_cache)
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = linear_activation_backward(grads[f"dA{l + 1}"], caches[l], "relu")
        grads[f"dA{l}"], grads[f"dW{l + 1}"], grads[f"db{l + 1}"] = dA_prev, dW, db
    return grads
