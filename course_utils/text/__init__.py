"""Text for sequence models (Track 5): vocabularies, and what is computed on words.

- :mod:`course_utils.text.vocab` -- a vocabulary of characters or words with the unknown-word and
  end-of-sequence tokens, encoding to indices and to the one-hot ``(n_x, m, T_x)`` the recurrent
  layers take, and decoding back
"""

from course_utils.text.vocab import EOS, UNK, Vocabulary, tokenize_words

__all__ = ["EOS", "UNK", "Vocabulary", "tokenize_words"]
