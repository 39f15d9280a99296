"""course_utils.metrics.classification: one unit, a fraction in [0, 1]."""

import numpy as np
import pytest

from course_utils.metrics.classification import accuracy, predict_classes


def test_accuracy_is_a_fraction():
    assert accuracy(np.array([[1, 0, 1, 1]]), np.array([[1, 1, 1, 0]])) == 0.5
    assert accuracy(np.ones((1, 3)), np.ones((1, 3))) == 1.0
    assert isinstance(accuracy([[0]], [[1]]), float)


def test_accuracy_refuses_mismatched_or_empty_inputs():
    with pytest.raises(ValueError, match=r"Y_pred has shape \(1, 3\) but Y has shape \(3,\)"):
        accuracy(np.ones((1, 3)), np.ones(3))
    with pytest.raises(ValueError, match="no examples"):
        accuracy(np.ones((1, 0)), np.ones((1, 0)))


def test_predict_classes_takes_the_argmax_per_column():
    Z = np.array([[0.1, 2.0, -1.0], [0.5, 1.0, -3.0], [0.2, 0.0, -2.0]])
    np.testing.assert_array_equal(predict_classes(Z), [[1, 0, 0]])
    assert predict_classes(Z).shape == (1, 3)
