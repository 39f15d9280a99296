"""Unit tests of course_utils.exercises.fast_convolution (Track 4, notebook 02): im2col's rows are the
windows, in the order the notebook states, and multiplied by the reshaped filters they are the teaching
loop's convolution."""

import numpy as np
import pytest

from course_utils.exercises.fast_convolution import conv_forward_vectorized, im2col
from course_utils.nn import conv_loops


def windows_by_hand(Xp, f, s):
    """An independent version: one window at a time, in the order example, output row, output column."""
    m, H, W, _ = Xp.shape
    n_H, n_W = (H - f) // s + 1, (W - f) // s + 1
    return np.array([Xp[i, h * s:h * s + f, w * s:w * s + f, :].ravel()
                     for i in range(m) for h in range(n_H) for w in range(n_W)])


@pytest.mark.parametrize("shape, f, s, out_rows", [
    ((2, 5, 7, 3), 3, 1, 2 * 3 * 5),      # non-square
    ((2, 7, 8, 2), 2, 2, 2 * 3 * 4),      # stride 2 with a row left over (7 - 2 = 5 is odd)
    ((3, 4, 5, 3), 1, 1, 3 * 4 * 5),      # 1x1 windows: one pixel's channels per row
    ((1, 4, 6, 2), 4, 2, 1 * 1 * 2),      # a single example, the window as tall as the image
])
def test_rows_are_the_windows_in_order(shape, f, s, out_rows):
    Xp = np.random.default_rng(11).standard_normal(shape)
    cols = im2col(Xp, f, s)
    assert cols.shape == (out_rows, f * f * shape[3])
    np.testing.assert_array_equal(cols, windows_by_hand(Xp, f, s))


def test_times_the_reshaped_filters_is_the_teaching_loop():
    r = np.random.default_rng(12)
    A, W, b = r.standard_normal((2, 5, 6, 3)), r.standard_normal((3, 3, 3, 4)), r.standard_normal((1, 1, 1, 4))
    Z_loop, _ = conv_loops.conv_forward(A, W, b, {"stride": 2, "pad": 1})
    cols = im2col(conv_loops.zero_pad(A, 1), 3, 2)
    Z = (cols @ W.reshape(27, 4) + b.reshape(1, 4)).reshape(Z_loop.shape)
    np.testing.assert_allclose(Z, Z_loop, rtol=0, atol=1e-12)


def test_the_notes_edge_example_gives_columns_0_30_30_0():
    image = np.zeros((1, 6, 6, 1))
    image[0, :, :3, 0] = 10.0
    vertical = np.array([[1.0, 0.0, -1.0]] * 3)
    out = (im2col(image, 3, 1) @ vertical.reshape(9, 1)).reshape(4, 4)
    np.testing.assert_array_equal(out, np.tile([0.0, 30.0, 30.0, 0.0], (4, 1)))


@pytest.mark.parametrize("args, message", [
    ((np.zeros((5, 5, 1)), 3, 1), "must be 4-D"),
    ((np.zeros((1, 2, 5, 1)), 3, 1), "does not fit"),
    ((np.zeros((1, 5, 5, 1)), 0, 1), "f must be an integer >= 1"),
    ((np.zeros((1, 5, 5, 1)), 2, 0), "stride must be an integer >= 1"),
])
def test_errors_name_the_problem(args, message):
    with pytest.raises(ValueError, match=message):
        im2col(*args)


@pytest.mark.parametrize("shape, f, n_C, hp", [
    ((2, 5, 7, 3), 3, 4, {"stride": 2, "pad": 1}),    # the notebook's example: non-square, stride 2, pad 1
    ((2, 7, 5, 3), 3, 2, {"stride": 2, "pad": 2}),
    ((2, 4, 6, 4), 1, 3, {"stride": 1, "pad": 0}),    # 1x1 filters
    ((1, 6, 5, 1), 3, 1, {"stride": 1, "pad": 0}),    # a single example, one channel, one filter
])
def test_conv_forward_vectorized_is_the_teaching_loop_with_its_cache(shape, f, n_C, hp):
    r = np.random.default_rng(13)
    A, W, b = r.standard_normal(shape), r.standard_normal((f, f, shape[3], n_C)), r.standard_normal((1, 1, 1, n_C))
    Z, cache = conv_forward_vectorized(A, W, b, hp)
    Z_loop, cache_loop = conv_loops.conv_forward(A, W, b, hp)
    np.testing.assert_allclose(Z, Z_loop, rtol=0, atol=1e-12)
    assert Z.shape == Z_loop.shape and Z.dtype == np.float64
    for part, part_loop in zip(cache, cache_loop):
        if isinstance(part, dict):
            assert part == part_loop == hp
        else:
            np.testing.assert_array_equal(part, part_loop)


@pytest.mark.parametrize("args, message", [
    ((np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros((1, 1, 1, 2)), {"stride": 1, "pad": 0}), "must be 4-D"),
    ((np.zeros((1, 5, 5, 2)), np.zeros((3, 3, 1, 2)), np.zeros((1, 1, 1, 2)), {"stride": 1, "pad": 0}),
     r"W must have shape \(f, f, n_C_prev, n_C\) = \(f, f, 2, n_C\)"),
    ((np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros((1, 1, 1, 2)), {"stride": 1}), r"needs \['pad'\]"),
    ((np.zeros((1, 2, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros((1, 1, 1, 2)), {"stride": 1, "pad": 0}),
     "the 3x3 window does not fit an input of 2x5 pixels padded by 0"),
])
def test_conv_forward_vectorized_errors_name_the_problem(args, message):
    with pytest.raises(ValueError, match=message):
        conv_forward_vectorized(*args)


def test_check_messages_name_the_cache_parts():
    from course_utils.grading.checks import CheckFailed, compare, output_parts
    r = np.random.default_rng(14)
    A, W, b = r.standard_normal((1, 4, 5, 2)), r.standard_normal((3, 3, 2, 2)), r.standard_normal((1, 1, 1, 2))
    Z, cache = conv_forward_vectorized(A, W, b, {"stride": 1, "pad": 1})
    wrong = (Z, cache[:3] + ({"stride": 1, "pad": 0},))
    with pytest.raises(CheckFailed, match=r"cache -> hparameters"):
        compare((Z, cache), wrong, parts=output_parts(conv_forward_vectorized))
