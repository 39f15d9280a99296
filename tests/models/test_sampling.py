"""course_utils.models.sampling: the next token with a temperature, drawn as rng.choice draws it, and
whole sequences from a recurrent language model that trains through the library's loop."""

import numpy as np
import pytest

from course_utils.models.sampling import sample_from_logits, sample_index, sample_sequence, with_temperature
from course_utils.nn.activations import softmax
from course_utils.nn.recurrent import (initialize_recurrent_parameters, rnn_backward, rnn_forward,
                                       sequence_cross_entropy_cost, sequence_cross_entropy_cost_backward,
                                       softmax_output_backward, softmax_output_forward)
from course_utils.optim.clipping import clip
from course_utils.optim.loop import train

rng = np.random.default_rng(1603)


def test_one_draw_is_what_rng_choice_draws():
    """So a student's sample written with rng.choice can be compared with the library token by token."""
    mine, theirs = np.random.default_rng(42), np.random.default_rng(42)
    ps = rng.dirichlet(np.ones(7), size=300)
    assert [sample_index(p, mine) for p in ps] == [int(theirs.choice(7, p=p)) for p in ps]
    assert isinstance(sample_index(ps[0], 0), int)


def test_columns_are_independent_draws_and_a_seed_repeats_them():
    p = np.array([[0.7, 0.0], [0.2, 0.0], [0.1, 1.0]])
    draws = sample_index(np.tile(p, (1, 5000)), seed=7)
    assert draws.shape == (10000,) and draws.dtype == np.int64
    assert set(draws[1::2]) == {2}                                       # the certain column
    np.testing.assert_allclose(np.bincount(draws[::2], minlength=3) / 5000, [0.7, 0.2, 0.1], atol=0.015)
    np.testing.assert_array_equal(sample_index(np.tile(p, (1, 5000)), seed=7), draws)


def test_temperature_sharpens_or_flattens_and_zero_is_greedy():
    p = np.array([0.5, 0.3, 0.2, 0.0])
    np.testing.assert_array_equal(with_temperature(p, 1.0), p)
    np.testing.assert_allclose(with_temperature(p, 0.5), p ** 2 / np.sum(p ** 2), rtol=1e-14)
    np.testing.assert_allclose(with_temperature(p, 2.0), np.sqrt(p) / np.sum(np.sqrt(p)), rtol=1e-14)
    np.testing.assert_array_equal(with_temperature(p, 0.0), [1.0, 0.0, 0.0, 0.0])
    np.testing.assert_allclose(with_temperature(p, 1e6)[:3], 1 / 3, rtol=1e-5)   # towards uniform ...
    assert with_temperature(p, 1e6)[3] == 0.0                                   # ... over the possible tokens
    np.testing.assert_array_equal(with_temperature(p, 1e-4), [1.0, 0.0, 0.0, 0.0])  # 0.6**10000 underflows: no 0/0
    g = np.random.default_rng(3)
    state = g.bit_generator.state
    assert sample_index(p, g, temperature=0) == 0
    assert g.bit_generator.state == state                               # greedy draws no random number


def test_sampling_from_logits_is_sampling_from_their_softmax_at_the_temperature():
    z = rng.standard_normal((5, 40)) * 3
    for T in (0.5, 1.0, 2.0):
        np.testing.assert_array_equal(sample_from_logits(z, seed=11, temperature=T),
                                      sample_index(softmax(z / T, axis=0), seed=11))
    np.testing.assert_array_equal(sample_from_logits(z, temperature=0), np.argmax(z, axis=0))


def test_sampling_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"every distribution must sum to 1; one sums to 1.5 \(pass scores to sample_from_logits\)"):
        sample_index(np.array([1.0, 0.5]))
    with pytest.raises(ValueError, match=r"temperature must be a finite number >= 0 .*got -1"):
        sample_index(np.array([1.0, 0.0]), temperature=-1)
    with pytest.raises(ValueError, match=r"probabilities must be finite and >= 0"):
        sample_index(np.array([1.5, -0.5]))


# --- whole sequences --------------------------------------------------------------------------------

def _counting_model(n=5):
    """An RNN language model that writes k + 1 after k: a<t> = tanh(10 x<t>) ~ x<t>, scores 50 at k + 1."""
    return {"Wax": 10 * np.eye(n), "Waa": np.zeros((n, n)), "ba": np.zeros((n, 1)),
            "Wya": 50 * np.roll(np.eye(n), 1, axis=0), "by": np.zeros((n, 1))}


def test_a_sequence_stops_at_the_end_token_or_at_the_length():
    model = _counting_model()
    assert sample_sequence(model, 4, seed=0, start_index=0) == [[1, 2, 3, 4]]
    assert sample_sequence(model, 4, seed=0, start_index=0, max_length=2) == [[1, 2]]
    assert sample_sequence(model, 4, seed=0, start_index=2, n_samples=3) == [[3, 4]] * 3
    assert sample_sequence(model, 3, seed=0, start_index=1, temperature=0) == [[2, 3]]


def _classic_sample(parameters, end_index, rng, cell, max_length=50):
    """The classic exercise's loop (one sample, rng.choice), written out with plain numpy."""
    n_y = parameters["by"].shape[0]
    n_a = (parameters["Waa"] if cell == "rnn" else parameters["Wf"]).shape[0]
    x, a, c, indices = np.zeros((n_y, 1)), np.zeros((n_a, 1)), np.zeros((n_a, 1)), []
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    while len(indices) < max_length:
        if cell == "rnn":
            a = np.tanh(parameters["Wax"] @ x + parameters["Waa"] @ a + parameters["ba"])
            z = parameters["Wya"] @ a + parameters["by"]
        else:
            concat = np.vstack([a, x])
            f, i = sig(parameters["Wf"] @ concat + parameters["bf"]), sig(parameters["Wi"] @ concat + parameters["bi"])
            o, cc = sig(parameters["Wo"] @ concat + parameters["bo"]), np.tanh(parameters["Wc"] @ concat + parameters["bc"])
            c = f * c + i * cc
            a = o * np.tanh(c)
            z = parameters["Wy"] @ a + parameters["by"]
        y = np.exp(z - z.max()) / np.sum(np.exp(z - z.max()))
        idx = int(rng.choice(n_y, p=y.ravel()))
        indices.append(idx)
        if idx == end_index:
            break
        x = np.zeros((n_y, 1))
        x[idx] = 1
    return indices


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_one_sample_at_temperature_one_is_the_classic_loop_with_rng_choice(cell):
    parameters = initialize_recurrent_parameters(cell, 6, 8, 6, seed=5, scale=1.0)
    for seed in range(5):
        expected = _classic_sample(parameters, 0, np.random.default_rng(seed), cell)
        assert sample_sequence(parameters, 0, seed=seed, cell=cell) == [expected]


def test_sequence_errors_name_the_model_and_the_vocabulary():
    model = _counting_model()
    with pytest.raises(ValueError, match=r"input size n_x = 4 must equal its vocabulary n_y = 5"):
        sample_sequence(dict(model, Wax=np.zeros((5, 4))), 4)
    with pytest.raises(ValueError, match=r"end_index 5 is outside the vocabulary of 5 tokens \(0 to 4\)"):
        sample_sequence(model, 5)
    with pytest.raises(ValueError, match=r"a lstm language model needs 'Wf' in parameters"):
        sample_sequence(model, 4, cell="lstm")
    with pytest.raises(ValueError, match=r"max_length must be an integer >= 1, got 0"):
        sample_sequence(model, 4, max_length=0)


def test_a_language_model_trained_by_the_loop_writes_its_name_back():
    """The pieces fit together: embedding-free char model, loss summed over time, backward through time,
    clip, Adam, all through optim.loop.train (index sequences (m, T) on axis 0); greedy sampling then
    writes the training name."""
    chars = "\nacde"
    name = [chars.index(ch) for ch in "dace\n"]
    Y = np.array([name])                                      # (m, T_x) = (1, 5) target indices
    n_y, n_a = len(chars), 12

    def step(parameters, X_batch, Y_batch):
        m, T = Y_batch.shape
        y = np.eye(n_y)[:, Y_batch]                           # (n_y, m, T) one-hot targets
        x = np.concatenate([np.zeros((n_y, m, 1)), y[:, :, :-1]], axis=2)   # x<1> = 0, x<t> = y<t-1>
        a, cache = rnn_forward(x, np.zeros((n_a, m)), parameters)
        y_pred, out_cache = softmax_output_forward(a, parameters)
        da, grads = softmax_output_backward(sequence_cross_entropy_cost_backward(y_pred, y), out_cache)
        grads.update(rnn_backward(da, cache)[1])
        return sequence_cross_entropy_cost(y_pred, y), clip(grads, 5.0, keys=["d" + k for k in parameters])

    start = initialize_recurrent_parameters("rnn", n_y, n_a, n_y, seed=0)
    trained, history = train(step, start, Y, Y, optimizer="adam", config={"learning_rate": 0.05},
                             num_epochs=150, example_axis=0)
    assert history["cost"][-1] < 0.05 * history["cost"][0]
    assert sample_sequence(trained, 0, temperature=0) == [name]
    assert "".join(chars[k] for k in sample_sequence(trained, 0, temperature=0)[0]) == "dace\n"
