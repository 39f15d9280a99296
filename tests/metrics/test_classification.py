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


# --- Track 3: precision, recall, F1; weighted error; confusion matrix ---------------------------

from sklearn.metrics import confusion_matrix as sk_confusion_matrix  # noqa: E402
from sklearn.metrics import precision_recall_fscore_support  # noqa: E402

from course_utils.metrics.classification import confusion_matrix, precision_recall_f1, weighted_error  # noqa: E402


def test_precision_recall_f1_counts_by_hand():
    # TP = 2 (positions 0, 2), FP = 1 (position 3), FN = 1 (position 4)
    y_true = np.array([[1, 0, 1, 0, 1, 0]])
    y_pred = np.array([[1, 0, 1, 1, 0, 0]])
    assert precision_recall_f1(y_true, y_pred) == (2 / 3, 2 / 3, 2 / 3)
    p, r, f1 = precision_recall_f1([1, 1, 1, 1], [1, 0, 0, 0])
    assert (p, r) == (1.0, 0.25) and f1 == 2 * 0.25 / 1.25


@pytest.mark.parametrize("y_true, y_pred, expected, case", [
    ([1, 0, 1], [0, 0, 0], (0.0, 0.0, 0.0), "no positive predictions"),
    ([0, 0, 0], [1, 0, 1], (0.0, 0.0, 0.0), "no positives"),
    ([0, 0], [0, 0], (0.0, 0.0, 0.0), "neither"),
    ([1, 0, 1], [1, 0, 1], (1.0, 1.0, 1.0), "perfect"),
    ([1], [0], (0.0, 0.0, 0.0), "one example, missed"),
])
def test_precision_recall_f1_edge_cases_are_zero_without_warnings(y_true, y_pred, expected, case, recwarn):
    assert precision_recall_f1(y_true, y_pred) == expected, case
    assert not recwarn.list


def test_precision_recall_f1_agrees_with_scikit_learn_on_random_labels():
    rng = np.random.default_rng(0)
    for m in (1, 2, 7, 50):
        for _ in range(5):
            y_true, y_pred = rng.integers(0, 2, m), rng.integers(0, 2, m)
            p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", zero_division=0)
            np.testing.assert_allclose(precision_recall_f1(y_true, y_pred), (p, r, f), rtol=0, atol=1e-12)


@pytest.mark.parametrize("y_true, y_pred, message", [
    (np.ones((1, 3)), np.ones(3), r"y_true has shape \(1, 3\) but y_pred has shape \(3,\)"),
    (np.ones((1, 0)), np.ones((1, 0)), "no examples"),
    ([0, 2, 1], [0, 1, 1], "y_true must hold only 0 and 1"),
])
def test_precision_recall_f1_refuses_what_it_cannot_count(y_true, y_pred, message):
    with pytest.raises(ValueError, match=message):
        precision_recall_f1(y_true, y_pred)


def test_weighted_error_is_the_notes_formula():
    y_true = np.array([3, 5, 1, 7, 3])
    y_pred = np.array([3, 8, 1, 1, 5])           # mistakes at 1, 3, 4
    w = np.array([1, 10, 1, 1, 10])
    assert weighted_error(y_true, y_pred, w) == (10 + 1 + 10) / 23
    assert weighted_error(y_true, y_pred, np.ones(5)) == 1 - accuracy(y_pred, y_true) == 0.6
    assert weighted_error([[0, 1]], [[0, 1]], [[2.0, 0.5]]) == 0.0


@pytest.mark.parametrize("w, message", [
    ([1, -1], "finite and >= 0"),
    ([0, 0], "sum to 0"),
    ([1, np.nan], "finite and >= 0"),
    ([1, 1, 1], "must have the same shape"),
])
def test_weighted_error_refuses_bad_weights(w, message):
    with pytest.raises(ValueError, match=message):
        weighted_error([0, 1], [1, 1], w)


def test_confusion_matrix_rows_are_true_classes_and_agrees_with_scikit_learn():
    cm = confusion_matrix([[0, 1, 2, 2, 1]], [[0, 2, 2, 1, 1]], 3)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [0, 1, 1]])
    assert cm.dtype == np.int64
    rng = np.random.default_rng(1)
    t, p = rng.integers(0, 10, 200), rng.integers(0, 10, 200)
    np.testing.assert_array_equal(confusion_matrix(t, p, 10), sk_confusion_matrix(t, p, labels=range(10)))
    np.testing.assert_array_equal(confusion_matrix([], [], 2), np.zeros((2, 2)))


def test_confusion_matrix_refuses_labels_outside_the_classes():
    with pytest.raises(ValueError, match=r"y_pred must hold integer classes in \[0, 3\), got the range \[0, 3\]"):
        confusion_matrix([0, 1], [0, 3], 3)
    with pytest.raises(ValueError, match="y_true has 2 labels but y_pred has 3"):
        confusion_matrix([0, 1], [0, 1, 1], 3)
