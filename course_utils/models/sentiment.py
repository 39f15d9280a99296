"""Sentence classifiers on word vectors: the average of a sentence's vectors with a softmax on top, and a
many-to-one LSTM that reads the words in order and classifies from its state after the last word.

The lecture (course 5, week 2, "Sentiment classification") starts from the simplest model: look up the
embedding of every word, average them, and feed the average to a softmax. It needs few labelled
sentences, because the embeddings were learnt from a large text, but it ignores word order: "not happy
at all" and "happy" share most of their average, and two sentences with the same words in another order
have exactly the same average. The many-to-one RNN fixes that: it reads ``e<1>, ..., e<T_x>`` with a
recurrent layer and predicts from its last hidden state.

Shapes (the library's, :mod:`course_utils.nn.recurrent`): averages X ``(n_x, m)``, one column per sentence;
embedded sentences x ``(n_x, m, T_x)``; hidden states a ``(n_a, m, T_x)``; class probabilities
``(n_y, m)``; one-hot targets Y ``(n_y, m)``.

Padding: a batch holds sentences of different lengths, so the shorter ones are padded at the end up to
T_x. The LSTM runs over the padding too, but the prediction reads each sentence's state at its own last
*real* word, ``a[:, i, lengths[i] - 1]`` (:func:`last_states`). A state at step t depends only on the
words up to t, so the padding after it changes nothing: a padded sentence gets exactly the prediction
it gets alone, and no gradient reaches the padded steps. (Padding at the *start* instead would feed the
zero vectors through the gates before the first word, which moves the state away from a0: the result
would depend on how long the longest sentence of the batch is.)

Parameters: the averaging classifier ``W (n_y, n_x)``, ``b (n_y, 1)``; the LSTM classifier the LSTM's
``Wf, Wi, Wc, Wo (n_a, n_a + n_x)``, ``bf, bi, bc, bo (n_a, 1)`` and the output layer's ``Wy (n_y, n_a)``,
``by (n_y, 1)`` (:func:`course_utils.nn.recurrent.initialize_recurrent_parameters` with ``"lstm"`` and
n_y). The embeddings are frozen (pre-trained GloVe vectors): they are an input, not a parameter.

Sources: averaging word vectors for sentence classification, e.g. M. Iyyer, V. Manjunatha, J. Boyd-Graber
and H. Daume III (2015), "Deep Unordered Composition Rivals Syntactic Methods for Text Classification",
ACL; the LSTM, S. Hochreiter and J. Schmidhuber (1997), "Long Short-Term Memory", Neural Computation 9(8).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from course_utils.nn.activations import softmax
from course_utils.nn.embedding import embedding_forward
from course_utils.nn.linear import linear_backward, linear_forward
from course_utils.nn.losses import softmax_cross_entropy_cost, softmax_cross_entropy_cost_backward
from course_utils.nn.recurrent import lstm_backward, lstm_forward

__all__ = ["PAD", "sentence_to_avg", "sentences_to_avg", "encode_sentences", "average_classifier_forward",
           "average_classifier_step", "last_states", "lstm_classifier_forward", "lstm_classifier_cost_and_grads",
           "lstm_classifier_step", "embed_padded", "one_hot_labels"]

#: the index that pads a sentence after its last word in :func:`encode_sentences`
PAD = -1


def _lookup(word_to_vec_map, word):
    """The vector of ``word`` or None: a dict ``{word: vector}`` or a table with ``index`` and ``vector``."""
    if isinstance(word_to_vec_map, Mapping):
        return word_to_vec_map.get(word)
    return word_to_vec_map.vector(word) if word in word_to_vec_map else None


def _dimension(word_to_vec_map):
    if isinstance(word_to_vec_map, Mapping):
        if not word_to_vec_map:
            raise ValueError("sentence_to_avg: word_to_vec_map is empty, so the vectors' length is unknown")
        return np.shape(next(iter(word_to_vec_map.values())))[0]
    return np.shape(word_to_vec_map.vectors)[1]


def sentence_to_avg(sentence, word_to_vec_map):
    """The average of the word vectors of a sentence: lowercase it, split it on whitespace, average.

    A word that is not in ``word_to_vec_map`` is skipped: the average is over the words that have a
    vector (so "i love xyzzy" averages "i" and "love"). A sentence with no such word at all (or no word)
    gets the zero vector: it carries no information, and the classifier then answers from its bias alone.

    Arguments: sentence -- a str; word_to_vec_map -- a dict ``{word: (d,) vector}`` or a :class:`course_utils.data.text.WordVectors` table (:func:`course_utils.data.text.load_glove`).
    Returns: avg -- ``(d,)`` float64.
    Raises: TypeError if sentence is not a str; ValueError for an empty dict.
    """
    if not isinstance(sentence, str):
        raise TypeError(f"sentence_to_avg: sentence must be a str, got {type(sentence).__name__}")
    d = _dimension(word_to_vec_map)
    vectors = [v for v in (_lookup(word_to_vec_map, w) for w in sentence.lower().split()) if v is not None]
    if not vectors:
        return np.zeros(d)
    return np.mean(np.array(vectors, dtype=np.float64), axis=0)


def sentences_to_avg(sentences: Sequence[str], word_to_vec_map) -> np.ndarray:
    """:func:`sentence_to_avg` of every sentence, as the columns of X ``(d, m)`` float64.

    Raises: as :func:`sentence_to_avg`; ValueError for an empty list of sentences.
    """
    if len(sentences) == 0:
        raise ValueError("sentences_to_avg: no sentences")
    return np.stack([sentence_to_avg(s, word_to_vec_map) for s in sentences], axis=1)


def encode_sentences(sentences: Sequence[str], word_to_index: Mapping, T_x: int | None = None):
    """Word indices of lowercase sentences, padded at the end with :data:`PAD`, and their lengths.

    Arguments: sentences -- m str; word_to_index -- ``{word: index}`` (``load_glove().index``);
        T_x -- the padded length (default: the longest sentence's number of words).
    Returns: ``(indices, lengths)``: indices ``(m, T_x)`` int64, row i holding sentence i's words then PAD;
        lengths ``(m,)`` int64, the number of words of each sentence.
    Raises: KeyError naming a word that is not in word_to_index; ValueError for no sentences, an empty
        sentence, or a sentence longer than T_x.
    """
    words = [s.lower().split() for s in sentences]
    if not words:
        raise ValueError("encode_sentences: no sentences")
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    if lengths.min() == 0:
        raise ValueError(f"encode_sentences: sentence {int(np.argmin(lengths))} has no words")
    T_x = int(lengths.max()) if T_x is None else int(T_x)
    if lengths.max() > T_x:
        raise ValueError(f"encode_sentences: a sentence has {int(lengths.max())} words, more than T_x = {T_x}")
    indices = np.full((len(words), T_x), PAD, dtype=np.int64)
    for i, ws in enumerate(words):
        for t, w in enumerate(ws):
            if w not in word_to_index:
                raise KeyError(f"encode_sentences: {w!r} (sentence {i}) is not in word_to_index")
            indices[i, t] = word_to_index[w]
    return indices, lengths


def one_hot_labels(labels, n_y: int) -> np.ndarray:
    """Y ``(n_y, m)`` float64 with a 1 in row ``labels[i]`` of column i.

    Raises: ValueError for a label outside ``[0, n_y)``.
    """
    labels = np.asarray(labels, dtype=np.int64).ravel()
    if labels.size and (labels.min() < 0 or labels.max() >= n_y):
        raise ValueError(f"one_hot_labels: labels must be in [0, {n_y}), got the range [{labels.min()}, {labels.max()}]")
    Y = np.zeros((n_y, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


# --- the averaging classifier ---------------------------------------------------------------------

def average_classifier_forward(X, parameters):
    """Class probabilities of averaged sentences: ``softmax(W X + b)``.

    Arguments: X ``(n_x, m)``, one average per column (:func:`sentences_to_avg`); parameters with
        ``W (n_y, n_x)`` and ``b (n_y, 1)``.
    Returns: ``(n_y, m)`` probabilities, each column summing to 1.
    Raises: ValueError if W cannot multiply X or b is not ``(n_y, 1)``.
    """
    Z, _ = linear_forward(X, parameters["W"], parameters["b"])
    return softmax(Z, axis=0)


def average_classifier_step(parameters, X, Y):
    """The ``step`` of :func:`course_utils.optim.loop.train` for the averaging classifier.

    Arguments: parameters ``{"W" (n_y, n_x), "b" (n_y, 1)}``; X ``(n_x, m)`` averages; Y ``(n_y, m)`` one-hot.
    Returns: ``(cost, {"dW", "db"})``: the average cross-entropy and its gradients.
    Raises: ValueError for shapes that do not fit.
    """
    Z, cache = linear_forward(X, parameters["W"], parameters["b"])
    Y_hat = softmax(Z, axis=0)
    _, grads = linear_backward(softmax_cross_entropy_cost_backward(Y_hat, Y), cache)
    return softmax_cross_entropy_cost(Y_hat, Y), grads


# --- the many-to-one LSTM classifier --------------------------------------------------------------

def _lengths(lengths, m, T_x, where):
    lengths = np.asarray(lengths)
    if lengths.shape != (m,) or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"{where}: lengths must be {m} integers (one per example), got {lengths.dtype} {lengths.shape}")
    if m and (lengths.min() < 1 or lengths.max() > T_x):
        raise ValueError(f"{where}: every length must be between 1 and T_x = {T_x}, got the range "
                         f"[{lengths.min()}, {lengths.max()}]")
    return lengths


def last_states(a, lengths):
    """Each example's hidden state at its last real time step: ``a[:, i, lengths[i] - 1]``.

    Arguments: a ``(n_a, m, T_x)``; lengths ``(m,)`` integers from 1 to T_x (sequence i fills steps
        0 .. lengths[i] - 1, padding after it).
    Returns: ``(n_a, m)``, a new array.
    Raises: ValueError if a is not 3-D, or lengths has another shape, is not integer, or leaves [1, T_x].
    """
    a = np.asarray(a)
    if a.ndim != 3:
        raise ValueError(f"last_states: a must be 3-D (n_a, m, T_x), got shape {a.shape}")
    return _last(a, _lengths(lengths, a.shape[1], a.shape[2], "last_states"))


def _last(a, lengths):
    return a[:, np.arange(a.shape[1]), lengths - 1]


def _forward(x, lengths, parameters):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"lstm_classifier_forward: x must be 3-D (n_x, m, T_x), got shape {x.shape}")
    for key in ("Wf", "Wy", "by"):
        if key not in parameters:
            raise ValueError(f"lstm_classifier_forward: parameters lack {key!r}; got the keys {sorted(parameters)}")
    n_a, m = np.shape(parameters["Wf"])[0], x.shape[1]
    lengths = _lengths(lengths, m, x.shape[2], "lstm_classifier_forward")
    a, cache = lstm_forward(x, np.zeros((n_a, m)), parameters)
    a_last = _last(a, lengths)
    Z, out_cache = linear_forward(a_last, parameters["Wy"], parameters["by"])
    return softmax(Z, axis=0), (a.shape, lengths, cache, out_cache)


def lstm_classifier_forward(x, lengths, parameters):
    """A many-to-one LSTM: read every sentence, then ``softmax(Wy a<last> + by)`` from the state after its last word.

    ``a, _ = lstm_forward(x, zeros, parameters)``; ``a<last>`` = :func:`last_states` ``(a, lengths)``;
    ``y_hat = softmax(Wy a<last> + by)``.

    Arguments: x ``(n_x, m, T_x)``, the embedded sentences (anything after a sentence's last word is
        padding); lengths ``(m,)`` integers from 1 to T_x, each sentence's number of words; parameters --
        the LSTM's ``Wf, Wi, Wc, Wo (n_a, n_a + n_x)``, ``bf, bi, bc, bo (n_a, 1)`` and ``Wy (n_y, n_a)``,
        ``by (n_y, 1)``.
    Returns: y_hat ``(n_y, m)`` float64 probabilities, each column summing to 1.
    Raises: ValueError for an x that is not 3-D, lengths outside [1, T_x], or parameters that are
        missing or do not fit (the recurrent layer's messages).
    Source: Hochreiter & Schmidhuber (1997), "Long Short-Term Memory", Neural Computation 9(8).
    """
    return _forward(x, lengths, parameters)[0]


def lstm_classifier_cost_and_grads(parameters, x, lengths, Y):
    """Forward and backward pass of :func:`lstm_classifier_forward` with the average cross-entropy.

    Backward: the output layer's gradient reaches only each sentence's last real state (``da`` is zero at
    every other step, the padding included), then :func:`course_utils.nn.recurrent.lstm_backward`.

    Arguments: parameters -- as :func:`lstm_classifier_forward`; x ``(n_x, m, T_x)``; lengths ``(m,)``;
        Y ``(n_y, m)`` one-hot.
    Returns: ``(cost, grads)``: the cost (a float) and ``{"d" + name: ...}`` for every key of parameters.
    Raises: as :func:`lstm_classifier_forward`; ValueError if Y's shape differs from the output's.
    """
    Y_hat, (a_shape, lengths, cache, out_cache) = _forward(x, lengths, parameters)
    cost = softmax_cross_entropy_cost(Y_hat, Y)
    da_last, grads = linear_backward(softmax_cross_entropy_cost_backward(Y_hat, Y), out_cache)
    da = np.zeros(a_shape)
    da[:, np.arange(a_shape[1]), lengths - 1] = da_last
    _, lstm_grads = lstm_backward(da, cache)
    grads = {"dWy": grads["dW"], "dby": grads["db"], **lstm_grads}
    return cost, {"d" + k: grads["d" + k] for k in parameters}


def lstm_classifier_step(parameters, X, Y, *, E):
    """The ``step`` of :func:`course_utils.optim.loop.train` (with ``example_axis=0``) for the LSTM classifier.

    Use it as ``functools.partial(lstm_classifier_step, E=E)``. The embeddings are frozen: E gets no gradient.
    Columns of X that are padding in every row are dropped first (a batch of short sentences runs fewer
    steps); by the padding rule of this module that changes neither the cost nor the gradients.

    Arguments: parameters -- as :func:`lstm_classifier_forward`; X ``(m, T_x)`` int word indices padded at
        the end with :data:`PAD` (:func:`encode_sentences`); Y ``(m,)`` int labels; E ``(n_x, n_vocab)``, the
        embedding matrix (one column per word: ``load_glove().vectors.T``).
    Returns: ``(cost, grads)`` of :func:`lstm_classifier_cost_and_grads`.
    Raises: ValueError if a row of X has PAD before a word or no word at all, or as the functions it calls.
    """
    X = np.asarray(X)
    if X.ndim == 2 and X.size:                 # a mini-batch of short sentences runs only as many steps as it needs
        X = X[:, :max(int((X != PAD).sum(axis=1).max()), 1)]
    x, lengths = embed_padded(X, E)
    return lstm_classifier_cost_and_grads(parameters, x, lengths, one_hot_labels(Y, np.shape(parameters["by"])[0]))


def embed_padded(indices, E):
    """The embeddings of padded word indices: x ``(n_x, m, T_x)`` float64 (zero columns at PAD) and lengths ``(m,)``.

    Arguments: indices ``(m, T_x)`` int, each row its words then :data:`PAD`; E ``(n_x, n_vocab)``.
    Returns: ``(x, lengths)``.
    Raises: ValueError if a row has PAD before a word or starts with PAD, or an index is outside E.
    """
    indices = np.asarray(indices)
    real = indices != PAD
    lengths = real.sum(axis=1).astype(np.int64)
    if indices.ndim != 2 or not np.array_equal(real, np.arange(indices.shape[1])[None, :] < lengths[:, None]):
        raise ValueError("embed_padded: indices must be (m, T_x), each row its words first and PAD only after them")
    if lengths.size and lengths.min() == 0:
        raise ValueError(f"embed_padded: row {int(np.argmin(lengths))} has no word")
    x, _ = embedding_forward(np.where(real, indices, 0), E)
    x = x.astype(np.float64) * real[None, :, :]
    return x, lengths

