"""Optimisers: gradient descent, mini-batches, momentum, RMSprop, Adam, learning-rate decay.

One interface for every update rule (Track 1 uses plain gradient descent; Track 2 the rest):

    parameters  {"W1": (n1, n0), "b1": (n1, 1), ...}
    grads       {"dW1": ..., "db1": ..., ...}, same shapes (extra keys such as "dA0" are ignored)
    state       the optimiser's own dicts (velocity v, squared average s, step t), created by
                its ``initialize_*`` function and returned updated by every step; the caller
                keeps them, so nothing is hidden in a global or an object.

Every update returns *new* dicts; no argument is modified in place.
"""

from __future__ import annotations

import math

import numpy as np

from course_utils.rng import make_rng

__all__ = [
    "update_parameters", "update_parameters_with_gd", "random_mini_batches",
    "initialize_velocity", "update_parameters_with_momentum",
    "initialize_rmsprop", "update_parameters_with_rmsprop",
    "initialize_adam", "update_parameters_with_adam",
    "update_lr", "schedule_lr_decay", "exponential_lr", "inverse_sqrt_lr",
]


def _grad(grads: dict, key: str, like) -> np.ndarray:
    g = grads.get("d" + key)
    if g is None:
        raise KeyError(f"grads has no 'd{key}' for parameter {key!r}")
    if np.shape(g) != np.shape(like):
        raise ValueError(f"d{key} has shape {np.shape(g)}, but {key} has {np.shape(like)}")
    return np.asarray(g, dtype=float)


def update_parameters(parameters: dict, grads: dict, learning_rate: float) -> dict:
    """One gradient-descent step: ``P = P - learning_rate * dP`` for every parameter P.

    Returns: a new parameter dict.
    """
    return {k: np.asarray(v - learning_rate * _grad(grads, k, v)) for k, v in parameters.items()}


def update_parameters_with_gd(parameters: dict, grads: dict, learning_rate: float) -> dict:
    """Gradient descent (the Track 2 name of :func:`update_parameters`)."""
    return update_parameters(parameters, grads, learning_rate)


def random_mini_batches(X, Y, mini_batch_size: int = 64, seed=0) -> list:
    """Shuffle the examples, then cut them into mini-batches.

    Arguments: X ``(n_x, m)``; Y ``(n_y, m)``; mini_batch_size; seed for
    ``np.random.default_rng(seed).permutation(m)`` (the one random draw).
    Returns: a list of ``(mini_batch_X, mini_batch_Y)``: ``m // mini_batch_size`` full batches,
    then one batch of the ``m % mini_batch_size`` remaining examples if there are any.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} examples but Y has {Y.shape[1]}")
    if mini_batch_size < 1:
        raise ValueError(f"mini_batch_size must be >= 1, got {mini_batch_size}")
    m = X.shape[1]
    permutation = make_rng(seed).permutation(m)
    X_shuffled, Y_shuffled = X[:, permutation], Y[:, permutation]
    return [(X_shuffled[:, k:k + mini_batch_size], Y_shuffled[:, k:k + mini_batch_size])
            for k in range(0, m, mini_batch_size)]


def _zeros_like_grads(parameters: dict) -> dict:
    return {"d" + k: np.zeros_like(np.asarray(v, dtype=float)) for k, v in parameters.items()}


def initialize_velocity(parameters: dict) -> dict:
    """Momentum's velocity: ``{"dW1": zeros, "db1": zeros, ...}`` shaped like the parameters."""
    return _zeros_like_grads(parameters)


def update_parameters_with_momentum(parameters: dict, grads: dict, v: dict, beta: float, learning_rate: float):
    """Momentum: ``v = beta v + (1 - beta) dP``; ``P = P - learning_rate * v``.

    Returns: ``(parameters, v)``, both new dicts.
    """
    new_p, new_v = {}, {}
    for k, p in parameters.items():
        g = _grad(grads, k, p)
        new_v["d" + k] = beta * v["d" + k] + (1 - beta) * g
        new_p[k] = np.asarray(p - learning_rate * new_v["d" + k])
    return new_p, new_v


def initialize_rmsprop(parameters: dict) -> dict:
    """RMSprop's running average of squared gradients: zeros shaped like the parameters."""
    return _zeros_like_grads(parameters)


def update_parameters_with_rmsprop(parameters: dict, grads: dict, s: dict, beta2: float = 0.999,
                                   learning_rate: float = 0.01, epsilon: float = 1e-8):
    """RMSprop: ``s = beta2 s + (1 - beta2) dP**2``; ``P = P - learning_rate * dP / (sqrt(s) + epsilon)``.

    Returns: ``(parameters, s)``, both new dicts.
    """
    new_p, new_s = {}, {}
    for k, p in parameters.items():
        g = _grad(grads, k, p)
        new_s["d" + k] = beta2 * s["d" + k] + (1 - beta2) * g ** 2
        new_p[k] = np.asarray(p - learning_rate * g / (np.sqrt(new_s["d" + k]) + epsilon))
    return new_p, new_s


def initialize_adam(parameters: dict):
    """Adam's two moment estimates: ``(v, s)``, zeros shaped like the parameters."""
    return _zeros_like_grads(parameters), _zeros_like_grads(parameters)


def update_parameters_with_adam(parameters: dict, grads: dict, v: dict, s: dict, t: int,
                                learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                                epsilon: float = 1e-8):
    """Adam, step ``t`` (counting from 1).

    ``v = beta1 v + (1 - beta1) dP``; ``s = beta2 s + (1 - beta2) dP**2``;
    ``v_hat = v / (1 - beta1**t)``; ``s_hat = s / (1 - beta2**t)``;
    ``P = P - learning_rate * v_hat / (sqrt(s_hat) + epsilon)``.
    Returns: ``(parameters, v, s, v_corrected, s_corrected)``, all new dicts.
    """
    if t < 1:
        raise ValueError(f"Adam's step t counts from 1, got {t}")
    new_p, new_v, new_s, v_hat, s_hat = {}, {}, {}, {}, {}
    for k, p in parameters.items():
        g, key = _grad(grads, k, p), "d" + k
        new_v[key] = beta1 * v[key] + (1 - beta1) * g
        new_s[key] = beta2 * s[key] + (1 - beta2) * g ** 2
        v_hat[key] = new_v[key] / (1 - beta1 ** t)
        s_hat[key] = new_s[key] / (1 - beta2 ** t)
        new_p[k] = np.asarray(p - learning_rate * v_hat[key] / (np.sqrt(s_hat[key]) + epsilon))
    return new_p, new_v, new_s, v_hat, s_hat


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """Inverse-time decay: ``learning_rate0 / (1 + decay_rate * epoch_num)``."""
    return learning_rate0 / (1 + decay_rate * epoch_num)


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000) -> float:
    """Inverse-time decay in steps: ``learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))``."""
    return learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))


def exponential_lr(learning_rate0: float, epoch_num: int, base: float = 0.95) -> float:
    """Exponential decay: ``base**epoch_num * learning_rate0``."""
    return base ** epoch_num * learning_rate0


def inverse_sqrt_lr(learning_rate0: float, epoch_num: int, k: float = 1.0) -> float:
    """``k / sqrt(epoch_num) * learning_rate0`` (epoch_num >= 1)."""
    if epoch_num < 1:
        raise ValueError("epoch_num counts from 1 for 1/sqrt(t) decay")
    return k / math.sqrt(epoch_num) * learning_rate0
