"""The messages students get from visible checks and hidden tests."""

import numpy as np
import pytest

from course_utils.nn.activations import sigmoid
from course_utils.exercises.numpy_basics import normalize_rows
from course_utils.grading.checks import Case, CheckFailed, check_function, compare
from course_utils.grading import SALT_ENV, HiddenTest
from course_utils.exercises.logistic_regression import propagate

X = np.arange(12.0).reshape(3, 4) + 1


def message(fn, ref=normalize_rows, cases=((X,),)):
    with pytest.raises((CheckFailed, NotImplementedError)) as info:
        check_function(fn, ref, list(cases), name="normalize_rows", quiet=True)
    return str(info.value)


def test_shape_message_names_expected_and_received_with_rank1_hint():
    msg = message(lambda x: (x / np.linalg.norm(x, axis=1, keepdims=True)).ravel()[:3])
    assert "expected (3, 4), got (3,)" in msg
    msg = compare_msg(np.zeros((3, 1)), np.zeros(3))
    assert "rank-1" in msg and "reshape" in msg
    assert "transposed" in compare_msg(np.zeros((2, 3)), np.zeros((3, 2)))


def compare_msg(expected, got):
    with pytest.raises(CheckFailed) as info:
        compare(expected, got)
    return str(info.value)


def test_differing_entries_are_listed_with_index_and_size():
    got = normalize_rows(X)
    got[1, 2] += 0.5
    msg = message(lambda x: got)
    assert "1 of 12 entries differ" in msg
    assert "index (1, 2)" in msg and "largest difference 0.5" in msg


def test_first_nan_location_is_reported():
    def f(x):
        y = normalize_rows(x)
        y[2, 1] = np.nan
        y[2, 3] = np.nan
        return y
    msg = message(f)
    assert "first NaN is at index (2, 1)" in msg and "2 non-finite" in msg


def test_mutation_and_not_implemented_and_none():
    def mutates(x):
        x /= 2
        return normalize_rows(x)
    assert "modified its argument 1 in place" in message(mutates, cases=((X.copy(),),))

    def stub(x):
        raise NotImplementedError()
    assert "not implemented yet" in message(stub)
    assert "forget to `return`" in message(lambda x: None)


def test_nested_structures_name_the_wrong_key():
    w, b = np.zeros((3, 1)), 0.5
    Y = np.array([[1.0, 0.0, 1.0, 1.0]])
    good = propagate(w, b, X, Y)
    bad = ({"dw": good[0]["dw"] * 2, "db": good[0]["db"]}, good[1])
    msg = compare_msg(good, bad)
    assert "[0]['dw']" in msg
    assert "missing ['db']" in compare_msg({"dw": 1.0, "db": 2.0}, {"dw": 1.0})


def test_passing_check_prints_the_count_and_returns_nothing(capsys):
    """Returns None: a number displayed as a graded cell's Out[n] is read by nbgrader as partial credit."""
    assert check_function(sigmoid, sigmoid, [Case(np.array([0.0]), label="zero"), (np.ones(2),)]) is None
    assert "all 2 check(s)" in capsys.readouterr().out


def test_hidden_test_collects_all_failures_and_is_deterministic(monkeypatch):
    t = HiddenTest("normalize_rows", lambda x: x, normalize_rows, seed=3)
    first = t.rng.standard_normal(3)
    t.case(t.rng.standard_normal((2, 3)))
    t.case(np.ones((1, 3)), label="single row")
    t.case(np.array([[3.0, 4.0]]))
    with pytest.raises(AssertionError) as info:
        t.finish()
    assert "3 of 3 hidden checks failed" in str(info.value) and "single row" in str(info.value)
    assert np.array_equal(HiddenTest("x", sigmoid, sigmoid, seed=3).rng.standard_normal(3), first)
    monkeypatch.setenv(SALT_ENV, "7")
    assert not np.array_equal(HiddenTest("x", sigmoid, sigmoid, seed=3).rng.standard_normal(3), first)


def test_hidden_test_reports_a_crash_on_hidden_input_and_refuses_empty():
    def crashes(x):
        raise ValueError("bad shape")
    t = HiddenTest("normalize_rows", crashes, normalize_rows, seed=1)
    t.case(X)
    with pytest.raises(AssertionError, match="raised ValueError: bad shape"):
        t.finish()
    with pytest.raises(RuntimeError, match="ran no case"):
        HiddenTest("f", sigmoid, sigmoid, seed=1).finish()


def test_a_finished_function_calling_a_stub_names_the_stub():
    """Issue instance: linear_activation_forward written, linear_forward still the stub."""
    def linear_forward(A, W, b):
        raise NotImplementedError()

    def linear_activation_forward(A, W, b, activation):
        return linear_forward(A, W, b)

    with pytest.raises(NotImplementedError) as info:
        check_function(linear_activation_forward, lambda A, W, b, activation: A, [(1.0, 2.0, 3.0, "relu")])
    assert str(info.value) == ("linear_forward is not implemented yet, and linear_activation_forward calls it: "
                               "replace `raise NotImplementedError()` in linear_forward's cell with your code, "
                               "run that cell, then run this check again.")


def test_the_stub_itself_is_named_as_before():
    def propagate(w, b, X, Y):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError, match=r"^propagate is not implemented yet: replace"):
        check_function(propagate, lambda *a: 0, [(1, 2, 3, 4)])
