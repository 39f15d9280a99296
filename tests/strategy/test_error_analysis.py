"""course_utils.strategy.error_analysis: the notes' dogs, several tags per mistake, refusals."""

import numpy as np
import pytest

from course_utils.strategy.error_analysis import best_error_after_fix, error_analysis_table


def test_the_notes_dogs():
    assert best_error_after_fix(10.0, 5, 100) == pytest.approx(9.5)
    assert best_error_after_fix(10.0, 50, 100) == pytest.approx(5.0)
    dogs = np.zeros(100, dtype=bool)
    dogs[:5] = True
    table = error_analysis_table({"dog": dogs}, 0.10)
    assert table == {"dog": {"count": 5, "fraction": 0.05, "best_dev_error": pytest.approx(0.095)}}


def test_overlapping_and_empty_categories_keep_their_order():
    tags = {"blurry": [1, 1, 0, 1], "dog": [1, 0, 0, 0], "lion": [False] * 4}
    table = error_analysis_table(tags, 8.0)
    assert list(table) == ["blurry", "dog", "lion"]
    assert [table[k]["count"] for k in table] == [3, 1, 0]
    assert table["blurry"]["fraction"] == 0.75 and table["blurry"]["best_dev_error"] == pytest.approx(2.0)
    assert table["lion"] == {"count": 0, "fraction": 0.0, "best_dev_error": 8.0}
    assert error_analysis_table({"a": [True]}, 0.2) == {"a": {"count": 1, "fraction": 1.0, "best_dev_error": 0.0}}


def test_refusals():
    with pytest.raises(ValueError, match="no categories"):
        error_analysis_table({}, 0.1)
    with pytest.raises(ValueError, match="lengths \\[2, 3\\]"):
        error_analysis_table({"a": [1, 0], "b": [1, 0, 0]}, 0.1)
    with pytest.raises(ValueError, match="True/False"):
        error_analysis_table({"a": [2, 0]}, 0.1)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        error_analysis_table({"a": [[1, 0]]}, 0.1)
    with pytest.raises(ValueError, match="count <= examined"):
        best_error_after_fix(0.1, 6, 5)
