"""Unit tests of course_utils.exercises.fast_convolution (Track 4, notebook 02): im2col's rows are the
windows, in the order the notebook states, and multiplied by the reshaped filters they are the teaching
loop's convolution."""

import numpy as np
import pytest

from course_utils.exercises.fast_convolution import im2col
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
