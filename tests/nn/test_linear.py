"""course_utils.nn.linear: the layer pair, its one gradient convention (sums over the batch), its errors."""

import copy

import numpy as np
import pytest

from course_utils.nn.linear import (ACTIVATIONS, activation_pair, linear_activation_backward,
                                    linear_activation_forward, linear_backward, linear_forward)

rng = np.random.default_rng(21)


def test_forward_is_W_A_plus_b_and_caches_its_inputs():
    A, W, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 1))
    Z, cache = linear_forward(A, W, b)
    np.testing.assert_allclose(Z, W @ A + b)
    assert all(np.array_equal(x, y) for x, y in zip(cache, (A, W, b)))


def test_backward_passes_the_numerical_gradient_check(check_backward):
    A, W, b = rng.standard_normal((5, 7)), rng.standard_normal((3, 5)), rng.standard_normal((3, 1))
    dZ = rng.standard_normal((3, 7))
    dA, g = linear_backward(dZ, linear_forward(A, W, b)[1])
    check_backward(lambda A, W, b: linear_forward(A, W, b)[0], [A, W, b], dZ, [dA, g["dW"], g["db"]])


def test_parameter_gradients_are_sums_over_the_batch():
    """Doubling the batch with a copy of itself doubles dW and db: no layer divides by m."""
    A, W, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
    dZ = rng.standard_normal((2, 4))
    _, g1 = linear_backward(dZ, (A, W, b))
    _, g2 = linear_backward(np.hstack([dZ, dZ]), (np.hstack([A, A]), W, b))
    np.testing.assert_allclose(g2["dW"], 2 * g1["dW"])
    np.testing.assert_allclose(g2["db"], 2 * g1["db"])


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_linear_activation_pair_passes_the_gradient_check(check_backward, activation):
    A, W, b = rng.standard_normal((4, 6)), rng.standard_normal((3, 4)), rng.standard_normal((3, 1))
    dA_out = rng.standard_normal((3, 6))
    out, cache = linear_activation_forward(A, W, b, activation)
    dA, g = linear_activation_backward(dA_out, cache, activation)
    check_backward(lambda A, W, b: linear_activation_forward(A, W, b, activation)[0], [A, W, b], dA_out,
                   [dA, g["dW"], g["db"]], tol=1e-6)


def test_errors_name_the_shapes_and_the_activation():
    A, W, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), np.zeros((2, 1))
    with pytest.raises(ValueError, match=r"W \(2, 5\) cannot multiply A \(4, 3\)"):
        linear_forward(A, rng.standard_normal((2, 5)), b)
    with pytest.raises(ValueError, match=r"b must have shape \(2, 1\), got \(2,\)"):
        linear_forward(A, W, np.zeros(2))
    with pytest.raises(ValueError, match=r"dZ has shape \(2, 4\), expected \(2, 3\)"):
        linear_backward(np.zeros((2, 4)), (A, W, b))
    with pytest.raises(ValueError, match=r"activation must be one of \['leaky_relu', 'relu', 'sigmoid', 'tanh'\], got 'softplus'"):
        activation_pair("softplus")


def test_no_input_is_modified():
    A, W, b = rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 1))
    dA = rng.standard_normal((2, 3))
    before = copy.deepcopy((A, W, b, dA))
    _, cache = linear_activation_forward(A, W, b, "relu")
    linear_activation_backward(dA, cache, "relu")
    assert all(np.array_equal(x, y) for x, y in zip(before, (A, W, b, dA)))
