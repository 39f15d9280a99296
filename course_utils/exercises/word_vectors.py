"""The reference of Track 5, notebook 04 (word vectors), whose signature differs from the library's.

* ``embed_by_product(E, word_indices) -> e``: the lecture's ``E o_j = e_j`` for m words at once,
  the embedding matrix E ``(n_e, n_vocab)`` times the words' one-hot columns ``(n_vocab, m)``. The
  library's layer :func:`course_utils.nn.embedding.embedding_forward` computes the same columns by
  looking them up, takes ``(indices, E)`` and returns ``(e, cache)``; this gives it the exercise's
  signature and result.

The notebook's other graded functions (``cosine_similarity``, ``complete_analogy``, ``neutralize``,
``equalize``) have the library's signatures: their reference is :mod:`course_utils.text.word_vectors`.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.embedding import embedding_forward

__all__ = ["embed_by_product"]


def embed_by_product(E, word_indices):
    """The embeddings of m words as the product of E with their one-hot vectors: ``E @ O``, column i of
    O being the one-hot vector ``o_j`` of word ``j = word_indices[i]``.

    Arguments: E -- the embedding matrix ``(n_e, n_vocab)``, one column per word of the vocabulary;
        word_indices -- ``(m,)`` integers in ``[0, n_vocab)`` (a word may repeat).
    Returns: e ``(n_e, m)``, column i the embedding ``e_j = E[:, j]`` of word ``word_indices[i]``, in E's
        precision (computed as the lookup ``E[:, word_indices]``, which the product equals exactly).
    Raises: ValueError if E is not 2-D, word_indices is not a 1-D integer array, or an index is outside
        ``[0, n_vocab)`` (the message names it).
    """
    word_indices = np.asarray(word_indices)
    if word_indices.ndim != 1:
        raise ValueError(f"embed_by_product: word_indices must be a 1-D array of m word indices, got shape "
                         f"{word_indices.shape}")
    e, _ = embedding_forward(word_indices, E)
    return e
