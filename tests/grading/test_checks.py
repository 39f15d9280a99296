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


# --- issue 11, point 2: the visible check applies every acceptance rule of the hidden test ------

from course_utils.grading import replay  # noqa: E402
from course_utils.grading.checks import Parts, output_parts  # noqa: E402
from course_utils.grading.records import RECORD_ENV, read_records  # noqa: E402
from course_utils.nn import losses  # noqa: E402

YHAT_EX = np.array([[0.8, 0.3, 0.6, 0.1, 0.95]])   # notebook 1/01's example of L1 and L2
Y_EX = np.array([[1.0, 0.0, 1.0, 0.0, 1.0]])


def failure(fn, ref, cases, **kw):
    with pytest.raises(CheckFailed) as info:
        check_function(fn, ref, cases, quiet=True, **kw)
    return str(info.value)


def test_L2_with_np_dot_of_a_row_fails_visibly_naming_the_1_by_1_shape():
    """Issue instance: np.dot(d, d.T) is a (1, 1) array; it passed L2's visible check and failed the hidden one."""
    def L2(yhat, y):
        d = yhat - y
        return np.dot(d, d.T)

    assert failure(L2, losses.L2, [(YHAT_EX, Y_EX)]) == (
        "L2 output should be a single number (a float), got a numpy array of shape (1, 1). Turn it into a "
        "number, e.g. with float(...): np.dot or @ of two 2-D arrays gives a 2-D array, even when it holds a "
        "single entry.\n  in case 1: L2(array(1, 5), array(1, 5))")


@pytest.mark.parametrize("adapter", ["shallow_network", "deep_step_by_step"])
def test_compute_cost_returning_a_0d_array_fails_visibly(adapter):
    """Issue instance: a 0-d array passed compute_cost's visible check in 1/03 and 1/04."""
    import importlib

    ref = importlib.import_module(f"course_utils.exercises.{adapter}")

    def compute_cost(AL, Y):
        return np.array(ref.compute_cost(AL, Y))

    AL, Y = np.array([[0.8, 0.3, 0.6]]), np.array([[1.0, 0.0, 1.0]])   # notebook 1/04's example
    assert failure(compute_cost, ref.compute_cost, [(AL, Y)]) == (
        "compute_cost output should be a single number (a float), got a 0-d numpy array (shape ()). "
        "Turn it into a number with float(...).\n  in case 1: compute_cost(array(1, 3), array(1, 3))")


def test_the_hidden_test_refuses_the_same_with_the_same_words():
    def L2(yhat, y):
        d = yhat - y
        return np.dot(d, d.T)

    t = HiddenTest("L2", L2, losses.L2, seed=1)
    t.case(YHAT_EX, Y_EX)
    with pytest.raises(CheckFailed) as info:
        t.finish()
    assert str(info.value) == (
        "L2: 1 of 1 hidden checks failed.\nhidden case 1 (array(1, 5), array(1, 5)): L2 output should be a single "
        "number (a float), got a numpy array of shape (1, 1). Turn it into a number, e.g. with float(...): np.dot "
        "or @ of two 2-D arrays gives a 2-D array, even when it holds a single entry.")


def test_float32_int_and_list_are_refused_where_the_hidden_test_refuses_them():
    x = np.arange(6.0).reshape(2, 3)
    assert compare_msg(x, x.astype(np.float32)) == (
        "the result has dtype float32; expected float64. float32 keeps only about 6 significant digits, so "
        "results drift from the reference: compute in float64 (no .astype(np.float32) or dtype=np.float32).")
    assert compare_msg(0.5, np.float32(0.5)) == (
        "the result is a numpy float32; expected a Python float (float64). float32 keeps only about 6 significant "
        "digits, so results drift from the reference: compute in float64 (no .astype(np.float32) or "
        "dtype=np.float32).")
    assert compare_msg(1.0, 1) == "the result should be a float, got int 1. Convert it with float(...)."
    assert compare_msg(x, x.tolist()) == (
        "the result should be a numpy array of shape (2, 3), got list. Convert it with np.array(...).")
    assert compare_msg(x, x[np.newaxis]) == ("the result has the wrong shape: expected (2, 3), got (1, 2, 3). Your "
                                             "result has an extra axis of length 1: check where it was added "
                                             "(e.g. keepdims, np.newaxis).")


def test_what_numpy_itself_returns_is_accepted():
    """A numpy scalar and a 0-d array are one thing where the reference returns a numpy scalar (an
    elementwise function of a number, a gradient summed to shape ()); a tuple unpacks like a list;
    an integer array equal to the expected floats is equal."""
    compare(np.float64(0.25), np.array(0.25))
    compare(np.float64(0.25), 0.25)
    compare((np.ones(2), 1.0), [np.ones(2), 1.0])
    compare(np.array([[1.0, 0.0]]), np.array([[1, 0]]))
    with pytest.raises(CheckFailed, match=r"should be a single number \(a float\), got a numpy array of shape \(1,\)"):
        compare(np.float64(0.25), np.array([0.25]))


def test_a_dict_subclass_is_a_dict_for_the_check_and_for_the_grader(tmp_path, monkeypatch):
    """Visible and hidden agree: an OrderedDict of gradients passed the visible check, but the record
    format refused it ("unsupported"), so the grader failed it."""
    from collections import OrderedDict

    from course_utils.exercises.logistic_regression import propagate as ref_propagate

    def propagate(w, b, X, Y):
        grads, cost = ref_propagate(w, b, X, Y)
        return OrderedDict(grads), cost

    w, b, Y = np.zeros((3, 1)), 0.5, np.array([[1.0, 0.0, 1.0, 1.0]])
    check_function(propagate, ref_propagate, [(w, b, X, Y)], quiet=True)
    monkeypatch.setenv(RECORD_ENV, str(tmp_path / "r.jsonl"))
    t = HiddenTest("propagate", propagate, ref_propagate, seed=5)
    t.case(w, b, X, Y)
    t.finish()
    monkeypatch.delenv(RECORD_ENV)
    records, _ = read_records(tmp_path / "r.jsonl", 10**6)
    with replay(records) as verdicts:
        t = HiddenTest("propagate", None, ref_propagate, seed=5)
        t.case(w, b, X, Y)
        t.finish()
    assert verdicts["propagate"].passed


# --- issue 11, point 4: a part of a result is named as the exercise's docstring names it ---------

def test_a_part_of_a_cache_is_named_cache_linear_cache_W():
    """Issue instance: the message said output[1][0][1]."""
    from course_utils.nn.linear import linear_activation_forward as ref

    def linear_activation_forward(A_prev, W, b, activation):
        A, ((A_, W_, b_), Z) = ref(A_prev, W, b, activation)
        return A, ((A_, W_.T, b_), Z)

    A, W, b = np.ones((3, 4)), np.arange(6.0).reshape(2, 3), np.zeros((2, 1))
    assert failure(linear_activation_forward, ref, [(A, W, b, "relu")]) == (
        "cache -> linear_cache -> W (linear_activation_forward output[1][0][1]) has the wrong shape: expected "
        "(2, 3), got (3, 2). The shape is transposed: check which axis holds the examples.\n"
        "  in case 1: linear_activation_forward(array(3, 4), array(2, 3), array(2, 1), 'relu')")


def test_momentums_velocity_is_named_v():
    """Issue instance: ``v``, the second item of update_parameters_with_momentum's result."""
    from course_utils.exercises.optimization import update_parameters_with_momentum as ref

    def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
        new_params, new_v = ref(parameters, grads, v, beta, learning_rate)
        return new_params, dict(new_v, dW1=new_v["dW1"] * 2)

    P = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    G = {"dW1": np.full((2, 3), 0.5), "db1": np.ones((2, 1))}
    V = {"dW1": np.zeros((2, 3)), "db1": np.zeros((2, 1))}
    msg = failure(update_parameters_with_momentum, ref, [(P, G, V, 0.9, 0.1)])
    assert msg.splitlines()[0] == ("v['dW1'] (update_parameters_with_momentum output[1]['dW1']): 6 of 6 entries "
                                   "differ from the reference (largest difference 0.05; tolerance rtol=1e-06, "
                                   "atol=1e-08).")


def test_list_elements_are_named_by_index_then_part():
    from course_utils.models.mlp import L_model_forward as ref
    from course_utils.optim.minibatch import random_mini_batches as ref_mb

    def L_model_forward(X, parameters):
        AL, caches = ref(X, parameters)
        (lin, Z) = caches[1]
        caches[1] = ((lin[0], lin[1] * 3, lin[2]), Z)
        return AL, caches

    rng = np.random.default_rng(0)
    P = {"W1": rng.standard_normal((3, 2)), "b1": np.zeros((3, 1)), "W2": rng.standard_normal((1, 3)),
         "b2": np.zeros((1, 1))}
    msg = failure(L_model_forward, ref, [(rng.standard_normal((2, 4)), P)])
    assert msg.startswith("caches[1] -> linear_cache -> W (L_model_forward output[1][1][0][1]): 3 of 3 entries differ")

    def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
        batches = ref_mb(X, Y, mini_batch_size, seed)
        batches[2] = (batches[2][0], batches[2][1].T)
        return batches

    msg = failure(random_mini_batches, ref_mb, [(np.ones((2, 10)), np.arange(10.0).reshape(1, 10), 4, 1)])
    assert msg.startswith("mini_batches[2] -> mini_batch_Y (random_mini_batches output[2][1]) has the wrong shape: "
                          "expected (1, 2), got (2, 1).")


def test_the_hidden_test_names_the_part_as_the_visible_check_does():
    from course_utils.exercises.optimization import initialize_adam as ref

    def initialize_adam(parameters):
        v, s = ref(parameters)
        return v, {k: x + 1 for k, x in s.items()}

    t = HiddenTest("initialize_adam", initialize_adam, ref, seed=2)
    t.case({"W1": np.ones((2, 2)), "b1": np.ones((2, 1))})
    with pytest.raises(CheckFailed) as info:
        t.finish()
    assert "hidden case 1 ({'W1': array(2, 2), 'b1': array(2, 1)}): s['dW1'] (initialize_adam output[1]['dW1']): " \
           "4 of 4 entries differ" in str(info.value)


def test_parts_specs():
    spec = "AL, caches=[(linear_cache=(A_prev, W, b), activation_cache)]"
    assert repr(Parts.parse(spec)) == "(" + spec + ")"
    assert repr(Parts.parse("mini_batches=[(mini_batch_X, mini_batch_Y)]")) == "mini_batches=[(mini_batch_X, mini_batch_Y)]"
    for bad in ["", "a,", "a=(b", "a b", "(a, b))", "a=[b, c]", "a-b"]:
        with pytest.raises(ValueError):
            Parts.parse(bad)
    assert output_parts(np.sum) is None

    def wrapper(x):
        return x, x
    wrapper.__output_parts__ = "first, second"
    assert repr(output_parts(wrapper)) == "(first, second)"
    # a tuple of another length than the names: positions only
    assert compare_msg((1.0, 2.0, 3.0), (1.0, 2.0, 4.0)).startswith("the result[2]: 1 of 1 entries differ")
    with pytest.raises(CheckFailed, match=r"^b \(the result\[1\]\)"):
        compare((1.0, 2.0), (1.0, 3.0), parts="a, b")
    with pytest.raises(CheckFailed, match=r"^the result\[1\]"):
        compare((1.0, 2.0), (1.0, 3.0), parts="a, b, c")


def test_every_named_reference_exists():
    """OUTPUT_PARTS is keyed by module.qualname: a moved function must be renamed there too."""
    import importlib

    from course_utils.grading.checks import OUTPUT_PARTS

    for key, spec in OUTPUT_PARTS.items():
        module, name = key.rsplit(".", 1)
        fn = getattr(importlib.import_module(module), name)
        assert f"{fn.__module__}.{fn.__qualname__}" == key
        assert repr(output_parts(fn)).replace(" ", "") in {spec.replace(" ", ""), f"({spec})".replace(" ", "")}


# --- four messages a newcomer to Track 3 met (issue 13's trial): each named the problem badly --------

def _failure(student, reference, case, name):
    with pytest.raises(CheckFailed) as info:
        check_function(student, reference, [case], name=name, quiet=True)
    return str(info.value)


def test_a_labelled_case_is_named_apart_from_the_function():
    # was "in case 1: weighted_errorweights 10 for 3 and 8"
    def reference(y, w):
        return float(np.sum(w * (y != 3)) / np.sum(w))

    msg = _failure(lambda y, w: 0.5, reference, Case(np.array([3, 8]), np.array([10.0, 1.0]),
                                                     label="weights 10 for 3 and 8"), "weighted_error")
    assert msg.endswith("\n  in case 1: weighted_error (weights 10 for 3 and 8)")
    msg = _failure(lambda y, w: 0.5, reference, Case(np.array([3, 8]), np.array([10.0, 1.0])), "weighted_error")
    assert msg.endswith("\n  in case 1: weighted_error(array(2,), array(2,))")


def test_a_single_nan_says_so_without_an_empty_location():
    # was "... contains 1 non-finite value(s); the first NaN is. NaN usually ..."
    assert compare_msg(0.5, float("nan")) == ("the result is NaN (not a number). NaN usually comes from log(0), 0/0 "
                                              "or an overflow earlier in the computation.")
    assert compare_msg(0.5, float("inf")) == ("the result is infinite. An infinity usually comes from a division by 0 "
                                              "or an overflow (exp of a large number).")
    # the instance of a student's trial: ewa_bias_corrected with t from 0 divides by 1 - beta**0 = 0
    assert compare_msg(np.ones(3), np.array([np.inf, 1.0, 1.0])) == (
        "the result contains 1 non-finite value(s); the first infinity is at index (0,). An infinity usually comes "
        "from a division by 0 or an overflow (exp of a large number).")


def test_none_where_a_value_is_expected_names_the_expected_value_first():
    # pick_model may rightly return None for other inputs: the message leads with what was expected
    assert compare_msg("B", None) == "the result: expected 'B', got None (did the function forget to `return` it?)."
    assert compare_msg(np.zeros((2, 3)), None) == ("the result: expected array(2, 3), got None (did the function "
                                                   "forget to `return` it?).")


def test_a_percentage_where_a_fraction_is_asked_is_named():
    msg = compare_msg(0.617647, 61.7647)
    assert msg.endswith(" Your result is exactly 100 times the expected one: a percentage where a fraction is asked?")
    assert compare_msg(61.7647, 0.617647).endswith("divided by 100: a fraction where a percentage is asked?")
    assert "100 times" not in compare_msg(0.617647, 0.7)
