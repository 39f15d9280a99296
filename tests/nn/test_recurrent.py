"""course_utils.nn.recurrent: RNN, GRU (full and simplified), LSTM cells and sequences, the
bidirectional wrapper, the output layer and its cost. Every backward pass against the numerical
gradient, on shapes where n_x, n_a, m and T_x all differ and on the edge T_x = 1, m = 1."""

import numpy as np
import pytest

from course_utils.nn import recurrent as rec
from course_utils.nn.activations import sigmoid

rng = np.random.default_rng(1601)

#: (n_x, n_a, m, T_x): all different, and the edge of one step of one example
SHAPES = [(3, 5, 4, 6), (3, 5, 1, 1)]
#: the cells of the notes, with the name initialize_recurrent_parameters knows them by
VERSIONS = ["rnn", "gru", "gru_simplified", "lstm"]


def _layer(version):
    return "gru" if version.startswith("gru") else version


def _parameters(version, n_x, n_a, n_y=None):
    """Random parameters, biases too (zero biases would hide a wrong bias gradient's broadcast)."""
    p = rec.initialize_recurrent_parameters(version, n_x, n_a, n_y, seed=rng)
    return {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in p.items()}


def _initial_state_key(version):
    return "dc0" if _layer(version) == "gru" else "da0"


# --- backward through time against the numerical gradient ----------------------------------------

@pytest.mark.parametrize("shape", SHAPES, ids=["n_x3-n_a5-m4-T6", "T1-m1"])
@pytest.mark.parametrize("version", VERSIONS)
def test_sequence_backward_passes_the_gradient_check(check_backward, version, shape):
    n_x, n_a, m, T = shape
    forward, backward = rec.sequence_layer(_layer(version))
    x, a0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    p = _parameters(version, n_x, n_a)
    names = list(p)
    a, cache = forward(x, a0, p)
    assert a.shape == (n_a, m, T)
    da = rng.standard_normal(a.shape)
    dx, g = backward(da, cache)
    assert dx is g["dx"]
    assert sorted(g) == sorted(["dx", _initial_state_key(version)] + ["d" + k for k in names]
                               + (["dc0"] if version == "lstm" else []))
    check_backward(lambda x, a0, *values: forward(x, a0, dict(zip(names, values)))[0],
                   [x, a0, *p.values()], da, [g["dx"], g[_initial_state_key(version)], *(g["d" + k] for k in names)],
                   names=["x", "a0"] + names)


@pytest.mark.parametrize("shape", SHAPES, ids=["n_x3-n_a5-m4-T6", "T1-m1"])
def test_lstm_gradient_reaches_the_initial_memory_cell(check_backward, shape):
    n_x, n_a, m, T = shape
    x, a0, c0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    p = _parameters("lstm", n_x, n_a)
    a, cache = rec.lstm_forward(x, a0, p, c0=c0)
    da = rng.standard_normal(a.shape)
    _, g = rec.lstm_backward(da, cache)
    check_backward(lambda c0: rec.lstm_forward(x, a0, p, c0=c0)[0], [c0], da, [g["dc0"]], names=["c0"])


@pytest.mark.parametrize("m", [4, 1])
@pytest.mark.parametrize("version", VERSIONS)
def test_cell_backward_passes_the_gradient_check(check_backward, version, m):
    n_x, n_a = 3, 5
    xt, a_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    p = _parameters(version, n_x, n_a)
    names = list(p)
    if version == "lstm":
        c_prev = rng.standard_normal((n_a, m))
        (a_next, c_next), cache = rec.lstm_cell_forward(xt, a_prev, c_prev, p)
        da_next, dc_next = rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
        dxt, g = rec.lstm_cell_backward(da_next, dc_next, cache)
        assert sorted(g) == sorted(["dxt", "da_prev", "dc_prev"] + ["d" + k for k in names])

        def both(xt, a_prev, c_prev, *values):   # the loss sees a_next and c_next: stack them
            return np.vstack(rec.lstm_cell_forward(xt, a_prev, c_prev, dict(zip(names, values)))[0])

        check_backward(both, [xt, a_prev, c_prev, *p.values()], np.vstack([da_next, dc_next]),
                       [dxt, g["da_prev"], g["dc_prev"], *(g["d" + k] for k in names)],
                       names=["xt", "a_prev", "c_prev"] + names)
        return
    cell_forward, cell_backward = {"rnn": (rec.rnn_cell_forward, rec.rnn_cell_backward),
                                   "gru": (rec.gru_cell_forward, rec.gru_cell_backward)}[_layer(version)]
    out, cache = cell_forward(xt, a_prev, p)
    d = rng.standard_normal(out.shape)
    dxt, g = cell_backward(d, cache)
    prev = "da_prev" if version == "rnn" else "dc_prev"
    assert sorted(g) == sorted(["dxt", prev] + ["d" + k for k in names])
    check_backward(lambda xt, a_prev, *values: cell_forward(xt, a_prev, dict(zip(names, values)))[0],
                   [xt, a_prev, *p.values()], d, [dxt, g[prev], *(g["d" + k] for k in names)],
                   names=["xt", "a_prev"] + names)


# --- the sequence is the cell, step after step ----------------------------------------------------

def _by_cells(version, x, a0, p):
    """The sequence computed with the cell functions (the classic rnn_forward loop), and BPTT with them."""
    T = x.shape[2]
    a, c, caches, states = a0, np.zeros_like(a0), [], []
    for t in range(T):
        if version == "lstm":
            (a, c), cache = rec.lstm_cell_forward(x[:, :, t], a, c, p)
        elif version == "rnn":
            a, cache = rec.rnn_cell_forward(x[:, :, t], a, p)
        else:
            a, cache = rec.gru_cell_forward(x[:, :, t], a, p)
        caches.append(cache)
        states.append(a)
    return np.stack(states, axis=-1), caches


@pytest.mark.parametrize("version", VERSIONS)
def test_the_sequence_forward_and_backward_are_the_cells_step_after_step(version):
    n_x, n_a, m, T = 4, 3, 5, 7
    x, a0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    p = _parameters(version, n_x, n_a)
    forward, backward = rec.sequence_layer(_layer(version))
    a, cache = forward(x, a0, p)
    a_cells, caches = _by_cells(version, x, a0, p)
    np.testing.assert_allclose(a, a_cells, rtol=1e-13, atol=1e-14)

    da = rng.standard_normal(a.shape)
    dx, g = backward(da, cache)
    # BPTT by hand: the gradient into step t is da<t> plus what step t + 1 sends back
    prev = {"rnn": "da_prev", "lstm": "da_prev"}.get(version, "dc_prev")
    d_next, dc_next = np.zeros((n_a, m)), np.zeros((n_a, m))
    totals = {k: 0.0 for k in g if k not in ("dx", "da0", "dc0")}
    dx_cells = np.zeros_like(x)
    for t in reversed(range(T)):
        if version == "lstm":
            _, gt = rec.lstm_cell_backward(da[:, :, t] + d_next, dc_next, caches[t])
            dc_next = gt["dc_prev"]
        elif version == "rnn":
            _, gt = rec.rnn_cell_backward(da[:, :, t] + d_next, caches[t])
        else:
            _, gt = rec.gru_cell_backward(da[:, :, t] + d_next, caches[t])
        d_next = gt[prev]
        dx_cells[:, :, t] = gt["dxt"]
        for k in totals:
            totals[k] = totals[k] + gt[k]
    np.testing.assert_allclose(dx, dx_cells, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(g[_initial_state_key(version)], d_next, rtol=1e-12, atol=1e-13)
    for k in totals:
        np.testing.assert_allclose(g[k], totals[k], rtol=1e-12, atol=1e-13, err_msg=k)


# --- the equations of the notes --------------------------------------------------------------------

def test_rnn_cell_is_tanh_of_Waa_a_plus_Wax_x_plus_ba_and_the_stacked_Wa_gives_the_same():
    """The notes' a<t> = g(Waa a<t-1> + Wax x<t> + ba) = g(Wa [a<t-1>, x<t>] + ba) with Wa = [Waa | Wax]."""
    n_x, n_a, m = 6, 4, 3
    xt, a_prev = rng.standard_normal((n_x, m)), rng.standard_normal((n_a, m))
    p = _parameters("rnn", n_x, n_a)
    a_next, _ = rec.rnn_cell_forward(xt, a_prev, p)
    Wa = np.hstack([p["Waa"], p["Wax"]])
    assert Wa.shape == (n_a, n_a + n_x)
    np.testing.assert_allclose(a_next, np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"]), rtol=1e-14)
    np.testing.assert_allclose(a_next, np.tanh(Wa @ np.vstack([a_prev, xt]) + p["ba"]), rtol=1e-13)


def test_gru_update_gate_chooses_between_the_candidate_and_the_old_memory():
    """Notes: c<t> = Gamma_u * c~<t> + (1 - Gamma_u) * c<t-1>. A shut update gate keeps the memory exactly
    (the cat is still singular 1000 steps later); an open one replaces it by the candidate."""
    n_x, n_a, m, T = 2, 3, 2, 1000
    x, c0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    p = _parameters("gru", n_x, n_a)
    p["Wu"], p["bu"] = np.zeros_like(p["Wu"]), np.full((n_a, 1), -800.0)   # Gamma_u = sigmoid(-800) = 0 in float64
    c, _ = rec.gru_forward(x, c0, p)
    np.testing.assert_array_equal(c[:, :, -1], c0)
    p["bu"] = np.full((n_a, 1), 800.0)                                      # Gamma_u = 1: c<t> = c~<t>
    c_next, _ = rec.gru_cell_forward(x[:, :, 0], c0, p)
    r = sigmoid(p["Wr"] @ np.vstack([c0, x[:, :, 0]]) + p["br"])
    np.testing.assert_allclose(c_next, np.tanh(p["Wc"] @ np.vstack([r * c0, x[:, :, 0]]) + p["bc"]), rtol=1e-13)


def test_the_simplified_gru_is_the_full_one_with_the_relevance_gate_open():
    n_x, n_a, m, T = 3, 4, 2, 5
    x, c0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    full = _parameters("gru", n_x, n_a)
    simplified = {k: full[k] for k in ("Wu", "bu", "Wc", "bc")}
    c_simple, _ = rec.gru_forward(x, c0, simplified)
    open_gate = dict(full, Wr=np.zeros_like(full["Wr"]), br=np.full((n_a, 1), 800.0))   # Gamma_r = 1
    np.testing.assert_allclose(rec.gru_forward(x, c0, open_gate)[0], c_simple, rtol=1e-14)
    assert np.max(np.abs(rec.gru_forward(x, c0, full)[0] - c_simple)) > 1e-3   # a working Gamma_r matters


def test_lstm_cell_follows_the_notes_equations():
    n_x, n_a, m = 3, 4, 2
    xt, a_prev, c_prev = (rng.standard_normal(s) for s in ((n_x, m), (n_a, m), (n_a, m)))
    p = _parameters("lstm", n_x, n_a)
    (a_next, c_next), _ = rec.lstm_cell_forward(xt, a_prev, c_prev, p)
    concat = np.vstack([a_prev, xt])
    f, u = sigmoid(p["Wf"] @ concat + p["bf"]), sigmoid(p["Wi"] @ concat + p["bi"])
    o, cc = sigmoid(p["Wo"] @ concat + p["bo"]), np.tanh(p["Wc"] @ concat + p["bc"])
    np.testing.assert_allclose(c_next, f * c_prev + u * cc, rtol=1e-13)
    np.testing.assert_allclose(a_next, o * np.tanh(f * c_prev + u * cc), rtol=1e-13)


def test_lstm_with_the_forget_gate_open_and_the_update_gate_shut_keeps_its_memory_cells():
    n_x, n_a, m, T = 2, 3, 2, 50
    x, a0, c0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m)), rng.standard_normal((n_a, m))
    p = _parameters("lstm", n_x, n_a)
    for k, bias in (("f", 800.0), ("i", -800.0)):
        p["W" + k], p["b" + k] = np.zeros_like(p["W" + k]), np.full((n_a, 1), bias)
    a, cache = rec.lstm_forward(x, a0, p, c0=c0)
    c = rec.memory_cells(cache)
    np.testing.assert_array_equal(c, np.repeat(c0[:, :, None], T, axis=2))
    o = sigmoid(p["Wo"] @ np.vstack([a[:, :, -2], x[:, :, -1]]) + p["bo"])
    np.testing.assert_allclose(a[:, :, -1], o * np.tanh(c0), rtol=1e-13)


def test_gate_values_are_the_notes_gates_of_every_step():
    n_x, n_a, m, T = 3, 4, 2, 5
    x, a0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    p = _parameters("lstm", n_x, n_a)
    a, cache = rec.lstm_forward(x, a0, p)
    gates = rec.gate_values(cache)
    assert list(gates) == ["Gamma_f", "Gamma_u", "c_tilde", "Gamma_o"]
    a_prev = np.concatenate([a0[:, :, None], a[:, :, :-1]], axis=2)
    concat = np.concatenate([a_prev, x], axis=0)                          # [a<t-1>; x<t>] for every t
    for name, W, b, g in (("Gamma_f", "Wf", "bf", sigmoid), ("Gamma_u", "Wi", "bi", sigmoid),
                          ("c_tilde", "Wc", "bc", np.tanh), ("Gamma_o", "Wo", "bo", sigmoid)):
        np.testing.assert_allclose(gates[name], g(np.einsum("ak,kmt->amt", p[W], concat) + p[b][:, :, None]),
                                   rtol=1e-13, err_msg=name)
    q = _parameters("gru", n_x, n_a)
    c, cache = rec.gru_forward(x, a0, q)
    gates = rec.gate_values(cache)
    c_prev = np.concatenate([a0[:, :, None], c[:, :, :-1]], axis=2)
    r = sigmoid(np.einsum("ak,kmt->amt", q["Wr"], np.concatenate([c_prev, x])) + q["br"][:, :, None])
    np.testing.assert_allclose(gates["Gamma_r"], r, rtol=1e-13)
    np.testing.assert_allclose(gates["c_tilde"], np.tanh(np.einsum("ak,kmt->amt", q["Wc"], np.concatenate(
        [r * c_prev, x])) + q["bc"][:, :, None]), rtol=1e-13)
    np.testing.assert_allclose(c, gates["Gamma_u"] * gates["c_tilde"] + (1 - gates["Gamma_u"]) * c_prev, rtol=1e-13)
    simplified = rec.gru_forward(x, a0, {k: q[k] for k in ("Wu", "bu", "Wc", "bc")})[1]
    assert list(rec.gate_values(simplified)) == ["Gamma_u", "c_tilde"]
    with pytest.raises(ValueError, match=r"got the cache of rnn_forward \(a plain RNN has no gates\)"):
        rec.gate_values(rec.rnn_forward(x, a0, _parameters("rnn", n_x, n_a))[1])


def test_memory_cells_of_a_gru_are_its_states_and_a_plain_rnn_has_none():
    x, a0 = rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 3))
    c, cache = rec.gru_forward(x, a0, _parameters("gru", 2, 5))
    np.testing.assert_array_equal(rec.memory_cells(cache), c)
    with pytest.raises(ValueError, match=r"got the cache of rnn_forward \(a plain RNN has no memory cell\)"):
        rec.memory_cells(rec.rnn_forward(x, a0, _parameters("rnn", 2, 5))[1])


# --- the library's conventions --------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_parameter_gradients_are_sums_over_the_batch(version):
    """Doubling the batch with a copy of itself doubles every parameter gradient: no layer divides by m."""
    n_x, n_a, m, T = 3, 4, 2, 5
    x, a0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    da = rng.standard_normal((n_a, m, T))
    p = _parameters(version, n_x, n_a)
    forward, backward = rec.sequence_layer(_layer(version))
    _, g1 = backward(da, forward(x, a0, p)[1])
    _, g2 = backward(np.concatenate([da, da], axis=1),
                     forward(np.concatenate([x, x], axis=1), np.hstack([a0, a0]), p)[1])
    for k in p:
        np.testing.assert_allclose(g2["d" + k], 2 * g1["d" + k], rtol=1e-12, atol=1e-12, err_msg=k)   # sums cancel


@pytest.mark.parametrize("version", VERSIONS)
def test_float32_stays_float32(version):
    n_x, n_a, m, T = 3, 4, 2, 5
    x, a0 = rng.standard_normal((n_x, m, T)).astype(np.float32), np.zeros((n_a, m), np.float32)
    p = {k: v.astype(np.float32) for k, v in _parameters(version, n_x, n_a).items()}
    forward, backward = rec.sequence_layer(_layer(version))
    a, cache = forward(x, a0, p)
    a64, _ = forward(x.astype(float), a0.astype(float), {k: v.astype(float) for k, v in p.items()})
    assert a.dtype == np.float32
    np.testing.assert_allclose(a, a64, rtol=1e-5, atol=1e-6)
    dx, g = backward(np.ones_like(a), cache)
    assert {v.dtype for v in g.values()} == {np.dtype(np.float32)}


def test_initialize_recurrent_parameters_gives_the_classic_names_and_shapes():
    shapes = {k: v.shape for k, v in rec.initialize_recurrent_parameters("rnn", 27, 50, 27, seed=0).items()}
    assert shapes == {"Wax": (50, 27), "Waa": (50, 50), "ba": (50, 1), "Wya": (27, 50), "by": (27, 1)}
    lstm = rec.initialize_recurrent_parameters("lstm", 3, 5, seed=0)
    assert list(lstm) == ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"]
    assert {v.shape for k, v in lstm.items() if k.startswith("W")} == {(5, 8)}
    np.testing.assert_array_equal(lstm["bf"], np.ones((5, 1)))
    np.testing.assert_array_equal(lstm["bi"], np.zeros((5, 1)))
    assert list(rec.initialize_recurrent_parameters("gru_simplified", 3, 5, 2, seed=0)) == ["Wu", "bu", "Wc", "bc", "Wy", "by"]
    again = rec.initialize_recurrent_parameters("lstm", 3, 5, seed=0)
    assert all(np.array_equal(lstm[k], again[k]) for k in lstm)
    small, r = rec.initialize_recurrent_parameters("rnn", 2, 3, seed=4, scale=0.01), np.random.default_rng(4)
    np.testing.assert_array_equal(small["Wax"], r.standard_normal((3, 2)) * 0.01)   # the classic 0.01 start
    np.testing.assert_array_equal(small["Waa"], r.standard_normal((3, 3)) * 0.01)
    xavier = rec.initialize_recurrent_parameters("gru", 2, 3, seed=4)
    np.testing.assert_allclose(xavier["Wu"], np.random.default_rng(4).standard_normal((3, 5)) / np.sqrt(5), rtol=1e-15)
    with pytest.raises(ValueError, match=r"cell must be one of \['rnn', 'gru', 'gru_simplified', 'lstm'\], got 'gru2'"):
        rec.initialize_recurrent_parameters("gru2", 3, 5)
    with pytest.raises(ValueError, match=r"n_a must be an integer >= 1, got 0"):
        rec.initialize_recurrent_parameters("rnn", 3, 0)


def test_sequence_layer_chooses_by_name():
    assert rec.sequence_layer("lstm") == (rec.lstm_forward, rec.lstm_backward)
    with pytest.raises(ValueError, match=r"cell must be one of \['rnn', 'gru', 'lstm'\], got 'elman'"):
        rec.sequence_layer("elman")


def test_errors_name_both_shapes():
    x, a0 = np.zeros((3, 4, 6)), np.zeros((5, 4))
    p = rec.initialize_recurrent_parameters("rnn", 3, 5, seed=0)
    cases = [
        (lambda: rec.rnn_forward(x, np.zeros((5, 2)), p),
         r"rnn_forward: a0 has shape \(5, 2\), but x has shape \(3, 4, 6\): a0 must be \(n_a, m\) = \(n_a, 4\)"),
        (lambda: rec.rnn_forward(x[:, :, 0], a0, p), r"rnn_forward: x must be 3-D \(n_x, m, T_x\)"),
        (lambda: rec.rnn_forward(np.zeros((2, 4, 6)), a0, p),
         r"rnn_forward: Wax has shape \(5, 3\), but x \(2, 4, 6\) and a0 \(5, 4\) need Wax \(n_a, n_x\) = \(5, 2\)"),
        (lambda: rec.rnn_cell_forward(x[:, :, 0], a0, dict(p, Waa=np.zeros((5, 4)))),
         r"rnn_cell_forward: Waa has shape \(5, 4\), but xt \(3, 4\) and a_prev \(5, 4\) need Waa \(n_a, n_a\) = \(5, 5\)"),
        (lambda: rec.rnn_cell_forward(x[:, :, 0], np.zeros((5, 3)), p),
         r"rnn_cell_forward: a_prev has shape \(5, 3\), but xt has shape \(3, 4\)"),
        (lambda: rec.rnn_forward(x, a0, {k: v for k, v in p.items() if k != "ba"}),
         r"rnn_forward: parameters lack 'ba', which must be \(n_a, 1\) = \(5, 1\)"),
        (lambda: rec.rnn_backward(np.zeros((5, 4, 5)), rec.rnn_forward(x, a0, p)[1]),
         r"rnn_backward: da has shape \(5, 4, 5\), but the forward pass's hidden states a has shape \(5, 4, 6\)"),
        (lambda: rec.lstm_forward(x, a0, rec.initialize_recurrent_parameters("lstm", 3, 4, seed=0)),
         r"lstm_forward: Wf has shape \(4, 7\), but x \(3, 4, 6\) and a0 \(5, 4\) need Wf \(n_a, n_a \+ n_x\) = \(5, 8\)"),
        (lambda: rec.lstm_cell_forward(x[:, :, 0], a0, np.zeros((4, 4)), rec.initialize_recurrent_parameters("lstm", 3, 5, seed=0)),
         r"lstm_cell_forward: c_prev has shape \(4, 4\), but a_prev has shape \(5, 4\); they must match"),
        (lambda: rec.gru_forward(x, a0, {k: v for k, v in rec.initialize_recurrent_parameters("gru", 3, 5, seed=0).items()
                                         if k != "br"}),
         r"gru_forward: parameters hold Wr but not br: the full GRU needs both Wr and br, the simplified GRU neither"),
        (lambda: rec.lstm_cell_backward(np.zeros((5, 4)), np.zeros((5, 3)), rec.lstm_cell_forward(
            x[:, :, 0], a0, a0, rec.initialize_recurrent_parameters("lstm", 3, 5, seed=0))[1]),
         r"lstm_cell_backward: dc_next has shape \(5, 3\), but the forward pass's c_next has shape \(5, 4\)"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()


def test_a_backward_pass_given_another_layers_cache_says_whose_cache_it_needs():
    x, a0 = np.zeros((3, 4, 6)), np.zeros((5, 4))
    lstm_cache = rec.lstm_forward(x, a0, rec.initialize_recurrent_parameters("lstm", 3, 5, seed=0))[1]
    rnn_cache = rec.rnn_forward(x, a0, rec.initialize_recurrent_parameters("rnn", 3, 5, seed=0))[1]
    with pytest.raises(ValueError, match=r"rnn_backward: cache comes from the lstm layer \(lstm_...forward\); it needs "
                                         r"the cache of rnn_forward"):
        rec.rnn_backward(np.zeros((5, 4, 6)), lstm_cache)
    with pytest.raises(ValueError, match=r"rnn_cell_backward: cache is a sequence of 6 steps; it needs the one-step cache "
                                         r"of rnn_cell_forward \(backward through a whole sequence is rnn_backward\)"):
        rec.rnn_cell_backward(np.zeros((5, 4)), rnn_cache)
    with pytest.raises(ValueError, match=r"gru_backward: cache must be the cache that gru_forward returned, got list"):
        rec.gru_backward(np.zeros((5, 4, 6)), [])


# --- bidirectional ---------------------------------------------------------------------------------

def _bidirectional_parameters(version, n_x, n_fw, n_bw):
    p = {k + "_fw": v for k, v in _parameters(version, n_x, n_fw).items()}
    p.update({k + "_bw": v for k, v in _parameters(version, n_x, n_bw).items()})
    return p


@pytest.mark.parametrize("shape", SHAPES, ids=["n_x3-n_a5-m4-T6", "T1-m1"])
@pytest.mark.parametrize("version", ["rnn", "gru", "lstm"])
def test_bidirectional_backward_passes_the_gradient_check(check_backward, version, shape):
    n_x, n_a, m, T = shape
    p = _bidirectional_parameters(version, n_x, n_a, n_a - 2)   # the two directions may differ in size
    p["Wy"] = rng.standard_normal((2, 2 * n_a - 2))              # an output layer's key: ignored
    names = [k for k in p if k != "Wy"]
    x = rng.standard_normal((n_x, m, T))
    a, cache = rec.bidirectional_forward(x, p, cell=_layer(version))
    assert a.shape == (2 * n_a - 2, m, T)
    da = rng.standard_normal(a.shape)
    dx, g = rec.bidirectional_backward(da, cache)
    assert sorted(g) == sorted(["dx"] + ["d" + k for k in names])
    check_backward(lambda x, *values: rec.bidirectional_forward(x, dict(zip(names, values)), cell=_layer(version))[0],
                   [x, *(p[k] for k in names)], da, [dx, *(g["d" + k] for k in names)], names=["x"] + names)


def test_bidirectional_states_are_the_forward_pass_and_the_reversed_pass_and_see_the_future():
    """The notes' Teddy sentences: whether Teddy is a bear or a president is said after the word, so the
    state at the word must depend on what follows; the backward direction's does, the forward one's does not."""
    n_x, n_a, m, T = 3, 4, 2, 5
    p = _bidirectional_parameters("rnn", n_x, n_a, n_a)
    x = rng.standard_normal((n_x, m, T))
    a, _ = rec.bidirectional_forward(x, p)
    zeros = np.zeros((n_a, m))
    fw = rec.rnn_forward(x, zeros, {k[:-3]: v for k, v in p.items() if k.endswith("_fw")})[0]
    bw = rec.rnn_forward(x[:, :, ::-1], zeros, {k[:-3]: v for k, v in p.items() if k.endswith("_bw")})[0][:, :, ::-1]
    np.testing.assert_allclose(a, np.concatenate([fw, bw]), rtol=1e-14)
    later = x.copy()
    later[:, :, -1] += 1.0                      # change only the last word
    a2, _ = rec.bidirectional_forward(later, p)
    np.testing.assert_array_equal(a2[:n_a, :, 0], a[:n_a, :, 0])
    assert np.min(np.abs(a2[n_a:, :, 0] - a[n_a:, :, 0])) > 0


def test_bidirectional_names_the_missing_parameter_and_its_direction():
    p = {k + "_fw": v for k, v in rec.initialize_recurrent_parameters("rnn", 3, 4, seed=0).items()}
    with pytest.raises(ValueError, match=r"bidirectional_forward: parameters lack 'Waa_bw'"):
        rec.bidirectional_forward(np.zeros((3, 2, 5)), p)
    p.update({"Waa_bw": np.zeros((4, 4)), "ba_bw": np.zeros((4, 1)), "Wax_bw": np.zeros((4, 2))})
    with pytest.raises(ValueError, match=r"the bw direction \(keys ending in _bw\): rnn_forward: Wax has shape \(4, 2\)"):
        rec.bidirectional_forward(np.zeros((3, 2, 5)), p)


# --- output layer and the loss summed over time ----------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES, ids=["n_x3-n_a5-m4-T6", "T1-m1"])
@pytest.mark.parametrize("version", ["rnn", "lstm"])
def test_the_cost_through_output_and_time_passes_the_gradient_check(check_backward, version, shape):
    """x -> recurrent layer -> softmax at every step -> loss summed over time: the whole chain."""
    n_x, n_a, m, T = shape
    n_y = 7
    p = _parameters(version, n_x, n_a, n_y)
    names = list(p)
    x, a0 = rng.standard_normal((n_x, m, T)), rng.standard_normal((n_a, m))
    y = np.eye(n_y)[:, rng.integers(0, n_y, size=(m, T))]
    forward, backward = rec.sequence_layer(version)

    def cost(x, *values):
        q = dict(zip(names, values))
        return rec.sequence_cross_entropy_cost(rec.softmax_output_forward(forward(x, a0, q)[0], q)[0], y)

    a, cache = forward(x, a0, p)
    y_pred, out_cache = rec.softmax_output_forward(a, p)
    np.testing.assert_allclose(y_pred.sum(axis=0), np.ones((m, T)), rtol=1e-14)
    da, g_out = rec.softmax_output_backward(rec.sequence_cross_entropy_cost_backward(y_pred, y), out_cache)
    dx, g = backward(da, cache)
    g.update(g_out)
    check_backward(cost, [x, *p.values()], 1.0, [dx, *(g["d" + k] for k in names)], names=["x"] + names)


def test_the_cost_is_the_sum_over_time_of_the_step_losses_and_padding_counts_nothing():
    n_y, m, T = 4, 3, 5
    y_pred = rng.dirichlet(np.ones(n_y), size=(m, T)).transpose(2, 0, 1)
    labels = rng.integers(0, n_y, size=(m, T))
    y = np.eye(n_y)[:, labels]
    per_step = [-np.sum(np.log(y_pred[labels[:, t], np.arange(m), t])) / m for t in range(T)]
    assert rec.sequence_cross_entropy_cost(y_pred, y) == pytest.approx(sum(per_step), rel=1e-14)
    short = y.copy()
    short[:, 0, 3:] = 0.0                                  # example 0 ends after 3 steps
    expected = sum(per_step) + np.sum(np.log(y_pred[labels[0, 3:], 0, [3, 4]])) / m
    assert rec.sequence_cross_entropy_cost(y_pred, short) == pytest.approx(expected, rel=1e-14)
    dz = rec.sequence_cross_entropy_cost_backward(y_pred, short)
    np.testing.assert_array_equal(dz[:, 0, 3:], 0.0)
    np.testing.assert_allclose(dz[:, 1:], (y_pred - y)[:, 1:] / m, rtol=1e-15)
    with pytest.raises(ValueError, match=r"y_pred has shape \(4, 3, 5\) but y has shape \(4, 3, 4\)"):
        rec.sequence_cross_entropy_cost(y_pred, y[:, :, :4])


def test_output_layer_names_its_weights_by_the_cell():
    a = rng.standard_normal((5, 2, 3))
    for key in ("Wya", "Wy"):
        p = {key: rng.standard_normal((4, 5)), "by": rng.standard_normal((4, 1))}
        y_pred, cache = rec.softmax_output_forward(a, p)
        z = np.einsum("ya,amt->ymt", p[key], a) + p["by"][:, :, None]
        np.testing.assert_allclose(y_pred, np.exp(z) / np.exp(z).sum(axis=0), rtol=1e-13)
        assert sorted(rec.softmax_output_backward(np.ones_like(y_pred), cache)[1]) == sorted(["d" + key, "dby"])
    with pytest.raises(ValueError, match=r"exactly one of 'Wya' \(RNN\) and 'Wy' \(GRU, LSTM\)"):
        rec.softmax_output_forward(a, {"Wya": np.zeros((4, 5)), "Wy": np.zeros((4, 5)), "by": np.zeros((4, 1))})
    with pytest.raises(ValueError, match=r"Wy has shape \(4, 6\), but a has shape \(5, 2, 3\)"):
        rec.softmax_output_forward(a, {"Wy": np.zeros((4, 6)), "by": np.zeros((4, 1))})
