"""course_utils.nn.embedding: the lookup is the notes' product E o_j, and its gradient is scattered
back onto the looked-up columns, repeated words adding up."""

import numpy as np
import pytest

from course_utils.data.encoding import one_hot
from course_utils.nn.embedding import embedding_backward, embedding_forward
from course_utils.nn.recurrent import initialize_recurrent_parameters, rnn_forward

rng = np.random.default_rng(1602)


def test_the_lookup_is_the_product_with_the_one_hot_vector():
    """E o_j = e_j: the notes' product with a one-hot column picks column j, which the lookup reads directly."""
    n_e, n_vocab = 6, 11
    E = rng.standard_normal((n_e, n_vocab))
    words = np.array([4, 0, 10, 4])
    e, _ = embedding_forward(words, E)
    assert e.shape == (n_e, 4)
    np.testing.assert_array_equal(e, E @ one_hot(words, n_vocab))
    np.testing.assert_array_equal(e[:, 0], E[:, 4])


def test_sequences_of_indices_give_the_recurrent_layers_input():
    E = rng.standard_normal((5, 9))
    sentences = rng.integers(0, 9, size=(3, 7))              # (m, T_x) word indices
    x, _ = embedding_forward(sentences, E)
    assert x.shape == (5, 3, 7)                              # (n_e, m, T_x) = the x of rnn_forward
    np.testing.assert_array_equal(x[:, 2, 6], E[:, sentences[2, 6]])
    a, _ = rnn_forward(x, np.zeros((4, 3)), initialize_recurrent_parameters("rnn", 5, 4, seed=0))
    assert a.shape == (4, 3, 7)


def test_backward_scatters_and_adds_repeated_words(check_backward):
    n_e, n_vocab = 4, 8
    E = rng.standard_normal((n_e, n_vocab))
    words = np.array([[1, 5, 1], [7, 1, 2]])                 # word 1 three times, 0, 3, 4, 6 never
    e, cache = embedding_forward(words, E)
    de = rng.standard_normal(e.shape)
    d_input, grads = embedding_backward(de, cache)
    assert d_input is None and list(grads) == ["dE"]
    dE = grads["dE"]
    np.testing.assert_allclose(dE[:, 1], de[:, 0, 0] + de[:, 0, 2] + de[:, 1, 1], rtol=1e-15)
    np.testing.assert_array_equal(dE[:, [0, 3, 4, 6]], 0.0)
    check_backward(lambda E: embedding_forward(words, E)[0], [E], de, [dE], names=["E"])


def test_float32_stays_float32_and_nothing_is_modified():
    E = rng.standard_normal((3, 5)).astype(np.float32)
    words = np.array([0, 4, 4])
    kept_E, kept_words = E.copy(), words.copy()
    e, cache = embedding_forward(words, E)
    e[:] = 0.0                                               # the output is a new array, not a view of E
    _, grads = embedding_backward(np.ones((3, 3), np.float32), cache)
    assert grads["dE"].dtype == np.float32
    np.testing.assert_array_equal(grads["dE"], np.array([[1, 0, 0, 0, 2]] * 3, np.float32))
    np.testing.assert_array_equal(E, kept_E)
    np.testing.assert_array_equal(words, kept_words)


def test_errors_name_the_index_the_vocabulary_and_the_shapes():
    E = np.zeros((3, 10))
    with pytest.raises(ValueError, match=r"index 10 is outside the vocabulary of E, whose 10 columns are indices 0 to 9"):
        embedding_forward(np.array([2, 10]), E)
    with pytest.raises(ValueError, match=r"index -1 is outside the vocabulary"):
        embedding_forward(np.array([-1, 3]), E)
    with pytest.raises(ValueError, match=r"indices must be an integer array, got dtype float64 \(use indices.astype\(int\)\)"):
        embedding_forward(np.array([2.0, 3.0]), E)
    with pytest.raises(ValueError, match=r"E must be 2-D \(n_e, n_vocab\), got shape \(10,\)"):
        embedding_forward(np.array([2]), np.zeros(10))
    _, cache = embedding_forward(np.array([[1, 2]]), E)
    with pytest.raises(ValueError, match=r"de has shape \(3, 2\), but the embeddings looked up have shape \(3, 1, 2\)"):
        embedding_backward(np.zeros((3, 2)), cache)
