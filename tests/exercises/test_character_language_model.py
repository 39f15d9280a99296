"""Unit tests of course_utils.exercises.character_language_model (Track 5, notebook 03): ``sample`` draws
what the classic loop with ``rng.choice`` draws (from an int seed or a generator, at any temperature, with
the end token appended when the length runs out), and ``optimize`` is one step of forward, backward through time, clip and update,
checked against a forward pass written out here and numerical gradients."""

import numpy as np
import pytest

from course_utils.exercises.character_language_model import optimize, sample
from course_utils.gradcheck import numerical_gradient
from course_utils.nn.recurrent import initialize_recurrent_parameters


def classic_sample(parameters, end_index, rng, temperature=1.0, max_length=50):
    """The classic exercise's loop, written out with plain numpy and rng.choice."""
    Wax, Waa, ba, Wya, by = (parameters[k] for k in ("Wax", "Waa", "ba", "Wya", "by"))
    x, a, indices = np.zeros((by.shape[0], 1)), np.zeros((Waa.shape[0], 1)), []
    while len(indices) < max_length:
        a = np.tanh(Wax @ x + Waa @ a + ba)
        z = (Wya @ a + by) / temperature
        y = np.exp(z - z.max()) / np.sum(np.exp(z - z.max()))
        idx = int(rng.choice(by.shape[0], p=y.ravel()))
        indices.append(idx)
        if idx == end_index:
            return indices
        x = np.zeros_like(x)
        x[idx] = 1
    return indices + [end_index]


@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_sample_draws_what_the_classic_loop_draws(temperature):
    parameters = initialize_recurrent_parameters("rnn", 7, 5, 7, seed=4, scale=1.0)   # n_y 7, n_a 5
    for seed in range(10):
        expected = classic_sample(parameters, 0, np.random.default_rng(seed), temperature)
        assert sample(parameters, 0, np.random.default_rng(seed), temperature) == expected
        assert sample(parameters, 0, seed, temperature) == expected          # an int seed: the same generator
        assert expected[-1] == 0


def test_a_sample_cut_at_the_length_gets_the_end_token_and_the_generator_continues():
    parameters = initialize_recurrent_parameters("rnn", 4, 3, 4, seed=1)
    parameters["by"] = np.array([[0.0], [0.0], [0.0], [-60.0]])     # the end token (3) is never drawn
    rng = np.random.default_rng(8)
    first = sample(parameters, 3, rng, max_length=50)
    assert len(first) == 51 and first[-1] == 3 and 3 not in first[:-1]
    assert sample(parameters, 3, rng) != first          # the stream continued: another sample
    parameters["by"] = np.array([[0.0], [0.0], [0.0], [60.0]])      # the end token comes first
    assert sample(parameters, 3, np.random.default_rng(8)) == [3]


def _forward_by_hand(X, Y, a_prev, p):
    """Loss summed over time, averaged over m; the last state; plain numpy, one step at a time."""
    a, loss = a_prev, 0.0
    for t in range(X.shape[2]):
        a = np.tanh(p["Wax"] @ X[:, :, t] + p["Waa"] @ a + p["ba"])
        z = p["Wya"] @ a + p["by"]
        log_softmax = z - z.max(axis=0) - np.log(np.sum(np.exp(z - z.max(axis=0)), axis=0))
        loss -= np.sum(Y[:, :, t] * log_softmax)
    return loss / X.shape[1], a


def test_optimize_is_forward_backward_clip_and_update():
    """n_x = n_y 6, n_a 5, m 3, T_x 4; the last example's last step has no target."""
    r = np.random.default_rng(31)
    p = initialize_recurrent_parameters("rnn", 6, 5, 6, seed=32, scale=1.0)
    p["ba"], p["by"] = r.standard_normal((5, 1)), r.standard_normal((6, 1))
    X = np.eye(6)[:, r.integers(0, 6, (3, 4))]
    Y = np.eye(6)[:, r.integers(0, 6, (3, 4))]
    Y[:, 2, 3] = 0
    a_prev = r.standard_normal((5, 3)) * 0.5
    loss, gradients, a_last, updated = optimize(X, Y, a_prev, p, 0.1, maxValue=0.05)

    expected_loss, expected_a = _forward_by_hand(X, Y, a_prev, p)
    numerical = numerical_gradient(lambda q: _forward_by_hand(X, Y, a_prev, q)[0], p, 1e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    np.testing.assert_allclose(a_last, expected_a, rtol=1e-12)
    assert set(gradients) == {"dWax", "dWaa", "dba", "dWya", "dby"}
    assert any(np.abs(numerical[k]).max() > 0.05 for k in numerical)           # the clip bites
    for k in numerical:
        np.testing.assert_allclose(gradients[k], np.clip(numerical[k], -0.05, 0.05), atol=1e-8)
    for k in p:
        np.testing.assert_allclose(updated[k], p[k] - 0.1 * gradients["d" + k], rtol=1e-14)


def test_errors_name_the_missing_parameter_and_the_bad_temperature():
    p = initialize_recurrent_parameters("rnn", 4, 3, 4, seed=0)
    with pytest.raises(ValueError, match=r"sample: parameters lack \['Wya'\]"):
        sample({k: v for k, v in p.items() if k != "Wya"}, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"sample: temperature must be a number > 0, got 0"):
        sample(p, 0, np.random.default_rng(0), temperature=0)
