"""course_utils.text.word2vec: the notes' skip-gram pairs, the unigram^(3/4) sampler, the negative-sampling
and full-softmax costs (gradient-checked, repeated words included), nearest neighbours, and a training run
through the one loop."""

import numpy as np
import pytest

from course_utils.optim.loop import train
from course_utils.text import Vocabulary, tokenize_words
from course_utils.text import word2vec as w2v

rng = np.random.default_rng(1605)

SENTENCE = "I want a glass of orange juice to go along with my cereal."


def test_the_notes_pairs_orange_juice_glass_my():
    """The notes' context "orange" has the targets "juice", "glass" and "my": my is six words after orange."""
    words = tokenize_words(SENTENCE)
    vocab = Vocabulary(list(dict.fromkeys(words)))
    contexts, targets = w2v.skipgram_pairs(np.array(vocab.encode(words)), 2)
    assert contexts.shape == targets.shape == (46,)          # 2 + 3 + 9 x 4 + 3 + 2 words within two places
    orange = [vocab.tokens[t] for c, t in zip(contexts, targets) if vocab.tokens[c] == "orange"]
    assert orange == ["glass", "of", "juice", "to"]
    contexts, targets = w2v.skipgram_pairs(np.array(vocab.encode(words)), 6)
    orange = {vocab.tokens[t] for c, t in zip(contexts, targets) if vocab.tokens[c] == "orange"}
    assert {"juice", "glass", "my"} <= orange and "cereal" not in orange
    c, t = w2v.skipgram_pairs(np.array([7, 8, 9]), 1)
    np.testing.assert_array_equal(c, [7, 8, 8, 9])
    np.testing.assert_array_equal(t, [8, 7, 9, 8])
    c, t = w2v.skipgram_pairs(np.array([5]), 3)                # one word: no pair
    assert c.shape == t.shape == (0,)


def test_the_three_quarter_power_lies_between_frequency_and_uniform():
    counts = np.array([1.0, 16.0, 81.0])                       # f^(3/4) = 1, 8, 27
    np.testing.assert_allclose(w2v.unigram_distribution(counts), [1 / 36, 8 / 36, 27 / 36])
    np.testing.assert_allclose(w2v.unigram_distribution(counts, power=1.0), counts / 98)
    np.testing.assert_allclose(w2v.unigram_distribution(counts, power=0.0), [1 / 3] * 3)
    with pytest.raises(ValueError, match="counts must be finite numbers >= 0, not all 0"):
        w2v.unigram_distribution([0, 0])


def test_negatives_are_rng_choice_of_the_distribution():
    counts = np.array([1.0, 16.0, 81.0, 0.0, 256.0])
    draws = w2v.sample_negatives(counts, 4, 3, seed=11)
    expected = np.random.default_rng(11).choice(5, size=(3, 4), p=w2v.unigram_distribution(counts))
    np.testing.assert_array_equal(draws, expected)
    assert draws.shape == (3, 4) and draws.dtype == np.int64
    many = w2v.sample_negatives(counts, 20, 5000, seed=12)
    assert not np.any(many == 3)                                # a word never seen is never drawn
    freq = np.bincount(many.ravel(), minlength=5) / many.size  # 100,000 draws: within 4 standard errors
    p = w2v.unigram_distribution(counts)
    assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / many.size) + 1e-12)
    with pytest.raises(ValueError, match="k must be a whole number >= 1, got 0"):
        w2v.sample_negatives(counts, 0, 3)


def _batch(n_e, n_vocab, m, k):
    E, theta = rng.standard_normal((n_e, n_vocab)), rng.standard_normal((n_e, n_vocab))
    c = rng.integers(0, n_vocab, m)
    t = rng.integers(0, n_vocab, m)
    neg = rng.integers(0, n_vocab, (m, k))
    return E, theta, c, t, neg


def test_negative_sampling_gradients_are_the_numerical_ones(check_backward):
    """n_e 3, 7 words, m 5 pairs, k 4, with a word repeated as context, target and negative."""
    E, theta, c, t, neg = _batch(3, 7, 5, 4)
    c[:2] = 2
    t[2] = 2
    neg[0, :2] = t[0]
    neg[3] = 2
    cost, grads = w2v.negative_sampling_loss_and_grads(E, theta, c, t, neg)
    check_backward(lambda E_, th_: w2v.negative_sampling_loss_and_grads(E_, th_, c, t, neg)[0], [E, theta], 1.0,
                   [grads["dE"], grads["dtheta"]], names=["E", "theta"])
    unused = np.setdiff1d(np.arange(7), np.concatenate([t, neg.ravel()]))
    assert np.all(grads["dtheta"][:, unused] == 0)
    # m = 1, k = 1
    E, theta, c, t, neg = _batch(4, 3, 1, 1)
    cost, grads = w2v.negative_sampling_loss_and_grads(E, theta, c, t, neg)
    check_backward(lambda E_, th_: w2v.negative_sampling_loss_and_grads(E_, th_, c, t, neg)[0], [E, theta], 1.0,
                   [grads["dE"], grads["dtheta"]], names=["E", "theta"])


def test_negative_sampling_cost_at_zero_is_k_plus_one_coin_flips():
    """theta = 0: each of the k + 1 units says 1/2, so every pair's loss is (k + 1) log 2."""
    E, _, c, t, neg = _batch(5, 9, 6, 3)
    cost, grads = w2v.negative_sampling_loss_and_grads(E, np.zeros_like(E), c, t, neg)
    assert cost == pytest.approx(4 * np.log(2), rel=1e-12)
    assert np.all(grads["dE"] == 0)
    cost32, grads32 = w2v.negative_sampling_loss_and_grads(E.astype(np.float32), E.astype(np.float32), c, t, neg)
    assert grads32["dE"].dtype == grads32["dtheta"].dtype == np.float32
    with pytest.raises(ValueError, match="negatives holds index 9, outside the vocabulary of 9 words"):
        w2v.negative_sampling_loss_and_grads(E, E, c, t, np.full((6, 3), 9))
    with pytest.raises(ValueError, match=r"negatives must be \(m, k\) with the m = 6 of the pairs"):
        w2v.negative_sampling_loss_and_grads(E, E, c, t, neg[:2])


def test_full_softmax_cost_and_gradients(check_backward):
    E, theta, c, t, _ = _batch(3, 8, 5, 1)
    c[1] = c[0]
    cost, grads = w2v.skipgram_softmax_cost(E, theta, c, t)
    z = theta.T @ E[:, c]
    expected = np.mean(np.log(np.exp(z).sum(axis=0)) - z[t, np.arange(5)])
    assert cost == pytest.approx(expected, rel=1e-12)
    check_backward(lambda E_, th_: w2v.skipgram_softmax_cost(E_, th_, c, t)[0], [E, theta], 1.0,
                   [grads["dE"], grads["dtheta"]], names=["E", "theta"])
    cost0, _ = w2v.skipgram_softmax_cost(E, np.zeros_like(theta), c, t)
    assert cost0 == pytest.approx(np.log(8), rel=1e-12)           # uniform over 8 words


def test_nearest_neighbours_by_cosine_similarity():
    E = np.array([[1.0, 2.0, 0.0, -1.0, 1.0],
                  [0.0, 0.1, 1.0, 0.0, 1.0]])
    nb, sims = w2v.nearest_neighbours(E, 0, 3)
    np.testing.assert_array_equal(nb, [1, 4, 2])                   # 3 points the other way: last
    np.testing.assert_allclose(sims, [2 / np.hypot(2, 0.1), 1 / np.sqrt(2), 0.0])
    assert w2v.neighbour_rank(E, 0, 1) == 1 and w2v.neighbour_rank(E, 0, 3) == 4
    with pytest.raises(ValueError, match="a word is not its own neighbour"):
        w2v.neighbour_rank(E, 2, 2)
    with pytest.raises(ValueError, match="n = 5, but there are only 4 other words"):
        w2v.nearest_neighbours(E, 0, 5)


def test_training_through_the_loop_puts_words_of_the_same_contexts_together():
    """A corpus where "cat" and "dog" share their neighbours, and "red" and "blue" share others: after a few
    epochs of skip-gram with negative sampling each one's nearest neighbour is its partner."""
    words = ["the", "cat", "dog", "sat", "red", "blue", "paint", "wall", "on", "mat"]
    r = np.random.default_rng(3)
    sentences = []
    for _ in range(300):
        sentences += [0, r.choice([1, 2]), 3, 8, 0, 9] if r.random() < 0.5 else [r.choice([4, 5]), 6, 8, 0, 7]
    c, t = w2v.skipgram_pairs(np.array(sentences), 2)
    counts = np.bincount(sentences, minlength=10)
    params = w2v.initialize_word2vec(10, 8, seed=0)
    params, hist = train(w2v.negative_sampling_step(counts, 3, seed=1), params, c[None], t[None], optimizer="adam",
                         config={"learning_rate": 0.05}, num_epochs=15, mini_batch_size=256, seed=2)
    assert hist["cost"][-1] < hist["cost"][0]
    assert w2v.neighbour_rank(params["E"], 1, 2) == 1 and w2v.neighbour_rank(params["E"], 4, 5) == 1
