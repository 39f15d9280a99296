"""Text for sequence models (Track 5): vocabularies, and what is computed on words.

- :mod:`course_utils.text.vocab` -- a vocabulary of characters or words with the unknown-word and
  end-of-sequence tokens, encoding to indices and to the one-hot ``(n_x, m, T_x)`` the recurrent
  layers take, and decoding back
- :mod:`course_utils.text.word_vectors` -- on a table of word vectors (GloVe's
  :class:`~course_utils.data.text.WordVectors`): cosine similarity, nearest words, analogies and analogy
  benchmarks (questions-words.txt's format), the bias direction, neutralize and equalize (Bolukbasi et al. 2016)
- :mod:`course_utils.text.word2vec` -- skip-gram's context/target pairs, negative sampling (the unigram^(3/4)
  sampler, the loss and its gradients), the full-softmax cost, a training step for the one loop, nearest
  neighbours by cosine similarity
"""

from course_utils.text.vocab import EOS, UNK, Vocabulary, tokenize_words

__all__ = ["EOS", "UNK", "Vocabulary", "tokenize_words"]
