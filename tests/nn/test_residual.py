"""course_utils.nn.residual: the identity block is conv -> ReLU -> conv, plus its input, then ReLU; its
backward pass passes the numerical-gradient check and hands the upstream gradient to X through the skip."""

import numpy as np
import pytest

from course_utils.nn.conv import conv2d_forward
from course_utils.nn.residual import identity_block_backward, identity_block_forward

rng = np.random.default_rng(4104)


def block(n_C, f=3, dtype=np.float64, scale=1.0):
    return {"W1": (rng.standard_normal((f, f, n_C, n_C)) * scale).astype(dtype),
            "b1": rng.standard_normal((1, 1, 1, n_C)).astype(dtype),
            "W2": (rng.standard_normal((f, f, n_C, n_C)) * scale).astype(dtype),
            "b2": rng.standard_normal((1, 1, 1, n_C)).astype(dtype)}


def test_forward_is_relu_of_the_second_convolution_plus_the_input():
    X = rng.standard_normal((2, 5, 7, 3))
    p = block(3)
    out, cache = identity_block_forward(X, p)
    Z1, _ = conv2d_forward(X, p["W1"], p["b1"], stride=1, pad=1)
    Z2, _ = conv2d_forward(np.maximum(Z1, 0), p["W2"], p["b2"], stride=1, pad=1)
    np.testing.assert_allclose(out, np.maximum(Z2 + X, 0), rtol=0, atol=1e-12)
    assert out.shape == X.shape
    np.testing.assert_array_equal(cache[1], Z1)
    np.testing.assert_allclose(cache[3], Z2 + X, rtol=0, atol=1e-12)


def test_zero_weights_and_biases_give_relu_of_the_input():
    """The lecture's argument: with W = 0 and b = 0 the block outputs g(a[l]), which is a[l] for a[l] >= 0."""
    X = np.abs(rng.standard_normal((1, 4, 4, 2)))
    zeros = {k: np.zeros_like(v) for k, v in block(2).items()}
    out, _ = identity_block_forward(X, zeros)
    np.testing.assert_array_equal(out, X)
    dX, grads = identity_block_backward(np.ones_like(X), identity_block_forward(X, zeros)[1])
    np.testing.assert_array_equal(dX, (X > 0).astype(float))   # the skip alone carries the gradient back


@pytest.mark.parametrize("shape, f", [((2, 4, 5, 2), 3), ((1, 3, 6, 3), 1), ((2, 5, 5, 1), 5)])
def test_backward_passes_the_numerical_gradient_check(check_backward, shape, f):
    X = rng.standard_normal(shape)
    p = block(shape[3], f, scale=0.5)
    out, cache = identity_block_forward(X, p)
    d_out = rng.standard_normal(out.shape)
    dX, g = identity_block_backward(d_out, cache)
    assert set(g) == {"dW1", "db1", "dW2", "db2"}

    def forward(X, W1, b1, W2, b2):
        return identity_block_forward(X, {"W1": W1, "b1": b1, "W2": W2, "b2": b2})[0]

    check_backward(forward, [X, p["W1"], p["b1"], p["W2"], p["b2"]], d_out,
                   [dX, g["dW1"], g["db1"], g["dW2"], g["db2"]], names=["X", "W1", "b1", "W2", "b2"])


def test_float32_stays_float32():
    X = rng.standard_normal((2, 4, 4, 3)).astype(np.float32)
    p = block(3, dtype=np.float32)
    out, cache = identity_block_forward(X, p)
    dX, g = identity_block_backward(np.ones_like(out), cache)
    assert out.dtype == dX.dtype == np.float32 and all(v.dtype == np.float32 for v in g.values())
    out64, _ = identity_block_forward(X.astype(np.float64), {k: v.astype(np.float64) for k, v in p.items()})
    np.testing.assert_allclose(out, out64, rtol=0, atol=2e-5 * np.abs(out64).max())


def test_errors_name_the_problem():
    X = np.zeros((2, 4, 4, 3))
    p = block(3)
    with pytest.raises(ValueError, match="identity_block_forward: parameters must hold W1, b1, W2 and b2; missing b2"):
        identity_block_forward(X, {k: v for k, v in p.items() if k != "b2"})
    with pytest.raises(ValueError, match=r"W2 must be \(f, f, 3, 3\) with f odd .* got \(3, 3, 3, 4\)"):
        identity_block_forward(X, dict(p, W2=np.zeros((3, 3, 3, 4))))
    with pytest.raises(ValueError, match=r"W1 must be \(f, f, 3, 3\) with f odd .* got \(2, 2, 3, 3\)"):
        identity_block_forward(X, dict(p, W1=np.zeros((2, 2, 3, 3))))
    _, cache = identity_block_forward(X, p)
    with pytest.raises(ValueError, match=r"d_out must have the block output's shape \(2, 4, 4, 3\), got \(2, 4, 4, 2\)"):
        identity_block_backward(np.zeros((2, 4, 4, 2)), cache)
