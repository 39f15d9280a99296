"""course_utils.nn.conv: the fast layers agree with the teaching loops, pass the gradient check, keep
float32, and the transposed convolution is the convolution's adjoint and reproduces the lecture's 2x2 -> 4x4."""

import copy

import numpy as np
import pytest

from course_utils.nn import conv_loops as loops
from course_utils.nn.conv import (average_pool_backward, average_pool_forward, conv2d_backward, conv2d_forward,
                                  conv_output_size, conv_transpose_backward, conv_transpose_forward,
                                  conv_transpose_output_size, max_pool_backward, max_pool_forward)

rng = np.random.default_rng(1405)

#: (m, n_H_prev, n_W_prev, n_C_prev, f, n_C, stride, pad)
SHAPES = {
    "1x1 filters": (3, 5, 4, 4, 1, 3, 1, 0),
    "stride 2 with padding": (2, 7, 7, 3, 3, 4, 2, 1),
    "non-square images": (2, 6, 9, 2, 3, 2, 1, 2),
    "a single example": (1, 6, 5, 3, 2, 5, 2, 0),
    "stride 3, filter 4, uncovered border": (2, 9, 8, 2, 4, 3, 3, 1),
}

POOLS = {"max": (max_pool_forward, max_pool_backward), "average": (average_pool_forward, average_pool_backward)}


def random_layer(m, n_H, n_W, n_C_prev, f, n_C, dtype=np.float64):
    X = rng.standard_normal((m, n_H, n_W, n_C_prev)).astype(dtype)
    W = rng.standard_normal((f, f, n_C_prev, n_C)).astype(dtype)
    b = rng.standard_normal((1, 1, 1, n_C)).astype(dtype)
    return X, W, b


@pytest.mark.parametrize("case", SHAPES)
def test_fast_and_teaching_convolution_agree_to_1e_10(case):
    m, n_H, n_W, n_C_prev, f, n_C, stride, pad = SHAPES[case]
    X, W, b = random_layer(m, n_H, n_W, n_C_prev, f, n_C)
    Z_loop, cache_loop = loops.conv_forward(X, W, b, {"stride": stride, "pad": pad})
    Z, cache = conv2d_forward(X, W, b, stride=stride, pad=pad)
    assert Z.shape == Z_loop.shape == (m, conv_output_size(n_H, f, stride, pad), conv_output_size(n_W, f, stride, pad), n_C)
    np.testing.assert_allclose(Z, Z_loop, rtol=0, atol=1e-10)
    dZ = rng.standard_normal(Z.shape)
    dX_loop, dW_loop, db_loop = loops.conv_backward(dZ, cache_loop)
    dX, grads = conv2d_backward(dZ, cache)
    for fast, slow in ((dX, dX_loop), (grads["dW"], dW_loop), (grads["db"], db_loop)):
        assert fast.shape == slow.shape
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-10)


@pytest.mark.parametrize("mode", POOLS)
@pytest.mark.parametrize("f, stride, shape", [(2, 2, (2, 4, 6, 3)), (3, 2, (1, 7, 5, 2)), (2, 1, (2, 3, 5, 1))])
def test_fast_and_teaching_pooling_agree_to_1e_10(mode, f, stride, shape):
    forward, backward = POOLS[mode]
    X = rng.standard_normal(shape)
    A_loop, cache_loop = loops.pool_forward(X, {"f": f, "stride": stride}, mode)
    A, cache = forward(X, f, stride)
    np.testing.assert_allclose(A, A_loop, rtol=0, atol=1e-10)
    dA = rng.standard_normal(A.shape)
    dX, grads = backward(dA, cache)
    assert grads == {}
    np.testing.assert_allclose(dX, loops.pool_backward(dA, cache_loop, mode), rtol=0, atol=1e-10)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum_as_the_loop_does():
    X = np.zeros((1, 2, 2, 1))
    _, cache = max_pool_forward(X, 2)
    dX, _ = max_pool_backward(np.ones((1, 1, 1, 1)), cache)
    np.testing.assert_array_equal(dX[0, :, :, 0], [[1.0, 0.0], [0.0, 0.0]])
    _, loop_cache = loops.pool_forward(X, {"f": 2, "stride": 2}, "max")
    np.testing.assert_array_equal(loops.pool_backward(np.ones((1, 1, 1, 1)), loop_cache, "max"), dX)


def test_float32_stays_float32_and_agrees_with_float64_to_2e_5():
    """float32 has about 7 significant digits; sums of f*f*n_C_prev = 75 products keep 2e-5 of the largest entry."""
    X, W, b = random_layer(2, 9, 8, 3, 5, 4)
    Z64, cache64 = conv2d_forward(X, W, b, stride=1, pad=2)
    Z32, cache32 = conv2d_forward(X.astype(np.float32), W.astype(np.float32), b.astype(np.float32), stride=1, pad=2)
    dZ = rng.standard_normal(Z64.shape)
    dX64, g64 = conv2d_backward(dZ, cache64)
    dX32, g32 = conv2d_backward(dZ.astype(np.float32), cache32)
    for a32, a64 in ((Z32, Z64), (dX32, dX64), (g32["dW"], g64["dW"]), (g32["db"], g64["db"])):
        assert a32.dtype == np.float32
        np.testing.assert_allclose(a32, a64, rtol=0, atol=2e-5 * np.abs(a64).max())
    for forward, backward in POOLS.values():
        A, cache = forward(X.astype(np.float32), 2)
        assert A.dtype == np.float32 and backward(A, cache)[0].dtype == np.float32


def test_conv2d_backward_passes_the_numerical_gradient_check(check_backward):
    X, W, b = random_layer(2, 6, 5, 2, 3, 3)
    out, cache = conv2d_forward(X, W, b, stride=2, pad=1)
    d_out = rng.standard_normal(out.shape)
    dX, g = conv2d_backward(d_out, cache)
    check_backward(lambda X, W, b: conv2d_forward(X, W, b, stride=2, pad=1)[0], [X, W, b], d_out,
                   [dX, g["dW"], g["db"]], names=["X", "W", "b"])


@pytest.mark.parametrize("mode", POOLS)
def test_pool_backward_passes_the_numerical_gradient_check(check_backward, mode):
    forward, backward = POOLS[mode]
    X = rng.standard_normal((2, 5, 6, 2))
    out, cache = forward(X, 3, 2)                     # overlapping windows
    d_out = rng.standard_normal(out.shape)
    check_backward(lambda X: forward(X, 3, 2)[0], [X], d_out, [backward(d_out, cache)[0]])


def test_conv_transpose_backward_passes_the_numerical_gradient_check(check_backward):
    X = rng.standard_normal((2, 3, 2, 3))
    W, b = rng.standard_normal((3, 3, 2, 3)), rng.standard_normal((1, 1, 1, 2))
    out, cache = conv_transpose_forward(X, W, b, stride=2, pad=1, output_padding=1)
    assert out.shape == (2, 6, 4, 2)
    d_out = rng.standard_normal(out.shape)
    dX, g = conv_transpose_backward(d_out, cache)
    check_backward(lambda X, W, b: conv_transpose_forward(X, W, b, stride=2, pad=1, output_padding=1)[0],
                   [X, W, b], d_out, [dX, g["dW"], g["db"]], names=["X", "W", "b"])


def test_transposed_convolution_reproduces_the_lectures_2x2_to_4x4():
    """f = 3, p = 1, s = 2. Each input number times the whole filter, written into the padded 6x6 output at
    steps of 2, overlaps summed, padding cropped. By hand, the uncropped 5x5 is
        2*w at (0, 0) + 1*w at (0, 2) + 3*w at (2, 0) + 2*w at (2, 2) =
        [[2, 4, 3, 2, 1], [4, 0, 4, 0, 1], [3, 10, 7, 6, 3], [6, 0, 7, 0, 2], [0, 6, 3, 4, 2]]
    and the 4x4 output is its rows and columns 1 to 4 (the padded canvas's last row and column get nothing)."""
    x = np.array([[2.0, 1.0], [3.0, 2.0]])
    w = np.array([[1.0, 2.0, 1.0], [2.0, 0.0, 1.0], [0.0, 2.0, 1.0]])
    assert conv_transpose_output_size(2, 3, stride=2, pad=1, output_padding=1) == 4
    out, _ = conv_transpose_forward(x[None, :, :, None], w[:, :, None, None], np.zeros((1, 1, 1, 1)),
                                    stride=2, pad=1, output_padding=1)
    np.testing.assert_array_equal(out[0, :, :, 0], [[0.0, 4.0, 0.0, 1.0], [10.0, 7.0, 6.0, 3.0],
                                                    [0.0, 7.0, 0.0, 2.0], [6.0, 3.0, 4.0, 2.0]])
    # and the convolution with the same f, p, s takes 4x4 back to 2x2
    assert conv_output_size(4, 3, stride=2, pad=1) == 2


@pytest.mark.parametrize("n, f, stride, pad", [(4, 3, 2, 1), (7, 3, 2, 0), (9, 4, 3, 1), (5, 1, 1, 0), (6, 5, 1, 2)])
def test_transposed_convolution_is_the_adjoint_of_the_convolution(n, f, stride, pad):
    """<conv(x), y> = <x, convT(y)> to 1e-10, with output_padding = (n + 2p - f) mod s picking x's size."""
    n_W = n + stride                                  # non-square, with the same remainder on both axes
    x = rng.standard_normal((2, n, n_W, 3))
    W = rng.standard_normal((f, f, 3, 4))
    y = rng.standard_normal((2, conv_output_size(n, f, stride, pad), conv_output_size(n_W, f, stride, pad), 4))
    a = (n + 2 * pad - f) % stride
    conv_x, _ = conv2d_forward(x, W, np.zeros((1, 1, 1, 4)), stride=stride, pad=pad)
    convT_y, _ = conv_transpose_forward(y, W, np.zeros((1, 1, 1, 3)), stride=stride, pad=pad, output_padding=a)
    assert convT_y.shape == x.shape
    assert abs(np.sum(conv_x * y) - np.sum(x * convT_y)) < 1e-10


@pytest.mark.parametrize("n, f, stride, pad, expected", [(6, 3, 1, 0, 4), (6, 3, 1, 1, 6), (7, 3, 2, 0, 3),
                                                         (9, 3, 2, 1, 5), (32, 5, 1, 0, 28), (14, 2, 2, 0, 7)])
def test_conv_output_size_is_floor_of_n_plus_2p_minus_f_over_s_plus_1(n, f, stride, pad, expected):
    assert conv_output_size(n, f, stride, pad) == expected
    out, _ = conv2d_forward(np.zeros((1, n, n, 1)), np.zeros((f, f, 1, 1)), np.zeros((1, 1, 1, 1)), stride, pad)
    assert out.shape == (1, expected, expected, 1)


def test_errors_name_expected_and_received_shapes():
    X, W, b = np.zeros((2, 5, 6, 3)), np.zeros((3, 3, 3, 4)), np.zeros((1, 1, 1, 4))
    with pytest.raises(ValueError, match=r"conv2d_forward: W must have shape \(f, f, 3, n_C\) for X of shape "
                                         r"\(2, 5, 6, 3\), got \(3, 3, 2, 4\)"):
        conv2d_forward(X, np.zeros((3, 3, 2, 4)), b)
    with pytest.raises(ValueError, match=r"conv2d_forward: b must have shape \(1, 1, 1, 4\), got \(1, 4\)"):
        conv2d_forward(X, W, np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"conv2d_forward: X must be 4-D \(m, n_H, n_W, n_C\), got shape \(5, 6, 3\)"):
        conv2d_forward(X[0], W, b)
    with pytest.raises(ValueError, match=r"conv2d_forward: stride must be an integer >= 1, got 0"):
        conv2d_forward(X, W, b, stride=0)
    with pytest.raises(ValueError, match=r"a 7x7 filter does not fit images of 5x6 padded by 0"):
        conv2d_forward(X, np.zeros((7, 7, 3, 4)), b)
    _, cache = conv2d_forward(X, W, b, stride=2, pad=1)
    with pytest.raises(ValueError, match=r"conv2d_backward: d_out must have the output's shape \(2, 3, 3, 4\), "
                                         r"got \(2, 3, 4, 4\)"):
        conv2d_backward(np.zeros((2, 3, 4, 4)), cache)
    _, cache = max_pool_forward(X, 2)
    with pytest.raises(ValueError, match=r"max_pool_backward: d_out must have the pooled output's shape "
                                         r"\(2, 2, 3, 3\), got \(2, 3, 3, 3\)"):
        max_pool_backward(np.zeros((2, 3, 3, 3)), cache)
    with pytest.raises(ValueError, match=r"conv_transpose_forward: W must have shape \(f, f, n_C, 3\) for X of shape "
                                         r"\(2, 5, 6, 3\), got \(3, 3, 3, 4\)"):
        conv_transpose_forward(X, W, np.zeros((1, 1, 1, 3)))
    with pytest.raises(ValueError, match=r"output_padding must be smaller than the stride \(2\), got 2"):
        conv_transpose_forward(X, np.zeros((3, 3, 4, 3)), b, stride=2, output_padding=2)
    _, cache = conv_transpose_forward(X, np.zeros((3, 3, 4, 3)), b, stride=2, pad=1, output_padding=1)
    with pytest.raises(ValueError, match=r"conv_transpose_backward: d_out must have the output's shape \(2, n_H, n_W, 4\) "
                                         r"with n_H = 9 \+ output_padding, n_W = 11 \+ output_padding, got \(2, 9, 9, 4\)"):
        conv_transpose_backward(np.zeros((2, 9, 9, 4)), cache)


def test_no_input_is_modified():
    X, W, b = random_layer(2, 5, 6, 2, 3, 3)
    d_out = rng.standard_normal((2, 3, 3, 3))
    before = copy.deepcopy((X, W, b, d_out))
    _, cache = conv2d_forward(X, W, b, stride=2, pad=1)
    conv2d_backward(d_out, cache)
    for forward, backward in POOLS.values():
        out, cache = forward(X, 2, 1)
        backward(np.ones_like(out), cache)
    _, cache = conv_transpose_forward(d_out, W, np.zeros((1, 1, 1, 2)), stride=2, pad=1)
    conv_transpose_backward(np.ones((2, 5, 5, 2)), cache)
    for x, y in zip(before, (X, W, b, d_out)):
        np.testing.assert_array_equal(x, y)
