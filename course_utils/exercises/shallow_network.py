"""A network with one hidden layer: LINEAR -> TANH -> LINEAR -> SIGMOID (Track 1, notebook 03).

Parameters: W1 ``(n_h, n_x)``, b1 ``(n_h, 1)``, W2 ``(n_y, n_h)``, b2 ``(n_y, 1)``.
Data: X ``(n_x, m)``, Y ``(n_y, m)``.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.linear import linear_activation_forward, linear_backward
from course_utils.nn.losses import cross_entropy_cost as compute_cost
from course_utils.optim.rules import update_parameters
from course_utils.viz.progress import progress_range
from course_utils.rng import make_rng

__all__ = ["layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
           "backward_propagation", "update_parameters", "nn_model", "predict"]

#: the hidden layer size that ``layer_sizes`` proposes
DEFAULT_HIDDEN = 4


def layer_sizes(X, Y):
    """``(n_x, n_h, n_y)``: input size X.shape[0], hidden size 4, output size Y.shape[0]."""
    return np.shape(X)[0], DEFAULT_HIDDEN, np.shape(Y)[0]


def initialize_parameters(n_x, n_h, n_y, seed=2) -> dict:
    """Small random weights, zero biases.

    ``rng = np.random.default_rng(seed)``; W1 = ``rng.standard_normal((n_h, n_x)) * 0.01``, then
    W2 = ``rng.standard_normal((n_y, n_h)) * 0.01`` (in that order); b1, b2 zeros.
    Returns: ``{"W1", "b1", "W2", "b2"}``.
    """
    rng = make_rng(seed)
    W1 = rng.standard_normal((n_h, n_x)) * 0.01
    W2 = rng.standard_normal((n_y, n_h)) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def forward_propagation(X, parameters):
    """Returns ``(A2, cache)``: A2 ``(n_y, m)`` and ``cache = {"Z1", "A1", "Z2", "A2"}``."""
    A1, (_, Z1) = linear_activation_forward(X, parameters["W1"], parameters["b1"], "tanh")
    A2, (_, Z2) = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def backward_propagation(parameters, cache, X, Y):
    """Gradients of the cross-entropy cost: ``{"dW1", "db1", "dW2", "db2"}``, shapes as the parameters.

    Uses dZ2 = A2 - Y (sigmoid with cross-entropy) and tanh'(Z1) = 1 - A1**2.
    """
    X = np.asarray(X, dtype=float)
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - np.asarray(Y, dtype=float)
    dA1, dW2, db2 = linear_backward(dZ2, (A1, parameters["W2"], parameters["b2"]))
    dZ1 = dA1 * (1.0 - A1 ** 2)  # tanh'(Z1) from the cached A1 = tanh(Z1): no second tanh
    _, dW1, db1 = linear_backward(dZ1, (X, parameters["W1"], parameters["b1"]))
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, *, learning_rate=1.2, seed=3, progress=False):
    """Train the one-hidden-layer network with gradient descent.

    Initialisation: ``initialize_parameters(n_x, n_h, n_y, seed=seed)``.
    Returns: the trained parameters. Prints the cost every 1000 iterations if ``print_cost``.
    """
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y, seed=seed)
    for i in progress_range(num_iterations, enabled=progress, desc=f"n_h={n_h}"):
        A2, cache = forward_propagation(X, parameters)
        grads = backward_propagation(parameters, cache, X, Y)
        if print_cost and i % 1000 == 0:
            print(f"Cost after iteration {i}: {compute_cost(A2, Y):f}")
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters


def predict(parameters, X):
    """Labels ``(n_y, m)`` of 0.0/1.0: 1 where A2 > 0.5."""
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).astype(float)
