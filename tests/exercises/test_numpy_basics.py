"""course_utils.exercises.numpy_basics (Track 1, notebook 01): basic_sigmoid, softmax_rows,
image2vector, normalize_rows."""

import math

import numpy as np
import pytest

import course_utils.exercises.numpy_basics as arrays
from course_utils.nn.activations import softmax


def test_arrays():
    rng = np.random.default_rng(0)
    img = rng.random((3, 4, 2))
    v = arrays.image2vector(img)
    assert v.shape == (24, 1) and v[1, 0] == img[0, 0, 1]
    x = np.array([[0.0, 3.0, 4.0], [1.0, 6.0, 4.0]])
    n = arrays.normalize_rows(x)
    np.testing.assert_allclose(np.linalg.norm(n, axis=1), 1.0)
    np.testing.assert_allclose(n[0], [0, 0.6, 0.8])
    np.testing.assert_array_equal(arrays.normalize_rows(np.zeros((1, 3))), np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"expected|expects"):
        arrays.normalize_rows(np.ones(3))
    with pytest.raises(ValueError, match="3-D"):
        arrays.image2vector(np.ones((2, 2)))


def test_basic_sigmoid_is_stable_and_returns_a_float():
    assert arrays.basic_sigmoid(-1000.0) == 0.0 and arrays.basic_sigmoid(0) == 0.5
    assert isinstance(arrays.basic_sigmoid(1.0), float)
    assert math.isclose(arrays.basic_sigmoid(2.0), 1 / (1 + math.exp(-2.0)))
    with pytest.raises(ValueError):  # the point of the exercise: math works on one number at a time
        arrays.basic_sigmoid(np.array([1.0, 2.0]))


def test_softmax_rows_sums_each_row_to_one():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5))
    np.testing.assert_allclose(arrays.softmax_rows(x).sum(axis=1), 1.0)
    np.testing.assert_allclose(arrays.softmax_rows(x), softmax(x, axis=1))
