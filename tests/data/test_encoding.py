"""course_utils.data.encoding."""

import numpy as np
import pytest

from course_utils.data.encoding import one_hot


def test_one_hot_columns():
    Y = one_hot(np.array([[2, 0, 1, 2]]), 3)
    np.testing.assert_array_equal(Y, [[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]])
    assert one_hot([1], 4).shape == (4, 1)


def test_one_hot_refuses_labels_out_of_range():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\), got range \[0, 3\]"):
        one_hot([0, 3], 3)
