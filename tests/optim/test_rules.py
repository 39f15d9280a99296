"""The one update-rule interface: rule.init(parameters), rule.update(parameters, grads, state, config)."""

import copy

import numpy as np
import pytest

from course_utils.optim.rules import RULES, UpdateRule, adam, gd, get_rule, momentum, rmsprop


@pytest.fixture
def problem():
    rng = np.random.default_rng(5)
    P = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal((3, 1)), "w": np.array(0.7)}
    G = {"d" + k: rng.standard_normal(np.shape(v)) for k, v in P.items()}
    G["dA0"] = rng.standard_normal((4, 2))  # extra keys are ignored
    return P, G


def test_every_rule_is_found_by_name_and_has_the_interface():
    assert list(RULES) == ["gd", "momentum", "rmsprop", "adam"]
    for name, rule in RULES.items():
        assert get_rule(name) is rule and get_rule(rule) is rule
        assert isinstance(rule, UpdateRule) and "learning_rate" in rule.defaults
        assert "Source:" in rule.__doc__


def test_unknown_rule_and_hyperparameter_raise():
    with pytest.raises(ValueError, match=r"optimizer must be one of \['adam', 'gd', 'momentum', 'rmsprop'\]"):
        get_rule("sgd")
    with pytest.raises(ValueError, match=r"gd takes the hyperparameters \['learning_rate'\], not \['beta'\]"):
        gd.update({}, {}, {}, {"beta": 0.9})


@pytest.mark.parametrize("name", list(RULES))
def test_state_is_explicit_and_nothing_is_mutated(problem, name):
    P, G = problem
    rule = get_rule(name)
    state = rule.init(P)
    before = copy.deepcopy((P, G, state))
    new_p, new_state = rule.update(P, G, state, {"learning_rate": 0.1})
    for b, a in zip(before, (P, G, state)):
        assert b.keys() == a.keys()
    for k in P:
        assert np.array_equal(before[0][k], P[k]) and new_p[k] is not P[k]
    assert set(new_p) == set(P) and all(np.shape(new_p[k]) == np.shape(P[k]) for k in P)
    assert set(new_state) == set(state)


def test_formulas_one_step(problem):
    P, G = problem
    k = "W1"
    p, _ = gd.update(P, G, {}, {"learning_rate": 0.1})
    np.testing.assert_allclose(p[k], P[k] - 0.1 * G["d" + k])
    p, st = momentum.update(P, G, momentum.init(P), {"learning_rate": 0.1, "beta": 0.8})
    np.testing.assert_allclose(st["v"]["d" + k], 0.2 * G["d" + k])
    np.testing.assert_allclose(p[k], P[k] - 0.1 * 0.2 * G["d" + k])
    p, st = rmsprop.update(P, G, rmsprop.init(P), {"learning_rate": 0.1, "beta2": 0.9})
    np.testing.assert_allclose(p[k], P[k] - 0.1 * G["d" + k] / (np.sqrt(0.1 * G["d" + k] ** 2) + 1e-8))
    # Adam's first bias-corrected step moves every entry by about learning_rate, against the gradient's sign
    p, st = adam.update(P, G, adam.init(P), {"learning_rate": 0.01})
    assert st["t"] == 1
    np.testing.assert_allclose(p[k], P[k] - 0.01 * np.sign(G["d" + k]), rtol=0, atol=1e-7)


def test_adam_counts_its_steps_in_the_state(problem):
    P, G = problem
    state = adam.init(P)
    for t in range(1, 4):
        P, state = adam.update(P, G, state)
        assert state["t"] == t


def test_missing_or_misshaped_gradient_raises(problem):
    P, G = problem
    with pytest.raises(KeyError, match="grads has no 'db1'"):
        gd.update(P, {k: v for k, v in G.items() if k != "db1"}, {})
    with pytest.raises(ValueError, match=r"dW1 has shape \(4, 3\), but W1 has \(3, 4\)"):
        gd.update(P, {**G, "dW1": G["dW1"].T}, {})


def test_pick_keeps_the_hyperparameters_a_rule_takes():
    offer = dict(learning_rate=0.1, beta=0.8, beta1=0.9, beta2=0.99, epsilon=1e-6)
    assert gd.pick(**offer) == {"learning_rate": 0.1}
    assert momentum.pick(**offer) == {"learning_rate": 0.1, "beta": 0.8}
    assert adam.pick(**offer) == {"learning_rate": 0.1, "beta1": 0.9, "beta2": 0.99, "epsilon": 1e-6}
