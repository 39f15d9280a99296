"""course_utils.nn.transformer: scaled dot-product attention, the positional encoding, multi-head attention,
layer norm, the feed-forward network and the encoder and decoder layers; every backward pass against central
differences."""

import numpy as np
import pytest

from course_utils.nn import transformer as tr
from course_utils.nn.activations import softmax

rng = np.random.default_rng(6401)


# --- scaled dot-product attention ----------------------------------------------------------------------

def test_attention_is_the_softmax_weighted_sum_of_the_values():
    """Row i of the output is sum_j softmax_j(q_i . k_j / sqrt(d_k)) v_j, the notes' A(q, K, V) per query."""
    Q, K, V = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    out, w = tr.scaled_dot_product_attention(Q, K, V)
    assert out.shape == (3, 2) and w.shape == (3, 5)
    for i in range(3):
        a = softmax(K @ Q[i] / 2.0)                          # sqrt(d_k) = sqrt(4) = 2
        np.testing.assert_allclose(w[i], a, rtol=1e-13)
        np.testing.assert_allclose(out[i], sum(a[j] * V[j] for j in range(5)), rtol=1e-13)


def test_exact_values_of_a_small_case():
    """Two keys with scores 0 and ln 3 * sqrt(d_k): weights 1/4 and 3/4 exactly."""
    d_k = 4
    Q = np.array([[np.log(3.0) * 2.0, 0, 0, 0]])
    K = np.array([[0.0, 0, 0, 0], [1.0, 0, 0, 0]])
    V = np.array([[4.0, 0.0], [0.0, 8.0]])
    out, w = tr.scaled_dot_product_attention(Q, K, V)
    np.testing.assert_allclose(w, [[0.25, 0.75]], rtol=1e-14)
    np.testing.assert_allclose(out, [[1.0, 6.0]], rtol=1e-14)
    assert d_k == K.shape[1]


def test_masked_keys_get_exactly_zero_weight_and_one_allowed_key_gets_one():
    Q, K, V = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 5))
    mask = np.ones((2, 4, 6), dtype=int)
    mask[:, :, 5] = 0                                        # a fully masked key (padding)
    mask[1, 2, :] = 0
    mask[1, 2, 3] = 1                                        # query 2 of example 1 may only see key 3
    out, w = tr.scaled_dot_product_attention(Q, K, V, mask)
    assert np.all(w[:, :, 5] == 0.0)
    assert w[1, 2, 3] == 1.0
    np.testing.assert_array_equal(out[1, 2], V[1, 3])
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=1e-14)
    # dropping the masked key gives the same result
    out2, _ = tr.scaled_dot_product_attention(Q[0], K[0, :5], V[0, :5])
    np.testing.assert_allclose(out[0], out2, rtol=1e-13)


def test_causal_mask_and_padding_mask():
    np.testing.assert_array_equal(tr.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    X = np.array([[5, 2, 0, 0], [1, 1, 1, 3]])
    pm = tr.padding_mask(X)
    assert pm.shape == (2, 1, 4) and pm.dtype == bool
    np.testing.assert_array_equal(pm[:, 0], [[1, 1, 0, 0], [1, 1, 1, 1]])
    Q = rng.standard_normal((1, 3, 2))
    _, w = tr.scaled_dot_product_attention(Q, Q, Q, tr.causal_mask(3))
    np.testing.assert_array_equal(np.triu(w[0], 1), 0.0)
    assert w[0, 0, 0] == 1.0


def test_attention_backward(check_backward):
    Q, K, V = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 6))
    mask = np.ones((2, 3, 5), dtype=bool)
    mask[:, :, 4] = False
    out, cache = tr.attention_forward(Q, K, V, mask)
    d_out = rng.standard_normal(out.shape)
    dQ, dK, dV = tr.attention_backward(d_out, cache)
    np.testing.assert_array_equal(dK[:, 4], 0.0)             # a masked key gets no gradient
    check_backward(lambda Q, K, V: tr.attention_forward(Q, K, V, mask)[0], [Q, K, V], d_out, [dQ, dK, dV],
                   names=["Q", "K", "V"])


def test_attention_backward_sums_broadcast_axes(check_backward):
    Q, K, V = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)), rng.standard_normal((5, 2))
    out, cache = tr.attention_forward(Q, K, V)
    d_out = rng.standard_normal(out.shape)
    dQ, dK, dV = tr.attention_backward(d_out, cache)
    assert dK.shape == (5, 4) and dV.shape == (5, 2)
    check_backward(lambda Q, K, V: tr.attention_forward(Q, K, V)[0], [Q, K, V], d_out, [dQ, dK, dV])


def test_attention_errors_name_the_problem():
    Q, K, V = np.zeros((2, 3)), np.zeros((4, 3)), np.zeros((4, 5))
    with pytest.raises(ValueError, match=r"Q's rows have d_k = 2 features but K's have 3"):
        tr.scaled_dot_product_attention(np.zeros((2, 2)), K, V)
    with pytest.raises(ValueError, match=r"K has T_k = 4 keys but V has 3 values"):
        tr.scaled_dot_product_attention(Q, K, np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"does not broadcast to the scores' shape \(2, 4\)"):
        tr.scaled_dot_product_attention(Q, K, V, np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"a query is allowed no key"):
        tr.scaled_dot_product_attention(Q, K, V, np.array([[1, 0, 0, 0], [0, 0, 0, 0]]))
    _, cache = tr.attention_forward(Q, K, V)
    with pytest.raises(ValueError, match=r"d_out has shape \(2, 4\), but the attention output has shape \(2, 5\)"):
        tr.attention_backward(np.zeros((2, 4)), cache)


def test_float32_stays_float32_and_nothing_is_modified():
    Q = rng.standard_normal((1, 3, 4)).astype(np.float32)
    kept = Q.copy()
    out, cache = tr.attention_forward(Q, Q, Q, tr.causal_mask(3))
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in tr.attention_backward(np.ones_like(out), cache))
    np.testing.assert_array_equal(Q, kept)


# --- positional encoding ------------------------------------------------------------------------------

def test_get_angles_exact_values():
    angles = tr.get_angles(np.arange(3)[:, None], np.arange(4)[None, :], 4)
    expected = np.array([[0, 0, 0, 0], [1, 1, 0.01, 0.01], [2, 2, 0.02, 0.02]])
    np.testing.assert_allclose(angles, expected, rtol=1e-15)
    with pytest.raises(ValueError, match="d must be at least 1"):
        tr.get_angles(1, 0, 0)


def test_positional_encoding_sines_on_even_features_cosines_on_odd():
    pe = tr.positional_encoding(50, 16)
    assert pe.shape == (50, 16) and pe.dtype == np.float64
    np.testing.assert_array_equal(pe[0], np.tile([0.0, 1.0], 8))   # sin 0, cos 0
    assert pe[1, 0] == np.sin(1.0) and pe[1, 1] == np.cos(1.0)
    assert pe[7, 14] == np.sin(7 / 10000 ** (14 / 16)) and pe[7, 15] == np.cos(7 / 10000 ** (14 / 16))
    assert np.abs(pe).max() <= 1.0
    # each pair (sin, cos) has length 1, and PE[pos + k] is a rotation of PE[pos] (Vaswani et al.'s reason)
    np.testing.assert_allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0, rtol=1e-14)
    np.testing.assert_allclose(tr.positional_encoding(1, 3), [[0.0, 1.0, 0.0]])
    with pytest.raises(ValueError, match="positions must be at least 1"):
        tr.positional_encoding(0, 4)


# --- multi-head attention -------------------------------------------------------------------------------

def _mha_params(d_q, d_kv, h, d_k, d_v, d_out):
    return {"Wq": rng.standard_normal((d_q, h * d_k)), "Wk": rng.standard_normal((d_kv, h * d_k)),
            "Wv": rng.standard_normal((d_kv, h * d_v)), "Wo": rng.standard_normal((h * d_v, d_out))}


def test_multi_head_is_the_concatenated_heads_times_W0():
    p = _mha_params(5, 7, 3, 2, 4, 6)
    Q, K = rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 4, 7))
    out, w = tr.multi_head_attention(Q, K, K, p, 3)
    assert out.shape == (2, 3, 6) and w.shape == (2, 3, 3, 4)
    heads = []
    for i in range(3):
        head, wi = tr.scaled_dot_product_attention(Q @ p["Wq"][:, 2 * i:2 * i + 2], K @ p["Wk"][:, 2 * i:2 * i + 2],
                                                   K @ p["Wv"][:, 4 * i:4 * i + 4])
        heads.append(head)
        np.testing.assert_allclose(w[:, i], wi, rtol=1e-12)
    np.testing.assert_allclose(out, np.concatenate(heads, axis=-1) @ p["Wo"], rtol=1e-12)


def test_multi_head_backward(check_backward):
    p = _mha_params(4, 7, 3, 2, 3, 5)
    Xq, Xk, Xv = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 7)), rng.standard_normal((2, 5, 7))
    mask = np.ones((2, 3, 5), dtype=bool)
    mask[0, :, 3:] = False
    out, cache = tr.multi_head_attention_forward(Xq, Xk, Xv, p, 3, mask)
    d_out = rng.standard_normal(out.shape)
    (dq, dk, dv), g = tr.multi_head_attention_backward(d_out, cache)
    assert set(g) == {"dWq", "dWk", "dWv", "dWo"}

    def f(Xq, Xk, Xv, Wq, Wk, Wv, Wo):
        return tr.multi_head_attention_forward(Xq, Xk, Xv, {"Wq": Wq, "Wk": Wk, "Wv": Wv, "Wo": Wo}, 3, mask)[0]

    check_backward(f, [Xq, Xk, Xv, p["Wq"], p["Wk"], p["Wv"], p["Wo"]], d_out,
                   [dq, dk, dv, g["dWq"], g["dWk"], g["dWv"], g["dWo"]])


def test_multi_head_errors():
    p = _mha_params(4, 4, 2, 3, 3, 4)
    X = np.zeros((1, 2, 4))
    with pytest.raises(ValueError, match=r"Wq has 6 columns, not a multiple of num_heads = 4"):
        tr.multi_head_attention(X, X, X, p, 4)
    with pytest.raises(ValueError, match=r"Q must be \(m, T, d\)"):
        tr.multi_head_attention(X[0], X, X, p, 2)
    with pytest.raises(ValueError, match=r"Wk has 4 rows but its input has 5 features"):
        tr.multi_head_attention(X, np.zeros((1, 2, 5)), np.zeros((1, 2, 5)), p, 2)


# --- layer norm, feed-forward, layers ---------------------------------------------------------------------

def test_layer_norm_normalises_each_position_over_its_features(check_backward):
    x = rng.standard_normal((2, 3, 6)) * 5 + 3
    out, cache = tr.layer_norm_forward(x, np.ones(6), np.zeros(6), eps=0.0)
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-14)
    np.testing.assert_allclose(out.var(axis=-1), 1.0, rtol=1e-13)
    np.testing.assert_allclose(tr.layer_norm_forward(np.array([[1.0, 3.0]]), np.array([2.0, 1.0]),
                                                     np.array([0.5, 0.0]), eps=0.0)[0], [[-1.5, 1.0]])
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    out, cache = tr.layer_norm_forward(x, gamma, beta)
    d_out = rng.standard_normal(out.shape)
    dx, g = tr.layer_norm_backward(d_out, cache)
    check_backward(lambda x, gamma, beta: tr.layer_norm_forward(x, gamma, beta)[0], [x, gamma, beta], d_out,
                   [dx, g["dgamma"], g["dbeta"]])
    with pytest.raises(ValueError, match=r"gamma must have shape \(6,\)"):
        tr.layer_norm_forward(x, np.ones(5), beta)


def test_feed_forward(check_backward):
    p = {"W1": rng.standard_normal((4, 7)), "b1": rng.standard_normal(7), "W2": rng.standard_normal((7, 4)),
         "b2": rng.standard_normal(4)}
    x = rng.standard_normal((2, 3, 4))
    out, cache = tr.feed_forward_forward(x, p)
    np.testing.assert_allclose(out[1, 2], np.maximum(x[1, 2] @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"], rtol=1e-13)
    d_out = rng.standard_normal(out.shape)
    dx, g = tr.feed_forward_backward(d_out, cache)
    names = ["W1", "b1", "W2", "b2"]
    check_backward(lambda x, *v: tr.feed_forward_forward(x, dict(zip(names, v)))[0], [x] + [p[n] for n in names],
                   d_out, [dx] + [g["d" + n] for n in names])


def test_encoder_layer(check_backward):
    p = tr.initialize_encoder_layer(8, 2, 12, seed=1)
    assert sorted(p) == sorted(["self_Wq", "self_Wk", "self_Wv", "self_Wo", "ffn_W1", "ffn_b1", "ffn_W2", "ffn_b2",
                                "ln1_gamma", "ln1_beta", "ln2_gamma", "ln2_beta"])
    x = rng.standard_normal((2, 5, 8))
    mask = tr.padding_mask(np.array([[3, 4, 1, 0, 0], [1, 2, 3, 4, 5]]))
    out, cache = tr.encoder_layer_forward(x, p, 2, mask)
    assert out.shape == (2, 5, 8)
    assert tr.attention_maps(cache)["self"].shape == (2, 2, 5, 5)
    d_out = rng.standard_normal(out.shape)
    dx, g = tr.encoder_layer_backward(d_out, cache)
    names = list(p)
    assert set(g) == {"d" + n for n in names}
    check_backward(lambda x, *v: tr.encoder_layer_forward(x, dict(zip(names, v)), 2, mask)[0],
                   [x] + [p[n] for n in names], d_out, [dx] + [g["d" + n] for n in names])


def test_decoder_layer(check_backward):
    p = tr.initialize_decoder_layer(8, 2, 12, seed=2)
    y, enc = rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 5, 8))
    mask = tr.padding_mask(np.array([[3, 4, 1, 0, 0], [1, 2, 3, 4, 5]]))
    out, cache = tr.decoder_layer_forward(y, enc, p, 2, tr.causal_mask(3), mask)
    maps = tr.attention_maps(cache)
    assert maps["self"].shape == (2, 2, 3, 3) and maps["cross"].shape == (2, 2, 3, 5)
    assert np.all(maps["cross"][0, :, :, 3:] == 0.0) and np.all(np.triu(maps["self"], 1) == 0.0)
    d_out = rng.standard_normal(out.shape)
    (dy, d_enc), g = tr.decoder_layer_backward(d_out, cache)
    names = list(p)
    assert set(g) == {"d" + n for n in names}
    check_backward(lambda y, enc, *v: tr.decoder_layer_forward(y, enc, dict(zip(names, v)), 2, tr.causal_mask(3),
                                                                 mask)[0],
                   [y, enc] + [p[n] for n in names], d_out, [dy, d_enc] + [g["d" + n] for n in names])


def test_the_causal_decoder_does_not_look_ahead():
    """Changing the decoder's input at position 2 changes no output at positions 0 and 1."""
    p = tr.initialize_decoder_layer(8, 4, 16, seed=3)
    y, enc = rng.standard_normal((1, 4, 8)), rng.standard_normal((1, 6, 8))
    out, _ = tr.decoder_layer_forward(y, enc, p, 4, tr.causal_mask(4))
    y2 = y.copy()
    y2[0, 2] += 1.0
    out2, _ = tr.decoder_layer_forward(y2, enc, p, 4, tr.causal_mask(4))
    np.testing.assert_allclose(out[0, :2], out2[0, :2], rtol=1e-12, atol=1e-14)
    assert not np.allclose(out[0, 2:], out2[0, 2:])


def test_initialisation_errors_and_attention_maps_errors():
    with pytest.raises(ValueError, match="d_model = 10 is not a multiple of num_heads = 4"):
        tr.initialize_encoder_layer(10, 4, 8)
    with pytest.raises(ValueError, match="attention_maps reads the cache"):
        tr.attention_maps(("something",))
