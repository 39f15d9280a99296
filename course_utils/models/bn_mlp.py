"""A softmax classifier with batch normalisation (Track 2, notebook 07).

Architecture, with L layers of weights:

    with batch norm:     [LINEAR -> BATCHNORM -> RELU] x (L-1) -> LINEAR -> SOFTMAX
    without batch norm:  [LINEAR -> RELU] x (L-1) -> LINEAR -> SOFTMAX

Data is column-major: X ``(n0, m)``, one-hot labels Y ``(C, m)`` with ``C = nL`` classes.

Parameters (a dict, sizes ``layer_dims = [n0, n1, ..., nL]``):

* with batch norm, for each hidden layer l = 1, ..., L-1: ``W{l}`` ``(n_l, n_{l-1})``,
  ``gamma{l}`` and ``beta{l}`` ``(n_l, 1)``, and **no** ``b{l}``: batch norm subtracts the mean
  of ``Z = W A + b`` over the batch, so a bias would be cancelled and ``beta{l}`` takes its role;
* without batch norm, for each hidden layer: ``W{l}`` and ``b{l}`` ``(n_l, 1)``;
* the output layer L always has ``W{L}`` ``(C, n_{L-1})`` and ``b{L}`` ``(C, 1)``.

Running statistics (batch norm only): ``{"mu{l}": (n_l, 1), "var{l}": (n_l, 1)}`` for
l = 1, ..., L-1, exponentially weighted averages of the mini-batch means and variances
(:func:`course_utils.nn.batchnorm.update_running_stats`), used at test time. Without batch
norm the running statistics are the empty dict.

Everything is built from the course's pieces: :mod:`course_utils.nn.linear` (linear step),
:mod:`course_utils.nn.batchnorm`, :mod:`course_utils.nn.activations` (ReLU, softmax),
:mod:`course_utils.nn.softmax` (cost and ``dZ = Y_hat - Y``) and :mod:`course_utils.optim.rules`
(mini-batches, gradient descent, Adam). No function modifies its arguments.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.activations import relu_backward, relu_forward, softmax
from course_utils.nn.batchnorm import EPS, batchnorm_backward, batchnorm_forward, batchnorm_forward_test, update_running_stats
from course_utils.models.mlp import initialize_parameters_deep
from course_utils.nn.linear import linear_backward, linear_forward
from course_utils.nn.softmax import predict_classes, softmax_cross_entropy_backward, softmax_cross_entropy_cost
from course_utils.optim.rules import initialize_adam, random_mini_batches, update_parameters_with_adam, update_parameters_with_gd
from course_utils.viz.progress import progress_range

__all__ = ["initialize_bn_network", "bn_network_forward", "bn_network_backward", "train_bn_network",
           "bn_network_predict"]

MODES = ("train", "test")
OPTIMIZERS = ("adam", "gd")


# --- structure and validation -------------------------------------------------------------

def _structure(parameters) -> tuple[int, bool]:
    """``(L, uses_batchnorm)`` of a parameter dict; ValueError if its keys do not fit either layout."""
    if not isinstance(parameters, dict):
        raise ValueError(f"parameters must be a dict, got {type(parameters).__name__}")
    L = sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit())
    if L < 1:
        raise ValueError(f"parameters hold no weight matrix W1, got keys {sorted(parameters)}")
    with_bn = [f"W{l}" for l in range(1, L + 1)] + [f"{p}{l}" for l in range(1, L) for p in ("gamma", "beta")]
    with_bn.append(f"b{L}")
    without_bn = [f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")]
    keys = set(parameters)
    if keys == set(with_bn):
        return L, L > 1
    if keys == set(without_bn):
        return L, False
    raise ValueError(f"parameters must hold either {with_bn} (with batch norm) or {without_bn} "
                     f"(without), got {sorted(parameters)}")


def _as_input(X, W1) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    n0 = np.shape(W1)[1]
    if X.ndim != 2 or X.shape[0] != n0:
        raise ValueError(f"X must have shape ({n0}, m) to match W1 of shape {np.shape(W1)}, got {X.shape}")
    return X


def _check_running(running, parameters, L) -> None:
    if not isinstance(running, dict):
        raise ValueError(f"running must be a dict of 'mu{{l}}' and 'var{{l}}' arrays, got {type(running).__name__}")
    for l in range(1, L):
        expected = (np.shape(parameters[f"W{l}"])[0], 1)
        for key in (f"mu{l}", f"var{l}"):
            if key not in running:
                raise ValueError(f"running has no {key!r}; expected keys mu1, var1, ..., mu{L - 1}, var{L - 1}")
            if np.shape(running[key]) != expected:
                raise ValueError(f"running[{key!r}] must have shape {expected}, got {np.shape(running[key])}")


# --- public API ---------------------------------------------------------------------------

def initialize_bn_network(layer_dims, seed=1, batchnorm: bool = True):
    """He-initialised weights, and the batch-norm parameters and running statistics.

    Arguments:
        layer_dims -- ``[n0, n1, ..., nL]``: inputs, hidden sizes, number of classes C = nL.
        seed -- int or ``np.random.Generator``. The weights are exactly those of
            ``initialize_parameters_deep(layer_dims, seed, scale="he")``:
            ``W{l} = rng.standard_normal((n_l, n_{l-1})) * sqrt(2 / n_{l-1})``, l = 1, ..., L in
            that order. So the networks with and without batch norm start from the same weights.
        batchnorm -- True: ``gamma{l} = ones((n_l, 1))``, ``beta{l} = zeros((n_l, 1))`` and no
            ``b{l}`` in the hidden layers; False: ``b{l} = zeros((n_l, 1))`` instead.
    Returns:
        ``(parameters, running)``. parameters in the order W1, gamma1, beta1, ..., WL, bL
        (or W1, b1, ..., WL, bL); running ``{"mu{l}": zeros((n_l, 1)), "var{l}": ones((n_l, 1))}``
        for l = 1, ..., L-1 with batch norm, ``{}`` without.
    """
    base = initialize_parameters_deep(layer_dims, seed=seed, scale="he")
    L = len(layer_dims) - 1
    parameters, running = {}, {}
    for l in range(1, L + 1):
        parameters[f"W{l}"] = base[f"W{l}"]
        n = base[f"W{l}"].shape[0]
        if batchnorm and l < L:
            parameters[f"gamma{l}"] = np.ones((n, 1))
            parameters[f"beta{l}"] = np.zeros((n, 1))
            running[f"mu{l}"] = np.zeros((n, 1))
            running[f"var{l}"] = np.ones((n, 1))
        else:
            parameters[f"b{l}"] = base[f"b{l}"]
    return parameters, running


def bn_network_forward(X, parameters, running=None, mode: str = "train", momentum: float = 0.9, eps: float = EPS):
    """Forward pass, with batch statistics ("train") or running statistics ("test").

    Arguments:
        X -- inputs ``(n0, m)``.
        parameters -- see the module docstring; the presence of ``gamma1`` selects batch norm.
        running -- running statistics ``{"mu{l}", "var{l}": (n_l, 1)}`` or None. Required in
            "test" mode for a batch-norm network. In "train" mode each layer's batch mean and
            variance are folded in with ``update_running_stats(..., momentum)``; with None
            they are not tracked.
        mode -- "train": normalise with the statistics of this batch (``batchnorm_forward``);
            "test": normalise with the running statistics (``batchnorm_forward_test``), which
            works for any m, including a single example.
        momentum -- weight of the old running value, ``running = momentum * running + (1 - momentum) * batch``.
        eps -- the epsilon of batch norm.
    Returns:
        ``(AL, caches, running)``:
        AL -- softmax probabilities ``(C, m)``, each column sums to 1;
        caches -- "train" mode: a list of L entries, ``(linear_cache, bn_cache, Z_tilde)`` for
            each hidden layer l = 1, ..., L-1 (``linear_cache = (A_prev, W, b)``, where b is a
            zero column with batch norm; ``bn_cache = (Z_norm, mu, var, gamma, eps)`` from
            ``batchnorm_forward``, or None without batch norm; ``Z_tilde`` is the ReLU's input
            ``(n_l, m)``), then the output layer's ``linear_cache``. "test" mode: None.
        running -- the updated running statistics (new arrays), a copy in "test" mode, None
            if ``running`` was None.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    L, use_bn = _structure(parameters)
    A = _as_input(X, parameters["W1"])
    if running is not None:
        if use_bn:
            _check_running(running, parameters, L)
        running = {k: np.array(v, dtype=float, copy=True) for k, v in running.items()}
    elif use_bn and mode == "test":
        raise ValueError("test mode needs the running statistics (running=None was given)")
    caches = []
    for l in range(1, L):
        W = parameters[f"W{l}"]
        b = np.zeros((np.shape(W)[0], 1)) if use_bn else parameters[f"b{l}"]
        Z, linear_cache = linear_forward(A, W, b)
        bn_cache = None
        if not use_bn:
            Z_tilde = Z
        elif mode == "train":
            Z_tilde, bn_cache = batchnorm_forward(Z, parameters[f"gamma{l}"], parameters[f"beta{l}"], eps)
            if running is not None:
                running[f"mu{l}"], running[f"var{l}"] = update_running_stats(
                    running[f"mu{l}"], running[f"var{l}"], bn_cache[1], bn_cache[2], momentum)
        else:
            Z_tilde = batchnorm_forward_test(Z, parameters[f"gamma{l}"], parameters[f"beta{l}"],
                                             running[f"mu{l}"], running[f"var{l}"], eps)
        A, Z_tilde = relu_forward(Z_tilde)
        caches.append((linear_cache, bn_cache, Z_tilde))
    ZL, linear_cache = linear_forward(A, parameters[f"W{L}"], parameters[f"b{L}"])
    caches.append(linear_cache)
    AL = softmax(ZL, axis=0)
    return AL, (caches if mode == "train" else None), running


def bn_network_backward(AL, Y, caches):
    """Gradients of the average softmax cross-entropy cost over the m examples of the batch.

    Arguments:
        AL -- probabilities ``(C, m)`` from ``bn_network_forward`` in "train" mode.
        Y -- one-hot labels ``(C, m)``.
        caches -- the caches of that forward pass.
    Returns:
        grads -- a dict with one entry per parameter, ``"d" + name``, same shapes:
        ``dW{l}`` for every layer, ``dgamma{l}``, ``dbeta{l}`` (with batch norm) or ``db{l}``
        (without) for the hidden layers, ``db{L}`` for the output layer.

    The chain: ``dZL = Y_hat - Y``; ``linear_backward`` gives ``dW`` averaged over the batch
    and ``dA_prev`` for the summed cost; through the ReLU to ``dZ_tilde``; ``batchnorm_backward``
    gives ``dZ``, and sums ``dgamma``, ``dbeta`` over the batch, which are divided by m here
    so that every gradient belongs to the same average cost.
    """
    if caches is None:
        raise ValueError("no caches: run bn_network_forward in 'train' mode before the backward pass")
    AL = np.asarray(AL, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if AL.ndim != 2 or AL.shape != Y.shape:
        raise ValueError(f"AL and Y must have the same shape (C, m); got AL {AL.shape} and Y {Y.shape}")
    L = len(caches)
    expected = (np.shape(caches[-1][1])[0], np.shape(caches[-1][0])[1])
    if AL.shape != expected:
        raise ValueError(f"AL must have shape {expected} to match the caches, got {AL.shape}")
    m = AL.shape[1]
    grads = {}
    dZ = softmax_cross_entropy_backward(AL, Y)
    dA, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZ, caches[-1])
    for l in reversed(range(1, L)):
        linear_cache, bn_cache, Z_tilde = caches[l - 1]
        dZ_tilde = relu_backward(dA, Z_tilde)
        if bn_cache is None:
            dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ_tilde, linear_cache)
        else:
            dZ, dgamma, dbeta = batchnorm_backward(dZ_tilde, bn_cache)
            grads[f"dgamma{l}"], grads[f"dbeta{l}"] = dgamma / m, dbeta / m
            dA, grads[f"dW{l}"], _ = linear_backward(dZ, linear_cache)  # the zero bias gets no update
    return grads


def train_bn_network(X, Y, layer_dims, *, batchnorm: bool = True, optimizer: str = "adam",
                     learning_rate: float = 0.01, num_epochs: int = 20, mini_batch_size: int = 64,
                     bn_momentum: float = 0.9, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8,
                     seed=1, print_cost: bool = False, progress: bool = False):
    """Train the network with mini-batches and Adam or gradient descent.

    Arguments:
        X -- inputs ``(n0, m)``; Y -- one-hot labels ``(C, m)``.
        layer_dims -- ``[n0, n1, ..., C]``.
        batchnorm -- with or without batch norm in the hidden layers.
        optimizer -- "adam" (``update_parameters_with_adam``, step t counted from 1 over all
            mini-batches) or "gd" (``update_parameters_with_gd``).
        learning_rate, beta1, beta2, epsilon -- the optimiser's hyperparameters.
        num_epochs -- passes over the training set.
        mini_batch_size -- examples per mini-batch; epoch e (from 0) uses
            ``random_mini_batches(X, Y, mini_batch_size, seed=seed + e)``.
        bn_momentum -- momentum of the running statistics (not Adam's beta1).
        seed -- int seed for ``initialize_bn_network`` and the shuffles.
        print_cost -- print the cost after every 10th epoch; progress -- show a progress bar.
    Returns:
        ``(parameters, running, costs)``: the trained parameters, the running statistics
        (``{}`` without batch norm), and one cost per epoch: the mean over the epoch's
        examples of the mini-batch costs (each computed before that mini-batch's update).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or X.shape[0] != layer_dims[0]:
        raise ValueError(f"X must have shape ({layer_dims[0]}, m) for layer_dims {list(layer_dims)}, got {X.shape}")
    if Y.shape != (layer_dims[-1], X.shape[1]):
        raise ValueError(f"Y must be one-hot of shape {(layer_dims[-1], X.shape[1])}, got {Y.shape}")
    parameters, running = initialize_bn_network(layer_dims, seed=seed, batchnorm=batchnorm)
    if optimizer == "adam":
        v, s = initialize_adam(parameters)
    m = X.shape[1]
    t = 0
    costs = []
    desc = "with batch norm" if batchnorm else "without batch norm"
    for epoch in progress_range(num_epochs, enabled=progress, desc=desc):
        total = 0.0
        for X_batch, Y_batch in random_mini_batches(X, Y, mini_batch_size, seed=seed + epoch):
            AL, caches, running = bn_network_forward(X_batch, parameters, running, "train", bn_momentum)
            total += softmax_cross_entropy_cost(AL, Y_batch) * X_batch.shape[1]
            grads = bn_network_backward(AL, Y_batch, caches)
            if optimizer == "adam":
                t += 1
                parameters, v, s, _, _ = update_parameters_with_adam(parameters, grads, v, s, t, learning_rate,
                                                                     beta1, beta2, epsilon)
            else:
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
        costs.append(total / m)
        if print_cost and epoch % 10 == 0:
            print(f"Cost after epoch {epoch}: {costs[-1]:.6f}")
    return parameters, running, costs


def bn_network_predict(X, parameters, running=None):
    """Predicted classes, with batch norm in test mode (running statistics).

    Arguments: X ``(n0, m)``; parameters; running (required with batch norm).
    Returns: ``(1, m)`` int array of class indices 0, ..., C-1. Each column is classified on
    its own: the result for one example does not depend on the others in X.
    """
    AL, _, _ = bn_network_forward(X, parameters, running, mode="test")
    return predict_classes(AL)
