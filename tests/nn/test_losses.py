"""course_utils.nn.losses: L1, L2, the binary and the softmax cross-entropy, and their gradients.

Each test draws from its own seeded generator, so its data do not depend on which tests ran
before it on the same xdist worker.
"""

import numpy as np
import pytest

import course_utils.nn.activations as act
import course_utils.nn.losses as losses
from course_utils.data.encoding import one_hot
from course_utils.metrics.classification import predict_classes


def test_losses():
    rng = np.random.default_rng(0)
    yhat = np.array([0.9, 0.2, 0.1, 0.4, 0.9])
    y = np.array([1, 0, 0, 1, 1])
    assert losses.L1(yhat, y) == pytest.approx(1.1)
    assert losses.L2(yhat, y) == pytest.approx(0.43)
    with pytest.raises(ValueError, match=r"\(5,\).*\(4,\)"):
        losses.L1(yhat, y[:4])
    Z = rng.standard_normal((1, 6)) * 3
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    assert losses.cross_entropy_cost(act.sigmoid(Z), Y) == pytest.approx(losses.cross_entropy_cost_from_logits(Z, Y))
    assert np.isfinite(losses.cross_entropy_cost(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])))


def test_sigmoid_cross_entropy_gradient_is_that_of_the_average_cost(check_backward):
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((1, 8)) * 2
    Y = (rng.random((1, 8)) > 0.5).astype(float)
    dZ = losses.sigmoid_cross_entropy_cost_backward(act.sigmoid(Z), Y)
    check_backward(lambda Z: losses.cross_entropy_cost(act.sigmoid(Z), Y), [Z], 1.0, [dZ], names=["Z"])
    # finite where a confident output rounds to exactly 0 or 1
    np.testing.assert_allclose(losses.sigmoid_cross_entropy_cost_backward(np.array([[1.0, 0.0]]),
                                                                           np.array([[0.0, 1.0]])), [[0.5, -0.5]])
    with pytest.raises(ValueError, match="shape"):
        losses.sigmoid_cross_entropy_cost_backward(np.zeros((1, 3)), np.zeros((1, 4)))


def test_softmax_lecture_example_and_gradient(check_backward):
    rng = np.random.default_rng(11)
    z = np.array([[5.0], [2.0], [-1.0], [3.0]])
    np.testing.assert_allclose(act.softmax(z).ravel(), [0.842, 0.042, 0.002, 0.114], atol=5e-4)
    Y = one_hot(np.array([[0, 2, 1, 2]]), 3)
    assert Y.shape == (3, 4) and Y.sum() == 4 and Y[2, 1] == 1
    np.testing.assert_array_equal(predict_classes(Y), [[0, 2, 1, 2]])
    with pytest.raises(ValueError, match="labels must be in"):
        one_hot([3], 3)
    Z = rng.standard_normal((3, 4))
    # the library's gradient is that of the average cost: (Y_hat - Y) / m
    dZ = losses.softmax_cross_entropy_cost_backward(act.softmax(Z), Y)
    check_backward(lambda Z: losses.softmax_cross_entropy_cost(act.softmax(Z), Y), [Z], 1.0, [dZ], names=["Z"])
    np.testing.assert_allclose(dZ * Z.shape[1], act.softmax(Z) - Y)


def test_softmax_cross_entropy_cost_values():
    Y = one_hot([0, 2], 3)
    Y_hat = np.array([[0.5, 0.1], [0.25, 0.1], [0.25, 0.8]])
    assert losses.softmax_cross_entropy_cost(Y_hat, Y) == pytest.approx(-(np.log(0.5) + np.log(0.8)) / 2)
    assert losses.softmax_cross_entropy_cost(Y, Y) == 0.0
    # a confident mistake: large but finite
    assert np.isfinite(losses.softmax_cross_entropy_cost(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]])))
    with pytest.raises(ValueError, match="shape"):
        losses.softmax_cross_entropy_cost(Y_hat, Y[:, :1])
    with pytest.raises(ValueError, match="shape"):
        losses.softmax_cross_entropy_cost_backward(Y_hat, Y[:2])
