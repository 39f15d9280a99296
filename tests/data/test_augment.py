"""Unit tests of course_utils.data.augment: shifts and rotations that move pixels where they should go,
seeded draws, and the augmented set's layout."""

import numpy as np
import pytest

from course_utils.data.augment import augment, random_shift_rotate, shift_rotate

IMAGE = np.arange(48, dtype=float).reshape(1, 6, 8)


def test_whole_pixel_shift_moves_pixels_exactly_and_fills_with_zeros():
    moved = shift_rotate(IMAGE, [[1, -2]], [0])[0]
    expected = np.zeros((6, 8))
    expected[1:, :6] = IMAGE[0, :5, 2:]
    assert np.array_equal(moved, expected)


def test_quarter_turn_of_a_square_image_is_rot90_counter_clockwise():
    square = np.arange(49.0).reshape(1, 7, 7)
    np.testing.assert_allclose(shift_rotate(square, [[0, 0]], [90])[0], np.rot90(square[0]), atol=1e-12)
    np.testing.assert_allclose(shift_rotate(square, [[0, 0]], [-90])[0], np.rot90(square[0], -1), atol=1e-12)


def test_channels_move_alike_and_dtype_is_kept():
    X = np.stack([IMAGE[0], -IMAGE[0]], axis=-1)[None].astype(np.float32)       # (1, 6, 8, 2)
    moved = shift_rotate(X, [[0.5, 1]], [12.0])
    assert moved.dtype == np.float32 and moved.shape == (1, 6, 8, 2)
    np.testing.assert_allclose(moved[..., 1], -moved[..., 0], atol=1e-5)


def test_random_shift_rotate_is_seeded_and_small():
    X = np.random.default_rng(0).random((4, 8, 8))
    a, b = random_shift_rotate(X, 1.0, 10.0, seed=5), random_shift_rotate(X, 1.0, 10.0, seed=5)
    assert np.array_equal(a, b) and not np.array_equal(a, random_shift_rotate(X, 1.0, 10.0, seed=6))
    rng = np.random.default_rng(5)
    expected = shift_rotate(X, rng.uniform(-1, 1, (4, 2)), rng.uniform(-10, 10, 4))
    assert np.array_equal(a, expected)
    assert np.array_equal(random_shift_rotate(X, 0.0, 0.0, seed=1), X)


def test_augment_keeps_originals_first_and_repeats_labels():
    X = np.random.default_rng(1).random((3, 8, 8))
    X_all, y_all = augment(X, np.array([[4, 7, 1]]), copies=2, seed=9)
    assert X_all.shape == (9, 8, 8) and np.array_equal(X_all[:3], X)
    assert y_all.tolist() == [[4, 7, 1, 4, 7, 1, 4, 7, 1]]
    rng = np.random.default_rng(9)
    first = random_shift_rotate(X, seed=rng)
    assert np.array_equal(X_all[3:6], first) and np.array_equal(X_all[6:], random_shift_rotate(X, seed=rng))
    assert augment(X, np.array([4, 7, 1]), copies=0)[1].tolist() == [4, 7, 1]


@pytest.mark.parametrize("call, message", [
    (lambda: shift_rotate(np.zeros((8, 8)), [[0, 0]], [0]), "X must be images"),
    (lambda: shift_rotate(np.zeros((2, 8, 8)), [[0, 0]], [0, 0]), "shifts must be (2, 2) and angles (2,)"),
    (lambda: shift_rotate(np.zeros((1, 8, 8)), [[np.nan, 0]], [0]), "must be finite"),
    (lambda: random_shift_rotate(np.zeros((1, 8, 8)), max_angle=-1), "max_angle must be a finite number >= 0"),
    (lambda: augment(np.zeros((2, 8, 8)), np.array([1, 2, 3])), "labels must be (2,) or (1, 2)"),
    (lambda: augment(np.zeros((2, 8, 8)), np.array([1, 2]), copies=-1), "copies must be an integer >= 0"),
])
def test_refusals_name_the_cause(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value)
