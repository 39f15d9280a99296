"""Track 1, notebook 05 (deep network application): the classic training functions, as thin
adapters over :func:`course_utils.models.mlp.train_mlp` (and so over the library's one training loop).

Both train with full-batch gradient descent and return ``(parameters, costs)``, the cost recorded at
every 100th iteration from 0 (before that iteration's update), as the classic assignment does.
"""

from __future__ import annotations

from course_utils.exercises.deep_step_by_step import (L_model_backward, L_model_forward, compute_cost,
                                                     initialize_parameters_deep, linear_activation_backward,
                                                     linear_activation_forward, update_parameters)
from course_utils.exercises.shallow_network import initialize_parameters
from course_utils.models.mlp import train_mlp

# The helpers the student's two_layer_model and L_layer_model call are the classic ones of notebooks
# 03 and 04 (three-tuple backward steps), re-exported here for this notebook's setup cell.
__all__ = ["two_layer_model", "L_layer_model", "initialize_parameters", "initialize_parameters_deep",
           "linear_activation_forward", "linear_activation_backward", "L_model_forward", "L_model_backward",
           "compute_cost", "update_parameters"]


def _train(X, Y, parameters, learning_rate, num_iterations, print_cost, progress, desc):
    parameters, history = train_mlp(X, Y, parameters, optimizer="gd", config={"learning_rate": learning_rate},
                                    num_epochs=num_iterations, record_every=100,
                                    print_every=100 if print_cost else None, progress=progress, desc=desc)
    return parameters, history["cost"]


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, *,
                    seed=1, progress=False):
    """Train LINEAR -> RELU -> LINEAR -> SIGMOID with gradient descent.

    Arguments: X ``(n_x, m)``; Y ``(1, m)``; layers_dims ``(n_x, n_h, n_y)``.
    Initialisation: ``initialize_parameters(n_x, n_h, n_y, seed)`` (weights * 0.01).
    Returns: ``(parameters, costs)``, the cost recorded at every 100th iteration from 0.
    """
    n_x, n_h, n_y = layers_dims
    return _train(X, Y, initialize_parameters(n_x, n_h, n_y, seed=seed), learning_rate, num_iterations,
                  print_cost, progress, "2-layer model")


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, *,
                  seed=1, progress=False):
    """Train an L-layer network ([LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID).

    Initialisation: ``initialize_parameters_deep(layers_dims, seed, scale="xavier")``.
    Returns: ``(parameters, costs)``, the cost recorded at every 100th iteration from 0.
    """
    return _train(X, Y, initialize_parameters_deep(layers_dims, seed=seed, scale="xavier"), learning_rate,
                  num_iterations, print_cost, progress, f"{len(layers_dims) - 1}-layer model")
