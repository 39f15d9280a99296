"""course_utils.text.vocab: the lecture's dictionary with <UNK> and <EOS>, one-hot (n_x, m, T_x)."""

import numpy as np
import pytest

from course_utils.text import EOS, UNK, Vocabulary, tokenize_words


def test_the_lectures_sentence_and_its_unknown_word():
    """The notes' "Cats average 15 hours of sleep a day. <EOS>": a word outside the dictionary is <UNK>."""
    words = tokenize_words("Cats average 15 hours of sleep a day.")
    assert words == ["cats", "average", "hours", "of", "sleep", "a", "day"]
    vocab = Vocabulary(["a", "average", "cats", "day", "hours", "of"], unk=True, eos=True)
    assert len(vocab) == 8 and vocab.tokens[-2:] == [UNK, EOS]
    ids = vocab.encode(words, add_eos=True)
    assert ids == [2, 1, 4, 5, 6, 0, 3, 7]          # "sleep" is unknown: index 6, <UNK>
    assert vocab.decode(ids, sep=" ") == "cats average hours of <UNK> a day"
    assert vocab.decode(ids, sep=" ", stop_at_eos=False).endswith("day <EOS>")


def test_one_hot_batch_has_the_recurrent_layers_shape_and_pads_with_zeros():
    vocab = Vocabulary.from_corpus(["anna", "bob"], unk=False, eos=True)
    assert vocab.tokens == ["a", "b", "n", "o", EOS]      # most frequent first, ties alphabetical
    x = vocab.one_hot(["anna", "bob"], add_eos=True)
    assert x.shape == (5, 2, 5)
    np.testing.assert_array_equal(x.sum(axis=0), [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
    np.testing.assert_array_equal(x[:, 1, :].argmax(axis=0)[:4], vocab.encode("bob", add_eos=True))
    with pytest.raises(ValueError, match="a sequence has 5 tokens, more than T_x = 3"):
        vocab.one_hot(["anna"], T_x=3, add_eos=True)


def test_errors_name_the_problem():
    vocab = Vocabulary(["a", "b"])
    with pytest.raises(KeyError, match=r"'c' is not in the vocabulary and it has no <UNK> token"):
        vocab.encode("abc")
    with pytest.raises(ValueError, match="add_eos needs a vocabulary with <EOS>"):
        vocab.encode("ab", add_eos=True)
    with pytest.raises(ValueError, match=r"tokens must be distinct; repeated: \['a'\]"):
        Vocabulary(["a", "a"])
    with pytest.raises(IndexError, match=r"index 2 is outside the vocabulary's 0 \.\. 1"):
        vocab.decode([0, 2])
    assert Vocabulary.from_corpus([["to", "be", "or", "not", "to", "be"]], max_size=2).tokens == ["be", "to", UNK]
