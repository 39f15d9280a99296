"""An L-layer network: [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID (Track 1, notebooks 04-05).

Parameters live in a dict ``{"W1": (n1, n0), "b1": (n1, 1), ..., "WL": (nL, n_{L-1}), "bL": (nL, 1)}``.
Data is column-major: X ``(n0, m)``, Y ``(1, m)``.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.linear import linear_activation_backward, linear_activation_forward, linear_backward
from course_utils.nn.losses import cross_entropy_cost as compute_cost
from course_utils.optim.rules import update_parameters
from course_utils.viz.progress import progress_range
from course_utils.rng import make_rng
from course_utils.exercises.shallow_network import initialize_parameters

__all__ = ["initialize_parameters_deep", "L_model_forward", "compute_cost", "L_model_backward",
           "update_parameters", "predict", "two_layer_model", "L_layer_model"]


def _scale(name_or_value, n_prev: int) -> float:
    if name_or_value == "xavier":  # Var(W) = 1/n_prev: keeps tanh/sigmoid layers' outputs at unit scale
        return 1.0 / np.sqrt(n_prev)
    if name_or_value == "he":  # Var(W) = 2/n_prev: the same for ReLU, which zeroes half its inputs
        return np.sqrt(2.0 / n_prev)
    if isinstance(name_or_value, (int, float)):
        return float(name_or_value)
    raise ValueError(f"scale must be a number, 'xavier' or 'he', got {name_or_value!r}")


def initialize_parameters_deep(layer_dims, seed=3, scale=0.01) -> dict:
    """Random weights and zero biases for layers of sizes ``layer_dims = [n0, n1, ..., nL]``.

    ``W_l = rng.standard_normal((n_l, n_{l-1})) * s`` drawn for l = 1, ..., L in that order from
    ``np.random.default_rng(seed)``, where s is ``scale`` (a number), or ``1/sqrt(n_{l-1})``
    for ``"xavier"``, ``sqrt(2/n_{l-1})`` for ``"he"``. ``b_l = zeros((n_l, 1))``.
    Returns: the parameter dict.
    """
    layer_dims = [int(n) for n in layer_dims]
    if len(layer_dims) < 2 or min(layer_dims) < 1:
        raise ValueError(f"layer_dims needs at least two positive sizes, got {layer_dims}")
    rng = make_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1])) * _scale(scale, layer_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def _num_layers(parameters) -> int:
    L = len(parameters) // 2
    missing = [k for l in range(1, L + 1) for k in (f"W{l}", f"b{l}") if k not in parameters]
    if missing or len(parameters) % 2:
        raise ValueError(f"parameters must hold W1, b1, ..., WL, bL; missing {missing}, got {sorted(parameters)}")
    return L


def L_model_forward(X, parameters):
    """Forward pass through L-1 ReLU layers and a sigmoid output layer.

    Arguments: X ``(n0, m)``; parameters as above.
    Returns: ``(AL, caches)``: AL ``(nL, m)`` probabilities, and the list of the L
    linear-activation caches ``((A_prev, W, b), Z)``, layer 1 first.
    """
    L = _num_layers(parameters)
    caches = []
    A = np.asarray(X, dtype=float)
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def L_model_backward(AL, Y, caches):
    """Backward pass of ``L_model_forward`` for the cross-entropy cost.

    Arguments: AL ``(1, m)``; Y ``(1, m)`` of 0/1; caches from ``L_model_forward``.
    Returns: grads ``{"dA{l-1}", "dW{l}", "db{l}"}`` for l = L, ..., 1 (so dA0 ... dA{L-1}).
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


def predict(parameters, X):
    """Labels ``(1, m)`` of 0.0/1.0: 1 where the network's output is above 0.5."""
    AL, _ = L_model_forward(X, parameters)
    return (AL > 0.5).astype(float)


def _train(X, Y, parameters, forward, backward, learning_rate, num_iterations, print_cost, progress, desc):
    costs = []
    for i in progress_range(num_iterations, enabled=progress, desc=desc):
        AL, caches = forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:.6f}")
    return parameters, costs


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, *,
                    seed=1, progress=False):
    """Train LINEAR -> RELU -> LINEAR -> SIGMOID with gradient descent.

    Arguments: X ``(n_x, m)``; Y ``(1, m)``; layers_dims ``(n_x, n_h, n_y)``.
    Initialisation: ``initialize_parameters(n_x, n_h, n_y, seed)`` (weights * 0.01).
    Returns: ``(parameters, costs)``, the cost recorded at every 100th iteration from 0.
    """
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y, seed=seed)
    return _train(X, Y, parameters, L_model_forward, L_model_backward, learning_rate, num_iterations,
                  print_cost, progress, "2-layer model")


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, *,
                  seed=1, progress=False):
    """Train an L-layer network ([LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID).

    Initialisation: ``initialize_parameters_deep(layers_dims, seed, scale="xavier")``.
    Returns: ``(parameters, costs)``, the cost recorded at every 100th iteration from 0.
    """
    parameters = initialize_parameters_deep(layers_dims, seed=seed, scale="xavier")
    return _train(X, Y, parameters, L_model_forward, L_model_backward, learning_rate, num_iterations,
                  print_cost, progress, f"{len(layers_dims) - 1}-layer model")
