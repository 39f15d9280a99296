"""course_utils.exercises.hyperparameter_search (Track 2, notebook 06): the reference of the graded
``random_search``, checked against the draws written out here from one numpy generator.

Two successive ``Generator.random(n)`` calls give the same numbers as one ``random(2 n)`` call, so
the learning rates are the first n of those draws and the values of ``1 - beta1`` the next n.
"""

import numpy as np
import pytest

from course_utils.exercises.hyperparameter_search import random_search


def _recording():
    calls = []

    def evaluate(learning_rate, beta1):
        calls.append((learning_rate, beta1))
        return {"learning_rate": float(learning_rate), "beta1": float(beta1),
                "dev_acc": -abs(np.log10(learning_rate) + 2)}      # best at the learning rate 0.01
    return evaluate, calls


def test_one_generator_learning_rates_first_then_beta1():
    evaluate, calls = _recording()
    trials, best = random_search(evaluate, 7, (-5.0, -1.0), (-3.0, -2.0), seed=42)
    u = np.random.default_rng(42).random(14)
    expected_lr = 10 ** (-5.0 + 4.0 * u[:7])
    expected_beta = 1 - 10 ** (-3.0 + 1.0 * u[7:])
    np.testing.assert_allclose([c[0] for c in calls], expected_lr, rtol=1e-14, atol=0)
    np.testing.assert_allclose([c[1] for c in calls], expected_beta, rtol=1e-14, atol=0)
    assert [t["learning_rate"] for t in trials] == [float(c[0]) for c in calls]     # one trial per call, in order
    assert best is trials[int(np.argmin(np.abs(np.log10(expected_lr) + 2)))]


def test_the_earliest_of_tied_trials_is_the_best():
    trials, best = random_search(lambda lr, b1: {"dev_acc": 0.5}, 4, (-4.0, 0.0), (-3.0, -1.0), seed=0)
    assert len(trials) == 4 and best is trials[0]
    scores = iter([0.1, 0.9, 0.3, 0.9, 0.9])
    trials, best = random_search(lambda lr, b1: {"dev_acc": next(scores)}, 5, (-4.0, 0.0), (-3.0, -1.0), seed=0)
    assert best is trials[1]


def test_a_generator_as_seed_continues_its_stream():
    rng = np.random.default_rng(7)
    evaluate, calls = _recording()
    random_search(evaluate, 3, (-4.0, 0.0), (-3.0, -1.0), seed=rng)
    assert rng.random() == np.random.default_rng(7).random(7)[6]     # 3 + 3 draws used, the 7th is next
    assert len(calls) == 3


def test_bad_arguments_are_refused():
    evaluate, calls = _recording()
    with pytest.raises(ValueError, match="num must be >= 1"):
        random_search(evaluate, 0, (-4.0, 0.0), (-3.0, -1.0), seed=0)
    with pytest.raises(ValueError, match="need low < high"):
        random_search(evaluate, 2, (0.0, -4.0), (-3.0, -1.0), seed=0)
    assert calls == []
    with pytest.raises(KeyError):
        random_search(lambda lr, b1: {"accuracy": 0.5}, 2, (-4.0, 0.0), (-3.0, -1.0), seed=0)
