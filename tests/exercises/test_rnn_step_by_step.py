"""Unit tests of course_utils.exercises.rnn_step_by_step (Track 5, notebook 01): the classic cell, loop
and backward passes, with their flat caches, built on the library's recurrent layer.

The classic versions are written out here, one step at a time, as the notebook's exercise asks; the
adapters must give the same numbers and the same caches. The backward passes also meet the shared
numerical-gradient check through the classic caches (so the adapter hands the library the right a0
and parameters), on n_x != n_a != m != T_x and on T_x = m = 1."""

import numpy as np
import pytest

from course_utils.exercises import rnn_step_by_step as ex
from course_utils.nn.activations import softmax


def params(rng, n_x, n_a, n_y):
    return {"Wax": rng.standard_normal((n_a, n_x)), "Waa": rng.standard_normal((n_a, n_a)) * 0.5,
            "Wya": rng.standard_normal((n_y, n_a)), "ba": rng.standard_normal((n_a, 1)),
            "by": rng.standard_normal((n_y, 1))}


def cell_by_hand(xt, a_prev, p):
    a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    return a_next, softmax(p["Wya"] @ a_next + p["by"], axis=0)


def cell_backward_by_hand(da_next, cache):
    a_next, a_prev, xt, p = cache
    dz = da_next * (1 - a_next ** 2)
    return {"dxt": p["Wax"].T @ dz, "da_prev": p["Waa"].T @ dz, "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": dz.sum(axis=1, keepdims=True)}


def test_the_cell_of_one_unit_by_hand():
    # n_x = n_a = 1, two outputs: a_next = tanh(2 * 0.5 + 1 * 0 + 0) = tanh(1); the two scores are
    # +tanh(1) and -tanh(1), so the first probability is sigmoid(2 tanh(1))
    p = {"Wax": np.array([[2.0]]), "Waa": np.array([[1.0]]), "ba": np.zeros((1, 1)),
         "Wya": np.array([[1.0], [-1.0]]), "by": np.zeros((2, 1))}
    a_next, yt_pred, cache = ex.rnn_cell_forward(np.array([[0.5]]), np.zeros((1, 1)), p)
    np.testing.assert_allclose(a_next, [[0.7615941559557649]], rtol=1e-15)
    np.testing.assert_allclose(yt_pred, [[0.8210074960060000], [0.1789925039940000]], rtol=1e-14)
    assert cache[0] is a_next and cache[3] is p
    np.testing.assert_array_equal(cache[1], [[0.0]])
    np.testing.assert_array_equal(cache[2], [[0.5]])


@pytest.mark.parametrize("n_x, n_a, n_y, m", [(3, 5, 2, 4), (6, 2, 3, 1)])
def test_the_cell_is_the_formula_and_its_cache_the_classic_tuple(n_x, n_a, n_y, m):
    r = np.random.default_rng(21)
    p, xt, a_prev = params(r, n_x, n_a, n_y), r.standard_normal((n_x, m)), r.standard_normal((n_a, m))
    a_next, yt_pred, cache = ex.rnn_cell_forward(xt, a_prev, p)
    a_hand, y_hand = cell_by_hand(xt, a_prev, p)
    np.testing.assert_allclose(a_next, a_hand, rtol=0, atol=1e-13)
    np.testing.assert_allclose(yt_pred, y_hand, rtol=0, atol=1e-13)
    assert a_next.shape == (n_a, m) and yt_pred.shape == (n_y, m)
    np.testing.assert_allclose(yt_pred.sum(axis=0), np.ones(m), rtol=0, atol=1e-14)
    assert len(cache) == 4 and cache[0] is a_next and cache[1] is a_prev and cache[2] is xt and cache[3] is p


@pytest.mark.parametrize("n_x, n_a, n_y, m, T_x", [(3, 5, 2, 4, 7), (4, 3, 6, 1, 1)])
def test_the_sequence_is_the_loop_of_cells_with_its_caches(n_x, n_a, n_y, m, T_x):
    r = np.random.default_rng(22)
    p, x, a0 = params(r, n_x, n_a, n_y), r.standard_normal((n_x, m, T_x)), r.standard_normal((n_a, m))
    a, y_pred, (steps, x_cached) = ex.rnn_forward(x, a0, p)
    assert a.shape == (n_a, m, T_x) and y_pred.shape == (n_y, m, T_x) and len(steps) == T_x
    assert x_cached is x
    a_prev = a0
    for t in range(T_x):
        a_t, y_t = cell_by_hand(x[:, :, t], a_prev, p)
        np.testing.assert_allclose(a[:, :, t], a_t, rtol=0, atol=1e-13)
        np.testing.assert_allclose(y_pred[:, :, t], y_t, rtol=0, atol=1e-13)
        a_next_c, a_prev_c, xt_c, p_c = steps[t]
        np.testing.assert_array_equal(a_next_c, a[:, :, t])
        np.testing.assert_array_equal(a_prev_c, a_prev)
        np.testing.assert_array_equal(xt_c, x[:, :, t])
        assert p_c is p
        a_prev = a[:, :, t]
    assert steps[0][1] is a0


@pytest.mark.parametrize("n_x, n_a, n_y, m", [(3, 5, 2, 4), (2, 1, 3, 1)])
def test_the_cell_backward_is_the_classic_formula(n_x, n_a, n_y, m):
    r = np.random.default_rng(23)
    p = params(r, n_x, n_a, n_y)
    _, _, cache = ex.rnn_cell_forward(r.standard_normal((n_x, m)), r.standard_normal((n_a, m)), p)
    da_next = r.standard_normal((n_a, m))
    got, want = ex.rnn_cell_backward(da_next, cache), cell_backward_by_hand(da_next, cache)
    assert sorted(got) == ["dWaa", "dWax", "da_prev", "dba", "dxt"]
    for k in want:
        assert got[k].shape == want[k].shape, k
        np.testing.assert_allclose(got[k], want[k], rtol=0, atol=1e-13, err_msg=k)


@pytest.mark.parametrize("n_x, n_a, n_y, m, T_x", [(3, 5, 2, 4, 6), (2, 3, 4, 1, 1)])
def test_backward_through_time_is_the_classic_loop_and_the_numerical_gradient(check_backward, n_x, n_a, n_y, m, T_x):
    r = np.random.default_rng(24)
    p, x, a0 = params(r, n_x, n_a, n_y), r.standard_normal((n_x, m, T_x)), r.standard_normal((n_a, m))
    _, _, caches = ex.rnn_forward(x, a0, p)
    da = r.standard_normal((n_a, m, T_x))
    g = ex.rnn_backward(da, caches)
    assert sorted(g) == ["dWaa", "dWax", "da0", "dba", "dx"]
    # the classic loop: from the last step, each cell gets the output's gradient plus what the next step sent
    want = {"dx": np.zeros((n_x, m, T_x)), "dWax": 0, "dWaa": 0, "dba": 0}
    da_prevt = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        step = cell_backward_by_hand(da[:, :, t] + da_prevt, caches[0][t])
        want["dx"][:, :, t] = step["dxt"]
        da_prevt = step["da_prev"]
        for k in ("dWax", "dWaa", "dba"):
            want[k] = want[k] + step[k]
    want["da0"] = da_prevt
    for k in want:
        np.testing.assert_allclose(g[k], want[k], rtol=0, atol=1e-12, err_msg=k)
    # and the numbers are the gradient of sum(da * a) with respect to x, a0 and the weights
    def states(x_, a0_, Wax, Waa, ba):
        return ex.rnn_forward(x_, a0_, dict(p, Wax=Wax, Waa=Waa, ba=ba))[0]
    check_backward(states, [x, a0, p["Wax"], p["Waa"], p["ba"]], da,
                   [g["dx"], g["da0"], g["dWax"], g["dWaa"], g["dba"]])


def test_a_cache_of_another_kind_is_named():
    r = np.random.default_rng(25)
    p, x, a0 = params(r, 3, 4, 2), r.standard_normal((3, 2, 5)), r.standard_normal((4, 2))
    _, _, caches = ex.rnn_forward(x, a0, p)
    with pytest.raises(ValueError, match=r"rnn_cell_backward: cache must be the \(a_next, a_prev, xt, parameters\) "
                                         r"that rnn_cell_forward returned, got a tuple of 2 items"):
        ex.rnn_cell_backward(np.zeros((4, 2)), caches)          # the whole sequence's caches given to a cell
    with pytest.raises(ValueError, match=r"rnn_backward: caches must be the \(list of step caches, x\) that "
                                         r"rnn_forward returned, got tuple"):
        ex.rnn_backward(np.zeros((4, 2, 5)), caches[0][0])      # one step's cache given to the sequence
    with pytest.raises(ValueError, match="caches hold 4 step caches but x has T_x = 5 steps"):
        ex.rnn_backward(np.zeros((4, 2, 5)), (caches[0][:4], x))
    with pytest.raises(ValueError, match=r"da has shape \(4, 2, 4\), but the forward pass's hidden states a has shape"):
        ex.rnn_backward(np.zeros((4, 2, 4)), caches)
