"""Decoding a conditional language model: greedy decoding, beam search, length normalisation, and
the error analysis that says whether the search or the model is to blame.

A sequence model that translates ``x`` gives the next token's probabilities given ``x`` and the
tokens chosen so far, ``P(y<t> | x, y<1>, ..., y<t-1>)``. The translation we want is
``argmax_y P(y | x) = argmax_y prod_t P(y<t> | x, y<1..t-1>)``. There are ``n_y ** T_y`` sequences, far
too many to try, so a decoder searches:

* **greedy decoding** (:func:`greedy_decode`) takes the most likely token at every step. The best
  first token need not start the best sequence, so greedy is not ``argmax P(y | x)``.
* **beam search** (:func:`beam_search`, width ``B``) keeps the ``B`` most likely prefixes at every
  step: from ``B`` prefixes and ``n_y`` tokens it scores ``B * n_y`` candidates and keeps the best ``B``
  (the lecture: ``B = 3`` and a vocabulary of 10,000 words give 30,000 candidates per step). ``B = 1`` is
  greedy decoding; a larger ``B`` searches more (better, slower) and is still not exact
  (:func:`exhaustive_search` is, for tiny vocabularies).
* Scores are sums of **log-probabilities**: a product of many probabilities below 1 underflows to 0.0
  in floating point, its log is a moderate negative number. A sum of negative terms favours short
  outputs, so finished candidates of different lengths are compared by the **length-normalised score**
  ``(1 / T_y**alpha) * sum_t log P(y<t> | x, y<1..t-1>)`` (:func:`length_normalised_score`; alpha = 1
  is the plain average, alpha = 0 no normalisation).
* **Error analysis** (:func:`attribute_error`): for a human translation ``y*`` and the output ``y^``,
  if ``P(y* | x) > P(y^ | x)`` the search missed a better sequence ("beam search" is at fault; case 1);
  otherwise (``P(y* | x) <= P(y^ | x)``) the model prefers a worse translation ("model"; case 2).

**The step function.** Every decoder here talks to the model through one callable, ``step_fn(prefixes)``:
``prefixes`` is a list of k tuples of token indices, all of the same length t (at the first step the
empty tuple ``()``), and the result is an array ``(k, n_y)`` of log-probabilities of the next token, one
row per prefix (each row's ``exp`` sums to 1). The date model of Track 5/07
(:func:`course_utils.models.date_attention.step_function`) and :func:`markov_step_function` (a small
table-driven model for examples and tests) give one.

Ties: candidates with equal scores keep the order ``(prefix index, token index)``, prefixes in the
order the beam holds them, so results are deterministic.

Sources: beam search for speech and translation, B. T. Lowerre (1976), "The HARPY Speech Recognition
System", Carnegie Mellon University; I. Sutskever, O. Vinyals and Q. V. Le (2014), "Sequence to Sequence
Learning with Neural Networks", NeurIPS (left-to-right beam search for translation); length normalisation
with an exponent: Y. Wu et al. (2016), "Google's Neural Machine Translation System", arXiv:1609.08144.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Sequence

import numpy as np

from course_utils.nn.activations import log_softmax

__all__ = ["markov_step_function", "score_tokens", "greedy_decode", "beam_search", "beam_search_many",
           "length_normalised_score", "exhaustive_search", "attribute_error"]

StepFunction = Callable[[list], np.ndarray]


def markov_step_function(first_logits, next_logits, *, name: str | None = None) -> StepFunction:
    """A step function of a small model whose next token depends on the position and the last token.

    ``P(y<1> = j) = softmax(first_logits)[j]`` and, for t >= 2,
    ``P(y<t> = j | y<t-1> = i) = softmax(next_logits[t - 2, i])[j]``: a Markov chain whose transition
    table changes with the position. It is a stand-in for a trained model in examples and tests: its
    greedy output, its beam search and the best sequence are easy to compute by hand.

    Arguments:
        first_logits: array (n_y,), scores of the first token.
        next_logits: array (T - 1, n_y, n_y); ``next_logits[t - 2, i, j]`` is the score of token j at step
            t after token i. T is the longest prefix + 1 the model can extend.
        name: str or None, what the step function's ``repr`` says (messages that show an argument use it);
            None gives ``"markov model: {n_y} tokens, {T} steps"``.
    Returns: ``step_fn(prefixes)`` -> array (len(prefixes), n_y) of log-probabilities (float64), a
    callable object whose ``repr`` is ``name`` (not ``<function ... at 0x...>``); the arrays are copied, so
    changing them later does not change the model.
    Raises: ValueError if the shapes do not fit ((n_y,) and (T - 1, n_y, n_y)) or an entry is not finite;
    the step function raises ValueError for prefixes of different lengths, a prefix longer than T - 1 or
    a token outside [0, n_y).
    """
    first = np.array(first_logits, dtype=np.float64)
    nxt = np.array(next_logits, dtype=np.float64)
    if first.ndim != 1 or first.size == 0:
        raise ValueError(f"markov_step_function: first_logits must have shape (n_y,), got {first.shape}")
    n_y = first.shape[0]
    if nxt.ndim != 3 or nxt.shape[1:] != (n_y, n_y):
        raise ValueError(f"markov_step_function: next_logits must have shape (T - 1, {n_y}, {n_y}), got {nxt.shape}")
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(nxt))):
        raise ValueError("markov_step_function: the logits must be finite")
    log_first, log_next = log_softmax(first, axis=-1), log_softmax(nxt, axis=-1)
    if name is None:
        name = f"markov model: {n_y} tokens, {nxt.shape[0] + 1} steps"

    def step_fn(prefixes):
        prefixes = [tuple(p) for p in prefixes]
        lengths = {len(p) for p in prefixes}
        if len(lengths) > 1:
            raise ValueError(f"step_fn: all prefixes must have the same length, got lengths {sorted(lengths)}")
        t = lengths.pop() if lengths else 0
        if t > log_next.shape[0]:
            raise ValueError(f"step_fn: this model extends prefixes of at most {log_next.shape[0]} tokens, got {t}")
        if t == 0:
            return np.tile(log_first, (len(prefixes), 1))
        last = np.array([p[-1] for p in prefixes], dtype=np.int64)
        if np.any(last < 0) or np.any(last >= n_y):
            raise ValueError(f"step_fn: tokens must be in [0, {n_y}), got {last.tolist()}")
        return log_next[t - 1, last].copy()

    return _NamedStep(step_fn, str(name))


class _NamedStep:
    """A step function with a readable ``repr`` (its ``name``): calling it calls ``fn``."""

    __slots__ = ("fn", "name")

    def __init__(self, fn: StepFunction, name: str) -> None:
        self.fn, self.name = fn, name

    def __call__(self, prefixes):
        return self.fn(prefixes)

    def __repr__(self) -> str:
        return self.name


def _step(step_fn: StepFunction, prefixes: list, where: str) -> np.ndarray:
    out = np.asarray(step_fn(prefixes), dtype=np.float64)
    if out.ndim != 2 or out.shape[0] != len(prefixes) or out.shape[1] == 0:
        raise ValueError(f"{where}: step_fn must return an array (len(prefixes), n_y) = ({len(prefixes)}, n_y) "
                         f"of log-probabilities, got shape {out.shape}")
    return out


def _check_int(value, name: str, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def score_tokens(step_fn: StepFunction, tokens: Sequence[int]) -> float:
    """log P(y | x) of one given token sequence under a step function: the sum of its steps' log-probabilities.

    Arguments:
        step_fn: a step function (see the module doc).
        tokens: sequence of T ints (T >= 1), the output to score.
    Returns: a float, ``sum_t log P(y<t> | y<1..t-1>)`` (<= 0; -inf if a step has probability 0).
    Raises: ValueError if tokens is empty, or step_fn returns an array of the wrong shape or a token is
    outside [0, n_y).
    """
    tokens = tuple(int(k) for k in tokens)
    if not tokens:
        raise ValueError("score_tokens: tokens must hold at least one token")
    total = 0.0
    for t, k in enumerate(tokens):
        row = _step(step_fn, [tokens[:t]], "score_tokens")[0]
        if not 0 <= k < row.shape[0]:
            raise ValueError(f"score_tokens: token {k} at step {t + 1} is outside [0, {row.shape[0]})")
        total += float(row[k])
    return total


def greedy_decode(step_fn: StepFunction, max_len: int, *, end_token: int | None = None) -> tuple:
    """Greedy decoding: the most likely next token at every step (the first index on a tie).

    Arguments:
        step_fn: a step function (see the module doc).
        max_len: int >= 1, the most tokens to produce.
        end_token: index of the end token, or None (every output then has max_len tokens); decoding
            stops after producing it (it is part of the output).
    Returns: ``(tokens, log_prob)``: a list of T ints (T <= max_len) and the float ``sum_t log P``.
    Raises: ValueError if max_len is not an int >= 1 or step_fn returns an array of the wrong shape.
    """
    max_len = _check_int(max_len, "max_len", "greedy_decode", 1)
    tokens, total = (), 0.0
    for _ in range(max_len):
        row = _step(step_fn, [tokens], "greedy_decode")[0]
        k = int(np.argmax(row))
        tokens, total = tokens + (k,), total + float(row[k])
        if end_token is not None and k == end_token:
            break
    return list(tokens), total


def length_normalised_score(log_probs, alpha: float = 1.0) -> float:
    """The length-normalised score of one output: ``(1 / T_y**alpha) * sum_t log_probs[t]``.

    Arguments:
        log_probs: array-like (T_y,), the log-probability of each chosen token (T_y >= 1).
        alpha: float >= 0; 1 divides by the length (the lecture notes' average), 0 leaves the plain sum,
            values in between (0.7 is common) normalise partly.
    Returns: a float (<= 0 for log-probabilities).
    Raises: ValueError if log_probs is not one-dimensional and non-empty, or alpha is negative or not finite.
    """
    lp = np.asarray(log_probs, dtype=np.float64)
    if lp.ndim != 1 or lp.size == 0:
        raise ValueError(f"length_normalised_score: log_probs must have shape (T_y,) with T_y >= 1, got {lp.shape}")
    if not (isinstance(alpha, (int, float, np.integer, np.floating)) and np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"length_normalised_score: alpha must be a finite number >= 0, got {alpha!r}")
    return float(lp.sum() / lp.size ** float(alpha))


def beam_search(step_fn: StepFunction, B: int, max_len: int, *, end_token: int | None = None,
                alpha: float = 1.0) -> list:
    """Beam search of width B: the B best outputs found, best first, as ``(tokens, score)``.

    At every step each of the (at most B) prefixes in the beam is extended by every token; the
    ``B * n_y`` candidates are ranked by their summed log-probability and the best B are kept (ties in
    the order prefix, then token). A kept candidate that ends with ``end_token`` is finished and leaves
    the beam, the others are extended at the next step; after ``max_len`` steps the prefixes still in the
    beam are finished too. The finished outputs are ranked by :func:`length_normalised_score` with
    ``alpha`` (ties keep the order in which they finished) and the best B are returned.
    ``B = 1`` gives :func:`greedy_decode`'s output.

    Arguments:
        step_fn: a step function (see the module doc): list of k prefixes -> array (k, n_y) of log-probabilities.
        B: int >= 1, the beam width.
        max_len: int >= 1, the most tokens an output has (T_y <= max_len).
        end_token: index of the end token, or None (every output has max_len tokens).
        alpha: the length-normalisation exponent of the final ranking (float >= 0; 1: divide by T_y).
    Returns: a list of at most B pairs ``(tokens, score)``, best first: tokens a list of T_y ints,
    score the float ``(1 / T_y**alpha) * sum_t log P(y<t> | x, y<1..t-1>)``.
    Raises: ValueError if B or max_len is not an int >= 1, alpha is negative, or step_fn returns an
    array of the wrong shape.
    """
    B = _check_int(B, "B", "beam_search", 1)
    max_len = _check_int(max_len, "max_len", "beam_search", 1)
    length_normalised_score([0.0], alpha)  # validates alpha
    beam = [((), 0.0)]
    finished = []                                    # (tokens, summed log-probability), in finishing order
    for _ in range(max_len):
        log_p = _step(step_fn, [tokens for tokens, _ in beam], "beam_search")
        beam = _advance(beam, log_p, B, end_token, finished)
        if not beam:
            break
    return _ranked(finished + beam, B, alpha)


def _advance(beam: list, log_p: np.ndarray, B: int, end_token, finished: list) -> list:
    """One step of beam search: the B best extensions of ``beam`` (``log_p`` (len(beam), n_y)); those that end
    are appended to ``finished``, the others returned."""
    totals = np.array([s for _, s in beam])[:, None] + log_p          # (k, n_y)
    order = np.argsort(-totals, axis=None, kind="stable")[:B]
    n_y = log_p.shape[1]
    kept = []
    for flat in order:
        i, k = divmod(int(flat), n_y)
        candidate = (beam[i][0] + (k,), float(totals[i, k]))
        (finished if end_token is not None and k == end_token else kept).append(candidate)
    return kept


def _ranked(finished: list, B: int, alpha: float) -> list:
    scored = [(list(tokens), float(total / len(tokens) ** float(alpha))) for tokens, total in finished]
    order = sorted(range(len(scored)), key=lambda j: -scored[j][1])   # sorted is stable: ties keep their order
    return [scored[j] for j in order[:B]]


def beam_search_many(step_fn_many: Callable[[list, list], np.ndarray], m: int, B: int, max_len: int, *,
                     end_token: int | None = None, alpha: float = 1.0) -> list:
    """:func:`beam_search` on m inputs at once, in lockstep: one model call per step for all their beams.

    The result for input i is exactly ``beam_search(step_fn_i, B, max_len, ...)`` with ``step_fn_i(prefixes) =
    step_fn_many([i] * len(prefixes), prefixes)``; batching the inputs only saves time (a model step on
    m * B rows costs little more than on B rows).

    Arguments:
        step_fn_many: ``step_fn_many(rows, prefixes)`` -> array (k, n_y) of log-probabilities of the next token:
            rows a list of k input indices in [0, m), prefixes a list of k tuples of tokens, all of one length.
        m: int >= 1, the number of inputs.
        B, max_len, end_token, alpha: as :func:`beam_search`.
    Returns: a list of m lists, each as :func:`beam_search` returns (at most B ``(tokens, score)``, best first).
    Raises: ValueError if m, B or max_len is not an int >= 1, alpha is negative, or step_fn_many returns an
    array of the wrong shape.
    """
    m = _check_int(m, "m", "beam_search_many", 1)
    B = _check_int(B, "B", "beam_search_many", 1)
    max_len = _check_int(max_len, "max_len", "beam_search_many", 1)
    length_normalised_score([0.0], alpha)  # validates alpha
    beams = [[((), 0.0)] for _ in range(m)]
    finished = [[] for _ in range(m)]
    for _ in range(max_len):
        rows = [i for i in range(m) for _ in beams[i]]
        if not rows:
            break
        prefixes = [tokens for i in range(m) for tokens, _ in beams[i]]
        log_p = np.asarray(step_fn_many(rows, prefixes), dtype=np.float64)
        if log_p.ndim != 2 or log_p.shape[0] != len(rows) or log_p.shape[1] == 0:
            raise ValueError(f"beam_search_many: step_fn_many must return an array (len(rows), n_y) = "
                             f"({len(rows)}, n_y), got shape {log_p.shape}")
        starts = np.cumsum([0] + [len(beam) for beam in beams])
        by_size = {}                                 # inputs with k prefixes in their beam: ranked together
        for i in range(m):
            if beams[i]:
                by_size.setdefault(len(beams[i]), []).append(i)
        n_y = log_p.shape[1]
        for k, group in by_size.items():
            rows_k = np.concatenate([np.arange(starts[i], starts[i] + k) for i in group])
            scores = np.array([[s for _, s in beams[i]] for i in group])               # (g, k)
            totals = (scores[:, :, None] + log_p[rows_k].reshape(len(group), k, n_y)).reshape(len(group), -1)
            order = np.argsort(-totals, axis=1, kind="stable")[:, :B]                   # as _advance, per input
            for g, i in enumerate(group):
                kept = []
                for flat in order[g]:
                    j, token = divmod(int(flat), n_y)
                    candidate = (beams[i][j][0] + (token,), float(totals[g, flat]))
                    (finished[i] if end_token is not None and token == end_token else kept).append(candidate)
                beams[i] = kept
    return [_ranked(finished[i] + beams[i], B, alpha) for i in range(m)]


def exhaustive_search(step_fn: StepFunction, n_y: int, max_len: int) -> tuple:
    """The exact ``argmax_y P(y | x)`` over all ``n_y ** max_len`` outputs of length max_len (tiny models only).

    Arguments:
        step_fn: a step function (see the module doc).
        n_y: int >= 1, the vocabulary size.
        max_len: int >= 1, the output length; ``n_y ** max_len`` must be at most 100,000.
    Returns: ``(tokens, log_prob)``: a list of max_len ints (the first in lexicographic order on a tie)
    and its float summed log-probability.
    Raises: ValueError if n_y or max_len is not an int >= 1, there are more than 100,000 outputs, or
    step_fn returns an array of the wrong shape.
    """
    n_y = _check_int(n_y, "n_y", "exhaustive_search", 1)
    max_len = _check_int(max_len, "max_len", "exhaustive_search", 1)
    if n_y ** max_len > 100_000:
        raise ValueError(f"exhaustive_search: {n_y}**{max_len} outputs is too many to try (at most 100,000)")
    prefixes, totals = [()], np.zeros(1)
    for _ in range(max_len):
        log_p = _step(step_fn, prefixes, "exhaustive_search")
        if log_p.shape[1] != n_y:
            raise ValueError(f"exhaustive_search: step_fn gives {log_p.shape[1]} tokens, n_y is {n_y}")
        totals = (totals[:, None] + log_p).ravel()
        prefixes = [p + (k,) for p, k in itertools.product(prefixes, range(n_y))]
    best = int(np.argmax(totals))
    return list(prefixes[best]), float(totals[best])


def attribute_error(p_star, p_hat) -> str:
    """Which part is at fault for a wrong output: "beam search" (case 1) or "model" (case 2).

    Case 1, ``P(y* | x) > P(y^ | x)``: the model prefers the human translation y*, but the search returned
    y^, so the search is at fault. Case 2, ``P(y* | x) <= P(y^ | x)`` (a tie included, as in the lecture
    notes): the model itself ranks the wrong output at least as high, so the model is at fault.
    Probabilities and log-probabilities give the same answer (log is increasing); pass both of one kind.

    Arguments:
        p_star: float, P(y* | x) (or its log) of the human translation.
        p_hat: float, P(y^ | x) (or its log) of the decoder's output.
    Returns: the str "beam search" or "model".
    Raises: ValueError if either is not a single real number or is NaN.
    """
    values = []
    for name, v in (("p_star", p_star), ("p_hat", p_hat)):
        a = np.asarray(v)
        if a.ndim != 0 or a.dtype.kind not in "iuf" or math.isnan(float(a)):
            raise ValueError(f"attribute_error: {name} must be one real number (a probability or its log), got {v!r}")
        values.append(float(a))
    return "beam search" if values[0] > values[1] else "model"


# the names of the parts of beam_search's result, for the grading messages (course_utils.grading.checks.Parts)
beam_search.__output_parts__ = "results=[(tokens, score)]"
