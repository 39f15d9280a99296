"""course_utils.nn.conv_loops: the teaching loops on the lecture's worked numbers, their gradients, their errors.

Their agreement with the fast layers is in tests/nn/test_conv.py.
"""

import copy

import numpy as np
import pytest

from course_utils.nn.conv_loops import (conv_backward, conv_forward, conv_single_step, create_mask_from_window,
                                        distribute_value, pool_backward, pool_forward, zero_pad)

rng = np.random.default_rng(1404)

VERTICAL = np.array([[1.0, 0.0, -1.0]] * 3)

#: The lecture's 4x4 max-pooling input. The scan prints its second row as "2 8 7 4", which pools to
#: [[8, 7], [6, 3]] and contradicts the result the notes print beside it, [[9, 2], [6, 3]]: the top-left
#: window's maximum is 9, so the 8 is a 9, and the top-right window's maximum is 2, so neither 7 nor 4
#: can be in it. The row is "2 9 1 1" (the lecture's figure).
NOTES_POOL_INPUT = np.array([[1.0, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]])
SCANNED_POOL_INPUT = np.array([[1.0, 3, 2, 1], [2, 8, 7, 4], [1, 3, 2, 3], [5, 6, 1, 2]])


def as_batch(image):
    """One grey image (n_H, n_W) as a batch (1, n_H, n_W, 1)."""
    return np.asarray(image, dtype=float)[None, :, :, None]


def test_half_bright_image_with_the_vertical_filter_gives_columns_0_30_30_0():
    image = np.array([[10.0] * 3 + [0.0] * 3] * 6)           # the notes' 6x6: bright left half, dark right half
    Z, _ = conv_forward(as_batch(image), VERTICAL[:, :, None, None], np.zeros((1, 1, 1, 1)), {"stride": 1, "pad": 0})
    np.testing.assert_array_equal(Z[0, :, :, 0], [[0.0, 30.0, 30.0, 0.0]] * 4)


def test_max_pooling_of_the_notes_4x4_gives_9_2_6_3_and_the_scanned_row_cannot():
    A, _ = pool_forward(as_batch(NOTES_POOL_INPUT), {"f": 2, "stride": 2}, mode="max")
    np.testing.assert_array_equal(A[0, :, :, 0], [[9.0, 2.0], [6.0, 3.0]])
    A_scan, _ = pool_forward(as_batch(SCANNED_POOL_INPUT), {"f": 2, "stride": 2}, mode="max")
    np.testing.assert_array_equal(A_scan[0, :, :, 0], [[8.0, 7.0], [6.0, 3.0]])
    A_avg, _ = pool_forward(as_batch(NOTES_POOL_INPUT), {"f": 2, "stride": 2}, mode="average")
    np.testing.assert_array_equal(A_avg[0, :, :, 0], [[3.75, 1.25], [3.75, 2.0]])


@pytest.mark.parametrize("n, f, pad, stride, expected", [
    (6, 3, 0, 1, 4),    # the notes' 6x6 with a 3x3 filter
    (6, 3, 1, 1, 6),    # same convolution, p = (f - 1) / 2
    (7, 3, 0, 2, 3),    # strided: floor((7 - 3) / 2) + 1
    (8, 3, 1, 2, 4),    # floor((8 + 2 - 3) / 2) + 1 = floor(3.5) + 1; the scan's floor((n + 2p - f + 1) / s) gives 4 too
    (9, 3, 1, 2, 5),    # floor((9 + 2 - 3) / 2) + 1 = 5; the scan's form gives floor(9 / 2) = 4: it drops the + 1
    (32, 5, 0, 1, 28),  # LeNet-5 CONV1
])
def test_output_size_is_floor_of_n_plus_2p_minus_f_over_s_plus_1(n, f, pad, stride, expected):
    A = rng.standard_normal((1, n, n + 1, 2))
    Z, _ = conv_forward(A, rng.standard_normal((f, f, 2, 3)), np.zeros((1, 1, 1, 3)), {"stride": stride, "pad": pad})
    assert Z.shape == (1, expected, (n + 1 + 2 * pad - f) // stride + 1, 3)
    assert expected == (n + 2 * pad - f) // stride + 1


def test_zero_pad_adds_zeros_around_height_and_width_only():
    X = rng.standard_normal((2, 3, 4, 2))
    P = zero_pad(X, 2)
    assert P.shape == (2, 7, 8, 2)
    np.testing.assert_array_equal(P[:, 2:5, 2:6, :], X)
    assert np.count_nonzero(P) == np.count_nonzero(X)


def test_conv_single_step_is_the_sum_of_products_plus_bias():
    a, W = np.arange(18.0).reshape(3, 3, 2), np.ones((3, 3, 2))
    assert conv_single_step(a, W, np.array([[[-153.0]]])) == 0.0      # 0 + 1 + ... + 17 = 153


def test_mask_marks_the_first_maximum_and_distribute_value_shares_evenly():
    np.testing.assert_array_equal(create_mask_from_window(np.array([[1.0, 3.0], [4.0, 2.0]])), [[False, False], [True, False]])
    np.testing.assert_array_equal(create_mask_from_window(np.array([[5.0, 5.0], [0.0, 5.0]])), [[True, False], [False, False]])
    np.testing.assert_array_equal(distribute_value(2.0, (2, 2)), np.full((2, 2), 0.5))


def test_conv_backward_passes_the_numerical_gradient_check(check_backward):
    A = rng.standard_normal((2, 5, 4, 2))
    W, b = rng.standard_normal((3, 3, 2, 3)), rng.standard_normal((1, 1, 1, 3))
    hp = {"stride": 2, "pad": 1}
    Z, cache = conv_forward(A, W, b, hp)
    dZ = rng.standard_normal(Z.shape)
    dA, dW, db = conv_backward(dZ, cache)
    check_backward(lambda A, W, b: conv_forward(A, W, b, hp)[0], [A, W, b], dZ, [dA, dW, db], names=["A_prev", "W", "b"])


@pytest.mark.parametrize("mode", ["max", "average"])
def test_pool_backward_passes_the_numerical_gradient_check(check_backward, mode):
    A = rng.standard_normal((2, 5, 6, 2))
    hp = {"f": 3, "stride": 2}                     # overlapping windows: shared entries add their shares
    out, cache = pool_forward(A, hp, mode)
    dA = rng.standard_normal(out.shape)
    check_backward(lambda A: pool_forward(A, hp, mode)[0], [A], dA, [pool_backward(dA, cache, mode)])


def test_errors_name_expected_and_received_shapes():
    A, W, b = np.zeros((2, 5, 5, 3)), np.zeros((3, 3, 3, 4)), np.zeros((1, 1, 1, 4))
    with pytest.raises(ValueError, match=r"W must have shape \(f, f, n_C_prev, n_C\) = \(f, f, 3, n_C\) "
                                         r"for A_prev of shape \(2, 5, 5, 3\), got \(3, 3, 2, 4\)"):
        conv_forward(A, np.zeros((3, 3, 2, 4)), b, {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match=r"b must have shape \(1, 1, 1, 4\), got \(4,\)"):
        conv_forward(A, W, np.zeros(4), {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match=r"A_prev must be 4-D \(m, n_H, n_W, n_C\), got shape \(5, 5, 3\)"):
        conv_forward(A[0], W, b, {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match=r"hparameters needs \['pad'\]"):
        conv_forward(A, W, b, {"stride": 1})
    _, cache = conv_forward(A, W, b, {"stride": 2, "pad": 1})
    with pytest.raises(ValueError, match=r"dZ must have the shape of Z, \(2, 3, 3, 4\), got \(2, 3, 3, 3\)"):
        conv_backward(np.zeros((2, 3, 3, 3)), cache)
    _, pcache = pool_forward(A, {"f": 2, "stride": 2})
    with pytest.raises(ValueError, match=r"dA must have the pooled output's shape \(2, 2, 2, 3\), got \(2, 3, 3, 3\)"):
        pool_backward(np.zeros((2, 3, 3, 3)), pcache)
    with pytest.raises(ValueError, match=r"mode must be one of \['max', 'average'\], got 'min'"):
        pool_forward(A, {"f": 2, "stride": 2}, mode="min")
    with pytest.raises(ValueError, match=r"the window has shape \(3, 3, 3\), the filter \(3, 3, 2\)"):
        conv_single_step(A[0, :3, :3], W[:, :, :2, 0], 0.0)


def test_no_input_is_modified():
    A, W, b = rng.standard_normal((2, 4, 5, 2)), rng.standard_normal((3, 3, 2, 2)), rng.standard_normal((1, 1, 1, 2))
    hp = {"stride": 1, "pad": 1}
    before = copy.deepcopy((A, W, b, hp))
    Z, cache = conv_forward(A, W, b, hp)
    dZ = rng.standard_normal(Z.shape)
    dZ_before = dZ.copy()
    conv_backward(dZ, cache)
    P, pcache = pool_forward(A, {"f": 2, "stride": 1}, "max")
    pool_backward(np.ones_like(P), pcache, "max")
    for x, y in zip(before, (A, W, b, hp)):
        np.testing.assert_equal(x, y)
    np.testing.assert_array_equal(dZ, dZ_before)
