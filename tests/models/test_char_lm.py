"""course_utils.models.char_lm: a character-level language model's data (indices with -1 for no token),
its step for the library's loop (gradient-checked through padding, RNN and LSTM), the probability of a
sequence as the product of its conditional probabilities, perplexity, and the unigram baseline."""

import functools

import numpy as np
import pytest

from course_utils.gradcheck import numerical_gradient, relative_difference
from course_utils.models import char_lm
from course_utils.models.char_lm import NO_TOKEN
from course_utils.nn.recurrent import initialize_recurrent_parameters
from course_utils.optim.clipping import clip
from course_utils.optim.loop import train
from course_utils.text.vocab import Vocabulary

VOCAB = Vocabulary(list("abn"), eos=True)          # a 0, b 1, n 2, <EOS> 3


def test_names_become_inputs_shifted_by_one_step_and_targets_that_end_with_eos():
    X, Y = char_lm.next_token_data(["ann", "b"], VOCAB)
    np.testing.assert_array_equal(X, [[-1, 0, 2, 2], [-1, 1, -1, -1]])
    np.testing.assert_array_equal(Y, [[0, 2, 2, 3], [1, 3, -1, -1]])
    assert X.dtype == Y.dtype == np.int64
    assert char_lm.next_token_data(["ab"], VOCAB, T_x=5)[1].tolist() == [[0, 1, 3, -1, -1]]


def test_a_text_becomes_windows_whose_targets_are_the_next_characters():
    X, Y = char_lm.text_windows("banana", VOCAB, 2)
    np.testing.assert_array_equal(X, [[1, 0], [2, 0]])          # "ba", "na" (the last "na" has no next token)
    np.testing.assert_array_equal(Y, [[0, 2], [0, 2]])          # "an", "an"
    X1, Y1 = char_lm.text_windows("banana", VOCAB, 3, stride=1)
    assert ["".join(VOCAB.tokens[i] for i in row) for row in X1] == ["ban", "ana", "nan"]
    assert ["".join(VOCAB.tokens[i] for i in row) for row in Y1] == ["ana", "nan", "ana"]


def test_data_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"needs the end token \(Vocabulary\(\.\.\., eos=True\)\)"):
        char_lm.next_token_data(["ab"], Vocabulary(list("ab")))
    with pytest.raises(ValueError, match=r"a sequence of 3 tokens needs T_x >= 4 .*got T_x = 3"):
        char_lm.next_token_data(["ann"], VOCAB, T_x=3)
    with pytest.raises(ValueError, match=r"sequence 1 is empty"):
        char_lm.next_token_data(["a", ""], VOCAB)
    with pytest.raises(KeyError, match=r"next_token_data: 'z' is not in the vocabulary"):
        char_lm.next_token_data(["az"], VOCAB)
    with pytest.raises(ValueError, match=r"the text has 3 tokens; a window of T_x = 3 needs 4"):
        char_lm.text_windows("ban", VOCAB, 3)
    with pytest.raises(ValueError, match=r"index 4 is outside the vocabulary's 0 \.\. 3 \(and -1 for no token\)"):
        char_lm.one_hot_indices(np.array([[0, 4]]), 4)


def test_one_hot_of_indices_leaves_a_zero_column_for_no_token():
    x = char_lm.one_hot_indices(np.array([[2, -1, 0]]), 3)
    assert x.shape == (3, 1, 3)
    np.testing.assert_array_equal(x[:, 0, :], [[0, 0, 1], [0, 0, 0], [1, 0, 0]])


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_the_step_has_the_gradients_of_its_cost_through_padding(cell):
    """n_x = n_y 5, n_a 4, m 3, T_x 6; one name shorter than the others (padding must add nothing). The RNN
    (output Wya) and the LSTM (output Wy, a memory cell whose dc0 the step must leave out); the GRU goes
    through the same code as the LSTM, and its layer is gradient-checked in tests/nn/test_recurrent.py."""
    r = np.random.default_rng(71)
    params = initialize_recurrent_parameters(cell, 5, 4, 5, seed=72, scale=0.8)
    for k in params:
        if k.startswith("b"):
            params[k] = params[k] + 0.3 * r.standard_normal(params[k].shape)   # non-zero biases get checked too
    X = np.array([[-1, 0, 1, 2, 3, 1], [-1, 4, 4, 0, -1, -1], [-1, 2, 3, 0, 1, 2]])
    Y = np.array([[0, 1, 2, 3, 1, 4], [4, 4, 0, 3, -1, -1], [2, 3, 0, 1, 2, 3]])
    cost, grads = char_lm.lm_step(params, X, Y, cell=cell, max_value=None)
    numerical = numerical_gradient(lambda p: char_lm.lm_step(p, X, Y, cell=cell, max_value=None)[0], params, 1e-6)
    assert set(grads) == {"d" + k for k in params}
    for k in params:
        assert relative_difference(grads["d" + k], numerical["d" + k]) < 1e-7, k
    # the padded steps of example 1 change nothing: its cost is that of its own 4 steps
    cost_short, _ = char_lm.lm_step(params, X[1:2, :4], Y[1:2, :4], cell=cell)
    cost_rows = [char_lm.lm_step(params, X[j:j + 1], Y[j:j + 1], cell=cell)[0] for j in range(3)]
    assert cost_rows[1] == pytest.approx(cost_short, rel=1e-12)
    assert cost == pytest.approx(np.mean(cost_rows), rel=1e-12)


def test_the_step_clips_every_gradient_and_keeps_float32():
    params = initialize_recurrent_parameters("rnn", 4, 3, 4, seed=3, scale=4.0)
    X, Y = np.array([[-1, 0, 1], [-1, 2, 2]]), np.array([[0, 1, 3], [2, 2, 3]])
    _, raw = char_lm.lm_step(params, X, Y, max_value=None)
    assert max(np.abs(g).max() for g in raw.values()) > 0.1           # so clipping at 0.1 bites
    _, clipped = char_lm.lm_step(params, X, Y, max_value=0.1)
    for k, g in clip(raw, 0.1).items():
        np.testing.assert_array_equal(clipped[k], g)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    cost32, g32 = char_lm.lm_step(p32, X, Y)
    assert all(g.dtype == np.float32 for g in g32.values())
    assert cost32 == pytest.approx(char_lm.lm_step(params, X, Y)[0], rel=1e-5)


def test_the_probability_of_a_name_is_the_product_of_the_steps_conditional_probabilities():
    """P(y1, y2, y3) = P(y1) P(y2 | y1) P(y3 | y1, y2): the cost is minus the log of that product."""
    params = initialize_recurrent_parameters("rnn", 4, 6, 4, seed=9, scale=1.5)
    X, Y = char_lm.next_token_data(["ab", "nan"], VOCAB)
    log_p = char_lm.sequence_log_probabilities(params, X, Y)
    # the same product, one conditional probability at a time, from the model's outputs
    from course_utils.nn.recurrent import rnn_forward, softmax_output_forward
    a, _ = rnn_forward(char_lm.one_hot_indices(X, 4), np.zeros((6, 2)), params)
    y_pred, _ = softmax_output_forward(a, params)
    by_hand = [np.prod([y_pred[Y[j, t], j, t] for t in range(4) if Y[j, t] != NO_TOKEN]) for j in range(2)]
    np.testing.assert_allclose(np.exp(log_p), by_hand, rtol=1e-12)
    cost, _ = char_lm.lm_step(params, X, Y)
    assert cost == pytest.approx(-np.mean(log_p), rel=1e-12)
    n_targets = 3 + 4
    assert char_lm.perplexity(params, X, Y) == pytest.approx(np.exp(-log_p.sum() / n_targets), rel=1e-12)


def test_a_model_that_knows_nothing_has_the_vocabulary_size_as_perplexity():
    params = {k: np.zeros_like(v) for k, v in initialize_recurrent_parameters("rnn", 4, 3, 4, seed=0).items()}
    X, Y = char_lm.next_token_data(["ann", "b", "nab"], VOCAB)
    assert char_lm.perplexity(params, X, Y) == pytest.approx(4.0, rel=1e-12)
    assert char_lm.unigram_perplexity(np.full(4, 0.25), Y) == pytest.approx(4.0, rel=1e-12)


def test_the_unigram_model_counts_targets_with_add_one_smoothing():
    Y = np.array([[0, 2, 2, 3], [1, 3, -1, -1]])     # targets of "ann" and "b": a 1, b 1, n 2, <EOS> 2
    np.testing.assert_allclose(char_lm.unigram_probabilities(Y, 4, smoothing=0), [1 / 6, 1 / 6, 2 / 6, 2 / 6])
    np.testing.assert_allclose(char_lm.unigram_probabilities(Y, 5), [2 / 11, 2 / 11, 3 / 11, 3 / 11, 1 / 11])
    p = char_lm.unigram_probabilities(Y, 4, smoothing=0)
    assert char_lm.unigram_perplexity(p, Y) == pytest.approx(np.exp(-(2 * np.log(1 / 6) + 4 * np.log(1 / 3)) / 6))
    with pytest.raises(ValueError, match=r"Y holds no target token"):
        char_lm.unigram_perplexity(p, np.array([[-1, -1]]))


def test_trained_by_the_loop_it_beats_the_unigram_baseline_on_held_out_names():
    """Names that follow a pattern (consonant, vowel, ...): the RNN learns the order, the unigram model cannot."""
    vocab = Vocabulary(list("aeiobdkmnt"), eos=True)
    r = np.random.default_rng(5)
    names = ["".join(r.choice(list("bdkmnt")) + r.choice(list("aeio")) for _ in range(r.integers(1, 4)))
             for _ in range(300)]
    X, Y = char_lm.next_token_data(names[:240], vocab)
    Xd, Yd = char_lm.next_token_data(names[240:], vocab, T_x=X.shape[1])
    start = initialize_recurrent_parameters("rnn", len(vocab), 16, len(vocab), seed=1)
    trained, history = train(functools.partial(char_lm.lm_step, cell="rnn"), start, X, Y, optimizer="adam",
                             config={"learning_rate": 0.02}, num_epochs=15, mini_batch_size=32, example_axis=0)
    unigram = char_lm.unigram_perplexity(char_lm.unigram_probabilities(Y, len(vocab)), Yd)
    rnn = char_lm.perplexity(trained, Xd, Yd)
    # the model that knows the pattern (1/6 per consonant, 1/4 per vowel, then the chance of the end after
    # 1, 2 or 3 syllables) has perplexity 4.44 on such names (expected over them); the unigram model ignores the order
    assert rnn < 5.5 and 9.5 < unigram < 11.5, (rnn, unigram)
    assert history["cost"][-1] < history["cost"][0]
