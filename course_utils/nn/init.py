"""Weight initialisation for fully connected networks, and a probe of how it scales the signal.

Parameters of a network with sizes ``layer_dims = [n0, n1, ..., nL]`` live in one dict
``{"W1": (n1, n0), "b1": (n1, 1), ..., "WL": (nL, n_{L-1}), "bL": (nL, 1)}``. Every random scheme
draws ``W1, ..., WL`` in that order from one ``np.random.default_rng(seed)``; biases start at 0.

Schemes (the ``scale`` argument of :func:`initialize_parameters_deep`):

* a number s -- ``W_l ~ s * N(0, 1)`` (0.01: the classic small start; 10: far too large);
* ``"xavier"`` -- ``Var(W_l) = 1 / n_{l-1}``, for tanh and sigmoid layers. Glorot & Bengio (2010)
  propose ``2 / (n_{l-1} + n_l)``, the compromise between keeping the forward signal
  (``1 / n_{l-1}``) and the backward gradient (``1 / n_l``) at unit scale; the library uses the
  forward-only ``1 / n_{l-1}``, as the lecture does, which equals Glorot's for square layers and
  makes "He = Xavier times sqrt(2)" exact;
* ``"he"`` -- ``Var(W_l) = 2 / n_{l-1}``, for ReLU layers, which zero half their inputs.

Sources: Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural
networks", AISTATS; He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers", ICCV.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.linear import activation_pair, linear_activation_forward
from course_utils.rng import make_rng

__all__ = ["SCALES", "weight_scale", "initialize_parameters_deep", "signal_stds"]

#: the named schemes of :func:`weight_scale`
SCALES = ("xavier", "he")


def weight_scale(scale, n_prev: int) -> float:
    """The factor s of ``W = s * N(0, 1)`` for a layer with ``n_prev`` inputs.

    Arguments: scale -- a number, ``"xavier"`` (``1/sqrt(n_prev)``) or ``"he"`` (``sqrt(2/n_prev)``).
    Raises: ValueError for anything else. Source: see the module docstring.
    """
    if isinstance(scale, str) and scale == "xavier":
        return 1.0 / np.sqrt(n_prev)
    if isinstance(scale, str) and scale == "he":
        return np.sqrt(2.0 / n_prev)
    if isinstance(scale, (int, float)) and not isinstance(scale, bool):
        return float(scale)
    raise ValueError(f"scale must be a number, 'xavier' or 'he', got {scale!r}")


def initialize_parameters_deep(layer_dims, seed=3, scale=0.01) -> dict:
    """Random weights and zero biases for layers of sizes ``layer_dims = [n0, n1, ..., nL]``.

    ``W_l = rng.standard_normal((n_l, n_{l-1})) * s`` drawn for l = 1, ..., L in that order from
    ``np.random.default_rng(seed)`` (a Generator is used as it is), where s is
    ``weight_scale(scale, n_{l-1})``; ``b_l = zeros((n_l, 1))``.
    Returns: the parameter dict.
    Raises: ValueError if layer_dims has fewer than two sizes or a size below 1, or for an unknown scale.
    """
    layer_dims = [int(n) for n in layer_dims]
    if len(layer_dims) < 2 or min(layer_dims) < 1:
        raise ValueError(f"layer_dims needs at least two positive sizes, got {layer_dims}")
    rng = make_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * weight_scale(scale, layer_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def signal_stds(X, layers_dims, activation, scale, seed=0) -> dict:
    """How the size of the signal changes through a deep stack, forward and backward.

    The stack is ``A_l = g(W_l A_{l-1} + b_l)`` for l = 1, ..., L with the same activation ``g``
    in every layer, weights from ``initialize_parameters_deep(layers_dims, rng, scale)`` and zero
    biases, where ``rng = make_rng(seed)``. The backward pass starts from a gradient
    ``dA_L = rng.standard_normal((n_L, m))`` (drawn after the weights) and applies
    ``dA_{l-1} = W_l^T (dA_l * g'(Z_l))`` layer by layer.

    Arguments:
        X -- input batch, shape ``(n0, m)``.
        layers_dims -- ``[n0, n1, ..., nL]``.
        activation -- ``"relu"``, ``"tanh"``, ``"sigmoid"`` or ``"leaky_relu"``.
        scale -- a number, ``"xavier"`` or ``"he"`` (see :func:`weight_scale`).
        seed -- seed (or Generator) of the weights and of ``dA_L``.
    Returns:
        dict with ``"A"``: array ``(L + 1,)``, the standard deviations of ``A_0 = X, A_1, ..., A_L``;
        and ``"dA"``: array ``(L + 1,)``, the standard deviations of ``dA_0, dA_1, ..., dA_L``.
    Raises: ValueError if X does not match ``layers_dims[0]`` or for an unknown activation or scale.
    """
    X = np.asarray(X, dtype=float)
    dims = [int(n) for n in layers_dims]
    if len(dims) < 2 or min(dims) < 1:
        raise ValueError(f"layers_dims needs at least two positive sizes [n0, n1, ...], got {list(layers_dims)}")
    if X.ndim != 2 or X.shape[0] != dims[0]:
        raise ValueError(f"X must have shape ({dims[0]}, m) for layers_dims {dims}, got {X.shape}")
    _, backward = activation_pair(activation)
    rng = make_rng(seed)
    parameters = initialize_parameters_deep(dims, seed=rng, scale=scale)
    L = len(dims) - 1
    A, caches, a_stds = X, [], [X.std()]
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
        caches.append(cache)
        a_stds.append(A.std())
    dA = rng.standard_normal(A.shape)
    da_stds = [dA.std()]
    for l in reversed(range(L)):
        (_, W, _), Z = caches[l]
        dA = W.T @ backward(dA, Z)[0]  # dA_prev of the linear layer, without the unused dW, db
        da_stds.append(dA.std())
    return {"A": np.array(a_stds), "dA": np.array(da_stds[::-1])}
