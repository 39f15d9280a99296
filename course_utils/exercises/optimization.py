"""Track 2, notebook 04 (optimization): the classic exercise signatures, as thin adapters over
:mod:`course_utils.optim.rules`.

The library keeps each optimiser's state in one dict (``rule.update(parameters, grads, state,
config) -> (parameters, state)``); the exercises spell the state out as separate arguments and
return values, as the lecture does. ``random_mini_batches`` and the learning-rate schedules have the
same signature in the library, so the notebook imports them from :mod:`course_utils.optim`.
"""

from __future__ import annotations

from course_utils.optim.rules import adam, gd, momentum, rmsprop, zeros_like_grads

__all__ = ["update_parameters_with_gd", "initialize_velocity", "update_parameters_with_momentum",
           "initialize_rmsprop", "update_parameters_with_rmsprop", "initialize_adam", "update_parameters_with_adam"]


def update_parameters_with_gd(parameters: dict, grads: dict, learning_rate: float) -> dict:
    """Gradient descent: ``P = P - learning_rate * dP``. Returns a new parameter dict.

    Raises: KeyError if grads lacks ``"d" + name`` for a parameter; ValueError on a shape mismatch.
    """
    return gd.update(parameters, grads, {}, {"learning_rate": learning_rate})[0]


def initialize_velocity(parameters: dict) -> dict:
    """Momentum's velocity: ``{"dW1": zeros, "db1": zeros, ...}`` shaped like the parameters."""
    return zeros_like_grads(parameters)


def update_parameters_with_momentum(parameters: dict, grads: dict, v: dict, beta: float, learning_rate: float):
    """Momentum: ``v = beta v + (1 - beta) dP``; ``P = P - learning_rate * v``.

    Returns: ``(parameters, v)``, both new dicts. Source: Polyak (1964).
    """
    new_p, state = momentum.update(parameters, grads, {"v": v}, {"beta": beta, "learning_rate": learning_rate})
    return new_p, state["v"]


def initialize_rmsprop(parameters: dict) -> dict:
    """RMSprop's running average of squared gradients: zeros shaped like the parameters."""
    return zeros_like_grads(parameters)


def update_parameters_with_rmsprop(parameters: dict, grads: dict, s: dict, beta2: float = 0.999,
                                   learning_rate: float = 0.01, epsilon: float = 1e-8):
    """RMSprop: ``s = beta2 s + (1 - beta2) dP**2``; ``P = P - learning_rate * dP / (sqrt(s) + epsilon)``.

    Returns: ``(parameters, s)``, both new dicts. Source: Tieleman & Hinton (2012), lecture 6e.
    """
    new_p, state = rmsprop.update(parameters, grads, {"s": s},
                                  {"beta2": beta2, "learning_rate": learning_rate, "epsilon": epsilon})
    return new_p, state["s"]


def initialize_adam(parameters: dict):
    """Adam's two moment estimates: ``(v, s)``, zeros shaped like the parameters."""
    return zeros_like_grads(parameters), zeros_like_grads(parameters)


def update_parameters_with_adam(parameters: dict, grads: dict, v: dict, s: dict, t: int,
                                learning_rate: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                                epsilon: float = 1e-8):
    """Adam, step ``t`` (counting from 1).

    ``v = beta1 v + (1 - beta1) dP``; ``s = beta2 s + (1 - beta2) dP**2``;
    ``v_hat = v / (1 - beta1**t)``; ``s_hat = s / (1 - beta2**t)``;
    ``P = P - learning_rate * v_hat / (sqrt(s_hat) + epsilon)``.
    Returns: ``(parameters, v, s, v_corrected, s_corrected)``, all new dicts.
    Raises: ValueError if t < 1. Source: Kingma & Ba (2015), ICLR, Algorithm 1.
    """
    if t < 1:
        raise ValueError(f"Adam's step t counts from 1, got {t}")
    config = {"learning_rate": learning_rate, "beta1": beta1, "beta2": beta2, "epsilon": epsilon}
    new_p, state = adam.update(parameters, grads, {"v": v, "s": s, "t": t - 1}, config)
    v_hat = {k: val / (1 - beta1 ** t) for k, val in state["v"].items()}
    s_hat = {k: val / (1 - beta2 ** t) for k, val in state["s"].items()}
    return new_p, state["v"], state["s"], v_hat, s_hat
