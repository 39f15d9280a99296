"""course_utils.exercises.batch_norm_and_softmax (Track 2, notebook 07): the lecture's signatures,
as adapters over the library's batch-norm layer and softmax cross-entropy.

Each test draws from its own seeded generator, so its data do not depend on which tests ran
before it on the same xdist worker.
"""

import numpy as np
import pytest

import course_utils.exercises.batch_norm_and_softmax as ex
import course_utils.nn.batchnorm as bn
from course_utils import gradcheck as gc
from course_utils.data.encoding import one_hot
from course_utils.nn.activations import softmax
from course_utils.nn.losses import softmax_cross_entropy_cost, softmax_cross_entropy_cost_backward


def test_flat_batchnorm_backward_matches_finite_differences(check_backward):
    rng = np.random.default_rng(11)
    Z = rng.standard_normal((4, 6)) * 3 + 2
    gamma, beta = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    D = rng.standard_normal((4, 6))
    out, cache = ex.batchnorm_forward(Z, gamma, beta)
    np.testing.assert_array_equal(out, bn.batchnorm_forward(Z, gamma, beta)[0])
    dZ, dgamma, dbeta = ex.batchnorm_backward(D, cache)  # the lecture's flat triple
    num = check_backward(lambda Z, gamma, beta: ex.batchnorm_forward(Z, gamma, beta)[0], [Z, gamma, beta], D,
                         [dZ, dgamma, dbeta], names=["Z", "gamma", "beta"])
    for analytic, numerical in zip((dZ, dgamma, dbeta), num):
        assert gc.relative_difference(analytic, numerical) < 1e-7
    with pytest.raises(ValueError, match=r"gamma must have shape \(4, 1\)"):
        ex.batchnorm_forward(Z, np.ones((3, 1)), beta)


def test_batchnorm_forward_test_is_the_library_in_test_mode():
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((2, 3))
    gamma, beta = np.array([[1.5], [0.5]]), np.array([[0.1], [-0.2]])
    mu, var = np.array([[0.3], [-1.0]]), np.array([[2.0], [0.5]])
    out = ex.batchnorm_forward_test(Z, gamma, beta, mu, var)
    np.testing.assert_allclose(out, gamma * (Z - mu) / np.sqrt(var + bn.EPS) + beta)
    one = Z[:, :1]  # a single example works
    np.testing.assert_allclose(ex.batchnorm_forward_test(one, gamma, beta, mu, var), out[:, :1])
    with pytest.raises(ValueError, match="running_var must have shape"):
        ex.batchnorm_forward_test(Z, gamma, beta, mu, var[:1])
    assert ex.update_running_stats is bn.update_running_stats


def test_summed_softmax_gradient_matches_finite_differences(check_backward):
    rng = np.random.default_rng(3)
    Y = one_hot(np.array([[0, 2, 1, 2]]), 3)
    Z = rng.standard_normal((3, 4))
    m = Z.shape[1]
    dZ = ex.softmax_cross_entropy_backward(softmax(Z), Y)
    # the exercise's gradient is that of the summed cost, m times the library's (average) one
    num = check_backward(lambda Z: m * softmax_cross_entropy_cost(softmax(Z), Y), [Z], 1.0, [dZ], names=["Z"])
    assert gc.relative_difference(dZ, num[0]) < 1e-7
    np.testing.assert_allclose(dZ, m * softmax_cross_entropy_cost_backward(softmax(Z), Y))
    with pytest.raises(ValueError, match="shape"):
        ex.softmax_cross_entropy_backward(softmax(Z), Y[:, :3])
