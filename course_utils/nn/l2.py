"""The L2 penalty (weight decay) on a network's weight matrices, as a cost term and its gradient.

``penalty = lambd / (2 m) * sum_l ||W_l||_F^2`` over every parameter named ``W<l>`` (biases and
batch-norm parameters are not penalised). Added to the average cost, it adds ``(lambd / m) W_l``
to each ``dW_l``: "weight decay", since a gradient step then shrinks W by ``1 - learning_rate lambd / m``.

Source: Krogh & Hertz (1992), "A Simple Weight Decay Can Improve Generalization", NIPS; the
``lambd / (2 m)`` scaling is the lecture's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["weight_keys", "l2_penalty", "l2_penalty_backward"]


def weight_keys(parameters: dict) -> list:
    """The names ``W1, W2, ...`` of the weight matrices in ``parameters``, in layer order.

    Raises: ValueError if there is none.
    """
    keys = sorted((k for k in parameters if k.startswith("W") and k[1:].isdigit()), key=lambda k: int(k[1:]))
    if not keys:
        raise ValueError(f"parameters hold no weight matrix W1, W2, ...; got keys {sorted(parameters)}")
    return keys


def _check(lambd, m):
    if lambd < 0:
        raise ValueError(f"lambd must be >= 0, got {lambd}")
    if m < 1:
        raise ValueError(f"m (the number of examples) must be >= 1, got {m}")


def l2_penalty(parameters: dict, lambd: float, m: int) -> float:
    """``lambd / (2 m) * sum_l ||W_l||_F^2``, a float.

    Arguments: parameters -- dict with weights ``W<l>``; lambd >= 0; m -- examples in the batch.
    Raises: ValueError if lambd < 0, m < 1 or there is no weight matrix.
    """
    _check(lambd, m)
    total = sum(np.sum(np.square(np.asarray(parameters[k], dtype=float))) for k in weight_keys(parameters))
    return float(lambd / (2 * m) * total)


def l2_penalty_backward(parameters: dict, lambd: float, m: int) -> dict:
    """The penalty's gradient: ``{"dW<l>": (lambd / m) W_l}`` for every weight matrix.

    Raises: ValueError if lambd < 0, m < 1 or there is no weight matrix.
    """
    _check(lambd, m)
    return {"d" + k: lambd / m * np.asarray(parameters[k], dtype=float) for k in weight_keys(parameters)}
