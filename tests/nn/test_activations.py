"""Unit tests of the library versions in course_utils."""

import copy
import inspect
import math

import numpy as np
import pytest

import course_utils.nn.activations as act
import course_utils.exercises.numpy_basics as arrays
import course_utils.exercises.logistic_regression as logistic
import course_utils.nn.losses as losses

rng = np.random.default_rng(0)


def numerical_derivative(f, x, eps=1e-6):
    """Elementwise central difference of an elementwise function."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize("f, df", [
    (act.sigmoid, act.sigmoid_derivative),
    (act.tanh, act.tanh_derivative),
    (act.relu, act.relu_derivative),
    (act.leaky_relu, act.leaky_relu_derivative),
])
def test_derivatives_match_finite_differences(f, df):
    x = rng.standard_normal((4, 7)) * 3
    x = x[np.abs(x) > 1e-3]  # kinks of relu/leaky_relu are at 0
    np.testing.assert_allclose(df(x), numerical_derivative(f, x), rtol=1e-6, atol=1e-8)


def test_kinks_at_zero_are_defined():
    assert act.relu_derivative(np.array([0.0]))[0] == 0.0
    assert act.leaky_relu_derivative(np.array([0.0]), alpha=0.1)[0] == 0.1
    assert act.relu(np.array([0.0]))[0] == 0.0


def test_sigmoid_is_stable_and_silent():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # an overflow would raise
        s = act.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])
    assert act.basic_sigmoid(-1000.0) == 0.0 and act.basic_sigmoid(0) == 0.5
    assert isinstance(act.basic_sigmoid(1.0), float)
    assert math.isclose(act.basic_sigmoid(2.0), 1 / (1 + math.exp(-2.0)))


def test_softmax_sums_to_one_along_axis_and_is_shift_invariant():
    x = rng.standard_normal((3, 5))
    np.testing.assert_allclose(act.softmax(x).sum(axis=0), 1.0)
    np.testing.assert_allclose(act.softmax_rows(x).sum(axis=1), 1.0)
    np.testing.assert_allclose(act.softmax(x + 1000.0), act.softmax(x))
    # the lecture's example (track 2): z = [5, 2, -1, 3]
    np.testing.assert_allclose(act.softmax(np.array([5.0, 2, -1, 3])), [0.842, 0.042, 0.002, 0.114], atol=5e-4)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_forward_backward_pairs(name):
    forward, backward = getattr(act, f"{name}_forward"), getattr(act, f"{name}_backward")
    Z = rng.standard_normal((3, 4))
    dA = rng.standard_normal((3, 4))
    A, cache = forward(Z)
    np.testing.assert_allclose(A, getattr(act, name)(Z))
    # backward = dA * f'(Z), checked with finite differences of sum(dA * f(Z))
    eps = 1e-6
    num = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        zp, zm = Z.copy(), Z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        num[idx] = (np.sum(dA * forward(zp)[0]) - np.sum(dA * forward(zm)[0])) / (2 * eps)
    np.testing.assert_allclose(backward(dA, cache), num, rtol=1e-5, atol=1e-8)
    with pytest.raises(ValueError, match="shape"):
        backward(dA[:, :2], cache)


def test_arrays():
    img = rng.random((3, 4, 2))
    v = arrays.image2vector(img)
    assert v.shape == (24, 1) and v[1, 0] == img[0, 0, 1]
    x = np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0]])
    n = arrays.normalize_rows(x)
    np.testing.assert_allclose(np.linalg.norm(n, axis=1), 1.0)
    np.testing.assert_allclose(n[0], [0, 0.6, 0.8])
    np.testing.assert_array_equal(arrays.normalize_rows(np.zeros((1, 3))), np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"expected|expects"):
        arrays.normalize_rows(np.ones(3))
    with pytest.raises(ValueError, match="3-D"):
        arrays.image2vector(np.ones((2, 2)))


def test_losses():
    yhat = np.array([0.9, 0.2, 0.1, 0.4, 0.9])
    y = np.array([1, 0, 0, 1, 1])
    assert losses.L1(yhat, y) == pytest.approx(1.1)
    assert losses.L2(yhat, y) == pytest.approx(0.43)
    with pytest.raises(ValueError, match=r"\(5,\).*\(4,\)"):
        losses.L1(yhat, y[:4])
    Z = rng.standard_normal((1, 6)) * 3
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    assert losses.cross_entropy_cost(act.sigmoid(Z), Y) == pytest.approx(losses.cross_entropy_cost_from_logits(Z, Y))
    assert np.isfinite(losses.cross_entropy_cost(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])))


def test_propagate_gradients_match_finite_differences():
    X = rng.standard_normal((4, 9))
    Y = (rng.random((1, 9)) > 0.5).astype(float)
    w = rng.standard_normal((4, 1)) * 0.5
    b = 0.3
    grads, cost = logistic.propagate(w, b, X, Y)
    eps = 1e-6
    num_dw = np.zeros_like(w)
    for i in range(4):
        wp, wm = w.copy(), w.copy()
        wp[i] += eps
        wm[i] -= eps
        num_dw[i] = (logistic.propagate(wp, b, X, Y)[1] - logistic.propagate(wm, b, X, Y)[1]) / (2 * eps)
    num_db = (logistic.propagate(w, b + eps, X, Y)[1] - logistic.propagate(w, b - eps, X, Y)[1]) / (2 * eps)
    np.testing.assert_allclose(grads["dw"], num_dw, rtol=1e-6, atol=1e-9)
    assert grads["db"] == pytest.approx(num_db, rel=1e-6)
    assert isinstance(cost, float) and isinstance(grads["db"], float)


def test_logistic_learns_a_separable_problem():
    X = rng.standard_normal((2, 200))
    Y = (X[0:1] + 2 * X[1:2] > 0).astype(float)
    d = logistic.model(X, Y, X, Y, num_iterations=500, learning_rate=0.5)
    assert logistic.accuracy(d["Y_prediction_train"], Y) > 95
    assert len(d["costs"]) == 5 and d["costs"][0] == pytest.approx(math.log(2))
    assert all(a > b for a, b in zip(d["costs"], d["costs"][1:]))  # cost decreases
    w, b = logistic.initialize_with_zeros(3)
    assert w.shape == (3, 1) and b == 0.0 and isinstance(b, float)
    with pytest.raises(ValueError, match=r"w must have shape"):
        logistic.propagate(np.zeros((3, 1)), 0.0, X, Y)


# --- no function mutates its inputs -------------------------------------------------

def _sample_args():
    r = np.random.default_rng(1)
    Z = r.standard_normal((3, 4))
    Z[0, 0] = 0.0
    X = r.standard_normal((3, 5))
    Y = (r.random((1, 5)) > 0.5).astype(float)
    w = r.standard_normal((3, 1))
    return {
        act: {
            "basic_sigmoid": (0.3,),
            "sigmoid": (Z,), "sigmoid_derivative": (Z,), "tanh": (Z,), "tanh_derivative": (Z,),
            "relu": (Z,), "relu_derivative": (Z,), "leaky_relu": (Z,), "leaky_relu_derivative": (Z,),
            "softmax": (Z,), "softmax_rows": (Z,),
            "sigmoid_forward": (Z,), "tanh_forward": (Z,), "relu_forward": (Z,), "leaky_relu_forward": (Z,),
            "sigmoid_backward": (Z * 2, Z), "tanh_backward": (Z * 2, Z), "relu_backward": (Z * 2, Z),
            "leaky_relu_backward": (Z * 2, (Z, 0.01)),
        },
        arrays: {"image2vector": (r.random((2, 3, 4)),), "normalize_rows": (X,)},
        losses: {"L1": (Y * 0.5, Y), "L2": (Y * 0.5, Y), "cross_entropy_cost": (Y * 0.5 + 0.2, Y),
                 "cross_entropy_cost_from_logits": (Z[:1], Z[:1] > 0)},
        logistic: {"initialize_with_zeros": (3,), "propagate": (w, 0.1, X, Y),
                   "optimize": (w, 0.1, X, Y, 101, 0.01), "predict": (w, 0.1, X),
                   "model": (X, Y, X, Y, 101, 0.01), "accuracy": (Y, Y)},
    }


@pytest.mark.parametrize("module", [act, arrays, losses, logistic], ids=lambda m: m.__name__)
def test_no_function_mutates_its_inputs(module):
    samples = _sample_args()[module]
    public = set(module.__all__)
    assert public == set(samples), f"add sample inputs for {sorted(public ^ set(samples))}"
    for name, args in samples.items():
        before = copy.deepcopy(args)
        getattr(module, name)(*args)
        for a, b in zip(args, before):
            if isinstance(a, tuple):
                for x, y in zip(a, b):
                    np.testing.assert_array_equal(x, y, err_msg=f"{name} mutated an input")
            else:
                np.testing.assert_array_equal(a, b, err_msg=f"{name} mutated an input")


@pytest.mark.parametrize("module", [act, arrays, losses, logistic], ids=lambda m: m.__name__)
def test_public_functions_document_shapes(module):
    for name in module.__all__:
        doc = inspect.getdoc(getattr(module, name)) or ""
        assert len(doc) > 20, f"{module.__name__}.{name} needs a docstring that states shapes"


def test_library_never_touches_numpy_global_seed():
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    logistic.model(*([np.ones((2, 3)), np.ones((1, 3))] * 2), num_iterations=10)
    np.testing.assert_array_equal(np.random.random(3), expected)
