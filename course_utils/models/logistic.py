"""Logistic regression, as the library trains it: the network of :mod:`course_utils.models.mlp`
with no hidden layer (``layer_dims = [n_x, 1]``), started from zeros.

Parameters ``{"W1": (1, n_x), "b1": (1, 1)}``: ``W1`` is the lecture's ``w^T``. Predict with
:func:`course_utils.models.mlp.predict`. The classic exercise functions (``propagate``,
``optimize``, ``model`` with ``w (n_x, 1)`` and a float ``b``) are in
:mod:`course_utils.exercises.logistic_regression`.
"""

from __future__ import annotations

import numpy as np

from course_utils.models.mlp import train_mlp

__all__ = ["initialize_logistic", "train_logistic_regression"]


def initialize_logistic(n_x: int) -> dict:
    """Zero weights ``W1 (1, n_x)`` and bias ``b1 (1, 1)``: with one unit there is no symmetry to break.

    Raises: ValueError if n_x is not a positive integer.
    """
    if int(n_x) != n_x or n_x < 1:
        raise ValueError(f"n_x must be a positive integer, got {n_x!r}")
    return {"W1": np.zeros((1, int(n_x))), "b1": np.zeros((1, 1))}


def train_logistic_regression(X, Y, *, learning_rate: float = 0.5, num_iterations: int = 2000, **loop):
    """Full-batch gradient descent on the average cross-entropy, from zeros.

    Arguments: X ``(n_x, m)``; Y ``(1, m)`` of 0/1; ``**loop`` -- further arguments of
        :func:`course_utils.optim.loop.train` (record_every, print_every, progress, ...).
    Returns: ``(parameters, history)``.
    """
    return train_mlp(X, Y, initialize_logistic(np.shape(X)[0]), optimizer="gd",
                     config={"learning_rate": learning_rate}, num_epochs=num_iterations, **loop)
