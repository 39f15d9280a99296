"""A softmax classifier with batch normalisation.

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
:mod:`course_utils.nn.losses` (the softmax cross-entropy cost and its gradient), trained by
:func:`course_utils.optim.loop.train` with any update rule. Train and test behaviour is chosen by
``training=True/False``, as in every layer. No function modifies its arguments.
"""

from __future__ import annotations

import numpy as np

from course_utils.metrics.classification import predict_classes
from course_utils.nn.activations import relu_backward, relu_forward, softmax
from course_utils.nn.batchnorm import EPS, batchnorm_backward, batchnorm_forward, update_running_stats
from course_utils.nn.init import initialize_parameters_deep
from course_utils.nn.linear import linear_backward, linear_forward
from course_utils.nn.losses import softmax_cross_entropy_cost, softmax_cross_entropy_cost_backward
from course_utils.optim.loop import train
from course_utils.optim.rules import get_rule

__all__ = ["initialize_bn_network", "bn_network_forward", "bn_network_backward", "train_bn_network",
           "bn_network_predict"]


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


def bn_network_forward(X, parameters, running=None, training: bool = True, momentum: float = 0.9,
                       eps: float = EPS):
    """Forward pass, with batch statistics (``training=True``) or running statistics (``training=False``).

    Arguments:
        X -- inputs ``(n0, m)``.
        parameters -- see the module docstring; the presence of ``gamma1`` selects batch norm.
        running -- running statistics ``{"mu{l}", "var{l}": (n_l, 1)}`` or None. Required at test
            time for a batch-norm network. In training each layer's batch mean and variance are
            folded in with ``update_running_stats(..., momentum)``; with None they are not tracked.
        training -- True: normalise with the statistics of this batch; False: with the running
            statistics, which works for any m, including a single example.
        momentum -- weight of the old running value, ``running = momentum * running + (1 - momentum) * batch``.
        eps -- the epsilon of batch norm.
    Returns:
        ``(AL, caches, running)``:
        AL -- softmax probabilities ``(C, m)``, each column sums to 1;
        caches -- in training, a list of L entries: ``(linear_cache, bn_cache, Z_tilde)`` for
            each hidden layer l = 1, ..., L-1 (``linear_cache = (A_prev, W, b)``, where b is a
            zero column with batch norm; ``bn_cache`` from ``batchnorm_forward``, or None without
            batch norm; ``Z_tilde`` is the ReLU's input ``(n_l, m)``), then the output layer's
            ``linear_cache``. At test time: None.
        running -- the updated running statistics (new arrays), a copy at test time, None
            if ``running`` was None.
    Raises: ValueError if training is not a bool, for a malformed parameter dict, X of the wrong
        shape, or missing running statistics at test time.
    """
    if not isinstance(training, (bool, np.bool_)):
        raise ValueError(f"training must be True or False, got {training!r} (the old mode='train'/'test' "
                         f"strings are now training=True/False)")
    L, use_bn = _structure(parameters)
    A = _as_input(X, parameters["W1"])
    if running is not None:
        if use_bn:
            _check_running(running, parameters, L)
        running = {k: np.array(v, dtype=float, copy=True) for k, v in running.items()}
    elif use_bn and not training:
        raise ValueError("test mode (training=False) needs the running statistics (running=None was given)")
    caches = []
    for l in range(1, L):
        W = parameters[f"W{l}"]
        b = np.zeros((np.shape(W)[0], 1)) if use_bn else parameters[f"b{l}"]
        Z, linear_cache = linear_forward(A, W, b)
        bn_cache = None
        if not use_bn:
            Z_tilde = Z
        elif training:
            Z_tilde, bn_cache = batchnorm_forward(Z, parameters[f"gamma{l}"], parameters[f"beta{l}"], eps=eps)
            if running is not None:
                running[f"mu{l}"], running[f"var{l}"] = update_running_stats(
                    running[f"mu{l}"], running[f"var{l}"], bn_cache[1], bn_cache[2], momentum)
        else:
            Z_tilde, _ = batchnorm_forward(Z, parameters[f"gamma{l}"], parameters[f"beta{l}"], training=False,
                                           running_mu=running[f"mu{l}"], running_var=running[f"var{l}"], eps=eps)
        A, Z_tilde = relu_forward(Z_tilde)
        caches.append((linear_cache, bn_cache, Z_tilde))
    ZL, linear_cache = linear_forward(A, parameters[f"W{L}"], parameters[f"b{L}"])
    caches.append(linear_cache)
    AL = softmax(ZL, axis=0)
    return AL, (caches if training else None), running


def bn_network_backward(AL, Y, caches):
    """Gradients of the average softmax cross-entropy cost over the m examples of the batch.

    Arguments:
        AL -- probabilities ``(C, m)`` from ``bn_network_forward`` in training mode.
        Y -- one-hot labels ``(C, m)``.
        caches -- the caches of that forward pass.
    Returns:
        grads -- a dict with one entry per parameter, ``"d" + name``, same shapes:
        ``dW{l}`` for every layer, ``dgamma{l}``, ``dbeta{l}`` (with batch norm) or ``db{l}``
        (without) for the hidden layers, ``db{L}`` for the output layer.
    Raises: ValueError for test-mode caches (None) or shapes that do not match them.

    The chain: ``dZL = (Y_hat - Y) / m`` (the cost's gradient carries the 1/m); every layer then
    sums over the batch: ``linear_backward`` gives ``dW``, ``db`` and ``dA_prev``; through the ReLU to
    ``dZ_tilde``; ``batchnorm_backward`` gives ``dZ``, ``dgamma`` and ``dbeta``.
    """
    if caches is None:
        raise ValueError("caches is None: run bn_network_forward with training=True to get caches for the backward pass")
    AL, Y = np.asarray(AL, dtype=float), np.asarray(Y, dtype=float)
    if AL.shape != Y.shape:
        raise ValueError(f"AL and Y must have the same shape (C, m); got AL {AL.shape} and Y {Y.shape}")
    L = len(caches)
    expected = (np.shape(caches[-1][1])[0], np.shape(caches[-1][0])[1])
    if AL.shape != expected:
        raise ValueError(f"AL must have shape {expected} to match the caches, got {AL.shape}")
    grads = {}
    dA, g = linear_backward(softmax_cross_entropy_cost_backward(AL, Y), caches[-1])
    grads[f"dW{L}"], grads[f"db{L}"] = g["dW"], g["db"]
    for l in reversed(range(1, L)):
        linear_cache, bn_cache, Z_tilde = caches[l - 1]
        dZ_tilde, _ = relu_backward(dA, Z_tilde)
        if bn_cache is None:
            dA, g = linear_backward(dZ_tilde, linear_cache)
            grads[f"dW{l}"], grads[f"db{l}"] = g["dW"], g["db"]
        else:
            dZ, g_bn = batchnorm_backward(dZ_tilde, bn_cache)
            grads[f"dgamma{l}"], grads[f"dbeta{l}"] = g_bn["dgamma"], g_bn["dbeta"]
            dA, g = linear_backward(dZ, linear_cache)
            grads[f"dW{l}"] = g["dW"]  # the zero bias is not a parameter: batch norm cancels it
    return grads


def train_bn_network(X, Y, layer_dims, *, batchnorm: bool = True, optimizer="adam", learning_rate: float = 0.01,
                     num_epochs: int = 20, mini_batch_size: int = 64, bn_momentum: float = 0.9, beta1: float = 0.9,
                     beta2: float = 0.999, epsilon: float = 1e-8, seed=1, print_cost: bool = False,
                     progress: bool = False):
    """Train the network with mini-batches and any update rule, through :func:`course_utils.optim.loop.train`.

    Arguments:
        X -- inputs ``(n0, m)``; Y -- one-hot labels ``(C, m)``.
        layer_dims -- ``[n0, n1, ..., C]``.
        batchnorm -- with or without batch norm in the hidden layers.
        optimizer -- an update rule or its name (``"adam"``, ``"gd"``, ``"momentum"``, ``"rmsprop"``).
        learning_rate, beta1, beta2, epsilon -- the optimiser's hyperparameters (those it takes).
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
    Raises: ValueError for an unknown optimizer, or X, Y that do not fit layer_dims.
    """
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim != 2 or X.shape[0] != layer_dims[0]:
        raise ValueError(f"X must have shape ({layer_dims[0]}, m) for layer_dims {list(layer_dims)}, got {X.shape}")
    if Y.shape != (layer_dims[-1], X.shape[1]):
        raise ValueError(f"Y must be one-hot of shape {(layer_dims[-1], X.shape[1])}, got {Y.shape}")
    rule = get_rule(optimizer)
    config = rule.pick(learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon)
    parameters, running = initialize_bn_network(layer_dims, seed=seed, batchnorm=batchnorm)
    model_state = {"running": running}

    def step(p, X_batch, Y_batch):
        AL, caches, model_state["running"] = bn_network_forward(X_batch, p, model_state["running"], True, bn_momentum)
        return softmax_cross_entropy_cost(AL, Y_batch), bn_network_backward(AL, Y_batch, caches)

    desc = "with batch norm" if batchnorm else "without batch norm"
    parameters, history = train(step, parameters, X, Y, optimizer=rule, config=config, num_epochs=num_epochs,
                                mini_batch_size=mini_batch_size, seed=seed, print_every=10 if print_cost else None,
                                progress=progress, desc=desc)
    return parameters, model_state["running"], history["cost"]


def bn_network_predict(X, parameters, running=None):
    """Predicted classes, with batch norm in test mode (running statistics).

    Arguments: X ``(n0, m)``; parameters; running (required with batch norm).
    Returns: ``(1, m)`` int array of class indices 0, ..., C-1. Each column is classified on
    its own: the result for one example does not depend on the others in X.
    Raises: ValueError as :func:`bn_network_forward`.
    """
    AL, _, _ = bn_network_forward(X, parameters, running, training=False)
    return predict_classes(AL)
