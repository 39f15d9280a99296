"""course_utils.nn.attention: the scores, the softmax over t' with padding masked, the context, and the backward
pass of all three through the numerical gradient check."""

import numpy as np
import pytest

from course_utils.nn.attention import (initialize_attention, masked_softmax, masked_softmax_backward,
                                       one_step_attention, one_step_attention_backward, one_step_attention_forward)

rng = np.random.default_rng(6201)


def _inputs(n_a=4, n_s=3, n_e=5, m=2, T_x=6, seed=0):
    r = np.random.default_rng(seed)
    p = initialize_attention(n_s, n_a, n_e, seed=seed)
    p["b_att"] = 0.5 * r.standard_normal((n_e, 1))                          # a non-zero bias gets checked too
    return r.standard_normal((n_a, m, T_x)), r.standard_normal((n_s, m)), p


def test_the_masked_softmax_on_numbers_worked_by_hand():
    """Scores [0, ln 3, 5] with the last one padding: weights 1/4 and 3/4, and exactly 0 for the padding."""
    e = np.array([[0.0, np.log(3.0), 5.0], [1.0, 1.0, 1.0]])
    mask = np.array([[True, True, False], [True, True, True]])
    alpha = masked_softmax(e, mask)
    np.testing.assert_allclose(alpha, [[0.25, 0.75, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)
    assert alpha[0, 2] == 0.0
    np.testing.assert_allclose(masked_softmax(e), np.exp(e) / np.exp(e).sum(1, keepdims=True), rtol=1e-15)


def test_a_fully_masked_row_gives_zeros_not_nan_and_large_scores_do_not_overflow():
    e = np.array([[1000.0, 999.0], [3.0, -2.0]])
    alpha = masked_softmax(e, np.array([[1, 1], [0, 0]]))
    np.testing.assert_allclose(alpha[0], [1 / (1 + np.exp(-1.0)), np.exp(-1.0) / (1 + np.exp(-1.0))], rtol=1e-14)
    np.testing.assert_array_equal(alpha[1], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"mask has shape \(2,\), but the scores are \(2, 2\)"):
        masked_softmax(e, np.array([True, False]))
    with pytest.raises(ValueError, match="True/False"):
        masked_softmax(e, np.full((2, 2), 2))


def test_the_masked_softmax_backward_is_its_gradient(check_backward):
    e = rng.standard_normal((3, 5))
    mask = np.ones((3, 5), bool)
    mask[0, 3:] = False
    mask[2] = False
    dalpha = rng.standard_normal((3, 5))
    de = masked_softmax_backward(dalpha, masked_softmax(e, mask))
    np.testing.assert_array_equal(de[0, 3:], 0.0)
    np.testing.assert_array_equal(de[2], 0.0)
    check_backward(lambda e: masked_softmax(e, mask), [e], dalpha, [de], names=["e"])


def test_one_step_attention_is_the_formulas_written_out():
    """e<t'> = v tanh(W [s; a<t'>] + b), alpha = softmax over t', context = sum alpha<t'> a<t'>, one loop per t'."""
    a, s, p = _inputs(n_a=4, n_s=3, n_e=5, m=2, T_x=6, seed=1)
    context, alpha = one_step_attention(a, s, p)
    assert context.shape == (4, 2) and alpha.shape == (2, 6)
    for j in range(2):
        e = np.array([(p["v_att"] @ np.tanh(p["W_att"] @ np.concatenate([s[:, j], a[:, j, t]]) + p["b_att"][:, 0]))[0]
                      for t in range(6)])
        w = np.exp(e - e.max()) / np.exp(e - e.max()).sum()
        np.testing.assert_allclose(alpha[j], w, rtol=1e-12)
        np.testing.assert_allclose(context[:, j], a[:, j, :] @ w, rtol=1e-12)


def test_padding_gets_no_weight_and_changes_nothing():
    """The context of an input padded with garbage equals that of the input cut at its length."""
    a, s, p = _inputs(m=3, T_x=7, seed=2)
    mask = np.ones((3, 7), bool)
    mask[1, 4:] = False
    context, alpha = one_step_attention(a, s, p, mask)
    np.testing.assert_array_equal(alpha[1, 4:], 0.0)
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0, rtol=1e-14)
    short_context, short_alpha = one_step_attention(a[:, 1:2, :4], s[:, 1:2], p)
    np.testing.assert_allclose(context[:, 1:2], short_context, rtol=1e-13)
    np.testing.assert_allclose(alpha[1, :4], short_alpha[0], rtol=1e-13)


def test_a_fully_masked_example_has_a_zero_context():
    a, s, p = _inputs(m=2, T_x=3, seed=3)
    context, alpha = one_step_attention(a, s, p, np.array([[1, 1, 1], [0, 0, 0]]))
    np.testing.assert_array_equal(alpha[1], 0.0)
    np.testing.assert_array_equal(context[:, 1], 0.0)
    assert np.all(np.isfinite(context))


@pytest.mark.parametrize("masked", [False, True])
def test_backward_has_the_gradients_of_every_input_and_parameter(check_backward, masked):
    """n_a 4, n_s 3, n_e 5, m 3, T_x 6; with the mask: one example half padded and one fully masked."""
    a, s, p = _inputs(n_a=4, n_s=3, n_e=5, m=3, T_x=6, seed=4)
    mask = None
    if masked:
        mask = np.ones((3, 6), bool)
        mask[0, 2:] = False
        mask[2] = False
    (context, alpha), cache = one_step_attention_forward(a, s, p, mask)
    dcontext = rng.standard_normal(context.shape)
    da, grads = one_step_attention_backward(dcontext, cache)
    assert da is grads["da"]
    assert set(grads) == {"da", "ds_prev", "dW_att", "db_att", "dv_att"}
    if masked:
        np.testing.assert_array_equal(da[:, 0, 2:], 0.0)           # padding receives no gradient
        np.testing.assert_array_equal(grads["ds_prev"][:, 2], 0.0)

    def forward(a, s, W, b, v):
        return one_step_attention(a, s, {"W_att": W, "b_att": b, "v_att": v}, mask)[0]
    check_backward(forward, [a, s, p["W_att"], p["b_att"], p["v_att"]], dcontext,
                   [da, grads["ds_prev"], grads["dW_att"], grads["db_att"], grads["dv_att"]],
                   names=["a", "s_prev", "W_att", "b_att", "v_att"])


def test_backward_through_the_weights_themselves(check_backward):
    a, s, p = _inputs(m=2, T_x=4, seed=5)
    (context, alpha), cache = one_step_attention_forward(a, s, p)
    dalpha = rng.standard_normal(alpha.shape)
    _, grads = one_step_attention_backward(np.zeros_like(context), cache, dalpha=dalpha)
    check_backward(lambda a, s: one_step_attention(a, s, p)[1], [a, s], dalpha, [grads["da"], grads["ds_prev"]],
                   names=["a", "s_prev"])


def test_float32_stays_float32_and_inputs_are_not_modified():
    a, s, p = _inputs(seed=6)
    a32, s32, p32 = a.astype(np.float32), s.astype(np.float32), {k: v.astype(np.float32) for k, v in p.items()}
    kept = (a32.copy(), s32.copy())
    (context, alpha), cache = one_step_attention_forward(a32, s32, p32)
    assert context.dtype == np.float32 and alpha.dtype == np.float32
    _, grads = one_step_attention_backward(np.ones_like(context), cache)
    assert all(g.dtype == np.float32 for g in grads.values())
    np.testing.assert_array_equal(a32, kept[0])
    np.testing.assert_array_equal(s32, kept[1])
    np.testing.assert_allclose(context, one_step_attention(a, s, p)[0], rtol=1e-5, atol=1e-6)


def test_errors_name_the_shapes():
    a, s, p = _inputs(n_a=4, n_s=3, m=2, T_x=6)
    with pytest.raises(ValueError, match=r"s_prev has shape \(3, 5\), but a has shape \(4, 2, 6\)"):
        one_step_attention(a, np.zeros((3, 5)), p)
    with pytest.raises(ValueError, match=r"W_att has shape \(5, 7\).*\(n_e, n_s \+ n_a\) = \(n_e, 8\)"):
        one_step_attention(a, np.zeros((4, 2)), p)
    with pytest.raises(ValueError, match="lack 'v_att'"):
        one_step_attention(a, s, {"W_att": p["W_att"], "b_att": p["b_att"]})
    with pytest.raises(ValueError, match=r"mask has shape \(6, 2\)"):
        one_step_attention(a, s, p, np.ones((6, 2), bool))
    with pytest.raises(ValueError, match="3-D"):
        one_step_attention(a[:, :, 0], s, p)
    with pytest.raises(ValueError, match=r"dcontext has shape \(2, 4\)"):
        one_step_attention_backward(np.zeros((2, 4)), one_step_attention_forward(a, s, p)[1])
    with pytest.raises(ValueError, match="must be >= 1"):
        initialize_attention(3, 0)
