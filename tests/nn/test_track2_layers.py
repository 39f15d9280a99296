"""Unit tests of tuning, batchnorm and multiclass (course_utils), with finite-difference checks."""

import copy

import numpy as np
import pytest

import course_utils.nn.activations as act
import course_utils.nn.batchnorm as bn
from course_utils import gradcheck as gc
import course_utils.nn.softmax as mc
import course_utils.optim.tuning as tuning

rng = np.random.default_rng(11)


def test_learning_rates_spread_evenly_over_decades():
    lr = tuning.sample_learning_rate(20000, seed=0)
    assert lr.min() >= 1e-4 and lr.max() < 1.0
    counts = np.histogram(np.log10(lr), bins=[-4, -3, -2, -1, 0])[0]
    assert counts.min() > 0.23 * lr.size  # about a quarter per decade
    np.testing.assert_array_equal(lr[:3], 10 ** (-4 + 4 * np.random.default_rng(0).random(3)))


def test_betas_between_0_9_and_0_999():
    b = tuning.sample_beta(5000, seed=1)
    assert 0.9 < b.min() and b.max() <= 0.999
    assert np.mean(b > 0.99) == pytest.approx(0.5, abs=0.03)  # half the samples in the last decade


def test_grid_and_random_points():
    g = tuning.grid_points({"lr": (-4, 0), "beta": (-3, -1)}, 3)
    assert len(g) == 9 and sorted({round(p["lr"], 8) for p in g}) == pytest.approx([1e-4, 1e-2, 1.0])
    r = tuning.random_points({"lr": (-4, 0)}, 7, seed=3)
    assert len(r) == 7 and len({p["lr"] for p in r}) == 7


def test_batchnorm_forward_normalises_and_backward_matches_finite_differences():
    Z = rng.standard_normal((4, 6)) * 3 + 2
    gamma, beta = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    out, cache = bn.batchnorm_forward(Z, np.ones((4, 1)), np.zeros((4, 1)))
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), 1, rtol=1e-6)
    D = rng.standard_normal((4, 6))
    out, cache = bn.batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = bn.batchnorm_backward(D, cache)
    cost = lambda p: float(np.sum(D * bn.batchnorm_forward(p["Z"], p["gamma"], p["beta"])[0]))  # noqa: E731
    num = gc.numerical_gradient(cost, {"Z": Z, "gamma": gamma, "beta": beta}, epsilon=1e-6)
    assert gc.relative_difference(dZ, num["dZ"]) < 1e-7
    assert gc.relative_difference(dgamma, num["dgamma"]) < 1e-7
    assert gc.relative_difference(dbeta, num["dbeta"]) < 1e-7
    with pytest.raises(ValueError, match=r"gamma must have shape \(4, 1\)"):
        bn.batchnorm_forward(Z, np.ones((3, 1)), beta)


def test_test_time_batchnorm_uses_running_stats():
    mu, var = np.zeros((2, 1)), np.ones((2, 1))
    for _ in range(200):
        batch = rng.normal(5.0, 2.0, (2, 64))
        mu, var = bn.update_running_stats(mu, var, batch.mean(1, keepdims=True), batch.var(1, keepdims=True))
    np.testing.assert_allclose(mu, 5.0, atol=0.3)
    np.testing.assert_allclose(var, 4.0, atol=0.6)
    one = np.array([[5.0], [7.0]])  # a single example: no batch statistics
    out = bn.batchnorm_forward_test(one, np.ones((2, 1)), np.zeros((2, 1)), mu, var)
    np.testing.assert_allclose(out, (one - mu) / np.sqrt(var + bn.EPS))


def test_softmax_lecture_example_and_gradient():
    z = np.array([[5.0], [2.0], [-1.0], [3.0]])
    np.testing.assert_allclose(act.softmax(z).ravel(), [0.842, 0.042, 0.002, 0.114], atol=5e-4)
    Y = mc.one_hot(np.array([[0, 2, 1, 2]]), 3)
    assert Y.shape == (3, 4) and Y.sum() == 4 and Y[2, 1] == 1
    Z = rng.standard_normal((3, 4))
    m = Z.shape[1]
    num = gc.numerical_gradient(lambda p: m * mc.softmax_cross_entropy_cost(act.softmax(p["Z"]), Y), {"Z": Z})
    assert gc.relative_difference(mc.softmax_cross_entropy_backward(act.softmax(Z), Y), num["dZ"]) < 1e-7
    np.testing.assert_array_equal(mc.predict_classes(Y), [[0, 2, 1, 2]])
    with pytest.raises(ValueError, match="labels must be in"):
        mc.one_hot([3], 3)


@pytest.mark.parametrize("fn, args", [
    (bn.batchnorm_forward, (rng.standard_normal((2, 3)), np.ones((2, 1)), np.zeros((2, 1)))),
    (bn.update_running_stats, (np.zeros((2, 1)), np.ones((2, 1)), np.ones((2, 1)), np.ones((2, 1)))),
    (bn.batchnorm_forward_test, (rng.standard_normal((2, 3)), np.ones((2, 1)), np.zeros((2, 1)), np.zeros((2, 1)), np.ones((2, 1)))),
    (mc.softmax_cross_entropy_cost, (act.softmax(rng.standard_normal((3, 2))), mc.one_hot([0, 1], 3))),
    (mc.softmax_cross_entropy_backward, (act.softmax(rng.standard_normal((3, 2))), mc.one_hot([0, 1], 3))),
])
def test_no_mutation(fn, args):
    before = copy.deepcopy(args)
    fn(*args)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)
