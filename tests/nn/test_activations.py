"""course_utils.nn.activations: values, derivatives and forward/backward pairs.

Each test draws from its own seeded generator, so its data do not depend on which tests ran
before it on the same xdist worker.
"""

import numpy as np
import pytest

import course_utils.nn.activations as act

ELEMENTWISE = [
    (act.sigmoid, act.sigmoid_derivative),
    (act.tanh, act.tanh_derivative),
    (act.relu, act.relu_derivative),
    (act.leaky_relu, act.leaky_relu_derivative),
]


@pytest.mark.parametrize("f, df", ELEMENTWISE, ids=lambda f: f.__name__)
def test_derivatives_match_finite_differences(f, df, check_backward):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 7)) * 3
    x = x[np.abs(x) > 1e-3]  # kinks of relu/leaky_relu are at 0
    # An elementwise f: the gradient of sum(f(x) * 1) is f'(x). Where tanh saturates (|x| ~ 7 in
    # these data, tanh' ~ 3.5e-6) the central difference of values ~1 keeps ~2e-6 of relative
    # rounding error, so the entrywise tol is 1e-5 and the former absolute bound is kept too.
    (num,) = check_backward(f, [x], np.ones_like(x), [df(x)], tol=1e-5, names=["x"])
    np.testing.assert_allclose(df(x), num, rtol=1e-6, atol=1e-8)


def test_kinks_at_zero_are_defined():
    assert act.relu_derivative(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu_derivative(np.array([0.0]), alpha=0.1)[0] == 0.1
    assert act.relu(np.array([0.0]))[0] == 0.0


def test_sigmoid_is_stable_and_silent():  # basic_sigmoid: tests/exercises/test_numpy_basics.py
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # an overflow would raise
        s = act.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


def test_softmax_sums_to_one_along_axis_and_is_shift_invariant():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5))
    np.testing.assert_allclose(act.softmax(x).sum(axis=0), 1.0)
    np.testing.assert_allclose(act.softmax(x, axis=1).sum(axis=1), 1.0)
    np.testing.assert_allclose(act.softmax(x + 1000.0), act.softmax(x))
    # the lecture's example (track 2): z = [5, 2, -1, 3]
    np.testing.assert_allclose(act.softmax(np.array([5.0, 2, -1, 3])), [0.842, 0.042, 0.002, 0.114], atol=5e-4)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_forward_backward_pairs(name, check_backward):
    rng = np.random.default_rng(0)
    forward, backward = getattr(act, f"{name}_forward"), getattr(act, f"{name}_backward")
    Z = rng.standard_normal((3, 4))
    dA = rng.standard_normal((3, 4))
    A, cache = forward(Z)
    np.testing.assert_allclose(A, getattr(act, name)(Z))
    # backward(dA, cache) -> (dZ, {}): the layer interface; an activation has no parameter gradients.
    # dZ = dA * f'(Z) is the gradient of sum(dA * f(Z)), checked with finite differences.
    dZ, param_grads = backward(dA, cache)
    assert param_grads == {}
    check_backward(lambda z: forward(z)[0], [Z], dA, [dZ], names=["Z"])
    with pytest.raises(ValueError, match="shape"):
        backward(dA[:, :2], cache)


def test_log_softmax_is_the_log_of_softmax_and_stays_finite_where_softmax_underflows():
    x = np.array([[5.0, 2.0], [2.0, -1.0], [-1.0, 3.0], [3.0, 0.0]])
    np.testing.assert_allclose(act.log_softmax(x), np.log(act.softmax(x)), rtol=1e-12)
    np.testing.assert_allclose(act.log_softmax(x.T, axis=-1), np.log(act.softmax(x.T, axis=-1)), rtol=1e-12)
    far = np.array([0.0, -800.0])          # softmax gives exactly 0 for the second class; its log is -800
    assert act.softmax(far)[1] == 0.0
    np.testing.assert_allclose(act.log_softmax(far), [0.0, -800.0])
    assert act.log_softmax(np.float32([1, 2, 3])).dtype == np.float32
    assert act.log_softmax(np.array([1, 2])).dtype == np.float64   # integers become float64
