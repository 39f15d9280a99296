"""A character-level language model: a recurrent network that predicts the next character.

The model (course 5, week 1, "Language model and sequence generation"): at step t the network reads the
one-hot of the previous token x<t> = y<t-1> (zeros at the first step of a name), updates its state
with a recurrent cell (:mod:`course_utils.nn.recurrent`) and outputs ``y_pred<t> = softmax(Wya a<t> + by)``,
its probabilities for y<t>. The probability of a whole sequence is the product of those conditional
probabilities, ``P(y<1>, ..., y<T>) = P(y<1>) P(y<2> | y<1>) ... P(y<T> | y<1>, ..., y<T-1>)``, and the
cost is its negative log summed over time (:func:`~course_utils.nn.recurrent.sequence_cross_entropy_cost`).
Sampling from it is :func:`course_utils.models.sampling.sample_sequence`.

Data as token indices, not one-hot arrays (a one-hot training set of a text would not fit in memory):
X and Y are integer arrays ``(m, T_x)``, example j's inputs and targets, with :data:`NO_TOKEN` (-1) for
"nothing": a zero input column, and no target (padding after a short name). They train through
:func:`course_utils.optim.loop.train` with ``example_axis=0``; :func:`lm_step` is the ``step`` it calls
(one-hot batches, forward, cost, backward through time, clipping).

Evaluation: :func:`perplexity`, ``exp`` of the average negative log-probability per predicted token,
the number of equally likely tokens the model is as unsure as; a model that knows nothing about the
order of characters, the unigram model (:func:`unigram_probabilities`, :func:`unigram_perplexity`), is
the baseline it must beat.

Sources: the recurrent language model, T. Mikolov, M. Karafiat, L. Burget, J. Cernocky and S. Khudanpur
(2010), "Recurrent neural network based language model", Interspeech; character-level models, I.
Sutskever, J. Martens and G. Hinton (2011), "Generating Text with Recurrent Neural Networks", ICML;
perplexity, F. Jelinek, R. L. Mercer, L. R. Bahl and J. K. Baker (1977), "Perplexity -- a measure of the
difficulty of speech recognition tasks", J. Acoust. Soc. Am. 62(S1).
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.recurrent import (CELLS, sequence_cross_entropy_cost, sequence_cross_entropy_cost_backward,
                                       sequence_layer, softmax_output_backward, softmax_output_forward)
from course_utils.optim.clipping import clip

__all__ = ["NO_TOKEN", "next_token_data", "text_windows", "one_hot_indices", "lm_cost_and_grads", "lm_step",
           "sequence_log_probabilities", "perplexity", "unigram_probabilities", "unigram_perplexity"]

#: the index that stands for no token: a zero input column, or no target (padding)
NO_TOKEN = -1


def _encode(vocab, sequence, where):
    try:
        return vocab.encode(sequence)
    except KeyError as exc:
        raise KeyError(f"{where}: {exc.args[0]}") from None


def next_token_data(sequences, vocab, *, T_x=None):
    """Inputs and targets of a language model over separate sequences (names, sentences).

    Sequence j with tokens ``s1 ... sn`` gives the targets ``Y[j] = [s1, ..., sn, <EOS>]`` and the inputs
    ``X[j] = [NO_TOKEN, s1, ..., sn]``: the model sees nothing before the first token and the previous
    token at every later step, and must predict the end. Shorter rows end in :data:`NO_TOKEN`.

    Arguments: sequences -- strings (characters) or lists of tokens, none empty; vocab -- a
        :class:`course_utils.text.vocab.Vocabulary` with :data:`~course_utils.text.vocab.EOS`;
        T_x -- the number of steps (default: the longest sequence plus one).
    Returns: ``(X, Y)``, two int64 arrays ``(m, T_x)``.
    Raises: ValueError if there are no sequences, one is empty or longer than ``T_x - 1``, or the
        vocabulary has no EOS; KeyError for a token the vocabulary does not know (and no UNK).
    """
    where = "next_token_data"
    if vocab.eos_index is None:
        raise ValueError(f"{where}: the vocabulary needs the end token (Vocabulary(..., eos=True)): the model "
                         f"learns where a sequence ends")
    encoded = [_encode(vocab, s, where) for s in sequences]
    if not encoded:
        raise ValueError(f"{where}: there are no sequences")
    if min(map(len, encoded)) == 0:
        raise ValueError(f"{where}: sequence {[len(e) for e in encoded].index(0)} is empty")
    longest = max(map(len, encoded)) + 1
    T_x = longest if T_x is None else int(T_x)
    if longest > T_x:
        raise ValueError(f"{where}: a sequence of {longest - 1} tokens needs T_x >= {longest} (its tokens and the "
                         f"end token), got T_x = {T_x}")
    X = np.full((len(encoded), T_x), NO_TOKEN, dtype=np.int64)
    Y = np.full((len(encoded), T_x), NO_TOKEN, dtype=np.int64)
    for j, e in enumerate(encoded):
        X[j, 1:len(e) + 1] = e
        Y[j, :len(e) + 1] = e + [vocab.eos_index]
    return X, Y


def text_windows(text, vocab, T_x, *, stride=None):
    """Inputs and targets of a language model over one long text: windows of ``T_x`` consecutive tokens.

    Window j starts at token ``j * stride``: ``X[j] = tokens[s : s + T_x]`` and ``Y[j] = tokens[s + 1 :
    s + T_x + 1]``, the same text one token later, so every step's target is the next token.

    Arguments: text -- a string (characters) or a list of tokens; vocab -- a
        :class:`course_utils.text.vocab.Vocabulary`; T_x -- steps per window (>= 1); stride -- tokens
        between window starts (default T_x: windows side by side).
    Returns: ``(X, Y)``, two int64 arrays ``(m, T_x)`` with ``m = (len(tokens) - T_x - 1) // stride + 1``.
    Raises: ValueError if T_x or stride is below 1 or the text has fewer than ``T_x + 1`` tokens;
        KeyError for a token the vocabulary does not know (and no UNK).
    """
    where = "text_windows"
    T_x = int(T_x)
    stride = T_x if stride is None else int(stride)
    if T_x < 1 or stride < 1:
        raise ValueError(f"{where}: T_x and stride must be >= 1, got T_x = {T_x}, stride = {stride}")
    tokens = np.asarray(_encode(vocab, text, where), dtype=np.int64)
    if len(tokens) < T_x + 1:
        raise ValueError(f"{where}: the text has {len(tokens)} tokens; a window of T_x = {T_x} needs {T_x + 1} "
                         f"(its inputs and the token after them)")
    starts = np.arange(0, len(tokens) - T_x, stride)
    offsets = np.arange(T_x)
    return tokens[starts[:, None] + offsets], tokens[starts[:, None] + offsets + 1]


def one_hot_indices(indices, n, dtype=np.float64):
    """The one-hot batch ``(n, m, T_x)`` of token indices ``(m, T_x)``; :data:`NO_TOKEN` gives a zero column.

    Arguments: indices -- an integer array ``(m, T_x)``; n -- the vocabulary's size; dtype -- of the result.
    Returns: x ``(n, m, T_x)`` with ``x[indices[j, t], j, t] = 1``.
    Raises: ValueError if indices is not a 2-D integer array or holds an index outside ``[-1, n)``.
    """
    idx = np.asarray(indices)
    if idx.ndim != 2 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"one_hot_indices: indices must be a 2-D integer array (m, T_x), got shape {idx.shape}, "
                         f"dtype {idx.dtype}")
    if idx.size and (idx.min() < NO_TOKEN or idx.max() >= n):
        bad = int(idx.min() if idx.min() < NO_TOKEN else idx.max())
        raise ValueError(f"one_hot_indices: index {bad} is outside the vocabulary's 0 .. {n - 1} (and -1 for no token)")
    m, T = idx.shape
    x = np.zeros((n, m, T), dtype=dtype)
    j, t = np.nonzero(idx != NO_TOKEN)
    x[idx[j, t], j, t] = 1
    return x


def _sizes(parameters, cell, where):
    if cell not in CELLS:
        raise ValueError(f"{where}: cell must be one of {list(CELLS)}, got {cell!r}")
    out_key = "Wya" if cell == "rnn" else "Wy"
    state_key = {"rnn": "Waa", "gru": "Wu", "lstm": "Wf"}[cell]
    for key in (state_key, out_key, "by"):
        if key not in parameters:
            raise ValueError(f"{where}: a {cell} language model needs {key!r} in parameters; got the keys "
                             f"{sorted(parameters)}")
    return np.shape(parameters[state_key])[0], np.shape(parameters[out_key])[0]


def lm_cost_and_grads(parameters, x, y, a0=None, *, cell="rnn"):
    """Forward and backward pass of a recurrent language model on one-hot batches.

    Forward: the ``cell``'s sequence layer over x, then the softmax output at every step; the cost is
    :func:`~course_utils.nn.recurrent.sequence_cross_entropy_cost` (summed over time, averaged over the
    batch; a step whose y column is zeros has no target). Backward through time from that cost.

    Arguments: parameters -- the cell's parameters and the output layer's (``Wya``/``Wy``, ``by``),
        :func:`~course_utils.nn.recurrent.initialize_recurrent_parameters` with ``n_y``; x ``(n_x, m, T_x)``
        and y ``(n_y, m, T_x)`` one-hot (or zero) columns; a0 ``(n_a, m)``, the state before the first step
        (default zeros); cell -- ``"rnn"``, ``"gru"`` or ``"lstm"``.
    Returns: ``(cost, grads, a)``: the cost (a float), ``grads = {"d" + name: ...}`` for every key of
        parameters (the cost's gradients, unclipped), and the hidden states a ``(n_a, m, T_x)``.
    Raises: ValueError for an unknown cell, missing parameters, or shapes that do not fit (the recurrent
        layers' messages).
    """
    where = "lm_cost_and_grads"
    n_a, _ = _sizes(parameters, cell, where)
    forward, backward = sequence_layer(cell)
    x = np.asarray(x)
    if a0 is None:
        a0 = np.zeros((n_a, x.shape[1] if x.ndim == 3 else 1), dtype=np.result_type(x.dtype, np.float32))
    a, cache = forward(x, a0, parameters)
    y_pred, out_cache = softmax_output_forward(a, parameters)
    cost = sequence_cross_entropy_cost(y_pred, y)
    da, grads = softmax_output_backward(sequence_cross_entropy_cost_backward(y_pred, y), out_cache)
    grads.update(backward(da, cache)[1])
    return cost, {"d" + k: grads["d" + k] for k in parameters}, a


def lm_step(parameters, X, Y, *, cell="rnn", max_value=5.0):
    """The ``step`` of :func:`course_utils.optim.loop.train` for a language model on token indices.

    One-hot batches of X and Y (:func:`one_hot_indices`, in the parameters' dtype), then
    :func:`lm_cost_and_grads`, then every gradient clipped to ``[-max_value, max_value]``
    (:func:`course_utils.optim.clipping.clip`), the cure for exploding gradients. Use it with
    ``functools.partial(lm_step, cell=..., max_value=...)`` and ``example_axis=0``.

    Arguments: parameters -- as :func:`lm_cost_and_grads`; X, Y -- int arrays ``(m, T_x)`` (inputs and
        targets, :data:`NO_TOKEN` for none); cell -- ``"rnn"``, ``"gru"`` or ``"lstm"``; max_value -- the
        clipping bound (a number > 0), or None for no clipping.
    Returns: ``(cost, grads)``: the batch's cost before the update and the clipped gradients.
    Raises: ValueError as :func:`one_hot_indices` and :func:`lm_cost_and_grads`, if X and Y differ in
        shape, or for a clipping bound that is not a number > 0.
    """
    where = "lm_step"
    _, n_y = _sizes(parameters, cell, where)
    X, Y = np.asarray(X), np.asarray(Y)
    if X.shape != Y.shape:
        raise ValueError(f"{where}: X has shape {X.shape} but Y has shape {Y.shape}; both are (m, T_x)")
    dtype = np.result_type(np.asarray(parameters["by"]).dtype, np.float32)
    cost, grads, _ = lm_cost_and_grads(parameters, one_hot_indices(X, n_y, dtype), one_hot_indices(Y, n_y, dtype),
                                       cell=cell)
    if max_value is not None:
        grads = clip(grads, max_value)
    return cost, grads


def sequence_log_probabilities(parameters, X, Y, *, cell="rnn", batch_size=2048):
    """The natural log of the probability the model gives each example's targets: ``sum_t log P(y<t> | ...)``.

    Arguments: parameters -- as :func:`lm_cost_and_grads`; X, Y -- int arrays ``(m, T_x)``
        (:func:`next_token_data`); cell -- the model's cell; batch_size -- examples per forward pass.
    Returns: a float64 array ``(m,)`` of log-probabilities (<= 0); steps whose target is :data:`NO_TOKEN`
        add nothing.
    Raises: ValueError as :func:`lm_step`.
    """
    where = "sequence_log_probabilities"
    n_a, n_y = _sizes(parameters, cell, where)
    X, Y = np.asarray(X), np.asarray(Y)
    if X.shape != Y.shape or X.ndim != 2:
        raise ValueError(f"{where}: X and Y must be (m, T_x) of the same shape, got {X.shape} and {Y.shape}")
    forward, _ = sequence_layer(cell)
    out = np.empty(X.shape[0])
    for s in range(0, X.shape[0], int(batch_size)):
        xb, yb = X[s:s + batch_size], Y[s:s + batch_size]
        a, _ = forward(one_hot_indices(xb, n_y), np.zeros((n_a, xb.shape[0])), parameters)
        y_pred, _ = softmax_output_forward(a, parameters)
        log_p = np.log(np.clip(y_pred, 1e-300, 1.0))
        target = one_hot_indices(yb, n_y)
        out[s:s + batch_size] = np.sum(target * log_p, axis=(0, 2))
    return out


def _count_targets(Y, where):
    Y = np.asarray(Y)
    count = int(np.sum(Y != NO_TOKEN))
    if count == 0:
        raise ValueError(f"{where}: Y holds no target token")
    return count


def perplexity(parameters, X, Y, *, cell="rnn"):
    """``exp(-(1/N) sum log P(y<t> | y<1..t-1>))`` over the N target tokens of Y (:data:`NO_TOKEN` skipped).

    The model is as unsure, on average, as if it chose each token among that many equally likely ones:
    a model that knows nothing scores the vocabulary's size, a perfect one 1.
    Arguments: as :func:`sequence_log_probabilities`. Returns: a float >= 1.
    Raises: ValueError as :func:`sequence_log_probabilities`, or if Y holds no target.
    """
    n = _count_targets(Y, "perplexity")
    return float(np.exp(-np.sum(sequence_log_probabilities(parameters, X, Y, cell=cell)) / n))


def unigram_probabilities(Y, n, *, smoothing=1.0):
    """The unigram model: every token's frequency among the targets, whatever came before it.

    ``p(k) = (count(k) + smoothing) / (N + smoothing * n)`` (Laplace's add-one rule for smoothing 1), so a
    token never seen in training keeps a small probability instead of an infinite perplexity.
    Arguments: Y -- int array of target indices (any shape, :data:`NO_TOKEN` skipped); n -- the
        vocabulary's size; smoothing -- a number >= 0.
    Returns: a float64 array ``(n,)`` that sums to 1.
    Raises: ValueError for an index outside ``[-1, n)``, a negative smoothing, or no target with smoothing 0.
    """
    where = "unigram_probabilities"
    Y = np.asarray(Y).ravel()
    if Y.size and (Y.min() < NO_TOKEN or Y.max() >= n):
        raise ValueError(f"{where}: index {int(Y.min() if Y.min() < NO_TOKEN else Y.max())} is outside the "
                         f"vocabulary's 0 .. {n - 1}")
    if not smoothing >= 0:
        raise ValueError(f"{where}: smoothing must be >= 0, got {smoothing!r}")
    counts = np.bincount(Y[Y != NO_TOKEN], minlength=n).astype(float) + smoothing
    if counts.sum() == 0:
        raise ValueError(f"{where}: no target token, and smoothing 0: no probabilities to estimate")
    return counts / counts.sum()


def unigram_perplexity(probabilities, Y):
    """The perplexity of the unigram model ``probabilities`` (n,) on the targets Y (:data:`NO_TOKEN` skipped).

    Returns: ``exp(-(1/N) sum_t log p(y<t>))``, a float >= 1 (inf if a target has probability 0).
    Raises: ValueError if Y holds no target.
    """
    Y = np.asarray(Y).ravel()
    _count_targets(Y, "unigram_perplexity")
    with np.errstate(divide="ignore"):
        return float(np.exp(-np.mean(np.log(np.asarray(probabilities, dtype=float)[Y[Y != NO_TOKEN]]))))
