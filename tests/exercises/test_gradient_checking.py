"""Unit tests of course_utils.exercises.gradient_checking (Track 2, notebook 03)."""

import copy

import numpy as np
import pytest

import course_utils.exercises.gradient_checking as gc
from course_utils.gradcheck import BUG, FINE, difference_message, dictionary_to_vector, vector_to_dictionary


def make_problem(sizes=(4, 5, 3, 1), m=3, seed=0, scale=0.7):
    """Random parameters (biases too), data and 0/1 labels for the 3-layer network."""
    rng = np.random.default_rng(seed)
    params = {}
    for l in (1, 2, 3):
        params[f"W{l}"] = scale * rng.standard_normal((sizes[l], sizes[l - 1]))
        params[f"b{l}"] = scale * rng.standard_normal((sizes[l], 1))
    X = rng.standard_normal((sizes[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return params, X, Y


def independent_cost(X, Y, p, lambd=0.0):
    """The network's cost written out directly in numpy."""
    relu = lambda z: np.maximum(z, 0)
    A1 = relu(p["W1"] @ X + p["b1"])
    A2 = relu(p["W2"] @ A1 + p["b2"])
    A3 = 1 / (1 + np.exp(-(p["W3"] @ A2 + p["b3"])))
    m = X.shape[1]
    ce = -np.sum(Y * np.log(A3) + (1 - Y) * np.log(1 - A3)) / m
    return ce + lambd / (2 * m) * sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))


def central_differences(X, Y, p, lambd=0.0, eps=1e-6):
    """Numerical gradient of independent_cost, one entry at a time."""
    out = {}
    for key, value in p.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = copy.deepcopy(p), copy.deepcopy(p)
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (independent_cost(X, Y, plus, lambd) - independent_cost(X, Y, minus, lambd)) / (2 * eps)
        out["d" + key] = g
    return out


def classic_gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7):
    """The notebook's algorithm: a loop over the entries of one stacked vector theta."""
    theta, layout = dictionary_to_vector(parameters, gc.PARAMETER_KEYS)
    grad, _ = dictionary_to_vector(gradients, gc.GRADIENT_KEYS)
    gradapprox = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        J_plus, _ = gc.forward_propagation_n(X, Y, vector_to_dictionary(plus, layout))
        J_minus, _ = gc.forward_propagation_n(X, Y, vector_to_dictionary(minus, layout))
        gradapprox[i] = (J_plus - J_minus) / (2 * epsilon)
    return np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))


def buggy_gradients(X, Y, params):
    """Correct gradients with the notebook's two planted bugs: dW2 doubled, db1 with 4/m."""
    _, cache = gc.forward_propagation_n(X, Y, params)
    g = gc.backward_propagation_n(X, Y, cache)
    g["dW2"] = 2 * g["dW2"]
    g["db1"] = 4 * g["db1"]
    return g


# --- 1-D ----------------------------------------------------------------------------------------

def test_one_dimensional_forward_backward():
    assert gc.forward_propagation(3.0, -1.5) == -4.5
    assert gc.backward_propagation(3.0, -1.5) == 3.0
    assert isinstance(gc.forward_propagation(np.float64(2.0), 4), float)
    x, theta, eps = 2.5, 0.7, 1e-6
    slope = (gc.forward_propagation(x, theta + eps) - gc.forward_propagation(x, theta - eps)) / (2 * eps)
    assert np.isclose(gc.backward_propagation(x, theta), slope, rtol=1e-8)


def test_gradient_check_small_for_correct_and_large_for_wrong_derivative(monkeypatch, capsys):
    d = gc.gradient_check(3.0, 4.0)
    assert isinstance(d, float) and d < 1e-7
    assert gc.gradient_check(0.0, 1.0) == 0.0  # grad = gradapprox = 0: defined as 0
    gc.gradient_check(3.0, 4.0, print_msg=True)
    assert "agrees" in capsys.readouterr().out
    monkeypatch.setattr(gc, "backward_propagation", lambda x, theta: 2 * x)  # a wrong derivative
    wrong = gc.gradient_check(3.0, 4.0, print_msg=True)
    assert np.isclose(wrong, 1 / 3)
    assert "There is a mistake in the backward propagation!" in capsys.readouterr().out


@pytest.mark.parametrize("call", [
    lambda: gc.forward_propagation(np.ones(2), 1.0),
    lambda: gc.backward_propagation(1.0, np.ones((1, 2))),
    lambda: gc.gradient_check(1.0, 2.0, epsilon=0.0),
    lambda: gc.gradient_check(1.0, 2.0, epsilon=-1e-7),
])
def test_one_dimensional_bad_inputs_raise(call):
    with pytest.raises(ValueError):
        call()


# --- N-D ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_forward_cost_and_cache(lambd):
    p, X, Y = make_problem()
    cost, cache = gc.forward_propagation_n(X, Y, p, lambd=lambd)
    assert isinstance(cost, float)
    assert np.isclose(cost, independent_cost(X, Y, p, lambd), rtol=1e-12)
    assert len(cache) == 12
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    np.testing.assert_allclose(Z1, p["W1"] @ X + p["b1"])
    assert A1.shape == (5, 3) and A2.shape == (3, 3) and A3.shape == (1, 3)
    np.testing.assert_array_equal(W2, p["W2"])


@pytest.mark.parametrize("sizes, m, lambd", [((4, 5, 3, 1), 3, 0.0), ((3, 2, 4, 1), 1, 0.0), ((4, 5, 3, 1), 6, 0.7)])
def test_backward_matches_finite_differences(sizes, m, lambd):
    p, X, Y = make_problem(sizes, m, seed=2)
    _, cache = gc.forward_propagation_n(X, Y, p, lambd=lambd)
    grads = gc.backward_propagation_n(X, Y, cache, lambd=lambd)
    numeric = central_differences(X, Y, p, lambd)
    for key in gc.GRADIENT_KEYS:
        np.testing.assert_allclose(grads[key], numeric[key], rtol=1e-5, atol=1e-8, err_msg=key)
    np.testing.assert_allclose(grads["dZ3"], cache[9] - Y)
    assert {"dA1", "dA2", "dZ1", "dZ2"} <= set(grads)


def test_numerical_gradient_n_matches_independent_differences():
    p, X, Y = make_problem(seed=3)
    numeric = gc.numerical_gradient_n(p, X, Y, epsilon=1e-6)
    assert list(numeric) == list(gc.GRADIENT_KEYS)
    expected = central_differences(X, Y, p)
    for key in gc.GRADIENT_KEYS:
        np.testing.assert_allclose(numeric[key], expected[key], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sizes, m", [((4, 5, 3, 1), 3), ((4, 3, 2, 1), 1), ((2, 6, 4, 1), 7)])
def test_gradient_check_n_correct_and_equal_to_the_vector_loop(sizes, m):
    p, X, Y = make_problem(sizes, m, seed=4)
    _, cache = gc.forward_propagation_n(X, Y, p)
    grads = gc.backward_propagation_n(X, Y, cache)
    d = gc.gradient_check_n(p, grads, X, Y)
    assert isinstance(d, float) and d < 1e-7
    assert np.isclose(d, classic_gradient_check_n(p, grads, X, Y), rtol=1e-4, atol=1e-12)
    # with a large epsilon the two-sided truncation error shows, and both computations still agree
    d_big = gc.gradient_check_n(p, grads, X, Y, epsilon=1e-3)
    assert np.isclose(d_big, classic_gradient_check_n(p, grads, X, Y, epsilon=1e-3), rtol=1e-6)


def test_planted_bug_is_caught_and_located(capsys):
    p, X, Y = make_problem(seed=5)
    bad = buggy_gradients(X, Y, p)
    d = gc.gradient_check_n(p, bad, X, Y, print_msg=True)
    assert d > 1e-3
    assert np.isclose(d, classic_gradient_check_n(p, bad, X, Y), rtol=1e-8)
    assert "There is a mistake in the backward propagation!" in capsys.readouterr().out
    per = gc.gradient_check_by_parameter(p, bad, X, Y)
    assert list(per) == list(gc.PARAMETER_KEYS)
    assert {k for k, v in per.items() if v > 1e-3} == {"W2", "b1"}
    assert np.isclose(per["W2"], 1 / 3, rtol=1e-5) and np.isclose(per["b1"], 3 / 5, rtol=1e-5)
    assert all(v < 1e-6 for k, v in per.items() if k not in ("W2", "b1"))


def test_regularization_term_must_be_in_the_backward_pass():
    p, X, Y = make_problem(seed=6)
    _, cache = gc.forward_propagation_n(X, Y, p, lambd=0.7)
    with_l2 = gc.backward_propagation_n(X, Y, cache, lambd=0.7)
    without_l2 = gc.backward_propagation_n(X, Y, cache)
    assert gc.gradient_check_n(p, with_l2, X, Y, lambd=0.7) < 1e-7
    assert gc.gradient_check_n(p, without_l2, X, Y, lambd=0.7) > 1e-3
    per = gc.gradient_check_by_parameter(p, without_l2, X, Y, lambd=0.7)
    assert {k for k, v in per.items() if v > 1e-3} == {"W1", "W2", "W3"}


def test_difference_message_bands():
    assert "agrees" in difference_message(1e-9, color=False)
    assert "closer look" in difference_message(1e-5, color=False)
    assert difference_message(0.2, color=False).startswith("There is a mistake in the backward propagation!")
    assert difference_message(0.2).startswith("\033[91m")
    assert difference_message(1e-9).startswith("\033[92m")


def test_n_dimensional_bad_inputs_raise():
    p, X, Y = make_problem()
    _, cache = gc.forward_propagation_n(X, Y, p)
    grads = gc.backward_propagation_n(X, Y, cache)
    with pytest.raises(ValueError, match=r"\(1, 3\)"):
        gc.forward_propagation_n(X, Y.T, p)
    with pytest.raises(ValueError):
        gc.forward_propagation_n(X[:3], Y, p)  # W1 expects 4 rows of X
    with pytest.raises(ValueError, match="missing"):
        gc.gradient_check_n(p, {k: v for k, v in grads.items() if k != "db2"}, X, Y)
    wrong_shape = dict(grads, dW1=grads["dW1"].T)
    with pytest.raises(ValueError, match=r"\(5, 4\).*\(4, 5\)"):
        gc.gradient_check_n(p, wrong_shape, X, Y)
    with pytest.raises(ValueError, match="missing"):
        gc.gradient_check_by_parameter({k: v for k, v in p.items() if k != "W3"}, grads, X, Y)
    with pytest.raises(ValueError):
        gc.numerical_gradient_n(p, X, Y, epsilon=0)


def test_no_function_modifies_its_arguments():
    p, X, Y = make_problem(seed=7)
    _, cache = gc.forward_propagation_n(X, Y, p)
    grads = buggy_gradients(X, Y, p)
    calls = [
        (gc.forward_propagation, (2.0, 3.0), {}),
        (gc.backward_propagation, (2.0, 3.0), {}),
        (gc.gradient_check, (2.0, 3.0), {}),
        (gc.forward_propagation_n, (X, Y, p), {"lambd": 0.5}),
        (gc.backward_propagation_n, (X, Y, cache), {"lambd": 0.5}),
        (gc.numerical_gradient_n, (p, X, Y), {}),
        (gc.gradient_check_n, (p, grads, X, Y), {}),
        (gc.gradient_check_by_parameter, (p, grads, X, Y), {}),
        (difference_message, (1e-4,), {}),
    ]
    for fn, args, kwargs in calls:
        before = copy.deepcopy(args)
        fn(*args, **kwargs)
        for b, a in zip(before, args):
            if isinstance(b, dict):
                assert b.keys() == a.keys() and all(np.array_equal(b[k], a[k]) for k in b), fn.__name__
            elif isinstance(b, tuple):
                assert all(np.array_equal(u, v) for u, v in zip(b, a)), fn.__name__
            else:
                assert np.array_equal(b, a), fn.__name__
