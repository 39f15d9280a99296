"""Word2vec's skip-gram model (course 5, week 2): context/target pairs, the full-softmax cost, and
negative sampling with its unigram^(3/4) sampler, trained by :func:`course_utils.optim.loop.train`.

The notes' sentence "I want a glass of orange juice to go along with my cereal": skip-gram picks a
*context* word c ("orange") and asks the model to predict a *target* t that stands near it, within
``window`` words on either side ("juice", "glass", "my").

Parameters (the notes' names, one column per word, as :mod:`course_utils.nn.embedding`):
    ``E (n_e, n_vocab)`` -- the embedding matrix; ``e_c = E o_c`` is column c;
    ``theta (n_e, n_vocab)`` -- the output vectors; ``theta_t`` is column t.
A batch of m pairs is ``contexts (m,)`` and ``targets (m,)`` (integer word indices); the k negatives
of each pair are ``negatives (m, k)``.

**Full softmax** (:func:`skipgram_softmax_cost`): ``p(t | c) = exp(theta_t . e_c) / sum_j exp(theta_j . e_c)``,
a sum over the whole vocabulary for every pair.

**Negative sampling** (:func:`negative_sampling_loss_and_grads`): n_vocab binary classifiers
``P(y = 1 | c, t) = sigmoid(theta_t . e_c)``, of which each pair trains k + 1: the true target (y = 1)
and k words drawn from ``P(w) = f(w)^(3/4) / sum_j f(w_j)^(3/4)`` (y = 0, :func:`sample_negatives`),
where f(w) is w's count in the corpus. Loss of one pair:
``-log sigmoid(theta_t . e_c) - sum_i log sigmoid(-theta_{n_i} . e_c)``; the cost is its mean.

Gradient convention (the library's): the cost is a mean over the m pairs and its gradients carry the
1/m; a word used several times in a batch gets the sum of its gradients (``np.add.at``).

Sources: T. Mikolov, K. Chen, G. Corrado and J. Dean (2013), "Efficient Estimation of Word
Representations in Vector Space", ICLR workshop (skip-gram, hierarchical softmax); T. Mikolov,
I. Sutskever, K. Chen, G. Corrado and J. Dean (2013), "Distributed Representations of Words and
Phrases and their Compositionality", NIPS (negative sampling, the 3/4 power, subsampling of frequent
words); F. Morin and Y. Bengio (2005), "Hierarchical Probabilistic Neural Network Language Model",
AISTATS (hierarchical softmax).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from course_utils.nn.activations import sigmoid, softmax
from course_utils.rng import make_rng

__all__ = ["skipgram_pairs", "unigram_distribution", "sample_negatives", "negative_sampling_loss_and_grads",
           "skipgram_softmax_cost", "initialize_word2vec", "negative_sampling_step", "nearest_neighbours",
           "neighbour_rank"]


def _indices(values, where: str, name: str, n_vocab: int | None = None, ndim: int | None = None) -> np.ndarray:
    idx = np.asarray(values)
    if idx.dtype == bool or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"{where}: {name} must be integer word indices, got dtype {idx.dtype}")
    if ndim is not None and idx.ndim != ndim:
        raise ValueError(f"{where}: {name} must be {ndim}-D, got shape {idx.shape}")
    if idx.size and idx.min() < 0:
        raise ValueError(f"{where}: {name} holds the negative index {int(idx.min())}")
    if n_vocab is not None and idx.size and idx.max() >= n_vocab:
        raise ValueError(f"{where}: {name} holds index {int(idx.max())}, outside the vocabulary of "
                         f"{n_vocab} words (indices 0 to {n_vocab - 1})")
    return idx


def _positive_int(value, where: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{where}: {name} must be a whole number >= 1, got {value!r}")
    return int(value)


def skipgram_pairs(indices, window):
    """Every skip-gram (context, target) pair of one sentence: each word is a context, and each word at
    most ``window`` positions before or after it is one of its targets.

    Arguments: indices -- the sentence's word indices, an integer array ``(T,)``;
        window -- how many words on each side count as near (an int >= 1).
    Returns: ``(contexts, targets)``, two integer arrays ``(n_pairs,)``: pair p is
        ``(contexts[p], targets[p])``. The pairs are ordered by the context's position in the sentence,
        and for one context by the target's position (the words before it, then the words after it).
        A sentence of T >= 2 words has ``sum over positions of (words within the window)`` pairs; one word
        has none (two empty arrays).
    Raises: ValueError if ``indices`` is not a 1-D integer array or ``window`` is not an int >= 1.
    Source: Mikolov, Chen, Corrado & Dean (2013), "Efficient Estimation of Word Representations in
    Vector Space" (the continuous skip-gram model).
    """
    where = "skipgram_pairs"
    idx = _indices(indices, where, "indices", ndim=1)
    window = _positive_int(window, where, "window")
    T = idx.shape[0]
    pos = np.arange(T)
    offsets = np.array([o for o in range(-window, window + 1) if o != 0])
    centre = np.repeat(pos, len(offsets))
    other = centre + np.tile(offsets, T)
    keep = (other >= 0) & (other < T)
    return idx[centre[keep]].astype(np.int64), idx[other[keep]].astype(np.int64)


skipgram_pairs.__output_parts__ = "contexts, targets"


def unigram_distribution(counts, power=0.75):
    """The negative-sampling distribution ``P(w) = f(w)^power / sum_j f(w_j)^power`` (the notes' 3/4).

    Arguments: counts -- f, how often each word occurs, an array ``(n_vocab,)`` of numbers >= 0, not all 0;
        power -- the exponent: 1 gives the words' frequencies, 0 the uniform distribution, 3/4 lies between.
    Returns: P, a float64 array ``(n_vocab,)`` that sums to 1.
    Raises: ValueError if counts is not 1-D, holds a negative or non-finite number, or sums to 0.
    Source: Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed Representations of Words and
    Phrases and their Compositionality" (the unigram distribution raised to 3/4).
    """
    f = np.asarray(counts, dtype=np.float64)
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"unigram_distribution: counts must be a 1-D array (n_vocab,), got shape {f.shape}")
    if not np.all(np.isfinite(f)) or np.any(f < 0) or not f.sum() > 0:
        raise ValueError("unigram_distribution: counts must be finite numbers >= 0, not all 0 "
                         "(a word's count in the corpus)")
    weights = f ** power
    return weights / weights.sum()


def sample_negatives(counts, k, m, seed=None, power=0.75):
    """Draw k negative words for each of m pairs from ``P(w) ∝ f(w)^(3/4)``.

    The draw is numpy's ``rng.choice(n_vocab, size=(m, k), p=P)`` with ``rng = np.random.default_rng(seed)``
    (or the Generator given as ``seed``, whose stream continues), so the same seed gives the same words.
    Words are drawn independently, with replacement; a draw may repeat a word or hit the pair's target
    (rare for a vocabulary of thousands: Mikolov et al.'s program skips such a draw, this one keeps it).

    Arguments: counts -- f, an array ``(n_vocab,)`` of word counts (see :func:`unigram_distribution`);
        k -- negatives per pair (the notes: 5-20 for a small data set, 2-5 for a large one); m -- pairs;
        seed -- an int, None or a ``np.random.Generator`` (:func:`course_utils.rng.make_rng`);
        power -- the exponent of the counts.
    Returns: an int64 array ``(m, k)`` of word indices in ``[0, n_vocab)``.
    Raises: ValueError for k or m not a whole number >= 1, or counts as :func:`unigram_distribution`.
    Source: Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed Representations of Words and
    Phrases and their Compositionality".
    """
    where = "sample_negatives"
    k, m = _positive_int(k, where, "k"), _positive_int(m, where, "m")
    p = unigram_distribution(counts, power)
    return make_rng(seed).choice(p.shape[0], size=(m, k), p=p).astype(np.int64)


def _scatter_columns(n_vocab, idx, values, dtype):
    """``out[:, j]`` = the sum of ``values[:, p]`` over every p with ``idx[p] == j``: ``np.add.at(out.T, idx,
    values.T)``, computed one row at a time with ``np.bincount`` (several times faster for a batch)."""
    out = np.empty((values.shape[0], n_vocab), dtype=dtype)
    for i in range(values.shape[0]):
        out[i] = np.bincount(idx, weights=values[i], minlength=n_vocab)
    return out


def _pairs(E, theta, contexts, targets, where):
    E, theta = np.asarray(E), np.asarray(theta)
    if E.ndim != 2 or theta.shape != E.shape:
        raise ValueError(f"{where}: E and theta must both be (n_e, n_vocab); got E {E.shape}, theta {theta.shape}")
    n_vocab = E.shape[1]
    c = _indices(contexts, where, "contexts", n_vocab, ndim=1)
    t = _indices(targets, where, "targets", n_vocab, ndim=1)
    if c.shape != t.shape or c.size == 0:
        raise ValueError(f"{where}: contexts and targets must be (m,) with the same m >= 1; got {c.shape} and {t.shape}")
    dtype = np.result_type(E.dtype, theta.dtype, np.float32)
    return E.astype(dtype, copy=False), theta.astype(dtype, copy=False), c, t


def negative_sampling_loss_and_grads(E, theta, contexts, targets, negatives):
    """The negative-sampling cost of a batch of skip-gram pairs, and its gradients.

    For pair p with context c, target t and negatives n_1 .. n_k: the k + 1 logistic units
    ``sigmoid(theta_t . e_c)`` (label 1) and ``sigmoid(theta_{n_i} . e_c)`` (label 0), and the loss
    ``-log sigmoid(theta_t . e_c) - sum_i log sigmoid(-theta_{n_i} . e_c)``.

    Arguments: E ``(n_e, n_vocab)`` and theta ``(n_e, n_vocab)``, the embeddings and output vectors;
        contexts ``(m,)`` and targets ``(m,)``, integer word indices; negatives ``(m, k)``, integer
        word indices (:func:`sample_negatives`).
    Returns: ``(cost, grads)``: cost, a float, the mean loss over the m pairs; grads, a dict
        ``{"dE": (n_e, n_vocab), "dtheta": (n_e, n_vocab)}`` of the cost's gradients (columns of words the
        batch does not use are 0; a word used several times gets the sum). Float32 inputs give float32
        gradients.
    Raises: ValueError for shapes that disagree or an index outside the vocabulary.
    Source: Mikolov, Sutskever, Chen, Corrado & Dean (2013), "Distributed Representations of Words and
    Phrases and their Compositionality", equation 4.
    """
    where = "negative_sampling_loss_and_grads"
    E, theta, c, t = _pairs(E, theta, contexts, targets, where)
    neg = _indices(negatives, where, "negatives", E.shape[1], ndim=2)
    if neg.shape[0] != c.shape[0]:
        raise ValueError(f"{where}: negatives must be (m, k) with the m = {c.shape[0]} of the pairs; got {neg.shape}")
    m = c.shape[0]
    words = np.concatenate([t[:, None], neg], axis=1)            # (m, k + 1): the target, then the negatives
    sign = np.full(words.shape, -1.0)
    sign[:, 0] = 1.0                                              # +1 for the target (y = 1), -1 for a negative
    e_c = E.T[c]                                                  # (m, n_e): rows, so that the products below
    th = theta.T[words]                                           # (m, k + 1, n_e) read contiguous memory
    z = np.einsum("mjn,mn->mj", th, e_c).astype(np.float64)      # (m, k + 1): theta_w . e_c
    lse = np.logaddexp(0.0, -sign * z)                            # -log sigmoid(+-z), without overflow
    cost = float(np.sum(lse) / m)
    dz = (-sign * -np.expm1(-lse) / m).astype(E.dtype)           # sigmoid(z) - y = -sign (1 - sigmoid(sign z))
    de_c = np.einsum("mj,mjn->nm", dz, th, order="C")             # (n_e, m)
    dth = np.einsum("mj,mn->nmj", dz, e_c, order="C")             # (n_e, m, k + 1)
    dE = _scatter_columns(E.shape[1], c, de_c, E.dtype)          # np.add.at: a word used twice gets both
    dtheta = _scatter_columns(E.shape[1], words.ravel(), dth.reshape(E.shape[0], -1), E.dtype)
    return cost, {"dE": dE, "dtheta": dtheta}


negative_sampling_loss_and_grads.__output_parts__ = "cost, grads"


def skipgram_softmax_cost(E, theta, contexts, targets):
    """The skip-gram cost with the full softmax over the vocabulary, and its gradients.

    ``p(t | c) = exp(theta_t . e_c) / sum_j exp(theta_j . e_c)``; the loss of a pair is ``-log p(t | c)``
    (the cross-entropy with the one-hot y of t), the cost its mean over the m pairs. Every pair needs
    all n_vocab scores: the cost that negative sampling and hierarchical softmax avoid.

    Arguments: E ``(n_e, n_vocab)``, theta ``(n_e, n_vocab)``; contexts ``(m,)`` and targets ``(m,)``,
        integer word indices.
    Returns: ``(cost, grads)``: cost, a float; grads ``{"dE": (n_e, n_vocab), "dtheta": (n_e, n_vocab)}``.
    Raises: ValueError for shapes that disagree or an index outside the vocabulary.
    Source: Mikolov, Chen, Corrado & Dean (2013), "Efficient Estimation of Word Representations in
    Vector Space".
    """
    where = "skipgram_softmax_cost"
    E, theta, c, t = _pairs(E, theta, contexts, targets, where)
    m = c.shape[0]
    e_c = E[:, c]                                                 # (n_e, m)
    y_hat = softmax(theta.T @ e_c, axis=0)                        # (n_vocab, m)
    cost = float(-np.sum(np.log(np.maximum(y_hat[t, np.arange(m)], np.finfo(y_hat.dtype).tiny))) / m)
    dz = y_hat
    dz[t, np.arange(m)] -= 1
    dz /= m
    dtheta = e_c @ dz.T                                           # (n_e, n_vocab)
    dE = _scatter_columns(E.shape[1], c, theta @ dz, E.dtype)
    return cost, {"dE": dE, "dtheta": dtheta.astype(E.dtype, copy=False)}


skipgram_softmax_cost.__output_parts__ = "cost, grads"


def initialize_word2vec(n_vocab, n_e, seed=0, dtype=np.float32):
    """Starting parameters of skip-gram: ``E`` uniform in ``[-0.5 / n_e, 0.5 / n_e)`` and ``theta`` zeros
    (as Mikolov et al.'s program starts).

    Arguments: n_vocab -- words; n_e -- the embedding size; seed -- int or Generator; dtype -- float type.
    Returns: ``{"E": (n_e, n_vocab), "theta": (n_e, n_vocab)}``.
    Raises: ValueError if n_vocab or n_e is not a whole number >= 1.
    """
    n_vocab = _positive_int(n_vocab, "initialize_word2vec", "n_vocab")
    n_e = _positive_int(n_e, "initialize_word2vec", "n_e")
    E = (make_rng(seed).random((n_e, n_vocab)) - 0.5) / n_e
    return {"E": E.astype(dtype), "theta": np.zeros((n_e, n_vocab), dtype=dtype)}


def negative_sampling_step(counts, k, seed=0, power=0.75) -> Callable:
    """A ``step(parameters, X_batch, Y_batch) -> (cost, grads)`` for :func:`course_utils.optim.loop.train`:
    skip-gram with negative sampling, drawing fresh negatives for every mini-batch.

    Arguments: counts -- word counts ``(n_vocab,)`` for :func:`sample_negatives`; k -- negatives per pair;
        seed -- the negatives' generator (int or Generator; one stream for the whole training);
        power -- the exponent of the counts.
    Returns: ``step``; its ``X_batch`` is the contexts ``(1, m)`` and ``Y_batch`` the targets ``(1, m)``
        (integer arrays, one pair per column, as the loop's mini-batches give them); ``parameters`` is
        ``{"E", "theta"}`` (:func:`initialize_word2vec`).
    Raises: ValueError (when called: counts as :func:`unigram_distribution`, k not an int >= 1).
    """
    k = _positive_int(k, "negative_sampling_step", "k")
    p = unigram_distribution(counts, power)
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    rng = make_rng(seed)

    def step(parameters, X_batch, Y_batch):
        c = np.asarray(X_batch).reshape(-1).astype(np.int64)
        t = np.asarray(Y_batch).reshape(-1).astype(np.int64)
        neg = np.searchsorted(cdf, rng.random((c.shape[0], k)), side="right")   # rng.choice's draw
        return negative_sampling_loss_and_grads(parameters["E"], parameters["theta"], c, t, neg)

    return step


def _unit_columns(E):
    E = np.asarray(E, dtype=np.float64)
    if E.ndim != 2:
        raise ValueError(f"E must be (n_e, n_vocab), got shape {E.shape}")
    norms = np.linalg.norm(E, axis=0)
    return E / np.where(norms > 0, norms, 1.0)


def nearest_neighbours(E, index, n=10):
    """The n words whose embeddings are most similar to word ``index``'s, by cosine similarity
    ``u . v / (||u|| ||v||)``, the word itself left out.

    Arguments: E ``(n_e, n_vocab)``, one column per word; index -- the word (an int);
        n -- how many neighbours (at most n_vocab - 1).
    Returns: ``(neighbours, similarities)``: an int array ``(n,)`` of word indices, most similar first
        (ties by index), and their cosine similarities ``(n,)`` in ``[-1, 1]`` (0 for a zero column).
    Raises: ValueError if E is not 2-D, index is outside ``[0, n_vocab)`` or n outside ``[1, n_vocab - 1]``.
    """
    U = _unit_columns(E)
    n_vocab = U.shape[1]
    index = int(_indices(index, "nearest_neighbours", "index", n_vocab, ndim=0))
    n = _positive_int(n, "nearest_neighbours", "n")
    if n > n_vocab - 1:
        raise ValueError(f"nearest_neighbours: n = {n}, but there are only {n_vocab - 1} other words")
    sims = U.T @ U[:, index]
    sims[index] = -np.inf
    order = np.lexsort((np.arange(n_vocab), -sims))[:n]
    return order.astype(np.int64), sims[order]


nearest_neighbours.__output_parts__ = "neighbours, similarities"


def neighbour_rank(E, index, other):
    """Where word ``other`` stands among word ``index``'s neighbours: 1 when it is the most similar word
    (cosine similarity, the word itself left out), n_vocab - 1 when it is the least similar.

    Arguments: E ``(n_e, n_vocab)``; index, other -- two different word indices.
    Returns: an int in ``[1, n_vocab - 1]`` (words as similar as ``other`` count before it only if
        they are strictly more similar).
    Raises: ValueError if E is not 2-D, an index is outside the vocabulary, or index == other.
    """
    U = _unit_columns(E)
    n_vocab = U.shape[1]
    index = int(_indices(index, "neighbour_rank", "index", n_vocab, ndim=0))
    other = int(_indices(other, "neighbour_rank", "other", n_vocab, ndim=0))
    if index == other:
        raise ValueError("neighbour_rank: a word is not its own neighbour (index == other)")
    sims = U.T @ U[:, index]
    sims[index] = -np.inf
    return int(np.sum(sims > sims[other])) + 1
