"""Track 2, notebook 03 (gradient checking): the exercises on the 1-D cost and the 3-layer network.

The tool itself (numerical gradients, the relative difference, its thresholds and verdict) is
:mod:`course_utils.gradcheck`; this module holds the exercise-shaped functions.

Two settings, as in the lecture:

* **1-D**: the cost ``J(theta) = theta * x`` of one real parameter, with ``dJ/dtheta = x``;
  :func:`gradient_check` compares ``x`` with ``(J(theta + eps) - J(theta - eps)) / (2 eps)``.
* **N-D**: the 3-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID of
  :mod:`course_utils.exercises.regularization`, on data X ``(n0, m)`` with labels Y ``(1, m)`` and parameters
  ``{"W1": (n1, n0), "b1": (n1, 1), "W2": (n2, n1), "b2": (n2, 1), "W3": (1, n2), "b3": (1, 1)}``.
  All parameters are stacked into one column ``theta`` (keys in the order of :data:`PARAMETER_KEYS`,
  see :func:`course_utils.gradcheck.dictionary_to_vector`); :func:`gradient_check_n` nudges every
  entry of ``theta`` by ``+-epsilon``, and compares the resulting numerical gradient with the
  analytic one, stacked in the same order (:data:`GRADIENT_KEYS`).

The number to read is the relative difference ``||grad - gradapprox|| / (||grad|| + ||gradapprox||)``
(:func:`course_utils.gradcheck.relative_difference`): about 1e-7 or less, the backward pass is right;
around 1e-5, look closely; 1e-3 or more, there is almost surely a bug.
:func:`gradient_check_by_parameter` gives the same number per parameter, to find *where* the bug is.

Source: gradient checking by two-sided (central) differences, whose error is O(epsilon^2); the
thresholds are the lecture's rules of thumb (Ng, "Improving Deep Neural Networks", week 1,
"Gradient checking"), also used in CS231n's notes -- see :mod:`course_utils.gradcheck`.

Every function returns new objects; no argument is modified in place.
"""

from __future__ import annotations

import numpy as np

import course_utils.exercises.regularization as _net
from course_utils.gradcheck import difference_message, dictionary_to_vector, numerical_gradient, relative_difference

__all__ = [
    "forward_propagation", "backward_propagation", "gradient_check",
    "forward_propagation_n", "backward_propagation_n", "numerical_gradient_n",
    "gradient_check_n", "gradient_check_by_parameter", "PARAMETER_KEYS", "GRADIENT_KEYS",
]

#: order in which the parameters are stacked into one vector theta
PARAMETER_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
#: the matching gradient keys, stacked in the same order
GRADIENT_KEYS = tuple("d" + k for k in PARAMETER_KEYS)


# --- validation -------------------------------------------------------------------------------

def _number(value, name: str) -> float:
    arr = np.asarray(value, dtype=float)
    if arr.shape != ():
        raise ValueError(f"{name} must be a single number (shape ()), got an array of shape {arr.shape}")
    return float(arr)


def _check_epsilon(epsilon) -> float:
    epsilon = _number(epsilon, "epsilon")
    if not epsilon > 0:
        raise ValueError(f"epsilon must be a positive number, got {epsilon}")
    return epsilon


def _check_y(Y, m: int):
    Y = np.asarray(Y, dtype=float)
    if Y.shape != (1, m):
        raise ValueError(f"Y must have shape (1, {m}) (one label per column of X), got {Y.shape}")
    return Y


def _check_gradients(parameters: dict, gradients: dict) -> None:
    if not isinstance(gradients, dict):
        raise ValueError(f"gradients must be a dict with keys {list(GRADIENT_KEYS)}, got {type(gradients).__name__}")
    missing = [k for k in GRADIENT_KEYS if k not in gradients]
    if missing:
        raise ValueError(f"gradients must hold {list(GRADIENT_KEYS)}; missing {missing}")
    for key in PARAMETER_KEYS:
        expected, got = np.shape(parameters[key]), np.shape(gradients["d" + key])
        if expected != got:
            raise ValueError(f"gradients['d{key}'] must have the shape of {key}, {expected}, got {got}")


# --- 1-D: J(theta) = theta * x ------------------------------------------------------------------

def forward_propagation(x, theta) -> float:
    """The cost of the 1-D example: ``J = theta * x``.

    Arguments:
        x -- a real number (shape ``()``).
        theta -- the parameter, a real number (shape ``()``).
    Returns:
        J -- the Python float ``theta * x``.
    Raises: ValueError if ``x`` or ``theta`` is not a single number (shape ``()``; an array of
    shape ``(1,)`` is refused too).
    """
    return _number(theta, "theta") * _number(x, "x")


def backward_propagation(x, theta) -> float:
    """The derivative of ``J = theta * x`` with respect to theta: ``dtheta = x``.

    Arguments:
        x -- a real number (shape ``()``).
        theta -- the parameter, a real number (shape ``()``); the derivative does not depend on it.
    Returns:
        dtheta -- the Python float ``x``.
    Raises: ValueError if ``x`` or ``theta`` is not a single number (shape ``()``).
    """
    _number(theta, "theta")
    return _number(x, "x")


def gradient_check(x, theta, epsilon=1e-7, print_msg=False) -> float:
    """Compare :func:`backward_propagation` with the two-sided difference of :func:`forward_propagation`.

    ``gradapprox = (J(theta + epsilon) - J(theta - epsilon)) / (2 epsilon)`` with
    ``J(t) = forward_propagation(x, t)``, ``grad = backward_propagation(x, theta)``, and
    ``difference = |grad - gradapprox| / (|grad| + |gradapprox|)`` (0.0 when both are 0).

    Arguments:
        x, theta -- real numbers (shape ``()``).
        epsilon -- the nudge, a positive number.
        print_msg -- if True, print :func:`difference_message` of the result.
    Returns:
        difference -- a Python float.
    Raises: ValueError if ``x`` or ``theta`` is not a single number (shape ``()``), or if epsilon
    is not a single positive number.
    Source: the two-sided difference and the 1e-7 / 1e-3 thresholds of :mod:`course_utils.gradcheck`
    (the lecture's rules of thumb).
    """
    theta, epsilon = _number(theta, "theta"), _check_epsilon(epsilon)
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    difference = relative_difference(grad, gradapprox)
    if print_msg:
        print(difference_message(difference))
    return difference


# --- N-D: the 3-layer network -------------------------------------------------------------------

def forward_propagation_n(X, Y, parameters, *, lambd=0.0):
    """Forward pass of the 3-layer network and its cost.

    Arguments:
        X -- data ``(n0, m)``.
        Y -- labels 0/1 ``(1, m)``.
        parameters -- dict W1 ``(n1, n0)``, b1 ``(n1, 1)``, W2 ``(n2, n1)``, b2 ``(n2, 1)``,
            W3 ``(1, n2)``, b3 ``(1, 1)``.
        lambd -- L2 strength lambda >= 0; the cost then includes ``lambd / (2 m) * sum_l ||W_l||_F^2``.
    Returns:
        ``(cost, cache)``: the cross-entropy cost ``-(1/m) sum(Y log A3 + (1 - Y) log(1 - A3))``
        (plus the L2 term) as a Python float, and the cache
        ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)`` with Z_l, A_l of shape ``(n_l, m)``.
    Raises: ValueError if parameters lack one of W1, ..., b3 or their shapes do not chain from X
    (:func:`course_utils.exercises.regularization.forward_propagation`), if Y is not ``(1, m)``,
    or if lambd < 0.
    """
    A3, cache = _net.forward_propagation(X, parameters)
    Y = _check_y(Y, A3.shape[1])
    if lambd:
        cost = _net.compute_cost_with_regularization(A3, Y, parameters, lambd)
    else:
        cost = float(_net.compute_cost(A3, Y))
    return cost, cache


def backward_propagation_n(X, Y, cache, *, lambd=0.0) -> dict:
    """Gradients of :func:`forward_propagation_n`'s cost, by backpropagation.

    ``dZ3 = A3 - Y``; for l = 3, 2, 1: ``dW_l = (1/m) dZ_l A_{l-1}^T (+ (lambd/m) W_l)``,
    ``db_l = (1/m) sum over examples of dZ_l``; ``dA_{l-1} = W_l^T dZ_l`` and
    ``dZ_{l-1} = dA_{l-1} * (Z_{l-1} > 0)`` (ReLU derivative 0 at Z = 0). A_0 is X.

    Arguments:
        X -- data ``(n0, m)``; Y -- labels ``(1, m)``;
        cache -- the 12-tuple from :func:`forward_propagation_n`;
        lambd -- the L2 strength used in the forward pass (default 0).
    Returns:
        dict with dZ3 ``(1, m)``, dW3 ``(1, n2)``, db3 ``(1, 1)``, dA2 and dZ2 ``(n2, m)``,
        dW2 ``(n2, n1)``, db2 ``(n2, 1)``, dA1 and dZ1 ``(n1, m)``, dW1 ``(n1, n0)``, db1 ``(n1, 1)``.
    Raises: ValueError if cache is not a 12-tuple, X or Y do not match its A3 ``(1, m)``, or lambd < 0.
    """
    if lambd:
        return _net.backward_propagation_with_regularization(X, Y, cache, lambd)
    return _net.backward_propagation(X, Y, cache)


def _ordered(parameters: dict) -> dict:
    missing = [k for k in PARAMETER_KEYS if k not in parameters]
    if missing:
        raise ValueError(f"parameters must hold {list(PARAMETER_KEYS)}; missing {missing}")
    return {k: parameters[k] for k in PARAMETER_KEYS}


def numerical_gradient_n(parameters, X, Y, epsilon=1e-7, *, lambd=0.0) -> dict:
    """Two-sided numerical gradient of :func:`forward_propagation_n`'s cost.

    For every entry p of every parameter: ``(J(p + epsilon) - J(p - epsilon)) / (2 epsilon)``,
    the other entries unchanged (:func:`course_utils.gradcheck.numerical_gradient`).

    Arguments:
        parameters -- dict as in :func:`forward_propagation_n`; X ``(n0, m)``; Y ``(1, m)``;
        epsilon -- the nudge, a positive number; lambd -- L2 strength of the cost.
    Returns:
        dict ``{"dW1": (n1, n0), "db1": (n1, 1), ..., "db3": (1, 1)}`` in the order of
        :data:`GRADIENT_KEYS`.
    Raises: ValueError if epsilon is not a single positive number, if parameters lack one of
    W1, ..., b3, or for the errors of :func:`forward_propagation_n` (shapes that do not chain from
    X, Y not ``(1, m)``, lambd < 0).
    """
    epsilon = _check_epsilon(epsilon)
    ordered = _ordered(parameters)
    forward_propagation_n(X, Y, ordered, lambd=lambd)  # validates shapes once, with a clear message

    def cost(p):
        return forward_propagation_n(X, Y, p, lambd=lambd)[0]

    return numerical_gradient(cost, ordered, epsilon)


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *, lambd=0.0) -> float:
    """Relative difference between the analytic gradients and the two-sided numerical gradient.

    ``theta`` stacks W1, b1, W2, b2, W3, b3 into one column; for every entry i,
    ``gradapprox[i] = (J(theta + epsilon e_i) - J(theta - epsilon e_i)) / (2 epsilon)`` with
    ``J`` the cost of :func:`forward_propagation_n`. ``grad`` stacks dW1, db1, ..., db3 of
    ``gradients`` (other keys are ignored). Returns
    ``||grad - gradapprox|| / (||grad|| + ||gradapprox||)``.

    Arguments:
        parameters -- dict W1 ``(n1, n0)``, b1 ``(n1, 1)``, W2 ``(n2, n1)``, b2 ``(n2, 1)``,
            W3 ``(1, n2)``, b3 ``(1, 1)``.
        gradients -- dict holding at least dW1, ..., db3, each of its parameter's shape
            (e.g. the output of :func:`backward_propagation_n`).
        X -- data ``(n0, m)``; Y -- labels ``(1, m)``.
        epsilon -- the nudge, a positive number.
        print_msg -- if True, print :func:`difference_message` of the result.
        lambd -- L2 strength of the cost (keyword only; the notebook's version has no such argument).
    Returns:
        difference -- a Python float.
    Raises: ValueError if parameters lack one of W1, ..., b3; if gradients is not a dict, lacks one
    of dW1, ..., db3, or holds one whose shape differs from its parameter's; or for the errors of
    :func:`numerical_gradient_n` (epsilon not a single positive number, shapes that do not chain
    from X, Y not ``(1, m)``, lambd < 0).
    Source: the two-sided difference and the 1e-7 / 1e-3 thresholds of :mod:`course_utils.gradcheck`
    (the lecture's rules of thumb).
    """
    ordered = _ordered(parameters)
    _check_gradients(ordered, gradients)
    numerical = numerical_gradient_n(ordered, X, Y, epsilon, lambd=lambd)
    grad, _ = dictionary_to_vector(gradients, GRADIENT_KEYS)
    gradapprox, _ = dictionary_to_vector(numerical, GRADIENT_KEYS)
    difference = relative_difference(grad, gradapprox)
    if print_msg:
        print(difference_message(difference))
    return difference


def gradient_check_by_parameter(parameters, gradients, X, Y, epsilon=1e-7, *, lambd=0.0) -> dict:
    """The relative difference of :func:`gradient_check_n`, for each parameter separately.

    Arguments: as :func:`gradient_check_n`.
    Returns:
        dict ``{"W1": float, "b1": float, ..., "b3": float}``: for each parameter P,
        ``||dP - dP_approx|| / (||dP|| + ||dP_approx||)``. The keys with a large value
        point to the part of the backward pass that holds the bug.
    Raises: ValueError as :func:`gradient_check_n` (missing or misshapen parameters or gradients,
    epsilon not a single positive number, Y not ``(1, m)``, lambd < 0).
    """
    ordered = _ordered(parameters)
    _check_gradients(ordered, gradients)
    numerical = numerical_gradient_n(ordered, X, Y, epsilon, lambd=lambd)
    return {k: relative_difference(gradients["d" + k], numerical["d" + k]) for k in PARAMETER_KEYS}
