"""Track 1, notebook 02 (logistic regression): the classic exercise signatures.

Logistic regression as a one-neuron network; the library trains the same model as
:mod:`course_utils.models.logistic`.

Data is column-major: ``X`` has shape ``(n_x, m)``, labels ``Y`` shape ``(1, m)``,
weights ``w`` shape ``(n_x, 1)`` and the bias ``b`` is a Python float.

Source: logistic regression and its cost, the negative log-likelihood (cross-entropy) of the
labels: Cox (1958), "The regression analysis of binary sequences", Journal of the Royal
Statistical Society, Series B.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.activations import sigmoid
from course_utils.nn.losses import cross_entropy_cost_from_logits
from course_utils.optim.loop import train

__all__ = ["initialize_with_zeros", "propagate", "optimize", "predict", "model"]


def _check_xy(w, X, Y=None):
    w, X = np.asarray(w, dtype=float), np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_x, m), got shape {X.shape}")
    if w.shape != (X.shape[0], 1):
        raise ValueError(f"w must have shape (n_x, 1) = {(X.shape[0], 1)}, got {w.shape}")
    if Y is not None:
        Y = np.asarray(Y, dtype=float)
        if Y.shape != (1, X.shape[1]):
            raise ValueError(f"Y must have shape (1, m) = {(1, X.shape[1])}, got {Y.shape}")
    return w, X, Y


def initialize_with_zeros(dim: int):
    """Weights of zeros ``(dim, 1)`` and bias ``0.0``.

    Zeros are fine for logistic regression: with a single unit there is no symmetry to break.
    Arguments: dim -- n_x, the number of features.
    Returns: ``(w, b)``: w zeros of shape ``(dim, 1)``, b the float 0.0.
    Raises: ValueError if dim is not a positive whole number (``3.0`` is accepted, ``2.5`` and
    ``"3"`` are not).
    """
    if int(dim) != dim or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    return np.zeros((int(dim), 1)), 0.0


def propagate(w, b, X, Y):
    """One forward and backward pass.

    Arguments: w ``(n_x, 1)``, b float, X ``(n_x, m)``, Y ``(1, m)`` of 0/1.
    Returns: ``(grads, cost)`` where ``grads = {"dw": (n_x, 1), "db": float}`` and cost is
    the cross-entropy as a float.
    Raises: ValueError if X is not 2-D, w is not ``(n_x, 1)`` or Y is not ``(1, m)``.
    Source: Cox (1958), "The regression analysis of binary sequences", JRSS B.
    """
    w, X, Y = _check_xy(w, X, Y)
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    cost = cross_entropy_cost_from_logits(Z, Y)
    dZ = A - Y
    grads = {"dw": (X @ dZ.T) / m, "db": float(np.sum(dZ) / m)}
    return grads, cost


def optimize(w, b, X, Y, num_iterations: int = 100, learning_rate: float = 0.009, print_cost: bool = False,
             *, progress: bool = False):
    """Gradient descent on ``w`` and ``b`` for ``num_iterations`` steps.

    Returns: ``(params, grads, costs)``: ``params = {"w", "b"}`` after the last step, the
    last ``grads``, and ``costs``, the cost recorded every 100 iterations (iteration 0 first).
    ``progress=True`` shows a progress bar.
    Raises: ValueError if X and Y are not 2-D with the same m, if num_iterations is not a whole
    number >= 0, or (from the first step on) if w is not ``(n_x, 1)`` or Y is not ``(1, m)``;
    FloatingPointError if the cost becomes NaN or infinite (:func:`course_utils.optim.loop.train`).
    """
    last = {}

    def step(params, X_batch, Y_batch):
        grads, cost = propagate(params["w"], float(params["b"]), X_batch, Y_batch)
        last["grads"] = grads
        return cost, {"dw": grads["dw"], "db": grads["db"]}

    params, history = train(step, {"w": w, "b": float(b)}, X, Y, config={"learning_rate": learning_rate},
                            num_epochs=num_iterations, record_every=100, print_every=100 if print_cost else None,
                            progress=progress, desc="gradient descent")
    return {"w": params["w"], "b": float(params["b"])}, last.get("grads"), history["cost"]


def predict(w, b, X):
    """Predicted labels ``(1, m)`` of 0.0/1.0: 1 where ``sigmoid(w^T X + b) > 0.5``.

    Arguments: w ``(n_x, 1)``, b float, X ``(n_x, m)``.
    Raises: ValueError if X is not 2-D or w is not ``(n_x, 1)``.
    """
    w, X, _ = _check_xy(w, X)
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(float)


def model(X_train, Y_train, X_test, Y_test, num_iterations: int = 2000, learning_rate: float = 0.5,
          print_cost: bool = False, *, progress: bool = False):
    """Train logistic regression from zeros and predict on both sets.

    Returns a dict with ``costs``, ``Y_prediction_test``, ``Y_prediction_train``, ``w``,
    ``b``, ``learning_rate`` and ``num_iterations``.
    Raises: ValueError and FloatingPointError as :func:`optimize` (on the training set), and
    ValueError if X_test is not 2-D with the n_x rows of X_train.
    """
    w, b = initialize_with_zeros(np.shape(X_train)[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost,
                                progress=progress)
    w, b = params["w"], params["b"]
    return {
        "costs": costs,
        "Y_prediction_test": predict(w, b, X_test),
        "Y_prediction_train": predict(w, b, X_train),
        "w": w,
        "b": b,
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }
