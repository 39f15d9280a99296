"""The numerical-gradient check the tests share (tests/gradients.py, fixture ``check_backward``)."""

import numpy as np
import pytest

import gradients


def _matmul_case(seed=0):
    r = np.random.default_rng(seed)
    W, X, D = r.standard_normal((3, 4)), r.standard_normal((4, 5)), r.standard_normal((3, 5))
    return W, X, D


def test_numerical_gradient_of_a_known_function():
    # f(x) = x**3 entrywise, upstream df: the gradient of sum(f(x) * df) is 3 x**2 df
    x = np.array([[-2.0, 0.5, 1.5], [3.0, -0.1, 0.0]])
    df = np.array([[1.0, 2.0, -1.0], [0.5, 3.0, 1.0]])
    num = gradients.eval_numerical_gradient_array(lambda v: v ** 3, x.copy(), df)
    np.testing.assert_allclose(num, 3 * x ** 2 * df, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_restores_x():
    x = np.array([1.0, -2.0, 3.0])
    kept = x.copy()
    gradients.eval_numerical_gradient_array(np.exp, x, np.ones(3))
    np.testing.assert_array_equal(x, kept)


def test_relative_error_is_entrywise_with_a_floor():
    err = gradients.relative_error([1.0, 0.0, 1e-12, -1.0], [1.1, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(err, [0.1 / 2.1, 0.0, 1e-12 / 1e-8, 1.0])


def test_check_backward_accepts_the_right_gradients(check_backward):
    W, X, D = _matmul_case()
    num = check_backward(lambda W, X: W @ X, [W, X], D, [D @ X.T, W.T @ D], names=["W", "X"])
    np.testing.assert_allclose(num[0], D @ X.T, rtol=1e-7)
    np.testing.assert_allclose(num[1], W.T @ D, rtol=1e-7)


@pytest.mark.parametrize("which, wrong", [
    (0, lambda W, X, D: 2 * D @ X.T),                      # off by a factor
    (1, lambda W, X, D: W.T @ D + 1e-4 * np.abs(W.T @ D)),  # slightly off everywhere
    (1, lambda W, X, D: np.where(np.arange(20).reshape(4, 5) == 7, 0.0, W.T @ D)),  # one entry lost
])
def test_check_backward_fails_on_a_wrong_gradient(check_backward, which, wrong):
    W, X, D = _matmul_case()
    grads = [D @ X.T, W.T @ D]
    grads[which] = wrong(W, X, D)
    name = ["W", "X"][which]
    with pytest.raises(AssertionError, match=rf"gradient of {name} is wrong: relative error .* at entry \(\d, \d\)"):
        check_backward(lambda W, X: W @ X, [W, X], D, grads, names=["W", "X"])


def test_the_message_names_the_worst_entry(check_backward):
    W, X, D = _matmul_case()
    dX = W.T @ D
    dX[2, 3] += 0.5
    dX[0, 0] += 1e-3
    with pytest.raises(AssertionError, match=r"inputs\[1\].*at entry \(2, 3\)"):
        check_backward(lambda W, X: W @ X, [W, X], D, [D @ X.T, dX])


def test_check_backward_fails_on_a_sign_error_in_a_scalar_input(check_backward):
    # f(a, x) = a * x**2 : d/da sum(f * d) = sum(x**2 d)
    x, d = np.array([1.0, 2.0, -3.0]), np.array([0.5, -1.0, 2.0])
    right = float(np.sum(x ** 2 * d))
    check_backward(lambda a, x: a * x ** 2, [1.5, x], d, [right, 2 * 1.5 * x * d])
    with pytest.raises(AssertionError, match=r"inputs\[0\] is wrong.*at entry \(\)"):
        check_backward(lambda a, x: a * x ** 2, [1.5, x], d, [-right, 2 * 1.5 * x * d])


def test_scalar_inputs_reach_forward_as_python_floats(check_backward):
    seen = []

    def forward(b, x):
        seen.append(type(b))
        return b * x

    x = np.array([1.0, 2.0])
    check_backward(forward, [0.3, x], np.ones(2), [3.0, np.full(2, 0.3)])
    assert set(seen) == {float}


def test_a_scalar_output_with_upstream_one(check_backward):
    x = np.array([[0.2, -0.4], [1.0, 3.0]])
    check_backward(lambda x: float(np.sum(np.sin(x))), [x], 1.0, [np.cos(x)])
    with pytest.raises(AssertionError, match="is wrong"):
        check_backward(lambda x: float(np.sum(np.sin(x))), [x], 1.0, [-np.cos(x)])


def test_the_tolerance_is_a_parameter(check_backward):
    W, X, D = _matmul_case()
    dW = D @ X.T * (1 + 1e-5)  # relative error 5e-6 in every entry
    with pytest.raises(AssertionError, match="relative error 5e-06 >= 1e-07"):
        check_backward(lambda W, X: W @ X, [W, X], D, [dW, W.T @ D])
    check_backward(lambda W, X: W @ X, [W, X], D, [dW, W.T @ D], tol=1e-5)


def test_the_callers_inputs_are_not_modified(check_backward):
    W, X, D = _matmul_case()
    W_int = np.arange(12).reshape(3, 4)  # ints are copied to float64, not perturbed in place
    kept = W.copy(), X.copy(), W_int.copy()
    check_backward(lambda W, X: W @ X, [W, X], D, [D @ X.T, W.T @ D])
    check_backward(lambda W, X: W @ X, [W_int, X], D, [D @ X.T, W_int.T @ D])
    np.testing.assert_array_equal(W, kept[0])
    np.testing.assert_array_equal(X, kept[1])
    np.testing.assert_array_equal(W_int, kept[2])


def test_shapes_and_counts_are_checked(check_backward):
    W, X, D = _matmul_case()
    with pytest.raises(AssertionError, match=r"gradient of inputs\[0\] has shape \(4, 3\)"):
        check_backward(lambda W, X: W @ X, [W, X], D, [(D @ X.T).T, W.T @ D])
    with pytest.raises(AssertionError, match="2 inputs, 1 gradients"):
        check_backward(lambda W, X: W @ X, [W, X], D, [D @ X.T])
    with pytest.raises(AssertionError, match=r"d_out has shape \(5, 3\)"):
        check_backward(lambda W, X: W @ X, [W, X], D.T, [D @ X.T, W.T @ D])


def test_a_nan_gradient_fails(check_backward):
    x = np.array([1.0, 2.0])
    with pytest.raises(AssertionError, match="is wrong"):
        check_backward(lambda x: x * 2, [x], np.ones(2), [np.array([2.0, np.nan])])


def test_rounding_alone_is_not_a_wrong_gradient(check_backward):
    """Found in CI: a right convolution backward failed the check at an entry near 0 (relative error
    2.7e-7 at an entry of 0.0026). With seed 17 the same layer shows it at X[1, 4, 1, 0]: analytic
    9.7303e-05, numerical 9.7303e-05 + 5.6e-11, a relative error of 2.87e-7 that rounding explains (its
    bound there is 1.2e-8). The check passes it, and still fails a gradient 1 % off at that entry."""
    from course_utils.nn.conv import conv2d_backward, conv2d_forward

    r = np.random.default_rng(17)
    X, W, b = r.standard_normal((2, 6, 5, 2)), r.standard_normal((3, 3, 2, 3)), r.standard_normal((1, 1, 1, 3))
    out, cache = conv2d_forward(X, W, b, stride=2, pad=1)
    d = r.standard_normal(out.shape)
    dX, g = conv2d_backward(d, cache)

    def forward(X, W, b):
        return conv2d_forward(X, W, b, stride=2, pad=1)[0]

    num, roundoff = gradients.numerical_gradient_and_roundoff(lambda x: forward(x, W, b), X.copy(), d)
    err = gradients.relative_error(dX, num)
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    assert worst == (1, 4, 1, 0)
    np.testing.assert_allclose([err[worst], dX[worst], roundoff[worst]], [2.87e-7, 9.7303e-05, 1.21e-8], rtol=1e-2)
    assert abs(dX[worst] - num[worst]) < roundoff[worst]
    check_backward(forward, [X, W, b], d, [dX, g["dW"], g["db"]], names=["X", "W", "b"])
    dX[worst] *= 1.01
    with pytest.raises(AssertionError, match=r"gradient of X is wrong: .* at entry \(1, 4, 1, 0\).*rounding alone"):
        check_backward(forward, [X, W, b], d, [dX, g["dW"], g["db"]], names=["X", "W", "b"])


rng = np.random.default_rng(0)


def test_a_module_rng_is_reseeded_from_the_test_id(request):
    import zlib

    expected = np.random.default_rng(zlib.crc32(request.node.nodeid.split("@")[0].encode())).standard_normal(3)
    np.testing.assert_array_equal(rng.standard_normal(3), expected)
