"""Activation functions, their derivatives, and forward/backward layer pairs.

Conventions (see ARCHITECTURE.md at the repository root): every function accepts a numpy
array of any shape (or a number where noted) and returns a new array of the same shape;
nothing is modified in place. Forward/backward pairs follow ``*_forward(Z) -> (A, cache)``
and ``*_backward(dA, cache) -> (dZ, {})``: the layer interface of :mod:`course_utils.nn.linear`,
whose second item holds the layer's parameter gradients (an activation has none).

:mod:`course_utils.autodiff` lifts ``sigmoid``, ``tanh`` and ``relu`` to Tensors: same name,
same parameter ``z``, same values.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid", "sigmoid_derivative", "sigmoid_forward", "sigmoid_backward",
    "tanh", "tanh_derivative", "tanh_forward", "tanh_backward",
    "relu", "relu_derivative", "relu_forward", "relu_backward",
    "leaky_relu", "leaky_relu_derivative", "leaky_relu_forward", "leaky_relu_backward",
    "softmax", "log_softmax",
]


def sigmoid(z):
    """Sigmoid ``1 / (1 + e^-z)`` elementwise.

    Arguments: z -- number or array of any shape. Returns: a new float array of the same
    shape (a ``np.float64`` for a number), values in [0, 1] (exactly 0 or 1 only where float64
    rounds).
    Computed as ``exp(-log(1 + e^-z))`` (``np.logaddexp(0, -z)`` is ``log(1 + e^-z)`` without
    overflow) so that large ``|z|`` neither overflows nor warns.
    :func:`course_utils.autodiff.sigmoid` is the same function lifted to Tensors.
    Source: the logistic function, Verhulst (1845), "Recherches mathematiques sur la loi
    d'accroissement de la population"; as the activation of units trained by
    back-propagation, Rumelhart, Hinton & Williams (1986), "Learning representations by
    back-propagating errors", Nature. The stable form is the identity
    ``1 + e^-z = exp(logaddexp(0, -z))``, not a published method.
    """
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_derivative(x):
    """Derivative of the sigmoid at ``x``: ``s(x) * (1 - s(x))``. Same shape as ``x``.

    Arguments: x -- number or array of any shape. Returns: a new float array, values in [0, 0.25].
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent elementwise. Same shape as ``z``, values in (-1, 1).

    Arguments: z -- number or array of any shape. Returns: a new float array of the same shape
    (a ``np.float64`` for a number); it rounds to -1 or 1 for ``|z|`` beyond about 19.
    :func:`course_utils.autodiff.tanh` is the same function lifted to Tensors.
    Source: as an activation, preferred to the logistic sigmoid by LeCun, Bottou, Orr & Müller
    (1998), "Efficient BackProp", in Neural Networks: Tricks of the Trade, Springer, LNCS 1524.
    """
    return np.tanh(np.asarray(z, dtype=float))


def tanh_derivative(z):
    """Derivative of tanh at ``z``: ``1 - tanh(z)^2``. Same shape as ``z``.

    Arguments: z -- number or array of any shape. Returns: a new float array, values in [0, 1].
    """
    t = np.tanh(np.asarray(z, dtype=float))
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit ``max(0, z)`` elementwise. Same shape as ``z``.

    Arguments: z -- number or array of any shape. Returns: a new float array of the same shape
    (a ``np.float64`` for a number).
    :func:`course_utils.autodiff.relu` is the same function lifted to Tensors.
    Source: Nair & Hinton (2010), "Rectified Linear Units Improve Restricted Boltzmann
    Machines", ICML; Glorot, Bordes & Bengio (2011), "Deep Sparse Rectifier Neural Networks",
    AISTATS.
    """
    return np.maximum(0.0, np.asarray(z, dtype=float))


def relu_derivative(z):
    """Derivative of ReLU: 1 where ``z > 0``, else 0 (we take 0 at ``z == 0``).

    Arguments: z -- number or array of any shape. Returns: a new float array of the same shape.
    """
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z, alpha: float = 0.01):
    """Leaky ReLU ``max(alpha * z, z)`` for ``0 <= alpha < 1``. Same shape as ``z``.

    Arguments: z -- number or array of any shape; alpha -- the slope for ``z <= 0`` (not
    checked; computed as ``z`` where ``z > 0``, else ``alpha * z``).
    Returns: a new float array of the same shape (0-d for a number).
    Source: Maas, Hannun & Ng (2013), "Rectifier Nonlinearities Improve Neural Network Acoustic
    Models", ICML Workshop on Deep Learning for Audio, Speech and Language Processing (with
    alpha = 0.01, the default here).
    """
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_derivative(z, alpha: float = 0.01):
    """Derivative of leaky ReLU: 1 where ``z > 0``, else ``alpha`` (``alpha`` at 0).

    Arguments: z -- number or array of any shape; alpha -- the slope for ``z <= 0``.
    Returns: a new float array of the same shape.
    """
    return np.where(np.asarray(z) > 0, 1.0, alpha)


def softmax(x, axis: int = 0):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, shifted by the max for stability.

    Arguments:
        x -- array of any shape.
        axis -- the axis that holds the classes. The default 0 matches the course's
                column-major data: scores of shape ``(n_classes, m)``.
    Returns: array of the same shape whose entries along ``axis`` sum to 1.
    Source: Bridle (1990), "Probabilistic Interpretation of Feedforward Classification Network
    Outputs, with Relationships to Statistical Pattern Recognition", in Neurocomputing (NATO
    ASI Series), Springer. Subtracting the maximum (which leaves the result unchanged) keeps
    ``exp`` from overflowing: Goodfellow, Bengio & Courville (2016), Deep Learning, MIT Press,
    Sec. 4.1.
    """
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis: int = 0):
    """The logarithm of :func:`softmax` along ``axis``: ``x - max - log(sum(exp(x - max)))``.

    Arguments:
        x -- array of any shape (scores, logits).
        axis -- the axis that holds the classes (default 0, as :func:`softmax`; -1 for batch-first scores).
    Returns: array of the same shape, entries <= 0 whose exponentials sum to 1 along ``axis``; float32
    stays float32, any other input becomes float64. Finite wherever ``x`` is, even where ``softmax``
    rounds to 0 (a decoder's log P(y|x) sums these; a product of probabilities underflows).
    Source: the log-sum-exp shift as in Goodfellow, Bengio & Courville (2016), Deep Learning, MIT Press, Sec. 4.1.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(float)
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# --- forward/backward pairs: cache holds Z, the layer's input -------------------------

def _check_same_shape(dA, Z, name):
    if np.shape(dA) != np.shape(Z):
        raise ValueError(f"{name}: dA has shape {np.shape(dA)} but the cached Z has shape {np.shape(Z)}")


def sigmoid_forward(Z):
    """A = sigmoid(Z). Returns ``(A, cache)`` with ``cache = Z``; A has Z's shape.

    Arguments: Z -- array of any shape, e.g. ``(n_l, m)``. ``cache`` is a float copy of Z.
    """
    return sigmoid(Z), np.array(Z, dtype=float, copy=True)


def sigmoid_backward(dA, cache):
    """dZ = dA * s(Z) * (1 - s(Z)) for the sigmoid layer; dA and Z have the same shape.

    Arguments: dA -- ``(n_l, m)`` (any shape); cache -- Z from :func:`sigmoid_forward`, dA's shape.
    Returns: ``(dZ, {})``: dZ a new array of that shape; no parameter gradients.
    Raises: ValueError if dA and the cached Z have different shapes.
    """
    _check_same_shape(dA, cache, "sigmoid_backward")
    return np.asarray(dA, dtype=float) * sigmoid_derivative(cache), {}


def tanh_forward(Z):
    """A = tanh(Z). Returns ``(A, cache)`` with ``cache = Z``.

    Arguments: Z -- array of any shape; A has Z's shape, ``cache`` is a float copy of Z.
    """
    return tanh(Z), np.array(Z, dtype=float, copy=True)


def tanh_backward(dA, cache):
    """dZ = dA * (1 - tanh(Z)^2); dA and Z have the same shape.

    Arguments: dA -- any shape; cache -- Z from :func:`tanh_forward`, dA's shape.
    Returns: ``(dZ, {})``: dZ a new array of that shape; no parameter gradients.
    Raises: ValueError if dA and the cached Z have different shapes.
    """
    _check_same_shape(dA, cache, "tanh_backward")
    return np.asarray(dA, dtype=float) * tanh_derivative(cache), {}


def relu_forward(Z):
    """A = max(0, Z). Returns ``(A, cache)`` with ``cache = Z``.

    Arguments: Z -- array of any shape; A has Z's shape, ``cache`` is a float copy of Z.
    """
    return relu(Z), np.array(Z, dtype=float, copy=True)


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0; ``dA`` is left unchanged.

    Arguments: dA -- any shape; cache -- Z from :func:`relu_forward`, dA's shape.
    Returns: ``(dZ, {})``: dZ a new array of that shape; no parameter gradients.
    Raises: ValueError if dA and the cached Z have different shapes.
    """
    _check_same_shape(dA, cache, "relu_backward")
    return np.where(np.asarray(cache) > 0, np.asarray(dA, dtype=float), 0.0), {}


def leaky_relu_forward(Z, alpha: float = 0.01):
    """A = leaky_relu(Z). Returns ``(A, cache)`` with ``cache = (Z, alpha)``.

    Arguments: Z -- array of any shape; alpha -- the slope for Z <= 0. A has Z's shape;
    the cached Z is a float copy.
    """
    return leaky_relu(Z, alpha), (np.array(Z, dtype=float, copy=True), alpha)


def leaky_relu_backward(dA, cache):
    """dZ = dA where Z > 0, else alpha * dA.

    Arguments: dA -- any shape; cache -- ``(Z, alpha)`` from :func:`leaky_relu_forward`, Z of dA's shape.
    Returns: ``(dZ, {})``: dZ a new array of that shape; no parameter gradients.
    Raises: ValueError if dA and the cached Z have different shapes.
    """
    Z, alpha = cache
    _check_same_shape(dA, Z, "leaky_relu_backward")
    return np.asarray(dA, dtype=float) * leaky_relu_derivative(Z, alpha), {}
