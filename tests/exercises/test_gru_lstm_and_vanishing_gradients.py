"""Unit tests of course_utils.exercises.gru_lstm_and_vanishing_gradients (Track 5, notebook 02): the classic
caches hold the gates of the notes' equations, written here again independently, and the LSTM's backward
pass from a classic cache is the numerical gradient."""

import numpy as np
import pytest

from course_utils.exercises import gru_lstm_and_vanishing_gradients as ex
from course_utils.gradcheck import numerical_gradient
from course_utils.nn import recurrent as rec


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_step_by_hand(xt, a_prev, c_prev, p):
    concat = np.concatenate([a_prev, xt], axis=0)
    ft = sigmoid(p["Wf"] @ concat + p["bf"])
    it = sigmoid(p["Wi"] @ concat + p["bi"])
    cct = np.tanh(p["Wc"] @ concat + p["bc"])
    ot = sigmoid(p["Wo"] @ concat + p["bo"])
    c_next = ft * c_prev + it * cct
    return ot * np.tanh(c_next), c_next, ft, it, cct, ot


@pytest.mark.parametrize("n_x, n_a, m", [(3, 5, 4), (2, 1, 1)])
def test_gru_cache_holds_the_notes_gates(n_x, n_a, m):
    r = np.random.default_rng(21)
    p = rec.initialize_recurrent_parameters("gru", n_x, n_a, seed=3)
    p = {k: v + r.standard_normal(v.shape) * 0.3 for k, v in p.items()}
    xt, c_prev = r.standard_normal((n_x, m)), r.standard_normal((n_a, m))
    gu = sigmoid(p["Wu"] @ np.vstack([c_prev, xt]) + p["bu"])
    gr = sigmoid(p["Wr"] @ np.vstack([c_prev, xt]) + p["br"])
    ct = np.tanh(p["Wc"] @ np.vstack([gr * c_prev, xt]) + p["bc"])
    c_next, cache = ex.gru_cell_forward(xt, c_prev, p)
    np.testing.assert_allclose(c_next, gu * ct + (1 - gu) * c_prev, rtol=1e-12, atol=1e-12)
    assert len(cache) == 7 and cache[6] is p
    for got, want in zip(cache[:6], (c_next, c_prev, gu, gr, ct, xt)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_gru_without_the_relevance_gate_is_refused_by_name():
    p = rec.initialize_recurrent_parameters("gru_simplified", 2, 3, seed=0)
    with pytest.raises(ValueError, match="the full GRU needs Wr and br"):
        ex.gru_cell_forward(np.zeros((2, 1)), np.zeros((3, 1)), p)


def test_lstm_forward_caches_are_the_cells_caches_step_by_step():
    r = np.random.default_rng(22)
    n_x, n_a, m, T = 3, 5, 4, 6
    p = rec.initialize_recurrent_parameters("lstm", n_x, n_a, seed=4)
    x, a0 = r.standard_normal((n_x, m, T)), r.standard_normal((n_a, m))
    a, c, (caches, x_cached) = ex.lstm_forward(x, a0, p)
    assert a.shape == c.shape == (n_a, m, T) and len(caches) == T
    np.testing.assert_array_equal(x_cached, x)
    a_prev, c_prev = a0, np.zeros((n_a, m))
    for t in range(T):
        want = lstm_step_by_hand(x[:, :, t], a_prev, c_prev, p)
        a_next, c_next, cache = ex.lstm_cell_forward(x[:, :, t], a_prev, c_prev, p)
        for got, w in zip((a_next, c_next), want[:2]):
            np.testing.assert_allclose(got, w, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(a[:, :, t], want[0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(c[:, :, t], want[1], rtol=1e-12, atol=1e-12)
        order = (want[0], want[1], a_prev, c_prev, *want[2:], x[:, :, t])
        for got_seq, got_cell, w in zip(caches[t][:9], cache[:9], order):
            np.testing.assert_allclose(got_seq, w, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(got_cell, w, rtol=1e-12, atol=1e-12)
        a_prev, c_prev = want[0], want[1]


def test_lstm_cell_backward_from_a_classic_cache_is_the_numerical_gradient():
    r = np.random.default_rng(23)
    n_x, n_a, m = 3, 4, 2
    p = rec.initialize_recurrent_parameters("lstm", n_x, n_a, seed=5)
    xt, a_prev, c_prev = r.standard_normal((n_x, m)), r.standard_normal((n_a, m)), r.standard_normal((n_a, m))
    da, dc = r.standard_normal((n_a, m)), r.standard_normal((n_a, m))
    _, _, cache = ex.lstm_cell_forward(xt, a_prev, c_prev, p)
    grads = ex.lstm_cell_backward(da, dc, cache)
    assert sorted(grads) == sorted(["dxt", "da_prev", "dc_prev", "dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo"])

    def J(v):
        q = {k: v[k] for k in p}
        a_next, c_next, _ = ex.lstm_cell_forward(v["xt"], v["a_prev"], v["c_prev"], q)
        return float(np.sum(a_next * da) + np.sum(c_next * dc))

    numeric = numerical_gradient(J, dict(p, xt=xt, a_prev=a_prev, c_prev=c_prev), epsilon=1e-6)
    for name, value in numeric.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-6, atol=1e-8, err_msg=name)


def test_lstm_cell_backward_refuses_a_cache_that_is_not_the_classic_one():
    p = rec.initialize_recurrent_parameters("lstm", 2, 3, seed=0)
    _, library_cache = rec.lstm_cell_forward(np.zeros((2, 1)), np.zeros((3, 1)), np.zeros((3, 1)), p)
    with pytest.raises(ValueError, match="cache must be the 10-tuple"):
        ex.lstm_cell_backward(np.zeros((3, 1)), np.zeros((3, 1)), library_cache)
