"""course_utils.gradcheck: numerical gradients, relative differences, dict <-> vector."""

import numpy as np
import pytest

from course_utils import gradcheck as gc


def _quadratic():
    """J(p) = 1/2 x^T A x + c^T x + sum(W**2) + 3 s, with its exact gradient."""
    r = np.random.default_rng(0)
    M = r.standard_normal((4, 4))
    A = M @ M.T + np.eye(4)  # symmetric: dJ/dx = A x + c
    c = r.standard_normal((4, 1))
    params = {"x": r.standard_normal((4, 1)), "W": r.standard_normal((2, 3)), "s": np.array(0.5)}

    def cost(p):
        x = p["x"]
        return (0.5 * x.T @ A @ x + c.T @ x).item() + float(np.sum(p["W"] ** 2) + 3 * p["s"])

    exact = {"dx": A @ params["x"] + c, "dW": 2 * params["W"], "ds": np.array(3.0)}
    return cost, params, exact


def test_numerical_gradient_of_a_known_quadratic():
    cost, params, exact = _quadratic()
    num = gc.numerical_gradient(cost, params, epsilon=1e-6)
    assert list(num) == ["dx", "dW", "ds"]  # "d" + key, in the parameters' order
    for k in exact:
        assert num[k].shape == np.shape(exact[k])
        np.testing.assert_allclose(num[k], exact[k], rtol=1e-7, atol=1e-8, err_msg=k)


def test_numerical_gradient_calls_cost_twice_per_entry_on_copies():
    cost, params, _ = _quadratic()
    kept = {k: v.copy() for k, v in params.items()}
    calls = []

    def counting(p):
        calls.append(p)
        assert all(p[k] is not params[k] for k in params)  # copies, never the caller's arrays
        return cost(p)

    gc.numerical_gradient(counting, params)
    assert len(calls) == 2 * (4 + 6 + 1)
    for k in params:
        np.testing.assert_array_equal(params[k], kept[k])


def test_numerical_gradient_perturbs_integer_parameters_as_floats():
    num = gc.numerical_gradient(lambda p: float(np.sum(p["v"].astype(float) ** 2)), {"v": np.array([1, 2, 3])},
                                epsilon=1e-4)
    assert num["dv"].dtype == float
    np.testing.assert_allclose(num["dv"], [2.0, 4.0, 6.0], rtol=1e-8)


def test_numerical_gradient_detects_a_wrong_backward_pass():
    cost, params, exact = _quadratic()
    num = gc.numerical_gradient(cost, params)
    wrong = dict(exact, dx=exact["dx"] * 1.01)
    assert gc.gradient_difference(exact, num) < 1e-7
    assert gc.gradient_difference(wrong, num) > 1e-3


@pytest.mark.parametrize("a, b, expected", [
    (np.zeros(3), np.zeros(3), 0.0),                 # both zero: 0.0, not nan
    ([1.0, 2.0], [1.0, 2.0], 0.0),
    ([1.0, 2.0], [-1.0, -2.0], 1.0),                 # opposite: the largest possible
    ([3.0, 4.0], [0.0, 0.0], 1.0),                   # one of them zero
    ([3.0, 4.0], [6.0, 8.0], 5.0 / 15.0),            # ||a - b|| = 5, ||a|| + ||b|| = 15
    (np.array([[1.0, 2.0]]), np.array([[1.0], [2.0]]), 0.0),  # compared flattened
])
def test_relative_difference_edge_cases(a, b, expected):
    d = gc.relative_difference(a, b)
    assert isinstance(d, float)
    assert d == pytest.approx(expected, abs=1e-15)


def test_relative_difference_is_symmetric_and_scale_free():
    r = np.random.default_rng(1)
    a, b = r.standard_normal(10), r.standard_normal(10)
    assert gc.relative_difference(a, b) == pytest.approx(gc.relative_difference(b, a))
    assert gc.relative_difference(1e-9 * a, 1e-9 * b) == pytest.approx(gc.relative_difference(a, b))
    assert 0.0 <= gc.relative_difference(a, b) <= 1.0


def test_relative_difference_of_nan_is_nan():
    assert np.isnan(gc.relative_difference([1.0, np.nan], [1.0, 2.0]))


def test_dictionary_to_vector_round_trip_and_key_order():
    d = {"W1": np.arange(6.0).reshape(2, 3), "b1": np.array([[10.0], [11.0]]), "s": 7.0}
    theta, layout = gc.dictionary_to_vector(d)
    assert theta.shape == (9, 1)
    np.testing.assert_array_equal(theta.ravel(), [0, 1, 2, 3, 4, 5, 10, 11, 7])  # insertion order, C order
    assert layout == [("W1", (2, 3)), ("b1", (2, 1)), ("s", ())]
    back = gc.vector_to_dictionary(theta, layout)
    assert list(back) == ["W1", "b1", "s"]
    for k in d:
        np.testing.assert_array_equal(back[k], d[k])
        assert back[k].shape == np.shape(d[k])


def test_explicit_keys_choose_order_and_subset():
    d = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1)), "W2": np.full((1, 2), 5.0)}
    theta, layout = gc.dictionary_to_vector(d, keys=["W2", "W1"])
    np.testing.assert_array_equal(theta.ravel(), [5, 5, 1, 1, 1, 1])
    assert [k for k, _ in layout] == ["W2", "W1"]
    assert list(gc.vector_to_dictionary(theta, layout)) == ["W2", "W1"]
    with pytest.raises(KeyError):
        gc.dictionary_to_vector(d, keys=["W3"])


def test_vector_to_dictionary_returns_copies_and_accepts_a_flat_vector():
    layout = [("a", (2,)), ("b", (1, 2))]
    theta = np.array([1.0, 2.0, 3.0, 4.0])
    out = gc.vector_to_dictionary(theta, layout)
    theta[:] = 0.0
    np.testing.assert_array_equal(out["a"], [1.0, 2.0])
    np.testing.assert_array_equal(out["b"], [[3.0, 4.0]])


def test_vector_to_dictionary_rejects_a_wrong_length():
    with pytest.raises(ValueError, match=r"theta has 5 entries, the layout needs 4"):
        gc.vector_to_dictionary(np.zeros(5), [("a", (2, 2))])
    with pytest.raises(ValueError):  # too short: numpy's reshape error, before the library's own check
        gc.vector_to_dictionary(np.zeros(3), [("a", (2, 2))])


def test_gradient_difference_ignores_extra_analytic_keys():
    num = {"dW": np.array([[1.0, 2.0]]), "db": np.array([[0.5]])}
    grads = dict(num, dA1=np.full((3, 3), 100.0))  # caches and activations grads are not compared
    assert gc.gradient_difference(grads, num) == 0.0
    grads["db"] = np.array([[0.5 + 1e-3]])
    assert gc.gradient_difference(grads, num) > 1e-4
    with pytest.raises(KeyError):
        gc.gradient_difference({"dW": num["dW"]}, num)


def test_relative_difference_survives_underflow_and_overflow():
    """Squares of 1e-300 underflow to 0: the difference of 0 and 1e-300 is still total (1.0), not 0.0."""
    assert gc.relative_difference(0.0, 1e-300) == 1.0
    assert gc.relative_difference([1e-300, 0.0], [1e-300, 0.0]) == 0.0
    assert gc.relative_difference([1e200, 0.0], [0.0, 1e200]) == pytest.approx(2 ** -0.5)


def test_vector_to_dictionary_names_the_size_of_a_short_theta():
    with pytest.raises(ValueError, match="theta has 5 entries, the layout needs 6"):
        gc.vector_to_dictionary(np.zeros(5), [("W1", (2, 2)), ("b1", (2, 1))])
