"""course_utils.nn.batchnorm: the batch-norm layer (training and test mode) and its running statistics.

Each test draws from its own seeded generator, so its data do not depend on which tests ran
before it on the same xdist worker.
"""

import numpy as np
import pytest

import course_utils.nn.batchnorm as bn
from course_utils import gradcheck as gc


def test_batchnorm_forward_normalises_and_backward_matches_finite_differences(check_backward):
    rng = np.random.default_rng(11)
    Z = rng.standard_normal((4, 6)) * 3 + 2
    gamma, beta = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    out, cache = bn.batchnorm_forward(Z, np.ones((4, 1)), np.zeros((4, 1)))
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), 1, rtol=1e-6)
    D = rng.standard_normal((4, 6))
    out, cache = bn.batchnorm_forward(Z, gamma, beta)
    dZ, grads = bn.batchnorm_backward(D, cache)
    assert set(grads) == {"dgamma", "dbeta"}
    # Entrywise (default 1e-7) for these data; for other data an entry of dZ can cancel to near
    # zero and need a looser entrywise tol, while the whole-gradient differences stay below 1e-7.
    num_Z, num_gamma, num_beta = check_backward(
        lambda Z, gamma, beta: bn.batchnorm_forward(Z, gamma, beta)[0], [Z, gamma, beta], D,
        [dZ, grads["dgamma"], grads["dbeta"]], names=["Z", "gamma", "beta"])
    assert gc.relative_difference(dZ, num_Z) < 1e-7
    assert gc.relative_difference(grads["dgamma"], num_gamma) < 1e-7
    assert gc.relative_difference(grads["dbeta"], num_beta) < 1e-7
    with pytest.raises(ValueError, match=r"gamma must have shape \(4, 1\)"):
        bn.batchnorm_forward(Z, np.ones((3, 1)), beta)


def test_parameter_gradients_are_sums_over_the_batch():
    rng = np.random.default_rng(1)
    Z, D = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    out, cache = bn.batchnorm_forward(Z, np.full((3, 1), 2.0), np.zeros((3, 1)))
    Z_norm = cache[0]
    _, grads = bn.batchnorm_backward(D, cache)
    np.testing.assert_allclose(grads["dbeta"], D.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(grads["dgamma"], (D * Z_norm).sum(axis=1, keepdims=True))
    with pytest.raises(ValueError, match="dZ_tilde has shape"):
        bn.batchnorm_backward(D[:, :4], cache)


def test_test_time_batchnorm_uses_running_stats():
    rng = np.random.default_rng(12)
    mu, var = np.zeros((2, 1)), np.ones((2, 1))
    for _ in range(200):
        batch = rng.normal(5.0, 2.0, (2, 64))
        mu, var = bn.update_running_stats(mu, var, batch.mean(1, keepdims=True), batch.var(1, keepdims=True))
    np.testing.assert_allclose(mu, 5.0, atol=0.3)
    np.testing.assert_allclose(var, 4.0, atol=0.6)
    one = np.array([[5.0], [7.0]])  # a single example: no batch statistics
    out, cache = bn.batchnorm_forward(one, np.ones((2, 1)), np.zeros((2, 1)), training=False,
                                      running_mu=mu, running_var=var)
    np.testing.assert_allclose(out, (one - mu) / np.sqrt(var + bn.EPS))
    assert cache is None
    with pytest.raises(ValueError, match="test time"):
        bn.batchnorm_backward(np.ones((2, 1)), cache)


def test_test_mode_scales_shifts_and_checks_the_running_statistics():
    Z = np.array([[1.0, 3.0], [0.0, -2.0]])
    gamma, beta = np.array([[2.0], [0.5]]), np.array([[1.0], [-1.0]])
    mu, var = np.array([[1.0], [0.0]]), np.array([[4.0], [1.0]])
    out, _ = bn.batchnorm_forward(Z, gamma, beta, training=False, running_mu=mu, running_var=var, eps=0.0)
    np.testing.assert_allclose(out, [[1.0, 3.0], [-1.0, -2.0]])
    with pytest.raises(ValueError, match="needs running_var"):
        bn.batchnorm_forward(Z, gamma, beta, training=False, running_mu=mu)
    with pytest.raises(ValueError, match=r"running_mu must have shape \(2, 1\)"):
        bn.batchnorm_forward(Z, gamma, beta, training=False, running_mu=mu.T, running_var=var)


def test_update_running_stats_is_an_ewa_and_checks_shapes():
    r_mu, r_var = bn.update_running_stats(np.zeros((2, 1)), np.ones((2, 1)), np.full((2, 1), 10.0),
                                          np.full((2, 1), 3.0), momentum=0.8)
    np.testing.assert_allclose(r_mu, 2.0)
    np.testing.assert_allclose(r_var, 0.8 + 0.2 * 3.0)
    with pytest.raises(ValueError, match="same shape"):
        bn.update_running_stats(np.zeros((2, 1)), np.ones((2, 1)), np.zeros((3, 1)), np.ones((2, 1)))
