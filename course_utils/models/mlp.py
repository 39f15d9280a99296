"""A fully connected network (multilayer perceptron) for binary labels:
[LINEAR -> g] x (L-1) -> LINEAR -> SIGMOID, with g = ReLU unless told otherwise.

Built from :mod:`course_utils.nn` and trained by :func:`course_utils.optim.loop.train`; no new maths.
Parameters live in a dict ``{"W1": (n1, n0), "b1": (n1, 1), ..., "WL": (1, n_{L-1}), "bL": (1, 1)}``.
Data is column-major: X ``(n0, m)``, Y ``(1, m)`` of 0/1. With L = 1 (``layer_dims = [n0, 1]``) this
is logistic regression (:mod:`course_utils.models.logistic`).

Gradients follow the library's convention: the cost averages over the batch
(:func:`~course_utils.nn.losses.sigmoid_cross_entropy_cost_backward` carries the 1/m) and the layers
sum. The classic exercise versions (``L_model_backward`` returning per-example ``dA`` entries,
``two_layer_model``, ``L_layer_model``) are adapters in :mod:`course_utils.exercises`.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.init import initialize_parameters_deep
from course_utils.nn.l2 import l2_penalty, l2_penalty_backward
from course_utils.nn.linear import linear_activation_backward, linear_activation_forward, linear_backward
from course_utils.nn.losses import cross_entropy_cost, sigmoid_cross_entropy_cost_backward
from course_utils.optim.loop import train

__all__ = ["num_layers", "L_model_forward", "L_model_backward", "predict", "mlp_step", "train_mlp"]


def num_layers(parameters) -> int:
    """L, the number of weight layers of a parameter dict ``W1, b1, ..., WL, bL``.

    Raises: ValueError if a ``W<l>`` or ``b<l>`` is missing or there are other keys.
    """
    L = len(parameters) // 2
    missing = [k for l in range(1, L + 1) for k in (f"W{l}", f"b{l}") if k not in parameters]
    if missing or len(parameters) % 2 or L < 1:
        raise ValueError(f"parameters must hold W1, b1, ..., WL, bL; missing {missing}, got {sorted(parameters)}")
    return L


def L_model_forward(X, parameters, hidden_activation: str = "relu"):
    """Forward pass through L-1 hidden layers and a sigmoid output layer.

    Arguments: X ``(n0, m)``; parameters as above; hidden_activation -- "relu", "tanh",
        "sigmoid" or "leaky_relu".
    Returns: ``(AL, caches)``: AL ``(1, m)`` probabilities (``(n_L, m)`` in general), and the list of
        the L linear-activation caches ``((A_prev, W, b), Z)``, layer 1 first.
    Raises: ValueError for a malformed parameter dict, mismatched shapes or an unknown activation.
    """
    L = num_layers(parameters)
    caches = []
    A = np.asarray(X, dtype=float)
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], hidden_activation)
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def L_model_backward(AL, Y, caches, hidden_activation: str = "relu") -> dict:
    """Gradients of the average cross-entropy cost for :func:`L_model_forward`.

    Arguments: AL, Y ``(1, m)``; caches from :func:`L_model_forward` (same hidden_activation).
    Returns: ``{"dW1", "db1", ..., "dWL", "dbL"}``, shapes as the parameters.
    Raises: ValueError if AL and Y differ in shape.
    """
    AL = np.asarray(AL, dtype=float)
    Y = np.asarray(Y, dtype=float).reshape(AL.shape)
    L = len(caches)
    grads = {}
    linear_cache, _ = caches[L - 1]
    dA, g = linear_backward(sigmoid_cross_entropy_cost_backward(AL, Y), linear_cache)
    grads[f"dW{L}"], grads[f"db{L}"] = g["dW"], g["db"]
    for l in reversed(range(1, L)):
        dA, g = linear_activation_backward(dA, caches[l - 1], hidden_activation)
        grads[f"dW{l}"], grads[f"db{l}"] = g["dW"], g["db"]
    return grads


def predict(parameters, X, hidden_activation: str = "relu") -> np.ndarray:
    """Labels ``(1, m)`` of 0.0/1.0: 1 where the network's output probability is above 0.5."""
    AL, _ = L_model_forward(X, parameters, hidden_activation)
    return (AL > 0.5).astype(float)


def mlp_step(parameters, X, Y, *, lambd: float = 0.0, hidden_activation: str = "relu"):
    """One forward and backward pass: the ``step`` that :func:`course_utils.optim.loop.train` takes.

    Arguments: parameters; X ``(n0, m)``; Y ``(1, m)``; lambd -- L2 strength (0: none).
    Returns: ``(cost, grads)``: the average cross-entropy (plus the L2 penalty) before any update,
        and its gradients ``{"dW1", "db1", ...}``.
    """
    AL, caches = L_model_forward(X, parameters, hidden_activation)
    cost = cross_entropy_cost(AL, Y)
    grads = L_model_backward(AL, Y, caches, hidden_activation)
    if lambd:
        m = np.shape(X)[1]
        cost += l2_penalty(parameters, lambd, m)
        for k, dW in l2_penalty_backward(parameters, lambd, m).items():
            grads[k] = grads[k] + dW
    return cost, grads


def train_mlp(X, Y, start, *, seed=1, scale="he", shuffle_seed=0, lambd: float = 0.0,
              hidden_activation: str = "relu", **loop):
    """Initialise (or take) the parameters and train them with :func:`course_utils.optim.loop.train`.

    Arguments:
        X ``(n0, m)``; Y ``(1, m)``.
        start -- layer sizes ``[n0, n1, ..., 1]`` (initialised by
            ``initialize_parameters_deep(start, seed, scale)``), or a parameter dict to start from
            (not modified).
        seed, scale -- the initialisation (ignored when ``start`` is a dict).
        shuffle_seed -- the mini-batch shuffles: epoch e uses ``seed=shuffle_seed + e`` (the loop's ``seed``).
        lambd, hidden_activation -- see :func:`mlp_step`.
        **loop -- everything else goes to ``train``: optimizer, config, num_epochs,
            mini_batch_size, schedule, record_every, print_every, callback, metrics, progress, desc.
    Returns: ``(parameters, history)`` as :func:`~course_utils.optim.loop.train` returns them.
    Raises: ValueError if the layer sizes do not fit X and Y.
    """
    if isinstance(start, dict):
        parameters = start
    else:
        dims = [int(n) for n in start]
        if dims[0] != np.shape(X)[0] or dims[-1] != np.shape(Y)[0]:
            raise ValueError(f"layer sizes must start with n0 = {np.shape(X)[0]} and end with "
                             f"{np.shape(Y)[0]}, got {dims}")
        parameters = initialize_parameters_deep(dims, seed=seed, scale=scale)

    def step(p, X_batch, Y_batch):
        return mlp_step(p, X_batch, Y_batch, lambd=lambd, hidden_activation=hidden_activation)

    return train(step, parameters, X, Y, seed=shuffle_seed, **loop)
