"""course_utils.models.date_transformer: the date transformer's shapes, its whole backward pass against
numerical gradients, greedy decoding that never looks ahead, training through the one loop, the kit's weights."""

import numpy as np
import pytest

from course_utils.models import date_attention as da
from course_utils.models import date_transformer as dt
from course_utils.gradcheck import gradient_difference, numerical_gradient

rng = np.random.default_rng(6402)


def _tiny(seed=1, **sizes):
    kw = dict(n_x=7, d_model=8, num_heads=2, d_ff=6, enc_layers=2, dec_layers=2)
    kw.update(sizes)
    return dt.initialize_date_transformer(seed=seed, **kw)


def test_parameters_and_shapes():
    p = _tiny(enc_layers=1, dec_layers=1)
    assert p["E_x"].shape == (8, 7) and p["E_y"].shape == (8, 12) and p["Wy"].shape == (8, 11)
    assert float(p["num_heads"]) == 2.0
    assert {k for k in p if k.startswith("dec0_")} >= {"dec0_cross_Wq", "dec0_ln3_gamma"}
    X = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 1, 2], [6, 6, 0, 0, 0]])
    Y = rng.integers(0, 11, (3, 10))
    logits, _ = dt.date_transformer_forward(p, X, Y)
    assert logits.shape == (3, 10, 11)
    Y_hat, W = dt.translate(p, X, return_attention=True)
    assert Y_hat.shape == (3, 10) and Y_hat.dtype == np.int64 and W.shape == (3, 2, 10, 5)
    np.testing.assert_allclose(W.sum(axis=-1), 1.0, rtol=1e-12)
    assert np.all(W[0, :, :, 3:] == 0.0) and np.all(W[2, :, :, 2:] == 0.0)      # the padding gets no attention
    with pytest.raises(ValueError, match="d_model = 8 is not a multiple of num_heads = 3"):
        dt.initialize_date_transformer(n_x=7, d_model=8, num_heads=3)
    with pytest.raises(ValueError, match=r"X must be \(m, T_x\) integer character indices"):
        dt.translate(p, X.astype(float))


def test_the_whole_backward_pass_against_numerical_gradients():
    p = _tiny(n_x=5, d_model=4, d_ff=3, enc_layers=1, dec_layers=1)     # the layers' own tests use 2 of each
    X = rng.integers(1, 5, (2, 4))
    X[0, 2:] = 0
    Y = rng.integers(0, 11, (2, 10))
    cost, grads = dt.date_transformer_step(p, X, Y)
    assert grads["dnum_heads"] == 0.0
    trainable = {k: v for k, v in p.items() if k != "num_heads"}
    num = numerical_gradient(lambda q: dt.date_transformer_step({**q, "num_heads": p["num_heads"]}, X, Y)[0],
                             trainable, epsilon=1e-6)
    assert set(grads) == {"d" + k for k in p}
    assert gradient_difference(grads, num) < 1e-7


def test_the_cost_is_summed_over_steps_and_averaged_over_examples():
    p = _tiny(enc_layers=1, dec_layers=1)
    X = rng.integers(1, 7, (4, 5))
    Y = rng.integers(0, 11, (4, 10))
    logits, _ = dt.date_transformer_forward(p, X, Y)
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    expected = -np.mean([sum(logp[j, t, Y[j, t]] for t in range(10)) for j in range(4)])
    assert dt.date_transformer_step(p, X, Y)[0] == pytest.approx(expected, rel=1e-12)


def test_teacher_forcing_is_causal_and_greedy_decoding_matches_it():
    """Step t's logits do not depend on Y[:, t:]; feeding the greedy output back reproduces the greedy output."""
    p = _tiny(seed=3)
    X = rng.integers(1, 7, (2, 6))
    Y = rng.integers(0, 11, (2, 10))
    logits, _ = dt.date_transformer_forward(p, X, Y)
    Y2 = Y.copy()
    Y2[:, 4:] = (Y2[:, 4:] + 1) % 11
    logits2, _ = dt.date_transformer_forward(p, X, Y2)
    np.testing.assert_allclose(logits[:, :5], logits2[:, :5], rtol=1e-12, atol=1e-13)
    Y_hat = dt.translate(p, X)
    forced, _ = dt.date_transformer_forward(p, X, Y_hat)
    np.testing.assert_array_equal(forced.argmax(axis=-1), Y_hat)


def test_trailing_padding_changes_nothing():
    p = _tiny(seed=4)
    X = np.array([[1, 2, 3, 0], [3, 1, 0, 0]])
    Y = rng.integers(0, 11, (2, 10))
    X_long = np.concatenate([X, np.zeros((2, 5), dtype=X.dtype)], axis=1)
    np.testing.assert_allclose(dt.date_transformer_forward(p, X, Y)[0], dt.date_transformer_forward(p, X_long, Y)[0],
                               rtol=1e-12)
    Y_hat, W = dt.translate(p, X_long, return_attention=True)
    np.testing.assert_array_equal(Y_hat, dt.translate(p, X))
    assert W.shape == (2, 2, 10, 9)


def test_a_short_run_through_the_loop_lowers_the_cost():
    X, Y = da.date_data(60, 5)[:2]
    p = dt.initialize_date_transformer(d_model=16, num_heads=2, d_ff=16, enc_layers=1, dec_layers=1, seed=0)
    trained, history = dt.train_date_transformer(X, Y, p, learning_rate=0.01, num_epochs=10, mini_batch_size=30)
    assert len(history["batch_cost"]) == 20
    assert history["cost"][-1] < 0.8 * history["cost"][0], history["cost"]
    assert float(trained["num_heads"]) == 2.0
    np.testing.assert_array_equal(p["E_x"], dt.initialize_date_transformer(d_model=16, num_heads=2, d_ff=16,
                                                                           enc_layers=1, dec_layers=1,
                                                                           seed=0)["E_x"])


def test_the_kit_run_is_deterministic_and_reports_its_figures():
    a, meta = dt.train_kit_date_transformer(num_epochs=1, train_m=200, test_m=20)
    b, _ = dt.train_kit_date_transformer(num_epochs=1, train_m=200, test_m=20)
    assert all(v.dtype == np.float32 for v in a.values())
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert set(meta) == {"source", "licence", "how_built", "seed", "figures", "train_seconds"}
    assert 0.0 <= meta["figures"]["exact_match_fresh"] <= 1.0 and meta["train_seconds"] > 0
