"""course_utils.models.date_attention: the date translator's backward pass through the numerical gradient check,
and the contract notebooks 07-09 rely on: greedy decoding, log P(Y | X), the cached step function for beam search."""

import numpy as np
import pytest

from course_utils.data.dates import T_X, T_Y
from course_utils.gradcheck import numerical_gradient, relative_difference
from course_utils.models import date_attention as da
from course_utils.models.decoding import beam_search, beam_search_many

SMALL = {"n_a": 3, "n_s": 4, "n_e": 2}


def _small(seed=3, dtype=np.float64):
    p = da.initialize_date_attention(**SMALL, seed=seed)
    r = np.random.default_rng(seed + 100)
    for k in p:
        if k.startswith("b"):
            p[k] = p[k] + 0.3 * r.standard_normal(p[k].shape)             # non-zero biases get checked too
    return {k: v.astype(dtype) for k, v in p.items()}


def test_date_data_gives_index_arrays_and_the_same_dates_for_the_same_seed():
    X, Y, human, iso, locales, formats = da.date_data(5, 12)
    assert X.shape == (5, T_X) and Y.shape == (5, T_Y) and X.dtype == Y.dtype == np.int64
    assert len(human) == len(iso) == len(locales) == len(formats) == 5
    assert all(len(h) == n for h, n in zip(human, (X != 0).sum(axis=1)))
    assert "".join("0123456789-"[i] for i in Y[0]) == iso[0]
    np.testing.assert_array_equal(da.date_data(5, 12)[0], X)


def test_the_step_has_the_gradients_of_its_cost_through_attention_and_padding():
    """A tiny model so that every parameter is checked in a second: n_x 5 characters (0 is PAD), n_a 2 + 2, n_s 3,
    n_e 2, n_y 4, m 3 inputs of T_x 5 (two of them padded), T_y 3 outputs (T_x != T_y); attention weights scaled
    up so the softmax is far from uniform and its gradients are not tiny."""
    X = np.array([[1, 2, 3, 4, 4], [4, 4, 1, 0, 0], [2, 0, 0, 0, 0]])
    Y = np.array([[0, 1, 3], [3, 3, 2], [1, 0, 2]])
    params = da.initialize_date_attention(n_x=5, n_a=2, n_s=3, n_e=2, n_y=4, seed=8)
    r = np.random.default_rng(9)
    for k in params:
        if k.startswith("b"):
            params[k] = params[k] + 0.5 * r.standard_normal(params[k].shape)   # non-zero biases get checked too
    params["v_att"], params["W_att"] = 4.0 * params["v_att"], 3.0 * params["W_att"]
    cost, grads = da.date_attention_step(params, X, Y)
    assert set(grads) == {"d" + k for k in params}
    # the cost is -mean log P(Y | X): the numerical gradient needs only the forward pass
    numerical = numerical_gradient(lambda p: -np.mean(da.sequence_log_probability(p, X, Y)), params, 1e-5)
    for k in params:
        assert relative_difference(grads["d" + k], numerical["d" + k]) < 1e-6, k


def test_padding_gets_no_attention_and_the_cost_is_the_mean_of_the_rows():
    X, Y = da.date_data(4, 6)[:2]
    params = _small(seed=4)
    cost, _ = da.date_attention_step(params, X, Y)
    rows = [da.date_attention_step(params, X[j:j + 1], Y[j:j + 1])[0] for j in range(4)]
    assert cost == pytest.approx(np.mean(rows), rel=1e-12)
    y_pred, alphas, _ = da.date_attention_forward(params, X, Y)
    assert y_pred.shape == (11, 4, T_Y) and alphas.shape == (4, T_Y, T_X)
    np.testing.assert_allclose(y_pred.sum(axis=0), 1.0, rtol=1e-12)
    padding = np.broadcast_to((X == 0)[:, None, :], alphas.shape)
    assert padding.any()
    np.testing.assert_array_equal(alphas[padding], 0.0)
    np.testing.assert_allclose(alphas.sum(axis=2), 1.0, rtol=1e-12)


def test_sequence_log_probability_is_the_sum_of_the_teacher_forced_steps():
    X, Y = da.date_data(3, 7)[:2]
    params = _small(seed=5)
    y_pred, _, _ = da.date_attention_forward(params, X, Y)
    logp = da.sequence_log_probability(params, X, Y)
    assert logp.shape == (3,) and logp.dtype == np.float64 and np.all(logp <= 0)
    expected = [sum(np.log(y_pred[Y[j, t], j, t]) for t in range(T_Y)) for j in range(3)]
    np.testing.assert_allclose(logp, expected, rtol=1e-12)
    # the cost is minus their mean
    assert da.date_attention_step(params, X, Y)[0] == pytest.approx(-logp.mean(), rel=1e-12)


def test_the_step_function_agrees_with_the_forward_pass_and_greedy_decoding():
    X, Y = da.date_data(2, 8)[:2]
    params = _small(seed=6)
    Y_hat, alphas = da.translate(params, X, return_attention=True)
    assert Y_hat.shape == (2, T_Y) and Y_hat.dtype == np.int64 and alphas.shape == (2, T_Y, T_X)
    y_pred, _, _ = da.date_attention_forward(params, X, Y)
    for j in range(2):
        step_fn = da.step_function(params, X[j])
        # teacher forced: the step function on Y's prefixes gives the forward pass's probabilities
        for t in range(T_Y):
            logp = step_fn([tuple(Y[j, :t])])
            assert logp.shape == (1, 11)
            np.testing.assert_allclose(np.exp(logp[0]), y_pred[:, j, t], rtol=1e-10)
        # greedy: follow the argmax
        prefix = ()
        for t in range(T_Y):
            prefix = prefix + (int(np.argmax(step_fn([prefix])[0])),)
        assert prefix == tuple(Y_hat[j])
    # a batch of prefixes, some never seen, their parents computed on the way
    step_fn = da.step_function(params, X[0])
    batch = step_fn([(1, 9), (2, 0), (1, 9)])
    assert batch.shape == (3, 11)
    np.testing.assert_allclose(np.exp(batch).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(batch[0], batch[2])
    alone = da.step_function(params, X[0])([(2, 0)])
    np.testing.assert_allclose(batch[1], alone[0], rtol=1e-12)
    logp = da.sequence_log_probability(params, X[:1], np.array([[1, 9, 5, 8, 10, 0, 8, 10, 3, 0]]))
    total = sum(step_fn([tuple([1, 9, 5, 8, 10, 0, 8, 10, 3, 0][:t])])[0][[1, 9, 5, 8, 10, 0, 8, 10, 3, 0][t]]
                for t in range(T_Y))
    assert logp[0] == pytest.approx(total, rel=1e-10)


def test_the_step_function_reports_bad_prefixes():
    params = _small()
    step_fn = da.step_function(params, da.date_data(1, 9)[0][0])
    with pytest.raises(ValueError, match="same length"):
        step_fn([(1,), (1, 2)])
    with pytest.raises(ValueError, match="complete"):
        step_fn([tuple(range(10))])
    with pytest.raises(ValueError, match="0 .. 10"):
        step_fn([(11,)])
    assert step_fn([]).shape == (0, 11)
    with pytest.raises(ValueError, match=r"one input \(T_x,\)"):
        da.step_function(params, np.zeros((2, 35), dtype=int))


def test_translation_does_not_depend_on_the_batch_and_errors_name_the_problem():
    X, Y = da.date_data(7, 10)[:2]
    params = _small(seed=7)
    np.testing.assert_array_equal(da.translate(params, X), da.translate(params, X, batch_size=3))
    with pytest.raises(ValueError, match="2-D integer array"):
        da.translate(params, X.astype(float))
    with pytest.raises(ValueError, match="index 50, outside"):
        da.translate(params, np.full((1, 5), 50))
    with pytest.raises(ValueError, match=r"Y must be an integer array \(m, T_y\) = \(7, T_y\)"):
        da.date_attention_forward(params, X, Y[:3])


def test_the_loop_trains_it_in_float32_and_the_kit_run_reports_its_figures():
    X, Y = da.date_data(60, 11)[:2]
    p32 = _small(dtype=np.float32)
    cost32, g32 = da.date_attention_step(p32, X, Y)
    assert all(g.dtype == np.float32 for g in g32.values())
    assert cost32 == pytest.approx(da.date_attention_step(_small(), X, Y)[0], rel=1e-5)
    params, history = da.train_date_attention(X, Y, p32, learning_rate=0.03, num_epochs=5, mini_batch_size=10,
                                              decay_base=0.9)
    assert history["cost"][-1] < 0.9 * history["cost"][0]
    assert history["learning_rate"][1] == pytest.approx(0.027)
    arrays, meta = da.train_kit_date_attention(num_epochs=1, train_m=40, test_m=10)
    assert set(arrays) == set(da.initialize_date_attention())
    assert all(v.dtype == np.float32 for v in arrays.values())
    assert {"source", "licence", "how_built", "seed", "figures", "train_seconds"} <= set(meta)
    assert 0.0 <= meta["figures"]["exact_match_fresh"] <= 1.0 and "exact_match_tr_TR" in meta["figures"]


# --- many inputs at once: what beam search on many dates uses -----------------------------------------

@pytest.fixture(scope="module")
def small_model():
    parameters = da.initialize_date_attention(n_a=4, n_s=6, n_e=3, seed=63970)
    X = da.date_data(4, 63971)[0]
    return parameters, X


def test_many_inputs_give_the_one_input_probabilities(small_model):
    parameters, X = small_model
    many = da.step_function_many(parameters, X)
    ones = [da.step_function(parameters, x) for x in X]
    first = many([0, 1, 2, 3], [()] * 4)
    assert first.shape == (4, 11)
    assert np.allclose(first, np.concatenate([f([()]) for f in ones]), atol=1e-12)
    assert np.allclose(np.exp(first).sum(axis=1), 1.0)
    prefixes = [(1, 9), (2, 0), (1, 9), (0, 10)]     # row 0 twice, unseen parents computed on the way
    got = many([3, 0, 0, 2], prefixes)
    want = np.concatenate([ones[i]([p]) for i, p in zip([3, 0, 0, 2], prefixes)])
    assert np.allclose(got, want, atol=1e-12)


def test_beam_search_on_many_dates_equals_one_at_a_time(small_model):
    parameters, X = small_model
    together = beam_search_many(da.step_function_many(parameters, X), 4, 3, 10, alpha=0.0)
    for x, result in zip(X, together):
        alone = beam_search(da.step_function(parameters, x), 3, 10, alpha=0.0)
        assert [t for t, _ in alone] == [t for t, _ in result]
        assert np.allclose([s for _, s in alone], [s for _, s in result], atol=1e-9)


def test_errors(small_model):
    parameters, X = small_model
    many = da.step_function_many(parameters, X)
    with pytest.raises(ValueError, match="same length"):
        many([0, 1], [(), (1,)])
    with pytest.raises(ValueError, match="complete"):
        many([0], [(1,) * 10])
    with pytest.raises(ValueError, match="rows must be in"):
        many([7], [()])
    with pytest.raises(ValueError, match="2 rows but 1 prefixes"):
        many([0, 1], [()])
    with pytest.raises(ValueError, match="2-D integer array"):
        da.step_function_many(parameters, X[0])
