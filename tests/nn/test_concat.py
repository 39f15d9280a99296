"""course_utils.nn.concat: the U-Net's skip connection stacks two activations' channels; its backward pass
splits the gradient back and passes the numerical-gradient check."""

import numpy as np
import pytest

from course_utils.nn.concat import concat_backward, concat_forward

rng = np.random.default_rng(4606)


def test_forward_puts_b_s_channels_after_a_s():
    A = np.arange(2 * 3 * 4 * 2, dtype=float).reshape(2, 3, 4, 2)
    B = -np.arange(2 * 3 * 4 * 3, dtype=float).reshape(2, 3, 4, 3)
    out, cache = concat_forward(A, B)
    assert out.shape == (2, 3, 4, 5) and cache == (2, 3)
    np.testing.assert_array_equal(out[..., :2], A)
    np.testing.assert_array_equal(out[..., 2:], B)
    assert out[1, 2, 3, 0] == 46.0 and out[1, 2, 3, 4] == -71.0


def test_backward_passes_the_numerical_gradient_check(check_backward):
    A, B = rng.standard_normal((2, 3, 5, 2)), rng.standard_normal((2, 3, 5, 4))
    out, cache = concat_forward(A, B)
    d_out = rng.standard_normal(out.shape)
    (dA, dB), grads = concat_backward(d_out, cache)
    assert grads == {} and dA.shape == A.shape and dB.shape == B.shape
    check_backward(lambda A, B: concat_forward(A, B)[0], [A, B], d_out, [dA, dB], names=["A", "B"])


def test_float32_stays_float32_and_mismatched_shapes_are_named():
    A, B = np.ones((1, 2, 2, 1), np.float32), np.zeros((1, 2, 2, 3), np.float32)
    out, cache = concat_forward(A, B)
    assert out.dtype == np.float32 and concat_backward(out, cache)[0][1].dtype == np.float32
    with pytest.raises(ValueError, match=r"concat_forward: A and B must be \(m, n_H, n_W, n_C\) with the same m, "
                                         r"n_H and n_W, got A \(1, 2, 2, 1\) and B \(1, 2, 3, 3\)"):
        concat_forward(A, np.zeros((1, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"concat_backward: d_out must be \(m, n_H, n_W, 4\), got \(1, 2, 2, 5\)"):
        concat_backward(np.zeros((1, 2, 2, 5)), cache)
