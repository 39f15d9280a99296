"""A network with one hidden layer: LINEAR -> TANH -> LINEAR -> SIGMOID (Track 1, notebook 03).

Parameters: W1 ``(n_h, n_x)``, b1 ``(n_h, 1)``, W2 ``(n_y, n_h)``, b2 ``(n_y, 1)``.
Data: X ``(n_x, m)``, Y ``(n_y, m)``.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.init import initialize_parameters_deep
from course_utils.nn.linear import linear_activation_forward, linear_backward
from course_utils.nn.losses import cross_entropy_cost as compute_cost
from course_utils.optim.loop import train
from course_utils.optim.rules import gd

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
    W2 = ``rng.standard_normal((n_y, n_h)) * 0.01`` (in that order); b1, b2 zeros. This is
    ``initialize_parameters_deep([n_x, n_h, n_y], seed, scale=0.01)``.
    Returns: ``{"W1", "b1", "W2", "b2"}``.
    """
    return initialize_parameters_deep([n_x, n_h, n_y], seed=seed, scale=0.01)


def update_parameters(parameters: dict, grads: dict, learning_rate: float) -> dict:
    """One gradient-descent step: ``P = P - learning_rate * dP`` for every parameter P.

    Returns: a new parameter dict. Raises: KeyError if grads lacks ``"d" + name`` for a parameter.
    """
    return gd.update(parameters, grads, {}, {"learning_rate": learning_rate})[0]


def forward_propagation(X, parameters):
    """Returns ``(A2, cache)``: A2 ``(n_y, m)`` and ``cache = {"Z1", "A1", "Z2", "A2"}``."""
    A1, (_, Z1) = linear_activation_forward(X, parameters["W1"], parameters["b1"], "tanh")
    A2, (_, Z2) = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def backward_propagation(parameters, cache, X, Y):
    """Gradients of the cross-entropy cost: ``{"dW1", "db1", "dW2", "db2"}``, shapes as the parameters.

    Uses dZ2 = A2 - Y (sigmoid with cross-entropy) and tanh'(Z1) = 1 - A1**2; dW and db are averaged
    over the m examples (here the 1/m goes into dZ2, and the library's linear layer sums).
    """
    X = np.asarray(X, dtype=float)
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = (A2 - np.asarray(Y, dtype=float)) / X.shape[1]
    dA1, g2 = linear_backward(dZ2, (A1, parameters["W2"], parameters["b2"]))
    dZ1 = dA1 * (1.0 - A1 ** 2)  # tanh'(Z1) from the cached A1 = tanh(Z1): no second tanh
    _, g1 = linear_backward(dZ1, (X, parameters["W1"], parameters["b1"]))
    return {"dW1": g1["dW"], "db1": g1["db"], "dW2": g2["dW"], "db2": g2["db"]}


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, *, learning_rate=1.2, seed=3, progress=False):
    """Train the one-hidden-layer network with gradient descent (through :func:`course_utils.optim.loop.train`).

    Initialisation: ``initialize_parameters(n_x, n_h, n_y, seed=seed)``.
    Returns: the trained parameters. Prints the cost every 1000 iterations if ``print_cost``.
    """
    n_x, _, n_y = layer_sizes(X, Y)

    def step(parameters, X_batch, Y_batch):
        A2, cache = forward_propagation(X_batch, parameters)
        return compute_cost(A2, Y_batch), backward_propagation(parameters, cache, X_batch, Y_batch)

    parameters, _ = train(step, initialize_parameters(n_x, n_h, n_y, seed=seed), X, Y,
                          config={"learning_rate": learning_rate}, num_epochs=num_iterations,
                          print_every=1000 if print_cost else None, progress=progress, desc=f"n_h={n_h}")
    return parameters


def predict(parameters, X):
    """Labels ``(n_y, m)`` of 0.0/1.0: 1 where A2 > 0.5."""
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5).astype(float)
