"""course_utils.models.sentiment: the averaging classifier and the many-to-one LSTM classifier."""

import functools

import numpy as np
import pytest

from course_utils.gradcheck import gradient_difference, numerical_gradient
from course_utils.models import sentiment as sm
from course_utils.nn.recurrent import initialize_recurrent_parameters, lstm_forward
from course_utils.optim.loop import train

TABLE = {"i": np.array([1.0, 0.0, 2.0]), "love": np.array([3.0, 4.0, -2.0]), "you": np.array([-1.0, 2.0, 0.0])}


def test_sentence_to_avg_averages_lowercased_words():
    avg = sm.sentence_to_avg("I love YOU", TABLE)
    np.testing.assert_array_equal(avg, [1.0, 2.0, 0.0])
    assert avg.dtype == np.float64 and avg.shape == (3,)
    np.testing.assert_array_equal(sm.sentence_to_avg("love  love\ti", TABLE), [7 / 3, 8 / 3, -2 / 3])


def test_sentence_to_avg_skips_unknown_words_and_gives_zeros_for_none():
    np.testing.assert_array_equal(sm.sentence_to_avg("i xyzzy love", TABLE), [2.0, 2.0, 0.0])
    np.testing.assert_array_equal(sm.sentence_to_avg("xyzzy plugh", TABLE), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(sm.sentence_to_avg("", TABLE), [0.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="must be a str"):
        sm.sentence_to_avg(["i", "love"], TABLE)
    with pytest.raises(ValueError, match="empty"):
        sm.sentence_to_avg("i", {})


def test_sentence_to_avg_reads_a_word_vector_table_like_the_dict():
    from course_utils.data.text import WordVectors

    words = list(TABLE)
    table = WordVectors(words, np.array([TABLE[w] for w in words], dtype=np.float32), np.arange(3))
    np.testing.assert_array_equal(sm.sentence_to_avg("you i nope", table), [0.0, 1.0, 1.0])
    X = sm.sentences_to_avg(["i love you", "you"], table)
    np.testing.assert_array_equal(X, [[1.0, -1.0], [2.0, 2.0], [0.0, 0.0]])


def test_encode_sentences_pads_at_the_end():
    index = {"i": 0, "love": 1, "you": 2}
    idx, lengths = sm.encode_sentences(["i love you", "You"], index)
    np.testing.assert_array_equal(idx, [[0, 1, 2], [2, sm.PAD, sm.PAD]])
    np.testing.assert_array_equal(lengths, [3, 1])
    assert sm.encode_sentences(["i"], index, T_x=4)[0].shape == (1, 4)
    with pytest.raises(KeyError, match="'hate'"):
        sm.encode_sentences(["i hate you"], index)
    with pytest.raises(ValueError, match="more than T_x"):
        sm.encode_sentences(["i love you"], index, T_x=2)


def test_embed_padded_zeros_the_padding_and_rejects_holes():
    E = np.arange(6.0).reshape(2, 3)
    x, lengths = sm.embed_padded(np.array([[2, 0], [1, sm.PAD]]), E)
    np.testing.assert_array_equal(x[:, :, 0], [[2.0, 1.0], [5.0, 4.0]])
    np.testing.assert_array_equal(x[:, 1, 1], [0.0, 0.0])
    np.testing.assert_array_equal(lengths, [2, 1])
    with pytest.raises(ValueError, match="PAD only after"):
        sm.embed_padded(np.array([[sm.PAD, 1]]), E)


def test_one_hot_labels():
    np.testing.assert_array_equal(sm.one_hot_labels([2, 0], 3), [[0, 1], [0, 0], [1, 0]])
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        sm.one_hot_labels([3], 3)


def test_average_classifier_forward_and_step():
    p = {"W": np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]), "b": np.zeros((3, 1))}
    X = np.array([[np.log(2.0)], [0.0]])
    np.testing.assert_allclose(sm.average_classifier_forward(X, p)[:, 0], [0.5, 0.25, 0.25])
    cost, grads = sm.average_classifier_step(p, X, np.array([[1.0], [0.0], [0.0]]))
    assert cost == pytest.approx(np.log(2.0))
    np.testing.assert_allclose(grads["db"][:, 0], [-0.5, 0.25, 0.25])
    rng = np.random.default_rng(61900)
    p = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal((4, 1))}
    X, Y = rng.standard_normal((3, 5)), sm.one_hot_labels([0, 3, 1, 1, 2], 4)
    num = numerical_gradient(lambda q: sm.average_classifier_step(q, X, Y)[0], p)
    assert gradient_difference(sm.average_classifier_step(p, X, Y)[1], num) < 1e-7


def test_last_states_reads_each_examples_last_real_step():
    a = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4)
    np.testing.assert_array_equal(sm.last_states(a, np.array([4, 1, 2])), [[3.0, 4.0, 9.0], [15.0, 16.0, 21.0]])
    with pytest.raises(ValueError, match="between 1 and T_x = 4"):
        sm.last_states(a, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="3 integers"):
        sm.last_states(a, np.array([1.0, 1.0, 1.0]))


def _lstm(n_x=3, n_a=4, n_y=5, seed=61901):
    return initialize_recurrent_parameters("lstm", n_x, n_a, n_y, seed=seed)


def test_lstm_classifier_forward_is_the_softmax_of_the_last_real_state():
    rng = np.random.default_rng(61902)
    p = _lstm()
    p["by"] = rng.standard_normal((5, 1))
    x = rng.standard_normal((3, 2, 6))
    lengths = np.array([6, 2])
    y_hat = sm.lstm_classifier_forward(x, lengths, p)
    a, _ = lstm_forward(x, np.zeros((4, 2)), p)
    z = p["Wy"] @ np.stack([a[:, 0, 5], a[:, 1, 1]], axis=1) + p["by"]
    np.testing.assert_allclose(y_hat, np.exp(z) / np.exp(z).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(y_hat.sum(axis=0), 1.0)


def test_padding_at_the_end_changes_nothing():
    # a sentence padded with anything after its last word gets exactly its prediction alone
    rng = np.random.default_rng(61903)
    p = _lstm()
    x = rng.standard_normal((3, 3, 5))
    lengths = np.array([5, 3, 1])
    batch = sm.lstm_classifier_forward(x, lengths, p)
    for i, n in enumerate(lengths):
        alone = sm.lstm_classifier_forward(x[:, i:i + 1, :n], np.array([n]), p)
        np.testing.assert_allclose(batch[:, i:i + 1], alone, rtol=1e-12, atol=1e-15)
    noisy = x.copy()
    noisy[:, 1, 3:] = 100.0
    np.testing.assert_allclose(sm.lstm_classifier_forward(noisy, lengths, p), batch, rtol=1e-12)


def test_lstm_classifier_gradients_pass_the_numerical_check():
    rng = np.random.default_rng(61904)
    p = _lstm(n_x=3, n_a=2, n_y=4)
    p = {k: v + 0.3 * rng.standard_normal(v.shape) for k, v in p.items()}
    x = rng.standard_normal((3, 3, 4))
    lengths = np.array([4, 1, 3])
    Y = sm.one_hot_labels([3, 0, 2], 4)
    cost, grads = sm.lstm_classifier_cost_and_grads(p, x, lengths, Y)
    assert set(grads) == {"d" + k for k in p}
    assert cost == pytest.approx(-np.mean(np.log(sm.lstm_classifier_forward(x, lengths, p)[[3, 0, 2], [0, 1, 2]])))
    num = numerical_gradient(lambda q: sm.lstm_classifier_cost_and_grads(q, x, lengths, Y)[0], p)
    assert gradient_difference(grads, num) < 1e-7


def test_lstm_classifier_step_trains_through_the_loop_on_word_order():
    # two "words" whose order decides the class: an average cannot tell them apart, the LSTM learns it
    E = np.array([[1.0, -1.0, 0.0], [0.0, 1.0, 1.0]])
    X = np.array([[0, 1, 2], [1, 0, 2], [0, 1, sm.PAD], [1, 0, sm.PAD]])
    Y = np.array([0, 1, 0, 1])
    p0 = _lstm(n_x=2, n_a=4, n_y=2, seed=61905)
    step = functools.partial(sm.lstm_classifier_step, E=E)
    p, history = train(step, p0, X, Y, optimizer="adam", config={"learning_rate": 0.05}, num_epochs=150,
                       example_axis=0)
    assert history["cost"][-1] < 0.05 < history["cost"][0]
    x, lengths = sm.embed_padded(X, E)
    np.testing.assert_array_equal(sm.lstm_classifier_forward(x, lengths, p).argmax(axis=0), Y)
    avg = x.sum(axis=2) / lengths
    np.testing.assert_allclose(avg[:, 0], avg[:, 1])          # same words, same average


def test_the_sentiment_data_fits_the_classifiers():
    from course_utils.data.sentiment import load_sentiment
    from course_utils.data.text import load_glove

    data, glove = load_sentiment(), load_glove()
    idx, lengths = sm.encode_sentences(data.test_sentences, glove.index)
    assert idx.shape == (80, lengths.max()) and lengths.max() <= 12
    X = sm.sentences_to_avg(data.test_sentences[:2], glove)
    np.testing.assert_allclose(X[:, 0], glove.vectors[idx[0, :lengths[0]]].astype(float).mean(axis=0), rtol=1e-12)
