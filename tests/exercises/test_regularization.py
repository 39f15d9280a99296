"""Unit tests of course_utils.exercises.regularization: L2 regularisation and inverted dropout for the
3-layer network LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID."""

import copy

import numpy as np
import pytest

import course_utils.exercises.regularization as reg
from course_utils.grading.checks import compare
from course_utils.gradcheck import gradient_difference, numerical_gradient

GRAD_KEYS = {"dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"}


def make_problem(n0=3, n1=5, n2=4, m=7, seed=0):
    rng = np.random.default_rng(seed)
    sizes = [n0, n1, n2, 1]
    parameters = {}
    for l in (1, 2, 3):
        parameters[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1])) * 0.8
        parameters[f"b{l}"] = rng.standard_normal((sizes[l], 1)) * 0.3
    X = rng.standard_normal((n0, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return X, Y, parameters


def manual_forward(X, p, D1=None, D2=None, keep_prob=1.0):
    """An independent forward pass written out with plain numpy."""
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.maximum(Z1, 0)
    if D1 is not None:
        A1 = A1 * D1 / keep_prob
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.maximum(Z2, 0)
    if D2 is not None:
        A2 = A2 * D2 / keep_prob
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return Z1, A1, Z2, A2, Z3, A3


def plain_cost(A3, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(A3) + (1 - Y) * np.log(1 - A3)) / m)


def l2_penalty(p, lambd, m):
    return lambd / (2 * m) * sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))


def weight_grads(grads):
    return {k: v for k, v in grads.items() if k[:2] in ("dW", "db")}


# --- forward ------------------------------------------------------------------------------

def test_forward_matches_manual_computation_and_cache_layout():
    X, Y, p = make_problem()
    A3, cache = reg.forward_propagation(X, p)
    Z1, A1, Z2, A2, Z3, A3_manual = manual_forward(X, p)
    np.testing.assert_allclose(A3, A3_manual, rtol=1e-12)
    assert len(cache) == 12
    expected = (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3_manual, p["W3"], p["b3"])
    for got, want in zip(cache, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    assert A3.shape == (1, X.shape[1])


def test_dropout_forward_masks_drawn_in_order_from_the_seed():
    X, Y, p = make_problem(m=9)
    keep_prob, seed = 0.7, 123
    A3, cache = reg.forward_propagation_with_dropout(X, p, keep_prob, seed=seed)
    rng = np.random.default_rng(seed)
    D1 = rng.random((5, 9)) < keep_prob
    D2 = rng.random((4, 9)) < keep_prob
    Z1, A1, Z2, A2, Z3, A3_manual = manual_forward(X, p, D1, D2, keep_prob)
    assert len(cache) == 14
    assert cache[1].dtype == bool and cache[6].dtype == bool
    np.testing.assert_array_equal(cache[1], D1)
    np.testing.assert_array_equal(cache[6], D2)
    expected = (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3_manual, p["W3"], p["b3"])
    for got, want in zip(cache, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(A3, A3_manual, rtol=1e-12)


def test_dropout_default_seed_is_1_and_generator_is_advanced():
    X, Y, p = make_problem()
    a, _ = reg.forward_propagation_with_dropout(X, p)
    b, _ = reg.forward_propagation_with_dropout(X, p, 0.5, seed=1)
    np.testing.assert_array_equal(a, b)
    gen = np.random.default_rng(5)
    _, c1 = reg.forward_propagation_with_dropout(X, p, 0.5, seed=gen)
    _, c2 = reg.forward_propagation_with_dropout(X, p, 0.5, seed=gen)
    assert not np.array_equal(c1[1], c2[1]), "a shared Generator must give new masks each call"
    _, c3 = reg.forward_propagation_with_dropout(X, p, 0.5, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(c1[1], c3[1])


def test_keep_prob_1_is_no_dropout():
    X, Y, p = make_problem()
    A3, cache = reg.forward_propagation(X, p)
    A3_d, cache_d = reg.forward_propagation_with_dropout(X, p, 1.0, seed=3)
    np.testing.assert_array_equal(A3, A3_d)
    assert cache_d[1].all() and cache_d[6].all()
    g = reg.backward_propagation(X, Y, cache)
    g_d = reg.backward_propagation_with_dropout(X, Y, cache_d, 1.0)
    compare(g, g_d, rtol=1e-12, atol=0)


def test_inverted_dropout_keeps_the_expected_activation():
    """Averaged over many masks, the dropped-out and rescaled A1 equals A1 without dropout."""
    rng = np.random.default_rng(0)
    X, Y, p = make_problem(m=4)
    _, cache = reg.forward_propagation(X, p)
    total = np.zeros_like(cache[1])
    n = 2000
    for _ in range(n):
        _, cache_d = reg.forward_propagation_with_dropout(X, p, 0.8, seed=rng)
        total += cache_d[2]
    np.testing.assert_allclose(total / n, cache[1], rtol=0.05, atol=0.02)


# --- costs --------------------------------------------------------------------------------

@pytest.mark.parametrize("lambd", [0.0, 0.1, 0.7, 3.0])
def test_cost_with_regularization_independent(lambd):
    X, Y, p = make_problem()
    A3, _ = reg.forward_propagation(X, p)
    expected = plain_cost(A3, Y) + l2_penalty(p, lambd, X.shape[1])
    got = reg.compute_cost_with_regularization(A3, Y, p, lambd)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-12)


def test_cost_lambd_0_is_cross_entropy_and_biases_do_not_count():
    X, Y, p = make_problem(m=1)
    A3, _ = reg.forward_propagation(X, p)
    assert reg.compute_cost_with_regularization(A3, Y, p, 0) == pytest.approx(reg.compute_cost(A3, Y), rel=1e-14)
    q = dict(p, b1=p["b1"] + 100.0)
    assert reg.compute_cost_with_regularization(A3, Y, q, 0.5) == pytest.approx(
        reg.compute_cost_with_regularization(A3, Y, p, 0.5), rel=1e-14)


# --- gradients against finite differences --------------------------------------------------

@pytest.mark.parametrize("m", [1, 6])
def test_backward_matches_finite_differences(m):
    X, Y, p = make_problem(m=m, seed=m)
    _, cache = reg.forward_propagation(X, p)
    grads = reg.backward_propagation(X, Y, cache)
    assert set(grads) == GRAD_KEYS
    numeric = numerical_gradient(lambda q: plain_cost(reg.forward_propagation(X, q)[0], Y), p, epsilon=1e-6)
    assert gradient_difference(grads, numeric) < 1e-6
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    np.testing.assert_allclose(grads["dZ3"], A3 - Y)
    np.testing.assert_allclose(grads["dA2"], W3.T @ grads["dZ3"])
    np.testing.assert_allclose(grads["dA1"], W2.T @ grads["dZ2"])
    np.testing.assert_allclose(grads["dZ1"], grads["dA1"] * (Z1 > 0))


@pytest.mark.parametrize("lambd", [0.0, 0.3, 2.0])
def test_backward_with_regularization_matches_finite_differences(lambd):
    X, Y, p = make_problem(m=5, seed=11)
    _, cache = reg.forward_propagation(X, p)
    grads = reg.backward_propagation_with_regularization(X, Y, cache, lambd)
    assert set(grads) == GRAD_KEYS
    numeric = numerical_gradient(
        lambda q: reg.compute_cost_with_regularization(reg.forward_propagation(X, q)[0], Y, q, lambd), p,
        epsilon=1e-6)
    assert gradient_difference(grads, numeric) < 1e-6
    plain = reg.backward_propagation(X, Y, cache)
    for k in GRAD_KEYS:
        if k.startswith("dW"):
            np.testing.assert_allclose(grads[k], plain[k] + lambd / 5 * p["W" + k[2:]], rtol=1e-12)
        else:
            np.testing.assert_array_equal(grads[k], plain[k])


@pytest.mark.parametrize("keep_prob, m", [(0.6, 8), (0.86, 1)])
def test_backward_with_dropout_matches_finite_differences(keep_prob, m):
    """With the masks fixed (same seed), the cost is a smooth function of the parameters."""
    X, Y, p = make_problem(m=m, seed=21)
    _, cache = reg.forward_propagation_with_dropout(X, p, keep_prob, seed=4)
    grads = reg.backward_propagation_with_dropout(X, Y, cache, keep_prob)
    assert set(grads) == GRAD_KEYS
    numeric = numerical_gradient(
        lambda q: plain_cost(reg.forward_propagation_with_dropout(X, q, keep_prob, seed=4)[0], Y), p, epsilon=1e-6)
    assert gradient_difference(grads, numeric) < 1e-6
    D1, D2 = cache[1], cache[6]
    assert np.all(grads["dA1"][~D1] == 0) and np.all(grads["dA2"][~D2] == 0)


def test_relu_derivative_at_exactly_zero_is_zero():
    X, Y, p = make_problem(m=4)
    X[:, 2] = 0.0
    p = dict(p, b1=np.zeros_like(p["b1"]), b2=np.zeros_like(p["b2"]))
    _, cache = reg.forward_propagation(X, p)
    assert np.all(cache[0][:, 2] == 0)
    grads = reg.backward_propagation_with_regularization(X, Y, cache, 0.2)
    assert np.all(grads["dZ1"][:, 2] == 0) and np.all(grads["dZ2"][:, 2] == 0)


def test_weight_decay_form_equals_regularised_update():
    X, Y, p = make_problem(m=10)
    _, cache = reg.forward_propagation(X, p)
    alpha, lambd, m = 0.3, 0.7, 10
    g_reg = reg.backward_propagation_with_regularization(X, Y, cache, lambd)
    g = reg.backward_propagation(X, Y, cache)
    for l in (1, 2, 3):
        np.testing.assert_allclose(p[f"W{l}"] - alpha * g_reg[f"dW{l}"],
                                   (1 - alpha * lambd / m) * p[f"W{l}"] - alpha * g[f"dW{l}"], rtol=1e-12)


# --- no mutation --------------------------------------------------------------------------

def _assert_unchanged(fn, *args, **kwargs):
    before = copy.deepcopy((args, kwargs))
    fn(*args, **kwargs)
    compare(before, (args, kwargs), rtol=0, atol=0)


def test_no_function_mutates_its_arguments():
    X, Y, p = make_problem()
    A3, cache = reg.forward_propagation(X, p)
    _, cache_d = reg.forward_propagation_with_dropout(X, p, 0.7, seed=2)
    _assert_unchanged(reg.forward_propagation, X, p)
    _assert_unchanged(reg.backward_propagation, X, Y, cache)
    _assert_unchanged(reg.compute_cost_with_regularization, A3, Y, p, 0.4)
    _assert_unchanged(reg.backward_propagation_with_regularization, X, Y, cache, 0.4)
    _assert_unchanged(reg.forward_propagation_with_dropout, X, p, 0.7, seed=2)
    _assert_unchanged(reg.backward_propagation_with_dropout, X, Y, cache_d, 0.7)
    _assert_unchanged(reg.predict, p, X)
    _assert_unchanged(reg.model, X, Y, num_iterations=3, print_cost=False, progress=False, lambd=0.1)
    _assert_unchanged(reg.model, X, Y, num_iterations=3, print_cost=False, progress=False, keep_prob=0.8)


# --- errors -------------------------------------------------------------------------------

def test_wrong_shapes_and_values_raise_value_error():
    X, Y, p = make_problem()
    A3, cache = reg.forward_propagation(X, p)
    _, cache_d = reg.forward_propagation_with_dropout(X, p, 0.7)
    with pytest.raises(ValueError, match=r"W1 must have shape \(n1, 4\), got \(5, 3\)"):
        reg.forward_propagation(np.ones((4, 7)), p)
    with pytest.raises(ValueError, match="b2"):
        reg.forward_propagation(X, dict(p, b2=np.zeros((4,))))
    with pytest.raises(ValueError, match="missing"):
        reg.forward_propagation(X, {k: v for k, v in p.items() if k != "W3"})
    with pytest.raises(ValueError, match=r"Y must have shape \(1, 7\)"):
        reg.backward_propagation(X, Y.ravel(), cache)
    with pytest.raises(ValueError, match="same shape"):
        reg.compute_cost_with_regularization(A3, Y[:, :3], p, 0.1)
    with pytest.raises(ValueError, match="lambd"):
        reg.compute_cost_with_regularization(A3, Y, p, -1)
    with pytest.raises(ValueError, match="keep_prob"):
        reg.forward_propagation_with_dropout(X, p, 0.0)
    with pytest.raises(ValueError, match="14"):
        reg.backward_propagation_with_dropout(X, Y, cache, 0.7)
    with pytest.raises(ValueError, match="12"):
        reg.backward_propagation_with_regularization(X, Y, cache_d, 0.1)
    with pytest.raises(ValueError, match="not both"):
        reg.model(X, Y, num_iterations=1, lambd=0.1, keep_prob=0.5, print_cost=False, progress=False)
    with pytest.raises(ValueError, match="unknown"):
        reg.model(X, Y, num_iterations=1, functions={"forward": None}, print_cost=False, progress=False)


# --- model and predict --------------------------------------------------------------------

def test_model_trains_records_and_is_reproducible(capsys):
    X, Y, _ = make_problem(n0=2, m=40, seed=8)
    seen = []
    p1, costs1 = reg.model(X, Y, learning_rate=0.3, num_iterations=601, record_every=150, print_every=300,
                           progress=False, callback=lambda i, q: seen.append(i))
    assert seen == [0, 150, 300, 450, 600] and len(costs1) == 5
    assert costs1[-1] < costs1[0]
    assert capsys.readouterr().out.count("Cost after iteration") == 3
    p2, costs2 = reg.model(X, Y, learning_rate=0.3, num_iterations=601, record_every=150, print_cost=False,
                           progress=False)
    compare(p1, p2, rtol=0, atol=0)
    assert p1["W1"].shape == (20, 2) and p1["W2"].shape == (3, 20) and p1["W3"].shape == (1, 3)


def test_model_uses_replacement_functions():
    X, Y, _ = make_problem(n0=2, m=10)
    calls = {"cost": 0, "fwd": 0}

    def cost(A3, Y_, parameters, lambd):
        calls["cost"] += 1
        return reg.compute_cost_with_regularization(A3, Y_, parameters, lambd)

    def fwd(X_, parameters, keep_prob, seed=1):
        calls["fwd"] += 1
        return reg.forward_propagation_with_dropout(X_, parameters, keep_prob, seed=seed)

    reg.model(X, Y, num_iterations=4, lambd=0.2, print_cost=False, progress=False,
              functions={"compute_cost_with_regularization": cost})
    reg.model(X, Y, num_iterations=3, keep_prob=0.8, print_cost=False, progress=False,
              functions={"forward_propagation_with_dropout": fwd})
    assert calls == {"cost": 4, "fwd": 3}


def test_regularisation_shrinks_weights():
    X, Y, _ = make_problem(n0=2, m=30, seed=9)
    sq = []
    for lambd in (0.0, 1.0, 5.0):
        p, _ = reg.model(X, Y, num_iterations=500, lambd=lambd, print_cost=False, progress=False)
        sq.append(sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3)))
    assert sq[0] > sq[1] > sq[2]


def test_predict_thresholds_the_output():
    X, Y, p = make_problem(m=12)
    A3, _ = reg.forward_propagation(X, p)
    pred = reg.predict(p, X)
    assert pred.shape == (1, 12) and pred.dtype == float
    np.testing.assert_array_equal(pred, (A3 > 0.5).astype(float))
