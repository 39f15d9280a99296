"""Unit tests of course_utils.optim.rules (Track 2, notebook 04: optimisation algorithms).

Each update rule is checked against an independent computation written out here, plus the
properties the notebook teaches: momentum with beta = 0 is gradient descent, Adam's first step
is about learning_rate * sign(gradient), RMSprop's first step is learning_rate / sqrt(1 - beta2),
mini-batches partition the shuffled data and keep X and Y paired, and no function changes its
arguments.
"""

import copy
import math

import numpy as np
import pytest

import course_utils.exercises.optimization as optim
from course_utils.optim import minibatch, schedules
from course_utils.exercises.shallow_network import update_parameters

SHAPES = [("W1", (5, 3)), ("b1", (5, 1)), ("W2", (2, 5)), ("b2", (2, 1)), ("W3", (1, 2)), ("b3", (1, 1))]


def _params(rng):
    return {k: rng.standard_normal(s) for k, s in SHAPES}


def _like(params, rng, scale=1.0, positive=False):
    draw = rng.random if positive else rng.standard_normal
    return {"d" + k: scale * draw(v.shape) for k, v in params.items()}


def _assert_dicts_equal(a, b, **kw):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], **kw)


@pytest.fixture
def setup():
    rng = np.random.default_rng(0)
    P = _params(rng)
    G = _like(P, rng)
    G["dA0"] = rng.standard_normal((3, 4))          # extra key from L_model_backward: ignored
    return rng, P, G


# ---------------------------------------------------------------- gradient descent

def test_gd_matches_formula_and_ignores_extra_keys(setup):
    _, P, G = setup
    out = optim.update_parameters_with_gd(P, G, 0.1)
    assert set(out) == set(P)
    for k in P:
        np.testing.assert_allclose(out[k], P[k] - 0.1 * G["d" + k])
    _assert_dicts_equal(update_parameters(P, G, 0.1), out)


def test_gd_shape_mismatch_raises(setup):
    _, P, G = setup
    G = dict(G, dW1=np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"\(3, 5\).*\(5, 3\)"):
        optim.update_parameters_with_gd(P, G, 0.1)


# ---------------------------------------------------------------- mini-batches

@pytest.mark.parametrize("m,size", [(148, 64), (20, 4), (6, 64), (7, 1), (64, 64)])
def test_mini_batches_partition_and_sizes(m, size):
    X = np.vstack([np.arange(m), -np.arange(m)]).astype(float)
    Y = (np.arange(m) % 3).reshape(1, m)
    batches = minibatch.random_mini_batches(X, Y, size, seed=5)
    sizes = [bx.shape[1] for bx, by in batches]
    expected = [size] * (m // size) + ([m % size] if m % size else [])
    assert sizes == expected
    seen = np.concatenate([bx[0] for bx, by in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(m))      # each example exactly once
    for bx, by in batches:                                            # X and Y stay paired
        np.testing.assert_array_equal(by[0], bx[0].astype(int) % 3)
        np.testing.assert_array_equal(bx[1], -bx[0])


def test_mini_batches_use_one_default_rng_permutation():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((3, 23)), rng.standard_normal((2, 23))
    perm = np.random.default_rng(42).permutation(23)
    batches = minibatch.random_mini_batches(X, Y, 5, seed=42)
    np.testing.assert_array_equal(np.hstack([bx for bx, _ in batches]), X[:, perm])
    np.testing.assert_array_equal(np.hstack([by for _, by in batches]), Y[:, perm])
    # a different seed gives a different order
    other = minibatch.random_mini_batches(X, Y, 5, seed=43)
    assert not np.array_equal(other[0][0], batches[0][0])


def test_mini_batches_errors():
    with pytest.raises(ValueError):
        minibatch.random_mini_batches(np.zeros((2, 5)), np.zeros((1, 4)), 2)
    with pytest.raises(ValueError):
        minibatch.random_mini_batches(np.zeros((2, 5)), np.zeros((1, 5)), 0)


# ---------------------------------------------------------------- momentum

def test_initializers_are_zeros_shaped_like_parameters(setup):
    _, P, _ = setup
    v = optim.initialize_velocity(P)
    s = optim.initialize_rmsprop(P)
    va, sa = optim.initialize_adam(P)
    for d in (v, s, va, sa):
        assert set(d) == {"d" + k for k in P}
        for k in P:
            assert d["d" + k].shape == P[k].shape and not d["d" + k].any()
    assert va["dW1"] is not sa["dW1"]                 # two separate arrays


def test_momentum_matches_formula(setup):
    rng, P, G = setup
    V = _like(P, rng, 0.3)
    out_p, out_v = optim.update_parameters_with_momentum(P, G, V, 0.9, 0.05)
    for k in P:
        v = 0.9 * V["d" + k] + 0.1 * G["d" + k]
        np.testing.assert_allclose(out_v["d" + k], v)
        np.testing.assert_allclose(out_p[k], P[k] - 0.05 * v)


def test_momentum_with_beta_zero_is_gradient_descent(setup):
    rng, P, G = setup
    out_p, out_v = optim.update_parameters_with_momentum(P, G, _like(P, rng), 0.0, 0.1)
    _assert_dicts_equal(out_p, optim.update_parameters_with_gd(P, G, 0.1))
    _assert_dicts_equal(out_v, {"d" + k: G["d" + k] for k in P})


def test_momentum_is_an_exponentially_weighted_average_of_gradients(setup):
    rng, P, _ = setup
    beta, grads = 0.8, [_like(P, rng) for _ in range(4)]
    v = optim.initialize_velocity(P)
    for g in grads:
        _, v = optim.update_parameters_with_momentum(P, g, v, beta, 0.1)
    expected = sum((1 - beta) * beta ** (3 - i) * grads[i]["dW2"] for i in range(4))
    np.testing.assert_allclose(v["dW2"], expected)


# ---------------------------------------------------------------- RMSprop

def test_rmsprop_matches_formula(setup):
    rng, P, G = setup
    S = _like(P, rng, 0.1, positive=True)
    out_p, out_s = optim.update_parameters_with_rmsprop(P, G, S, beta2=0.95, learning_rate=0.02, epsilon=1e-6)
    for k in P:
        s = 0.95 * S["d" + k] + 0.05 * G["d" + k] ** 2
        np.testing.assert_allclose(out_s["d" + k], s)
        np.testing.assert_allclose(out_p[k], P[k] - 0.02 * G["d" + k] / (np.sqrt(s) + 1e-6))


def test_rmsprop_first_step_and_zero_gradient(setup):
    _, P, G = setup
    G = copy.deepcopy(G)
    G["dW1"][0, 0] = 0.0
    out_p, _ = optim.update_parameters_with_rmsprop(P, G, optim.initialize_rmsprop(P), 0.999, 0.01)
    step = P["W1"] - out_p["W1"]
    assert step[0, 0] == 0.0                                        # 0 / (0 + eps), not NaN
    mask = np.ones_like(step, dtype=bool)
    mask[0, 0] = False
    np.testing.assert_allclose(np.abs(step[mask]), 0.01 / math.sqrt(0.001), rtol=1e-5)
    np.testing.assert_array_equal(np.sign(step[mask]), np.sign(G["dW1"][mask]))


# ---------------------------------------------------------------- Adam

def test_adam_matches_formula_at_t_greater_than_one(setup):
    rng, P, G = setup
    V, S = _like(P, rng, 0.2), _like(P, rng, 0.1, positive=True)
    t, lr, b1, b2, eps = 7, 0.003, 0.85, 0.99, 1e-7
    out_p, out_v, out_s, v_hat, s_hat = optim.update_parameters_with_adam(P, G, V, S, t, lr, b1, b2, eps)
    for k in P:
        d = "d" + k
        v = b1 * V[d] + (1 - b1) * G[d]
        s = b2 * S[d] + (1 - b2) * G[d] ** 2
        np.testing.assert_allclose(out_v[d], v)
        np.testing.assert_allclose(out_s[d], s)
        np.testing.assert_allclose(v_hat[d], v / (1 - b1 ** t))
        np.testing.assert_allclose(s_hat[d], s / (1 - b2 ** t))
        np.testing.assert_allclose(out_p[k], P[k] - lr * (v / (1 - b1 ** t)) / (np.sqrt(s / (1 - b2 ** t)) + eps))


def test_adam_first_step_is_a_sign_step(setup):
    _, P, G = setup
    v, s = optim.initialize_adam(P)
    out_p, _, _, v_hat, s_hat = optim.update_parameters_with_adam(P, G, v, s, 1, learning_rate=0.01)
    for k in P:
        np.testing.assert_allclose(v_hat["d" + k], G["d" + k])       # bias correction is exact at t = 1
        np.testing.assert_allclose(s_hat["d" + k], G["d" + k] ** 2)
        np.testing.assert_allclose(P[k] - out_p[k], 0.01 * np.sign(G["d" + k]), rtol=1e-5)


def test_adam_with_beta1_zero_and_no_correction_needed(setup):
    rng, P, G = setup
    V, S = _like(P, rng), _like(P, rng, positive=True)
    _, out_v, _, v_hat, _ = optim.update_parameters_with_adam(P, G, V, S, 5, beta1=0.0)
    _assert_dicts_equal(out_v, v_hat)
    _assert_dicts_equal(v_hat, {"d" + k: G["d" + k] for k in P})


def test_adam_rejects_step_zero(setup):
    _, P, G = setup
    v, s = optim.initialize_adam(P)
    with pytest.raises(ValueError):
        optim.update_parameters_with_adam(P, G, v, s, 0)


# ---------------------------------------------------------------- learning-rate decay

def test_update_lr_reproduces_the_notes_table():
    table = {0: 0.2, 1: 0.1, 2: 0.2 / 3, 3: 0.05, 4: 0.04}          # alpha_0 = 0.2, decay_rate = 1
    for epoch, alpha in table.items():
        assert math.isclose(schedules.update_lr(0.2, epoch, 1), alpha)
    assert schedules.update_lr(0.3, 17, 0.0) == 0.3


def test_schedule_lr_decay_is_a_staircase():
    assert schedules.schedule_lr_decay(0.2, 0, 1, 1000) == 0.2
    assert schedules.schedule_lr_decay(0.2, 999, 1, 1000) == 0.2
    assert math.isclose(schedules.schedule_lr_decay(0.2, 1000, 1, 1000), 0.1)
    assert math.isclose(schedules.schedule_lr_decay(0.2, 2999, 0.5, 1000), 0.1)
    for e in range(12):                                              # interval 1 equals update_lr
        assert math.isclose(schedules.schedule_lr_decay(0.1, e, 0.7, 1), schedules.update_lr(0.1, e, 0.7))


def test_exponential_and_inverse_sqrt_decay():
    assert math.isclose(schedules.exponential_lr(0.2, 0), 0.2)
    assert math.isclose(schedules.exponential_lr(0.2, 3), 0.95 ** 3 * 0.2)
    assert math.isclose(schedules.inverse_sqrt_lr(0.2, 4, k=1.5), 1.5 / 2 * 0.2)
    with pytest.raises(ValueError):
        schedules.inverse_sqrt_lr(0.2, 0)


# ---------------------------------------------------------------- no mutation

def _calls(rng, P, G):
    V, S = _like(P, rng, 0.2), _like(P, rng, 0.1, positive=True)
    X, Y = rng.standard_normal((3, 11)), rng.standard_normal((1, 11))
    return [
        (update_parameters, (P, G, 0.1)),
        (optim.update_parameters_with_gd, (P, G, 0.1)),
        (minibatch.random_mini_batches, (X, Y, 4, 3)),
        (optim.initialize_velocity, (P,)),
        (optim.update_parameters_with_momentum, (P, G, V, 0.9, 0.1)),
        (optim.initialize_rmsprop, (P,)),
        (optim.update_parameters_with_rmsprop, (P, G, S, 0.9, 0.01)),
        (optim.initialize_adam, (P,)),
        (optim.update_parameters_with_adam, (P, G, V, S, 3)),
    ]


def test_no_function_mutates_its_arguments(setup):
    rng, P, G = setup
    for fn, args in _calls(rng, P, G):
        before = copy.deepcopy(args)
        fn(*args)
        for a, b in zip(before, args):
            if isinstance(a, dict):
                _assert_dicts_equal(a, b, rtol=0, atol=0)
            elif isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, b)


def test_updates_return_new_arrays(setup):
    rng, P, G = setup
    out = optim.update_parameters_with_gd(P, G, 0.0)
    assert all(out[k] is not P[k] for k in P)
    V = _like(P, rng)
    _, out_v = optim.update_parameters_with_momentum(P, G, V, 1.0, 0.1)
    assert all(out_v[k] is not V[k] for k in V)
