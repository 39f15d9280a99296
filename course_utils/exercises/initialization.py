"""Weight initialisation for deep networks (Track 2, notebook 01).

Four ways to start the parameters ``{"W1": (n1, n0), "b1": (n1, 1), ..., "WL": (nL, n_{L-1}),
"bL": (nL, 1)}`` of a network with layer sizes ``layers_dims = [n0, n1, ..., nL]``:

* :func:`initialize_parameters_zeros` -- every weight 0: the units of a layer stay identical
  (the symmetry is never broken);
* :func:`initialize_parameters_random` -- standard normal weights times 10: far too large,
  the sigmoid output saturates and the first costs are huge;
* :func:`initialize_parameters_xavier` -- ``Var(W_l) = 1 / n_{l-1}`` (for tanh layers);
* :func:`initialize_parameters_he` -- ``Var(W_l) = 2 / n_{l-1}`` (for ReLU layers).

The random ones draw ``W1, ..., WL`` in that order from one ``np.random.default_rng(seed)``,
through :func:`course_utils.nn.init.initialize_parameters_deep`. Biases always start at 0.

:func:`model` trains the classic 3-layer LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
network from any of these starts with plain gradient descent; :func:`signal_stds` pushes a
batch forward and a gradient backward through a deep stack, to show how the scale of the
weights makes the signal vanish or explode.

Sources: He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers", ICCV (He initialisation);
Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural networks",
AISTATS (Xavier initialisation -- the library's variant ``1 / n_{l-1}`` is explained in
:mod:`course_utils.nn.init`).
"""

from __future__ import annotations

import numpy as np

from course_utils.models.mlp import train_mlp
from course_utils.nn.init import initialize_parameters_deep, signal_stds

__all__ = ["RANDOM_SCALE", "INITIALIZERS", "initialize_parameters_zeros", "initialize_parameters_random",
           "initialize_parameters_he", "initialize_parameters_xavier", "model",
           "signal_stds"]

#: The factor of :func:`initialize_parameters_random` (the classic "too large" start).
RANDOM_SCALE = 10.0


def _dims(layers_dims) -> list[int]:
    dims = [int(n) for n in layers_dims]
    if len(dims) < 2 or min(dims) < 1:
        raise ValueError(f"layers_dims needs at least two positive sizes [n0, n1, ...], got {list(layers_dims)}")
    return dims


def initialize_parameters_zeros(layers_dims) -> dict:
    """All-zero weights and biases.

    Arguments:
        layers_dims -- list of layer sizes ``[n0, n1, ..., nL]`` (n0 = number of inputs), length >= 2.
    Returns:
        parameters -- dict with ``W{l}`` zeros of shape ``(n_l, n_{l-1})`` and ``b{l}`` zeros of
        shape ``(n_l, 1)`` for l = 1, ..., L.
    Raises: ValueError if layers_dims has fewer than two sizes or a size below 1.
    """
    dims = _dims(layers_dims)
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = np.zeros((dims[l], dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    return parameters


def initialize_parameters_random(layers_dims, seed=3) -> dict:
    """Large random weights: ``W_l = rng.standard_normal((n_l, n_{l-1})) * 10``, zero biases.

    Arguments:
        layers_dims -- list of layer sizes ``[n0, n1, ..., nL]``, length >= 2.
        seed -- seed of the one generator ``rng = np.random.default_rng(seed)``, from which
            W1, W2, ..., WL are drawn in that order (a ``np.random.Generator`` is used as it is).
    Returns:
        parameters -- dict ``W{l}`` of shape ``(n_l, n_{l-1})``, ``b{l}`` zeros of shape ``(n_l, 1)``.
    Raises: ValueError if layers_dims has fewer than two sizes or a size below 1, or the seed is
    negative; TypeError for a seed that is not an int, a sequence of ints, None or a Generator
    (:func:`course_utils.rng.make_rng`).
    """
    return initialize_parameters_deep(_dims(layers_dims), seed=seed, scale=RANDOM_SCALE)


def initialize_parameters_he(layers_dims, seed=3) -> dict:
    """He initialisation for ReLU layers: ``W_l = rng.standard_normal((n_l, n_{l-1})) * sqrt(2 / n_{l-1})``.

    Arguments:
        layers_dims -- list of layer sizes ``[n0, n1, ..., nL]``, length >= 2.
        seed -- seed of ``rng = np.random.default_rng(seed)``; W1, ..., WL are drawn in that order.
    Returns:
        parameters -- dict ``W{l}`` of shape ``(n_l, n_{l-1})`` with variance ``2 / n_{l-1}``,
        ``b{l}`` zeros of shape ``(n_l, 1)``.
    Raises: ValueError if layers_dims has fewer than two sizes or a size below 1, or the seed is
    negative; TypeError for a seed that is not an int, a sequence of ints, None or a Generator
    (:func:`course_utils.rng.make_rng`).
    Source: He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers: Surpassing Human-Level
    Performance on ImageNet Classification", ICCV.
    """
    return initialize_parameters_deep(_dims(layers_dims), seed=seed, scale="he")


def initialize_parameters_xavier(layers_dims, seed=3) -> dict:
    """Xavier initialisation for tanh layers: ``W_l = rng.standard_normal((n_l, n_{l-1})) * sqrt(1 / n_{l-1})``.

    Arguments:
        layers_dims -- list of layer sizes ``[n0, n1, ..., nL]``, length >= 2.
        seed -- seed of ``rng = np.random.default_rng(seed)``; W1, ..., WL are drawn in that order.
    Returns:
        parameters -- dict ``W{l}`` of shape ``(n_l, n_{l-1})`` with variance ``1 / n_{l-1}``,
        ``b{l}`` zeros of shape ``(n_l, 1)``.
    Raises: ValueError if layers_dims has fewer than two sizes or a size below 1, or the seed is
    negative; TypeError for a seed that is not an int, a sequence of ints, None or a Generator
    (:func:`course_utils.rng.make_rng`).
    Source: Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks", AISTATS. Glorot & Bengio propose ``Var = 2 / (n_{l-1} + n_l)``, a compromise
    between keeping the forward signal (``1 / n_{l-1}``) and the backward gradient (``1 / n_l``) at
    unit scale; the library uses the forward-only ``1 / n_{l-1}``, as the lecture does: it equals
    Glorot's for square layers and makes "He = Xavier times sqrt(2)" exact
    (see :mod:`course_utils.nn.init`).
    """
    return initialize_parameters_deep(_dims(layers_dims), seed=seed, scale="xavier")


#: name -> initialiser ``f(layers_dims, seed)``, for :func:`model`.
INITIALIZERS = {
    "zeros": lambda layers_dims, seed=3: initialize_parameters_zeros(layers_dims),
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
    "xavier": initialize_parameters_xavier,
}


def model(X, Y, initialization="he", learning_rate=0.01, num_iterations=15000, print_cost=False, *,
          layers_dims=None, seed=3, progress=False, desc=None):
    """Train [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID with gradient descent from a chosen start.

    Arguments:
        X -- inputs, shape ``(n_x, m)``.
        Y -- labels 0/1, shape ``(1, m)``.
        initialization -- ``"zeros"``, ``"random"``, ``"he"`` or ``"xavier"`` (the initialisers of
            this module, called with ``layers_dims`` and ``seed``), or a parameter dict to start
            from (e.g. made by a student's initialiser; it is not modified).
        learning_rate, num_iterations -- gradient-descent settings.
        print_cost -- print the cost every 1000 iterations.
        layers_dims -- layer sizes ``[n_x, ..., 1]``; default ``[n_x, 10, 5, 1]`` (the classic 3-layer
            network). Ignored when ``initialization`` is a dict (its shapes decide).
        seed -- seed of the named initialiser.
        progress -- show a progress bar (never while grading).
        desc -- the progress bar's label (default: the initialisation's name).
    Returns:
        ``(parameters, costs)``: the trained parameter dict, and the costs (floats) recorded
        before the updates of iterations 0, 100, 200, ...
    Raises: ValueError if X is not 2-D or Y is not ``(1, m)``; if a given parameter dict has no W1
    with n_x columns, or is not ``W1, b1, ..., WL, bL`` with shapes that chain to one output; if
    layers_dims has fewer than two sizes, a size below 1, or does not start with n_x and end with 1;
    if initialization is neither one of the names nor a dict; if num_iterations is not a whole
    number >= 0; or if a random initialiser gets a negative seed (TypeError for a seed of another
    kind). FloatingPointError if the cost becomes NaN or infinite (:func:`course_utils.optim.loop.train`).
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.shape != (1, X.shape[1]):
        raise ValueError(f"expected X (n_x, m) and Y (1, m); got X {X.shape}, Y {Y.shape}")
    if isinstance(initialization, dict):
        parameters = {k: np.array(v, dtype=float, copy=True) for k, v in initialization.items()}
        n_in = parameters["W1"].shape[1] if "W1" in parameters else None
        if n_in != X.shape[0]:
            raise ValueError(f"W1 must have shape (n1, {X.shape[0]}) to take X {X.shape}; "
                             f"got W1 {None if n_in is None else parameters['W1'].shape}")
        name = "given start"
    elif initialization in INITIALIZERS:
        dims = [X.shape[0], 10, 5, 1] if layers_dims is None else _dims(layers_dims)
        if dims[0] != X.shape[0] or dims[-1] != 1:
            raise ValueError(f"layers_dims must start with n_x = {X.shape[0]} and end with 1, got {dims}")
        parameters = INITIALIZERS[initialization](dims, seed=seed)
        name = initialization
    else:
        raise ValueError(f"initialization must be one of {sorted(INITIALIZERS)} or a parameter dict, "
                         f"got {initialization!r}")
    parameters, history = train_mlp(X, Y, parameters, optimizer="gd", config={"learning_rate": learning_rate},
                                    num_epochs=num_iterations, record_every=100,
                                    print_every=1000 if print_cost else None, progress=progress,
                                    desc=desc or f"init: {name}")
    return parameters, history["cost"]
