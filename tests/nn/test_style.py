"""course_utils.nn.style: the costs of neural style transfer (Gatys, Ecker and Bethge 2015) on hand-worked
numbers, their normalisations, their edge cases, and their gradients through the numerical gradient check."""

import numpy as np
import pytest

from course_utils.nn.style import (compute_content_cost, compute_content_cost_backward, compute_layer_style_cost,
                                   compute_layer_style_cost_backward, compute_style_cost, compute_style_cost_backward,
                                   gram_matrix, total_cost, unroll)

rng = np.random.default_rng(4800)


def test_unroll_puts_one_channel_per_row_and_positions_in_row_major_order():
    a = np.arange(12.0).reshape(1, 2, 3, 2)          # a[0, i, j, c] = 6 i + 2 j + c
    A = unroll(a)
    assert A.shape == (2, 6)
    np.testing.assert_array_equal(A, [[0, 2, 4, 6, 8, 10], [1, 3, 5, 7, 9, 11]])
    assert not np.array_equal(A, a.reshape(2, 6))    # the straight reshape mixes channels and positions


def test_gram_matrix_by_hand():
    A = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
    np.testing.assert_array_equal(gram_matrix(A), [[5.0, 2.0], [2.0, 2.0]])
    G = gram_matrix(rng.standard_normal((4, 7)))
    assert G.shape == (4, 4)
    np.testing.assert_allclose(G, G.T, rtol=0, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(G) > -1e-12)      # a Gram matrix is positive semi-definite
    assert gram_matrix(np.ones((1, 5))).shape == (1, 1) and gram_matrix(np.ones((1, 5)))[0, 0] == 5.0


def test_content_cost_by_hand_and_the_lecture_normalisation():
    a_C = np.zeros((1, 2, 3, 2))
    a_G = np.zeros((1, 2, 3, 2))
    a_G[0, 1, 2, 0], a_G[0, 0, 0, 1] = 2.0, -1.0      # squared difference 5
    J = compute_content_cost(a_C, a_G)
    assert type(J) is float and J == 5.0 / (4 * 2 * 3 * 2)
    # the lecture's 1/2 ||a_C - a_G||_F^2 is the classic cost times 2 n_H n_W n_C
    assert np.isclose(0.5 * np.sum((a_C - a_G) ** 2), J * 2 * 2 * 3 * 2)
    assert compute_content_cost(a_G, a_G) == 0.0


def test_layer_style_cost_by_hand():
    a_S = np.zeros((1, 1, 2, 2))
    a_S[0, 0, :, 0] = [1.0, 1.0]                     # G_S = [[2, 0], [0, 0]]
    a_G = np.zeros((1, 1, 2, 2))
    a_G[0, 0, :, 1] = [1.0, 0.0]                     # G_G = [[0, 0], [0, 1]]
    J = compute_layer_style_cost(a_S, a_G)
    assert type(J) is float and J == (4.0 + 1.0) / (2 * 1 * 2 * 2) ** 2
    assert compute_layer_style_cost(a_S, a_S) == 0.0
    # a shuffle of the positions keeps the Gram matrix: style ignores where things are
    a = rng.standard_normal((1, 3, 4, 5))
    shuffled = a.reshape(12, 5)[rng.permutation(12)].reshape(1, 3, 4, 5)
    assert compute_layer_style_cost(a, shuffled) < 1e-20
    assert compute_content_cost(a, shuffled) > 0.1


def test_style_cost_is_the_weighted_sum_of_the_layer_costs_and_total_cost_weighs_the_two():
    S = {"a": rng.standard_normal((1, 4, 6, 3)), "b": rng.standard_normal((1, 2, 3, 5))}
    G = {"a": rng.standard_normal((1, 4, 6, 3)), "b": rng.standard_normal((1, 2, 3, 5))}
    J = compute_style_cost(S, G, [("a", 0.3), ("b", 0.7)])
    expected = 0.3 * compute_layer_style_cost(S["a"], G["a"]) + 0.7 * compute_layer_style_cost(S["b"], G["b"])
    assert type(J) is float and np.isclose(J, expected, rtol=1e-14)
    assert compute_style_cost(S, G, []) == 0.0
    assert total_cost(2.0, 3.0) == 10 * 2.0 + 40 * 3.0 == 140.0
    assert total_cost(2.0, 3.0, alpha=1, beta=0.5) == 3.5 and type(total_cost(1, 2)) is float


def test_bad_shapes_and_layers_are_named():
    with pytest.raises(ValueError, match=r"\(1, n_H, n_W, n_C\)"):
        compute_content_cost(np.zeros((2, 3, 3, 1)), np.zeros((2, 3, 3, 1)))
    with pytest.raises(ValueError, match="same layer"):
        compute_layer_style_cost(np.zeros((1, 3, 3, 2)), np.zeros((1, 3, 3, 3)))
    with pytest.raises(ValueError, match="unrolled"):
        gram_matrix(np.zeros((1, 3, 3, 2)))
    with pytest.raises(ValueError, match="'c' of style_layers is not in style_outputs"):
        compute_style_cost({"a": np.zeros((1, 2, 2, 1))}, {"a": np.zeros((1, 2, 2, 1)), "c": 0}, [("c", 1.0)])


@pytest.mark.parametrize("shape", [(1, 3, 4, 2), (1, 5, 2, 1), (1, 1, 1, 3)])
def test_content_cost_gradient_passes_the_numerical_check(check_backward, shape):
    a_C, a_G = rng.standard_normal(shape), rng.standard_normal(shape)
    check_backward(lambda a_G: compute_content_cost(a_C, a_G), [a_G], 1.0, [compute_content_cost_backward(a_C, a_G)])


@pytest.mark.parametrize("shape", [(1, 3, 4, 2), (1, 5, 2, 1), (1, 2, 3, 4)])
def test_layer_style_cost_gradient_passes_the_numerical_check(check_backward, shape):
    a_S, a_G = rng.standard_normal(shape), rng.standard_normal(shape)
    check_backward(lambda a_G: compute_layer_style_cost(a_S, a_G), [a_G], 1.0,
                   [compute_layer_style_cost_backward(a_S, a_G)])


def test_weighted_style_cost_gradient_passes_the_numerical_check(check_backward):
    S = {"a": rng.standard_normal((1, 3, 4, 2)), "b": rng.standard_normal((1, 2, 2, 3))}
    G = {"a": rng.standard_normal((1, 3, 4, 2)), "b": rng.standard_normal((1, 2, 2, 3))}
    layers = [("a", 0.4), ("b", 1.5), ("a", 0.1)]     # a layer listed twice: its weights add up
    grads = compute_style_cost_backward(S, G, layers)
    assert set(grads) == {"a", "b"}
    check_backward(lambda a, b: compute_style_cost(S, {"a": a, "b": b}, layers), [G["a"], G["b"]], 1.0,
                   [grads["a"], grads["b"]], names=["a", "b"])


def test_gradients_keep_float32_and_vanish_at_the_target():
    a = rng.standard_normal((1, 3, 3, 2)).astype(np.float32)
    assert compute_content_cost_backward(a, a).dtype == np.float32
    assert compute_layer_style_cost_backward(a, a * 2).dtype == np.float32
    np.testing.assert_array_equal(compute_content_cost_backward(a, a), 0)
    np.testing.assert_allclose(compute_layer_style_cost_backward(a, a), 0, atol=1e-12)


def test_the_descents_one_pass_version_agrees_with_the_separate_functions():
    from course_utils.nn.style import gram_matrices, style_cost_and_grad

    S = {"a": rng.standard_normal((1, 3, 5, 2)), "b": rng.standard_normal((1, 2, 2, 4))}
    G = {"a": rng.standard_normal((1, 3, 5, 2)), "b": rng.standard_normal((1, 2, 2, 4))}
    layers = [("a", 0.3), ("b", 0.7)]
    grams = gram_matrices(S)
    np.testing.assert_array_equal(grams["b"], gram_matrix(unroll(S["b"])))
    J, grads = style_cost_and_grad(grams, G, layers)
    assert type(J) is float and np.isclose(J, compute_style_cost(S, G, layers), rtol=1e-13)
    expected = compute_style_cost_backward(S, G, layers)
    for k in expected:
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-12, atol=1e-15)
    G32 = {k: v.astype(np.float32) for k, v in G.items()}
    J32, grads32 = style_cost_and_grad(gram_matrices({k: v.astype(np.float32) for k, v in S.items()}), G32, layers)
    assert grads32["a"].dtype == np.float32 and np.isclose(J32, J, rtol=1e-5)
    with pytest.raises(ValueError, match=r"must be \(4, 4\)"):
        style_cost_and_grad({"a": grams["a"], "b": grams["a"]}, G, layers)
