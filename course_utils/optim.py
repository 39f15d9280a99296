"""Parameter updates. Track 1 uses plain gradient descent; Track 2 adds momentum,
RMSprop and Adam here, each with its state kept explicitly by the caller."""

from __future__ import annotations

import numpy as np

__all__ = ["update_parameters"]


def update_parameters(parameters: dict, grads: dict, learning_rate: float) -> dict:
    """One gradient-descent step: ``P = P - learning_rate * dP`` for every parameter.

    Arguments: parameters ``{"W1": ..., "b1": ..., ...}``; grads with a ``"d" + key`` entry of the
    same shape for each parameter key (extra entries such as ``"dA0"`` are ignored).
    Returns: a new dict; the inputs are not modified.
    """
    new = {}
    for key, value in parameters.items():
        g = grads.get("d" + key)
        if g is None:
            raise KeyError(f"update_parameters: grads has no 'd{key}' for parameter {key!r}")
        if np.shape(g) != np.shape(value):
            raise ValueError(f"update_parameters: d{key} has shape {np.shape(g)}, {key} has {np.shape(value)}")
        new[key] = value - learning_rate * g
    return new
