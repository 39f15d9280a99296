"""Regularisation of a 3-layer network: L2 (weight decay) and inverted dropout (Track 2, notebook 02).

The network is LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID with parameters
``{"W1": (n1, n0), "b1": (n1, 1), "W2": (n2, n1), "b2": (n2, 1), "W3": (1, n2), "b3": (1, 1)}``.
Data is column-major: X ``(n0, m)``, Y ``(1, m)`` of 0/1.

Caches are flat tuples, in this order:

* plain forward pass: ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)``;
* dropout forward pass: ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)``, where D1, D2
  are the boolean keep-masks and A1, A2 are the activations *after* dropout and rescaling.

Gradients are dicts with the keys ``dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1``.
The ReLU derivative is taken as 0 where Z = 0.

Every function returns new arrays and dicts; no argument is modified in place.

Sources: L2 regularisation (weight decay), Krogh & Hertz (1992), "A Simple Weight Decay Can Improve
Generalization", NIPS; dropout, Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (2014),
"Dropout: A Simple Way to Prevent Neural Networks from Overfitting", JMLR 15 (the "inverted" scaling
at training time is the common implementation of the paper's test-time weight scaling).
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises.deep_step_by_step import linear_backward, relu_backward
from course_utils.nn.activations import relu, sigmoid
from course_utils.nn.dropout import dropout_forward
from course_utils.nn.init import initialize_parameters_deep
from course_utils.nn.l2 import l2_penalty, l2_penalty_backward
from course_utils.nn.linear import linear_forward
from course_utils.nn.losses import cross_entropy_cost
from course_utils.optim.loop import train
from course_utils.rng import make_rng

__all__ = [
    "forward_propagation", "backward_propagation", "compute_cost", "compute_cost_with_regularization",
    "backward_propagation_with_regularization", "forward_propagation_with_dropout",
    "backward_propagation_with_dropout", "model", "predict", "DEFAULT_LAYERS",
]

#: hidden sizes used by :func:`model` when ``layers_dims`` is not given: ``[n_x, 20, 3, 1]``
DEFAULT_LAYERS = (20, 3, 1)

compute_cost = cross_entropy_cost

_WEIGHTS = ("W1", "W2", "W3")
_PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")


# --- validation ---------------------------------------------------------------------------

def _check_parameters(X, parameters):
    missing = [k for k in _PARAMS if k not in parameters]
    if missing:
        raise ValueError(f"parameters must hold {list(_PARAMS)}; missing {missing}")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_x, m), got {X.shape}")
    n_prev = X.shape[0]
    for l in (1, 2, 3):
        W, b = np.shape(parameters[f"W{l}"]), np.shape(parameters[f"b{l}"])
        if len(W) != 2 or W[1] != n_prev:
            raise ValueError(f"W{l} must have shape (n{l}, {n_prev}), got {W}")
        if b != (W[0], 1):
            raise ValueError(f"b{l} must have shape {(W[0], 1)}, got {b}")
        n_prev = W[0]
    if n_prev != 1:
        raise ValueError(f"W3 must have one row (a single sigmoid output), got shape {np.shape(parameters['W3'])}")
    return X


def _check_xy(X, Y, A3):
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 2 or X.shape[1] != A3.shape[1]:
        raise ValueError(f"X must have shape (n_x, {A3.shape[1]}) to match the cache, got {X.shape}")
    if Y.shape != A3.shape:
        raise ValueError(f"Y must have shape {A3.shape} (like A3), got {Y.shape}")
    return X, Y


def _check_cache(cache, length, name):
    if not isinstance(cache, (tuple, list)) or len(cache) != length:
        got = len(cache) if isinstance(cache, (tuple, list)) else type(cache).__name__
        raise ValueError(f"{name}: the cache must be a tuple of {length} arrays, got {got}")


def _check_keep_prob(keep_prob):
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")


def _check_lambd(lambd):
    if lambd < 0:
        raise ValueError(f"lambd must be >= 0, got {lambd}")


# --- forward and backward passes ---------------------------------------------------------

def forward_propagation(X, parameters):
    """Forward pass LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID.

    Arguments:
        X -- data ``(n0, m)``.
        parameters -- dict W1 ``(n1, n0)``, b1 ``(n1, 1)``, W2 ``(n2, n1)``, b2 ``(n2, 1)``,
            W3 ``(1, n2)``, b3 ``(1, 1)``.
    Returns:
        ``(A3, cache)``: A3 ``(1, m)`` probabilities; cache
        ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)`` with Z_l, A_l of shape ``(n_l, m)``.
    Raises: ValueError if parameters lack one of W1, b1, W2, b2, W3, b3, if X is not 2-D,
    or if the shapes do not chain (W_l ``(n_l, n_{l-1})`` with n0 the rows of X, b_l ``(n_l, 1)``,
    W3 with one row).
    """
    X = _check_parameters(X, parameters)
    W1, b1, W2, b2, W3, b3 = (np.asarray(parameters[k], dtype=float) for k in _PARAMS)
    Z1, _ = linear_forward(X, W1, b1)
    A1 = relu(Z1)
    Z2, _ = linear_forward(A1, W2, b2)
    A2 = relu(Z2)
    Z3, _ = linear_forward(A2, W3, b3)
    A3 = sigmoid(Z3)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def _backward(X, Y, Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3, mask1=None, mask2=None, lambd=0.0):
    """The shared backward pass; masks (already divided by keep_prob) and lambd are optional."""
    m = X.shape[1]
    dZ3 = A3 - Y
    dA2, dW3, db3 = linear_backward(dZ3, (A2, W3, b3))
    if mask2 is not None:
        dA2 = dA2 * mask2
    dZ2 = relu_backward(dA2, Z2)
    dA1, dW2, db2 = linear_backward(dZ2, (A1, W2, b2))
    if mask1 is not None:
        dA1 = dA1 * mask1
    dZ1 = relu_backward(dA1, Z1)
    _, dW1, db1 = linear_backward(dZ1, (X, W1, b1))
    if lambd:
        decay = l2_penalty_backward({"W1": W1, "W2": W2, "W3": W3}, lambd, m)
        dW1, dW2, dW3 = dW1 + decay["dW1"], dW2 + decay["dW2"], dW3 + decay["dW3"]
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def backward_propagation(X, Y, cache):
    """Gradients of the cross-entropy cost for the network of :func:`forward_propagation`.

    Arguments:
        X -- data ``(n0, m)``; Y -- labels ``(1, m)``;
        cache -- the 12-tuple returned by :func:`forward_propagation`.
    Returns:
        dict with dZ3 ``(1, m)``, dW3 ``(1, n2)``, db3 ``(1, 1)``, dA2 and dZ2 ``(n2, m)``, dW2 ``(n2, n1)``,
        db2 ``(n2, 1)``, dA1 and dZ1 ``(n1, m)``, dW1 ``(n1, n0)``, db1 ``(n1, 1)``.
        dZ3 = A3 - Y; dW and db are averaged over the m examples.
    Raises: ValueError if cache is not a tuple (or list) of 12, if X is not 2-D with the m columns
    of the cached A3, if Y's shape differs from A3's, or if the cached arrays do not fit together.
    """
    _check_cache(cache, 12, "backward_propagation")
    X, Y = _check_xy(X, Y, np.asarray(cache[9]))
    return _backward(X, Y, *cache)


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """Cross-entropy cost plus the L2 penalty ``lambd / (2 m) * sum_l ||W_l||_F^2``.

    Arguments:
        A3 -- probabilities ``(1, m)``; Y -- labels 0/1 ``(1, m)``;
        parameters -- dict with the weights W1, W2, W3 (every key "W<l>" counts; biases do not);
        lambd -- the regularisation strength lambda >= 0.
    Returns:
        the cost, a Python float. With ``lambd = 0`` it is the plain cross-entropy.
    Raises: ValueError if A3 is not 2-D, Y's shape differs from A3's, lambd < 0, A3 has no
    column (m = 0), or parameters hold no weight matrix ``W<l>``.
    Source: Krogh & Hertz (1992), "A Simple Weight Decay Can Improve Generalization", NIPS; the
    ``lambd / (2 m)`` scaling is the lecture's.
    """
    A3 = np.asarray(A3, dtype=float)
    if A3.ndim != 2 or np.shape(Y) != A3.shape:
        raise ValueError(f"A3 and Y must have the same shape (1, m); got A3 {A3.shape} and Y {np.shape(Y)}")
    _check_lambd(lambd)
    m = A3.shape[1]
    cross_entropy = cross_entropy_cost(A3, Y)
    return float(cross_entropy + l2_penalty(parameters, lambd, m))


def backward_propagation_with_regularization(X, Y, cache, lambd):
    """Gradients of :func:`compute_cost_with_regularization`.

    The same as :func:`backward_propagation`, except ``dW_l = (1/m) dZ_l A_{l-1}^T + (lambd / m) W_l``
    for l = 1, 2, 3; the dZ, dA and db entries are unchanged.
    Arguments: X ``(n0, m)``; Y ``(1, m)``; cache from :func:`forward_propagation`; lambd >= 0.
    Returns: the gradient dict (keys and shapes as in :func:`backward_propagation`).
    Raises: ValueError if cache is not a tuple (or list) of 12, if lambd < 0, if X is not 2-D with
    the m columns of the cached A3, if Y's shape differs from A3's, or if the cached arrays do not
    fit together.
    Source: Krogh & Hertz (1992), NIPS (weight decay).
    """
    _check_cache(cache, 12, "backward_propagation_with_regularization")
    _check_lambd(lambd)
    X, Y = _check_xy(X, Y, np.asarray(cache[9]))
    return _backward(X, Y, *cache, lambd=lambd)


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5, seed=1):
    """Forward pass with inverted dropout on the two hidden layers.

    ``rng = np.random.default_rng(seed)`` (``seed`` may also be a Generator, which is then used
    and advanced). After ``A1 = relu(Z1)``: ``D1 = rng.random(A1.shape) < keep_prob``,
    ``A1 = A1 * D1 / keep_prob``; then, after ``A2 = relu(Z2)``, the same with ``D2`` (drawn second).
    The output layer is never dropped.

    Arguments: X ``(n0, m)``; parameters as in :func:`forward_propagation`; keep_prob in (0, 1];
        seed -- int or np.random.Generator.
    Returns:
        ``(A3, cache)``: A3 ``(1, m)``; cache ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)``
        with boolean masks D1 ``(n1, m)``, D2 ``(n2, m)`` and A1, A2 after dropout.
        With ``keep_prob = 1`` every mask is all True and the result equals :func:`forward_propagation`.
    Raises: ValueError if parameters lack one of W1, b1, W2, b2, W3, b3, if X is not 2-D,
    or if the shapes do not chain (W_l ``(n_l, n_{l-1})`` with n0 the rows of X, b_l ``(n_l, 1)``,
    W3 with one row); if keep_prob is not in (0, 1]; or if seed is a negative int (TypeError for
    a seed that is not an int, a sequence of ints, None or a Generator).
    Source: Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (2014), "Dropout: A Simple Way
    to Prevent Neural Networks from Overfitting", JMLR 15; inverted dropout scales at training time.
    """
    X = _check_parameters(X, parameters)
    _check_keep_prob(keep_prob)
    rng = make_rng(seed)
    W1, b1, W2, b2, W3, b3 = (np.asarray(parameters[k], dtype=float) for k in _PARAMS)
    Z1, _ = linear_forward(X, W1, b1)
    A1, (D1, _) = dropout_forward(relu(Z1), keep_prob, rng)
    Z2, _ = linear_forward(A1, W2, b2)
    A2, (D2, _) = dropout_forward(relu(Z2), keep_prob, rng)
    Z3, _ = linear_forward(A2, W3, b3)
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """Gradients of the cross-entropy cost through the dropped-out network.

    As :func:`backward_propagation`, but ``dA2 = (W3^T dZ3) * D2 / keep_prob`` and
    ``dA1 = (W2^T dZ2) * D1 / keep_prob``: a unit switched off in the forward pass gets no
    gradient, and the kept ones are scaled like their activations.
    Arguments: X ``(n0, m)``; Y ``(1, m)``; cache from :func:`forward_propagation_with_dropout`;
        keep_prob -- the value used in the forward pass.
    Returns: the gradient dict (keys and shapes as in :func:`backward_propagation`).
    Raises: ValueError if cache is not a tuple (or list) of 14, if keep_prob is not in (0, 1], if X
    is not 2-D with the m columns of the cached A3, if Y's shape differs from A3's, if D1 or D2
    differs in shape from its layer's activations, or if the cached arrays do not fit together.
    Source: Srivastava et al. (2014), JMLR 15 (dropout), with the inverted scaling.
    """
    _check_cache(cache, 14, "backward_propagation_with_dropout")
    _check_keep_prob(keep_prob)
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
    X, Y = _check_xy(X, Y, np.asarray(A3))
    for name, D, A in (("D1", D1, A1), ("D2", D2, A2)):
        if np.shape(D) != np.shape(A):
            raise ValueError(f"{name} must have the shape of its layer's activations {np.shape(A)}, got {np.shape(D)}")
    return _backward(X, Y, Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3,
                     mask1=np.asarray(D1, dtype=float) / keep_prob, mask2=np.asarray(D2, dtype=float) / keep_prob)


# --- training and prediction -------------------------------------------------------------

_STEPS = ("forward_propagation", "backward_propagation", "compute_cost", "compute_cost_with_regularization",
          "backward_propagation_with_regularization", "forward_propagation_with_dropout",
          "backward_propagation_with_dropout")


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1, seed=3, *,
          layers_dims=None, init_scale="xavier", record_every=1000, print_every=10000, functions=None,
          callback=None, progress=True):
    """Train the 3-layer network by batch gradient descent, with L2 (``lambd > 0``) or dropout
    (``keep_prob < 1``), or neither. Using both at once raises ValueError.

    Arguments:
        X -- data ``(n0, m)``; Y -- labels ``(1, m)``.
        learning_rate, num_iterations -- gradient-descent settings.
        print_cost -- print the cost every ``print_every`` iterations.
        lambd -- L2 strength; keep_prob -- dropout keep probability.
        seed -- initialisation ``initialize_parameters_deep(layers_dims, seed, scale=init_scale)``; the
            dropout masks come from one Generator ``np.random.default_rng(seed + 1)`` shared by all
            iterations, so every iteration drops a different set of units.
        layers_dims -- ``[n0, n1, n2, 1]`` (default ``[n0, 20, 3, 1]``).
        record_every -- record the cost at iterations 0, record_every, 2 record_every, ...
        functions -- optional dict replacing any of this module's steps by name, e.g. a student's
            ``{"compute_cost_with_regularization": ..., "backward_propagation_with_dropout": ...}``.
        callback -- optional ``callback(i, parameters)``, called whenever a cost is recorded, with
            the parameters *before* update i (to follow a dev set during training).
        progress -- show a progress bar (silent while grading).
    Returns:
        ``(parameters, costs)``: the trained parameter dict and the list of recorded costs.
        With dropout, the recorded cost is that of the dropped-out network of that iteration.
    Raises: ValueError if lambd != 0 and keep_prob < 1 (both at once), lambd < 0, keep_prob is not
    in (0, 1], functions names an unknown step, layers_dims is not ``[n0, n1, n2, 1]`` with n0 the
    rows of X and sizes >= 1, init_scale is not a number, "xavier" or "he", X and Y do not hold the
    same m examples, num_iterations is not a whole number >= 0 or record_every < 1, or from the
    steps (e.g. Y not ``(1, m)``); ValueError for a negative seed (TypeError for a seed of another
    kind); FloatingPointError if the cost becomes NaN or infinite (:func:`course_utils.optim.loop.train`).
    Sources: see the module docstring (Krogh & Hertz 1992; Srivastava et al. 2014).
    """
    if lambd and keep_prob < 1:
        raise ValueError("use L2 regularisation or dropout, not both (got lambd > 0 and keep_prob < 1)")
    _check_lambd(lambd)
    _check_keep_prob(keep_prob)
    steps = {name: globals()[name] for name in _STEPS}
    unknown = sorted(set(functions or {}) - set(_STEPS))
    if unknown:
        raise ValueError(f"functions: unknown step(s) {unknown}; allowed: {list(_STEPS)}")
    steps.update(functions or {})
    X = np.asarray(X, dtype=float)
    layers_dims = list(layers_dims) if layers_dims is not None else [X.shape[0], *DEFAULT_LAYERS]
    if len(layers_dims) != 4 or layers_dims[0] != X.shape[0] or layers_dims[-1] != 1:
        raise ValueError(f"layers_dims must be [{X.shape[0]}, n1, n2, 1], got {layers_dims}")
    parameters = initialize_parameters_deep(layers_dims, seed=seed, scale=init_scale)
    mask_rng = make_rng(None if seed is None else int(seed) + 1)

    def step(params, X_batch, Y_batch):
        if keep_prob < 1:
            A3, cache = steps["forward_propagation_with_dropout"](X_batch, params, keep_prob, seed=mask_rng)
        else:
            A3, cache = steps["forward_propagation"](X_batch, params)
        if lambd:
            return (steps["compute_cost_with_regularization"](A3, Y_batch, params, lambd),
                    steps["backward_propagation_with_regularization"](X_batch, Y_batch, cache, lambd))
        if keep_prob < 1:
            return steps["compute_cost"](A3, Y_batch), steps["backward_propagation_with_dropout"](X_batch, Y_batch, cache,
                                                                                                   keep_prob)
        return steps["compute_cost"](A3, Y_batch), steps["backward_propagation"](X_batch, Y_batch, cache)

    parameters, history = train(step, parameters, X, Y, config={"learning_rate": learning_rate},
                                num_epochs=num_iterations, record_every=record_every,
                                print_every=print_every if print_cost else None, callback=callback,
                                progress=progress, desc="training")
    return parameters, history["cost"]


def predict(parameters, X):
    """Labels ``(1, m)`` of 0.0/1.0: 1 where the network (without dropout) outputs more than 0.5.

    Arguments: parameters as in :func:`forward_propagation`; X ``(n0, m)``.
    Raises: ValueError as :func:`forward_propagation` (missing parameters, shapes that do not chain).
    """
    A3, _ = forward_propagation(X, parameters)
    return (A3 > 0.5).astype(float)
