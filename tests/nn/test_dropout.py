"""course_utils.nn.dropout: inverted dropout, training and test behaviour."""

import numpy as np
import pytest

from course_utils.nn.dropout import dropout_backward, dropout_forward


def test_training_masks_and_rescales_with_one_draw_from_the_generator():
    A = np.arange(1.0, 13.0).reshape(3, 4)
    out, (D, keep) = dropout_forward(A, 0.6, 11)
    expected_D = np.random.default_rng(11).random((3, 4)) < 0.6
    np.testing.assert_array_equal(D, expected_D)
    np.testing.assert_allclose(out, A * expected_D / 0.6)
    assert keep == 0.6


def test_a_generator_is_advanced_so_masks_differ():
    rng = np.random.default_rng(0)
    A = np.ones((20, 20))
    assert not np.array_equal(dropout_forward(A, 0.5, rng)[1][0], dropout_forward(A, 0.5, rng)[1][0])


def test_expected_activation_is_kept():
    out, _ = dropout_forward(np.ones((200, 500)), 0.8, 3)
    assert abs(out.mean() - 1.0) < 0.01


def test_test_mode_is_the_identity_and_draws_nothing():
    A = np.random.default_rng(1).standard_normal((3, 5))
    rng = np.random.default_rng(9)
    out, cache = dropout_forward(A, 0.5, rng, training=False)
    np.testing.assert_array_equal(out, A)
    assert rng.random() == np.random.default_rng(9).random()  # the generator was not advanced
    d, grads = dropout_backward(np.ones((3, 5)), cache)
    np.testing.assert_array_equal(d, np.ones((3, 5))) and grads == {}


def test_backward_passes_the_gradient_check(check_backward):
    A = np.random.default_rng(2).standard_normal((4, 6))
    d_out = np.random.default_rng(3).standard_normal((4, 6))
    out, cache = dropout_forward(A, 0.7, 5)
    dA, grads = dropout_backward(d_out, cache)
    check_backward(lambda A: dropout_forward(A, 0.7, 5)[0], [A], d_out, [dA])
    assert grads == {}


def test_errors():
    with pytest.raises(ValueError, match=r"keep_prob must be in \(0, 1\], got 0"):
        dropout_forward(np.ones((2, 2)), 0)
    _, cache = dropout_forward(np.ones((2, 2)), 0.5, 0)
    with pytest.raises(ValueError, match=r"d_out has shape \(2, 3\), the mask \(2, 2\)"):
        dropout_backward(np.ones((2, 3)), cache)
