"""The embedding layer: a word's vector is a column of the embedding matrix, looked up by its index.

The notes write it as a product: with E ``(n_e, n_vocab)`` (300 x 10,000 in the lecture) and o_j the
one-hot column of word j, ``E o_j = e_j``, the j-th column of E. The product multiplies n_e n_vocab
numbers to copy n_e of them, so every framework looks the column up instead: :func:`embedding_forward`
is ``E[:, indices]``. Its gradient is the product's, ``dE = de o_j^T`` summed over the words: each
word's upstream gradient is added to the column it came from, and a word seen twice gets both
(``np.add.at``, which accumulates repeated indices where ``dE[:, idx] += ...`` would keep only one).

Shapes: indices -- an integer array of any shape S (``(m,)`` words, or ``(m, T_x)`` sequences);
the output e ``(n_e, *S)``: for sequences ``(n_e, m, T_x)``, the x of :func:`course_utils.nn.recurrent.rnn_forward`.
Interface: the library's (:mod:`course_utils.nn`): ``embedding_forward -> (e, cache)``,
``embedding_backward(de, cache) -> (None, {"dE"})`` (integer indices have no gradient).

Source: Y. Bengio, R. Ducharme, P. Vincent and C. Jauvin (2003), "A Neural Probabilistic Language
Model", JMLR 3 (the shared lookup table C of word feature vectors).
"""

from __future__ import annotations

import numpy as np

__all__ = ["embedding_forward", "embedding_backward"]


def _check_indices(indices, n_vocab, where):
    idx = np.asarray(indices)
    if idx.dtype == bool or not np.issubdtype(idx.dtype, np.integer):
        if idx.size and np.issubdtype(idx.dtype, np.floating) and np.all(np.mod(idx, 1) == 0):
            raise ValueError(f"{where}: indices must be an integer array, got dtype {idx.dtype} "
                             f"(use indices.astype(int))")
        raise ValueError(f"{where}: indices must be an integer array of word indices, got dtype {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= n_vocab):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(f"{where}: index {int(bad)} is outside the vocabulary of E, whose {n_vocab} columns "
                         f"are indices 0 to {n_vocab - 1}")
    return idx


def embedding_forward(indices, E):
    """The embeddings of the words ``indices``: ``e = E[:, indices]``, the lookup that replaces ``E o_j``.

    Arguments: indices -- integer array of any shape S with entries in ``[0, n_vocab)``;
        E ``(n_e, n_vocab)``, one column per word.
    Returns: ``(e, cache)`` with e ``(n_e, *S)`` (a new array; float32 E stays float32) and the cache
        for :func:`embedding_backward`.
    Raises: ValueError if E is not 2-D, the indices are not integers, or an index is outside
        ``[0, n_vocab)`` (the message names the index and the vocabulary size).
    Source: Bengio, Ducharme, Vincent & Jauvin (2003), "A Neural Probabilistic Language Model", JMLR 3.
    """
    where = "embedding_forward"
    E = np.asarray(E)
    E = E.astype(np.result_type(E.dtype, np.float32), copy=False)
    if E.ndim != 2:
        raise ValueError(f"{where}: E must be 2-D (n_e, n_vocab), got shape {E.shape}")
    idx = _check_indices(indices, E.shape[1], where)
    return E[:, idx], (np.array(idx, copy=True), E.shape, E.dtype)


def embedding_backward(de, cache):
    """Gradient of the lookup: ``dE[:, j]`` is the sum of ``de`` over every position that holds word j.

    Arguments: de ``(n_e, *S)``, the upstream gradient of the embeddings; cache from
        :func:`embedding_forward`.
    Returns: ``(None, {"dE": (n_e, n_vocab)})``: no gradient for integer indices; columns of words
        not looked up are 0. Sums over the batch (and time), like every layer.
    Raises: ValueError if de's shape is not ``(n_e, *S)``.
    """
    idx, E_shape, dtype = cache
    de = np.asarray(de)
    expected = (E_shape[0],) + idx.shape
    if de.shape != expected:
        raise ValueError(f"embedding_backward: de has shape {de.shape}, but the embeddings looked up have shape "
                         f"{expected}; they must match")
    dE = np.zeros(E_shape, dtype=np.result_type(dtype, de.dtype))
    np.add.at(dE.T, idx.ravel(), de.reshape(E_shape[0], -1).T)   # rows of dE.T are E's columns
    return None, {"dE": dE}
