"""Unit tests of course_utils.models.bn_mlp: the softmax network
[LINEAR -> BATCHNORM -> RELU] x (L-1) -> LINEAR -> SOFTMAX (and its variant without batch norm),
checked against plain numpy computations and finite differences."""

import copy

import numpy as np
import pytest

import course_utils.models.bn_mlp as bnn
from course_utils.grading.checks import compare
from course_utils.nn.init import initialize_parameters_deep
from course_utils.gradcheck import gradient_difference, numerical_gradient
from course_utils.data.encoding import one_hot
from course_utils.nn.losses import softmax_cross_entropy_cost

EPS = 1e-8


def make_problem(dims=(3, 5, 4, 3), m=7, seed=0, batchnorm=True):
    """Random parameters (non-trivial gamma, beta and biases), inputs and one-hot labels."""
    rng = np.random.default_rng(seed)
    parameters, running = bnn.initialize_bn_network(list(dims), seed=seed, batchnorm=batchnorm)
    parameters = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in parameters.items()}
    running = {k: (np.abs(v + 0.5 * rng.standard_normal(v.shape)) if k.startswith("var")
                   else v + 0.5 * rng.standard_normal(v.shape)) for k, v in running.items()}
    X = rng.standard_normal((dims[0], m))
    Y = one_hot(rng.integers(0, dims[-1], m), dims[-1])
    return X, Y, parameters, running


def manual_forward(X, p, running=None, training=True, momentum=0.9):
    """An independent forward pass written out with plain numpy."""
    L = sum(k.startswith("W") for k in p)
    A, new_running = X, dict(running or {})
    for l in range(1, L):
        Z = p[f"W{l}"] @ A
        if f"gamma{l}" in p:
            if training:
                mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
                if running is not None:
                    new_running[f"mu{l}"] = momentum * running[f"mu{l}"] + (1 - momentum) * mu
                    new_running[f"var{l}"] = momentum * running[f"var{l}"] + (1 - momentum) * var
            else:
                mu, var = running[f"mu{l}"], running[f"var{l}"]
            Z = p[f"gamma{l}"] * (Z - mu) / np.sqrt(var + EPS) + p[f"beta{l}"]
        else:
            Z = Z + p[f"b{l}"]
        A = np.maximum(Z, 0)
    ZL = p[f"W{L}"] @ A + p[f"b{L}"]
    E = np.exp(ZL - ZL.max(axis=0))
    return E / E.sum(axis=0), new_running


def cost_of(X, Y):
    return lambda params: softmax_cross_entropy_cost(bnn.bn_network_forward(X, params)[0], Y)


# --- initialisation -------------------------------------------------------------------------

def test_initialisation_matches_he_weights_and_batchnorm_layout():
    dims = [6, 5, 4, 3]
    params, running = bnn.initialize_bn_network(dims, seed=4)
    he = initialize_parameters_deep(dims, seed=4, scale="he")
    assert list(params) == ["W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"]
    for l in (1, 2, 3):
        np.testing.assert_array_equal(params[f"W{l}"], he[f"W{l}"])
    rng = np.random.default_rng(4)
    np.testing.assert_array_equal(params["W1"], rng.standard_normal((5, 6)) * np.sqrt(2 / 6))
    for l, n in ((1, 5), (2, 4)):
        np.testing.assert_array_equal(params[f"gamma{l}"], np.ones((n, 1)))
        np.testing.assert_array_equal(params[f"beta{l}"], np.zeros((n, 1)))
        np.testing.assert_array_equal(running[f"mu{l}"], np.zeros((n, 1)))
        np.testing.assert_array_equal(running[f"var{l}"], np.ones((n, 1)))
    assert params["b3"].shape == (3, 1) and list(running) == ["mu1", "var1", "mu2", "var2"]

    plain, running_plain = bnn.initialize_bn_network(dims, seed=4, batchnorm=False)
    assert list(plain) == ["W1", "b1", "W2", "b2", "W3", "b3"] and running_plain == {}
    for l in (1, 2, 3):
        np.testing.assert_array_equal(plain[f"W{l}"], params[f"W{l}"])  # same start with and without BN


def test_initialisation_is_seeded():
    a, _ = bnn.initialize_bn_network([4, 3, 2], seed=1)
    b, _ = bnn.initialize_bn_network([4, 3, 2], seed=np.random.default_rng(1))
    c, _ = bnn.initialize_bn_network([4, 3, 2], seed=2)
    compare(a, b, rtol=0, atol=0)
    assert not np.array_equal(a["W1"], c["W1"])


# --- forward ---------------------------------------------------------------------------------

@pytest.mark.parametrize("batchnorm", [True, False])
def test_train_forward_matches_manual_computation_and_updates_running_stats(batchnorm):
    X, Y, p, running = make_problem(batchnorm=batchnorm)
    AL, caches, new_running = bnn.bn_network_forward(X, p, running, True, momentum=0.8)
    AL_manual, running_manual = manual_forward(X, p, running, True, momentum=0.8)
    np.testing.assert_allclose(AL, AL_manual, rtol=1e-10)
    np.testing.assert_allclose(AL.sum(axis=0), 1.0, rtol=1e-12)
    compare(running_manual, new_running, rtol=1e-12, atol=1e-14)
    assert len(caches) == 3
    for l, n in ((1, 5), (2, 4)):
        linear_cache, bn_cache, Z_tilde = caches[l - 1]
        assert linear_cache[0].shape[1] == 7 and linear_cache[1] is not None and Z_tilde.shape == (n, 7)
        if batchnorm:
            Z_norm, mu, var, gamma, eps = bn_cache
            assert Z_norm.shape == (n, 7) and mu.shape == var.shape == (n, 1) and eps == EPS
            np.testing.assert_array_equal(linear_cache[2], np.zeros((n, 1)))
        else:
            assert bn_cache is None
    assert len(caches[2]) == 3                       # the output layer's linear cache (A2, W3, b3)
    np.testing.assert_array_equal(caches[2][1], p["W3"])


def test_train_forward_without_running_stats_returns_none():
    X, Y, p, _ = make_problem()
    AL, caches, running = bnn.bn_network_forward(X, p)
    assert running is None and caches is not None
    np.testing.assert_allclose(AL, manual_forward(X, p)[0], rtol=1e-10)


def test_test_forward_uses_running_stats_and_treats_columns_independently():
    X, Y, p, running = make_problem(m=9)
    AL, caches, running_out = bnn.bn_network_forward(X, p, running, False)
    assert caches is None
    compare(running, running_out, rtol=0, atol=0)
    np.testing.assert_allclose(AL, manual_forward(X, p, running, False)[0], rtol=1e-10)
    for j in range(X.shape[1]):  # m = 1 at test time gives the same column
        one, _, _ = bnn.bn_network_forward(X[:, j:j + 1], p, running, False)
        assert one.shape == (3, 1)
        np.testing.assert_allclose(one, AL[:, j:j + 1], rtol=1e-12)
    predictions = bnn.bn_network_predict(X, p, running)
    assert predictions.shape == (1, 9) and predictions.dtype.kind == "i"
    np.testing.assert_array_equal(predictions, np.argmax(AL, axis=0).reshape(1, -1))


def test_test_mode_with_the_batch_statistics_equals_train_mode():
    X, Y, p, _ = make_problem(m=8)
    _, caches, _ = bnn.bn_network_forward(X, p)
    running = {}
    for l in (1, 2):
        running[f"mu{l}"], running[f"var{l}"] = caches[l - 1][1][1], caches[l - 1][1][2]
    np.testing.assert_allclose(bnn.bn_network_forward(X, p, running, False)[0],
                               bnn.bn_network_forward(X, p)[0], rtol=1e-10)


def test_batchnorm_makes_a_layer_ignore_the_scale_of_its_weights():
    X, Y, p, _ = make_problem(m=10)
    scaled = dict(p, W1=5.0 * p["W1"], W2=0.2 * p["W2"])
    np.testing.assert_allclose(bnn.bn_network_forward(X, scaled)[0], bnn.bn_network_forward(X, p)[0], rtol=1e-6)


# --- backward: finite differences -------------------------------------------------------------

@pytest.mark.parametrize("batchnorm,dims,m", [
    (True, (3, 5, 4, 3), 7),
    (False, (3, 5, 4, 3), 7),
    (True, (4, 6, 2), 2),       # a batch of 2
    (True, (3, 2), 5),          # no hidden layer: softmax regression
    (True, (2, 3, 3, 2), 6),    # two classes
])
def test_backward_matches_finite_differences(batchnorm, dims, m):
    X, Y, p, _ = make_problem(dims, m=m, seed=3, batchnorm=batchnorm)
    AL, caches, _ = bnn.bn_network_forward(X, p)
    grads = bnn.bn_network_backward(AL, Y, caches)
    assert set(grads) == {"d" + k for k in p}
    for k in p:
        assert grads["d" + k].shape == p[k].shape
    numerical = numerical_gradient(cost_of(X, Y), p, epsilon=1e-6)
    assert gradient_difference(grads, numerical) < 1e-7


def test_backward_of_test_mode_is_refused_and_shapes_are_checked():
    X, Y, p, running = make_problem()
    AL, caches, _ = bnn.bn_network_forward(X, p, running, False)
    with pytest.raises(ValueError, match="train"):
        bnn.bn_network_backward(AL, Y, caches)
    AL, caches, _ = bnn.bn_network_forward(X, p)
    with pytest.raises(ValueError, match=r"\(3, 6\)"):
        bnn.bn_network_backward(AL, Y[:, :6], caches)


# --- training --------------------------------------------------------------------------------

def blobs(m=120, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 3
    centres = np.array([[0.0, 2.0, -2.0], [2.0, -1.0, -1.0]])
    X = centres[:, labels] + 0.6 * rng.standard_normal((2, m))
    return X, one_hot(labels, 3), labels.reshape(1, -1)


@pytest.mark.parametrize("batchnorm,optimizer,lr", [(True, "adam", 0.01), (False, "adam", 0.01),
                                                    (True, "gd", 0.3), (False, "gd", 0.3)])
def test_training_lowers_the_cost_and_classifies_blobs(batchnorm, optimizer, lr):
    X, Y, labels = blobs()
    params, running, costs = bnn.train_bn_network(X, Y, [2, 8, 6, 3], batchnorm=batchnorm, optimizer=optimizer,
                                                  learning_rate=lr, num_epochs=30, mini_batch_size=16, seed=2)
    assert len(costs) == 30 and costs[-1] < 0.5 * costs[0]
    assert set(params) == set(bnn.initialize_bn_network([2, 8, 6, 3], batchnorm=batchnorm)[0])
    assert (running != {}) == batchnorm
    assert np.mean(bnn.bn_network_predict(X, params, running) == labels) > 0.9


def test_training_is_reproducible_and_follows_the_documented_recipe():
    X, Y, _ = blobs(m=40)
    a = bnn.train_bn_network(X, Y, [2, 4, 3], optimizer="gd", learning_rate=0.1, num_epochs=2,
                             mini_batch_size=16, seed=5)
    b = bnn.train_bn_network(X, Y, [2, 4, 3], optimizer="gd", learning_rate=0.1, num_epochs=2,
                             mini_batch_size=16, seed=5)
    compare(a[0], b[0], rtol=0, atol=0)
    compare(a[2], b[2], rtol=0, atol=0)
    # the same loop written out: seed + epoch for the shuffles, GD, running stats with momentum 0.9
    from course_utils.optim.minibatch import random_mini_batches
    params, running = bnn.initialize_bn_network([2, 4, 3], seed=5)
    costs = []
    for epoch in range(2):
        total = 0.0
        for Xb, Yb in random_mini_batches(X, Y, 16, seed=5 + epoch):
            AL, caches, running = bnn.bn_network_forward(Xb, params, running, True, 0.9)
            total += softmax_cross_entropy_cost(AL, Yb) * Xb.shape[1]
            grads = bnn.bn_network_backward(AL, Yb, caches)
            params = {k: v - 0.1 * grads["d" + k] for k, v in params.items()}
        costs.append(total / 40)
    compare(params, a[0], rtol=1e-12, atol=1e-14)
    compare(running, a[1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(costs, a[2], rtol=1e-12)


# --- no mutation, errors ---------------------------------------------------------------------

def _calls():
    X, Y, p, running = make_problem()
    AL, caches, _ = bnn.bn_network_forward(X, p, running)
    return [
        (bnn.initialize_bn_network, ([3, 5, 4, 3],), {"seed": 1}),
        (bnn.bn_network_forward, (X, p, running), {"training": True}),
        (bnn.bn_network_forward, (X, p, running), {"training": False}),
        (bnn.bn_network_backward, (AL, Y, caches), {}),
        (bnn.train_bn_network, (X, Y, [3, 5, 4, 3]), {"num_epochs": 2, "mini_batch_size": 4}),
        (bnn.bn_network_predict, (X, p, running), {}),
    ]


@pytest.mark.parametrize("index", range(6))
def test_no_mutation(index):
    fn, args, kwargs = _calls()[index]
    before = copy.deepcopy(args)
    fn(*args, **kwargs)
    for b, a in zip(before, args):
        compare(b, a, rtol=0, atol=0)


def test_wrong_inputs_raise_value_errors_naming_shapes():
    X, Y, p, running = make_problem()
    with pytest.raises(ValueError, match=r"X must have shape \(3, m\).*got \(4, 7\)"):
        bnn.bn_network_forward(np.zeros((4, 7)), p)
    with pytest.raises(ValueError, match="training must be True or False, got 'test'"):
        bnn.bn_network_forward(X, p, running, "test")
    with pytest.raises(ValueError, match="running statistics"):
        bnn.bn_network_forward(X, p, None, training=False)
    with pytest.raises(ValueError, match=r"running\['var2'\] must have shape \(4, 1\), got \(5, 1\)"):
        bnn.bn_network_forward(X, p, dict(running, var2=np.ones((5, 1))), training=False)
    with pytest.raises(ValueError, match="parameters must hold"):
        bnn.bn_network_forward(X, dict(p, b1=np.zeros((5, 1))))
    with pytest.raises(ValueError, match=r"gamma must have shape \(5, 1\)"):
        bnn.bn_network_forward(X, dict(p, gamma1=np.ones((4, 1))))
    with pytest.raises(ValueError, match=r"Y must be one-hot of shape \(3, 7\)"):
        bnn.train_bn_network(X, Y[:2], [3, 5, 4, 3])
    with pytest.raises(ValueError, match="optimizer"):
        bnn.train_bn_network(X, Y, [3, 5, 4, 3], optimizer="sgd")
