"""course_utils.models.resnet: plain and residual networks of the same depth have the same layers and
parameters and differ only by the skip; the step's gradients are those of its cost; training lowers it."""

import numpy as np
import pytest

from course_utils.gradcheck import gradient_difference, numerical_gradient
from course_utils.models.resnet import (deep_cnn_forward, deep_cnn_predict, deep_cnn_step, initialize_deep_cnn,
                                        train_deep_cnn)
from course_utils.nn.conv import conv2d_forward

rng = np.random.default_rng(4106)


def problem(m=5):
    X = rng.standard_normal((m, 6, 5, 1))
    Y = np.eye(3)[rng.integers(0, 3, m)]
    return X, Y


def test_both_kinds_have_the_same_parameters_and_differ_only_in_the_second_layers_scale():
    plain = initialize_deep_cnn((8, 8, 1), 10, 4, False, channels=6, seed=3)
    res = initialize_deep_cnn((8, 8, 1), 10, 4, True, channels=6, seed=3)
    assert list(plain) == list(res) == ["W_stem", "b_stem"] + [f"{k}{j}_{l}" for l in range(1, 5) for j in (1, 2)
                                                              for k in ("W", "b")] + ["W_fc", "b_fc"]
    assert res["W_fc"].shape == (4 * 4 * 6, 10) and res["W_stem"].dtype == np.float32   # stride-2 stem: 8x8 -> 4x4
    for k in plain:
        factor = 0.5 if k.startswith("W2_") else 1.0                                    # 1 / sqrt(4 blocks)
        np.testing.assert_allclose(res[k], plain[k] * factor, rtol=1e-6)


def test_without_blocks_both_kinds_are_one_network_and_the_skip_is_the_only_difference():
    X, _ = problem()
    p = {k: v.astype(np.float64) for k, v in initialize_deep_cnn(X.shape[1:], 3, 0, False, seed=1).items()}
    np.testing.assert_array_equal(deep_cnn_forward(X, p, False)[0], deep_cnn_forward(X, p, True)[0])
    p1 = {k: v.astype(np.float64) for k, v in initialize_deep_cnn(X.shape[1:], 3, 1, False, seed=1).items()}
    A, _ = conv2d_forward(X, p1["W_stem"], p1["b_stem"], stride=2, pad=1)
    A = np.maximum(A, 0)
    Z1 = np.maximum(conv2d_forward(A, p1["W1_1"], p1["b1_1"], 1, 1)[0], 0)
    Z2 = conv2d_forward(Z1, p1["W2_1"], p1["b2_1"], 1, 1)[0]
    for residual, block_out in ((False, np.maximum(Z2, 0)), (True, np.maximum(Z2 + A, 0))):
        expected = block_out.reshape(len(X), -1) @ p1["W_fc"] + p1["b_fc"]
        np.testing.assert_allclose(deep_cnn_forward(X, p1, residual)[0], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("residual", [False, True])
def test_step_gradients_are_those_of_the_cost(residual):
    """Two channels: with one, a dead ReLU channel leaves sums of exactly 0 at the next ReLU's kink."""
    X, Y = problem(m=3)
    p = {k: v.astype(np.float64) for k, v in initialize_deep_cnn(X.shape[1:], 3, 2, residual, channels=2,
                                                                  seed=2).items()}
    cost, grads = deep_cnn_step(p, X, Y, residual)
    assert set(grads) == {"d" + k for k in p}
    numerical = numerical_gradient(lambda q: deep_cnn_step(q, X, Y, residual)[0], p, epsilon=1e-6)
    assert gradient_difference(grads, numerical) < 1e-7


def test_training_lowers_the_cost_in_float32_and_predict_gives_classes():
    X, Y = problem(m=24)
    p, history = train_deep_cnn(X.astype(np.float32), Y.astype(np.float32), 2, True, channels=4, num_epochs=15,
                                mini_batch_size=8, learning_rate=0.01)
    assert all(v.dtype == np.float32 for v in p.values())
    assert history["cost"][-1] < history["cost"][0] / 2
    pred = deep_cnn_predict(p, X.astype(np.float32), True, batch=7)
    assert pred.shape == (24,) and set(pred) <= {0, 1, 2}


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="blocks >= 0, channels >= 1 and an odd f, got 2, 4, 4"):
        initialize_deep_cnn((8, 8, 1), 10, 2, True, channels=4, f=4)
    X, Y = problem()
    p = initialize_deep_cnn(X.shape[1:], 3, 1, True, seed=0)
    with pytest.raises(ValueError, match=r"Y must be one-hot \(m, n_y\) = \(5, 3\), got \(3, 5\)"):
        deep_cnn_step(p, X, Y.T, True)


def test_a_pair_of_block_functions_trains_the_residual_network_as_the_library_block_does():
    """The notebook trains with the student's identity block: a pair (forward, backward) takes the library's place."""
    from course_utils.nn.residual import identity_block_backward, identity_block_forward

    X, Y = problem()
    p = {k: v.astype(np.float64) for k, v in initialize_deep_cnn(X.shape[1:], 3, 2, True, channels=2, seed=4).items()}
    calls = []

    def forward(A, block):
        calls.append("forward")
        return identity_block_forward(A, block)

    def backward(d, cache):
        calls.append("backward")
        return identity_block_backward(d, cache)

    cost, grads = deep_cnn_step(p, X, Y, (forward, backward))
    cost_lib, grads_lib = deep_cnn_step(p, X, Y, True)
    assert calls == ["forward", "forward", "backward", "backward"] and cost == cost_lib
    for k in grads_lib:
        np.testing.assert_array_equal(grads[k], grads_lib[k])
    with pytest.raises(ValueError, match="residual must be False, True or a pair"):
        deep_cnn_forward(X, p, "yes")
