"""course_utils.exercises.logistic_regression (Track 1, notebook 02).

Each test draws from its own seeded generator, so its data do not depend on which tests ran
before it on the same xdist worker.
"""

import math

import numpy as np
import pytest

import course_utils.exercises.logistic_regression as logistic
from course_utils.metrics.classification import accuracy


def test_propagate_gradients_match_finite_differences(check_backward):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 9))
    Y = (rng.random((1, 9)) > 0.5).astype(float)
    w = rng.standard_normal((4, 1)) * 0.5
    b = 0.3
    grads, cost = logistic.propagate(w, b, X, Y)
    # the cost is a number, so its upstream gradient is 1.0; b is passed on as a Python float
    check_backward(lambda w, b: logistic.propagate(w, b, X, Y)[1], [w, b], 1.0, [grads["dw"], grads["db"]],
                   names=["w", "b"])
    assert isinstance(cost, float) and isinstance(grads["db"], float)


def test_logistic_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 200))
    Y = (X[0:1] + 2 * X[1:2] > 0).astype(float)
    d = logistic.model(X, Y, X, Y, num_iterations=500, learning_rate=0.5)
    assert accuracy(d["Y_prediction_train"], Y) > 0.95  # a fraction in [0, 1]: the former "> 95" per cent
    assert len(d["costs"]) == 5 and d["costs"][0] == pytest.approx(math.log(2))
    assert all(a > b for a, b in zip(d["costs"], d["costs"][1:]))  # cost decreases
    w, b = logistic.initialize_with_zeros(3)
    assert w.shape == (3, 1) and b == 0.0 and isinstance(b, float)
    with pytest.raises(ValueError, match=r"w must have shape"):
        logistic.propagate(np.zeros((3, 1)), 0.0, X, Y)
