"""course_utils.metrics.sequence: a sequence counts only if every token is right; accuracies per group."""

import numpy as np
import pytest

from course_utils.metrics.sequence import accuracy_by_group, exact_match, exact_matches


def test_one_wrong_character_makes_the_whole_date_wrong():
    Y = np.array([[1, 9, 5, 8], [2, 0, 2, 4], [1, 9, 9, 9]])
    Y_hat = np.array([[1, 9, 5, 8], [2, 0, 2, 5], [1, 9, 9, 9]])
    np.testing.assert_array_equal(exact_matches(Y_hat, Y), [True, False, True])
    assert exact_match(Y_hat, Y) == pytest.approx(2 / 3, rel=1e-15)
    assert np.mean(Y_hat == Y) == pytest.approx(11 / 12)             # the per-character accuracy says more
    assert exact_match(Y, Y) == 1.0


def test_accuracy_by_group_counts_each_group():
    out = accuracy_by_group([True, False, True, True, False], ["fr_FR", "en_US", "fr_FR", "en_US", "tr_TR"])
    assert list(out) == ["en_US", "fr_FR", "tr_TR"]
    assert out == {"en_US": (0.5, 2), "fr_FR": (1.0, 2), "tr_TR": (0.0, 1)}


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"Y_hat has shape \(2, 3\) but Y has shape \(2, 4\)"):
        exact_match(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="no sequences"):
        exact_match(np.zeros((0, 4)), np.zeros((0, 4)))
    with pytest.raises(ValueError, match="3 results but 2 group labels"):
        accuracy_by_group([1, 0, 1], ["a", "b"])
