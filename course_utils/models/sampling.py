"""Sampling from a language model: the next token, with a temperature, and whole sequences.

A language model gives, at every step, the probabilities of the next token given the ones before:
``P(y<1>, y<2>, y<3>) = P(y<1>) P(y<2> | y<1>) P(y<3> | y<1>, y<2>)``. Sampling draws a token from
those probabilities, feeds it back as the next input, and repeats until an end token (a newline after
a name, ``<EOS>`` after a sentence) or a length limit.

**Temperature.** ``p_T(k) ∝ p(k)^(1/T)``, the same as ``softmax(z / T)`` for scores z: T = 1 leaves the
model's probabilities as they are; T < 1 sharpens them towards the most likely token (T = 0: always
that token, greedy decoding); T > 1 flattens them towards uniform (more surprising samples, more
mistakes).

**Randomness.** Every function takes ``seed``: an int, or a ``np.random.Generator`` whose stream
continues (:func:`course_utils.rng.make_rng`), never numpy's global state. One draw is one
``rng.random()`` compared with the cumulative probabilities, exactly what ``rng.choice(n, p=p)`` does:
with the same generator, :func:`sample_index` at T = 1 picks the same token as ``rng.choice``, so a
student's ``sample`` written with ``rng.choice`` can be compared with the library token by token.

Source: temperature (the Boltzmann distribution's) applied to a softmax: D. H. Ackley, G. E. Hinton and
T. J. Sejnowski (1985), "A Learning Algorithm for Boltzmann Machines", Cognitive Science 9(1);
character-level generation by sampling: I. Sutskever, J. Martens and G. Hinton (2011), "Generating
Text with Recurrent Neural Networks", ICML.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.activations import softmax
from course_utils.nn.recurrent import (CELLS, gru_cell_forward, lstm_cell_forward, rnn_cell_forward,
                                       softmax_output_forward)
from course_utils.rng import make_rng

__all__ = ["with_temperature", "sample_index", "sample_from_logits", "sample_sequence"]


def _temperature(temperature, where):
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.integer, np.floating)) \
            or not temperature >= 0 or not np.isfinite(temperature):
        raise ValueError(f"{where}: temperature must be a finite number >= 0 (0: always the most likely token), "
                         f"got {temperature!r}")
    return float(temperature)


def _probabilities(probabilities, where):
    p = np.asarray(probabilities)
    if p.ndim not in (1, 2) or p.shape[0] == 0 or 0 in p.shape:
        raise ValueError(f"{where}: probabilities must be (n,) or (n, m) with one distribution per column, "
                         f"got shape {p.shape}")
    if not np.issubdtype(p.dtype, np.number) or np.issubdtype(p.dtype, np.complexfloating):
        raise ValueError(f"{where}: probabilities must be real numbers, got dtype {p.dtype}")
    atol = max(np.sqrt(np.finfo(np.float64).eps),
               np.sqrt(np.finfo(p.dtype).eps) if np.issubdtype(p.dtype, np.floating) else 0.0)
    p = p.astype(np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{where}: probabilities must be finite and >= 0; got entries from {np.nanmin(p)} to "
                         f"{np.nanmax(p)} (pass scores to sample_from_logits)")
    sums = p.sum(axis=0)
    worst = float(np.max(np.abs(sums - 1.0)))
    if worst > atol:
        raise ValueError(f"{where}: every distribution must sum to 1; one sums to {float(np.ravel(sums)[np.argmax(np.abs(sums - 1.0))])!r}"
                         f" (pass scores to sample_from_logits)")
    return p


def _apply(p, T):
    """p (already checked) at temperature T, computed from logs so that small T does not underflow."""
    if T == 1.0:
        return p
    if T == 0.0:
        out = np.zeros_like(p)
        np.put_along_axis(out, np.argmax(p, axis=0)[None], 1.0, axis=0)
        return out
    with np.errstate(divide="ignore"):
        return softmax(np.log(p) / T, axis=0)   # log 0 = -inf: an impossible token stays impossible


def with_temperature(probabilities, temperature):
    """The distribution ``p^(1/T)``, renormalised, for every column of ``probabilities``.

    Arguments: probabilities ``(n,)`` or ``(n, m)``, each column a distribution (>= 0, sums to 1);
        temperature -- T >= 0 (1: unchanged; 0: all the mass on the most likely token, the first of a tie).
    Returns: a new float64 array of the same shape whose columns sum to 1.
    Raises: ValueError if temperature is not a finite number >= 0, or a column is not a distribution
        (negative, non-finite, or not summing to 1 within numpy's tolerance for ``rng.choice``).
    """
    where = "with_temperature"
    T = _temperature(temperature, where)
    p = _probabilities(probabilities, where)
    return _apply(p, T)   # p is a new float64 array already


def _draw(p, rng):
    """One token per column of p ``(n, m)`` (or of p ``(n,)``): ``rng.choice``'s inverse-CDF draw."""
    cdf = np.cumsum(p, axis=0)
    cdf /= cdf[-1]
    if p.ndim == 1:
        return int(np.searchsorted(cdf, rng.random(), side="right"))
    u = rng.random(p.shape[1])
    return (cdf <= u).sum(axis=0).astype(np.int64)   # = searchsorted(cdf[:, j], u[j], side="right")


def sample_index(probabilities, seed=None, temperature=1.0):
    """Draw the next token from ``probabilities`` at a temperature.

    Arguments: probabilities ``(n,)``, or ``(n, m)`` for m independent draws (one per column);
        seed -- an int or a ``np.random.Generator`` (its stream continues); temperature -- T >= 0.
    Returns: an int in ``[0, n)`` for ``(n,)``; an int64 array ``(m,)`` for ``(n, m)``. With a
        generator and T = 1, ``(n,)`` draws what ``rng.choice(n, p=probabilities)`` draws. T = 0 takes
        the most likely token and draws no random number.
    Raises: ValueError if temperature is not a finite number >= 0, or a column is not a distribution.
    """
    where = "sample_index"
    T = _temperature(temperature, where)
    p = _apply(_probabilities(probabilities, where), T)
    if T == 0.0:
        idx = np.argmax(p, axis=0)
        return int(idx) if p.ndim == 1 else idx.astype(np.int64)
    return _draw(p, make_rng(seed))


def sample_from_logits(logits, seed=None, temperature=1.0):
    """Draw the next token from scores z: ``softmax(z / T)``, then as :func:`sample_index`.

    Arguments: logits ``(n,)`` or ``(n, m)`` (any real numbers, one column per draw); seed -- an int or
        a ``np.random.Generator``; temperature -- T >= 0 (0: the largest score, no random number drawn).
    Returns: an int for ``(n,)``, an int64 array ``(m,)`` for ``(n, m)``.
    Raises: ValueError if temperature is not a finite number >= 0, or logits are not a finite real
        ``(n,)`` or ``(n, m)`` array.
    """
    where = "sample_from_logits"
    T = _temperature(temperature, where)
    z = np.asarray(logits)
    if z.ndim not in (1, 2) or 0 in z.shape or not np.issubdtype(z.dtype, np.number) \
            or np.issubdtype(z.dtype, np.complexfloating) or not np.all(np.isfinite(z)):
        raise ValueError(f"{where}: logits must be a finite real array (n,) or (n, m), got shape {z.shape}, "
                         f"dtype {z.dtype}")
    z = z.astype(np.float64)
    if T == 0.0:
        idx = np.argmax(z, axis=0)
        return int(idx) if z.ndim == 1 else idx.astype(np.int64)
    return _draw(softmax(z / T, axis=0), make_rng(seed))


def _lm_sizes(parameters, cell, where):
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: parameters must be a dict of arrays, got {type(parameters).__name__}")
    state_key = {"rnn": "Waa", "gru": "Wu", "lstm": "Wf"}[cell]
    out_key = "Wya" if cell == "rnn" else "Wy"
    for key in (state_key, out_key, "by") + (("Wax",) if cell == "rnn" else ()):
        if key not in parameters:
            raise ValueError(f"{where}: a {cell} language model needs {key!r} in parameters; got the keys "
                             f"{sorted(parameters)}")
    n_a = np.shape(parameters[state_key])[0]
    n_x = np.shape(parameters["Wax"])[1] if cell == "rnn" else np.shape(parameters[state_key])[1] - n_a
    n_y = np.shape(parameters[out_key])[0]
    if n_x != n_y:
        raise ValueError(f"{where}: the model reads the token it wrote, so its input size n_x = {n_x} must equal "
                         f"its vocabulary n_y = {n_y} ({out_key} has shape {np.shape(parameters[out_key])})")
    return n_a, n_y


def _whole(value, name, low, where):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{where}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def sample_sequence(parameters, end_index, seed=None, *, cell="rnn", temperature=1.0, max_length=50,
                    n_samples=1, start_index=None):
    """Generate token sequences from a recurrent language model, one token per step.

    The model reads the one-hot of the token it wrote last (zeros before the first, unless
    ``start_index``), updates its state with the ``cell``'s step (:func:`~course_utils.nn.recurrent.rnn_cell_forward`,
    ...), computes ``softmax(Wya a + by)`` (:func:`~course_utils.nn.recurrent.softmax_output_forward`) and
    draws the next token with :func:`sample_index`. A sequence stops after it draws ``end_index``
    (which it keeps as its last token) or after ``max_length`` tokens (then it has no end token; the
    classic exercise appends one). The ``n_samples`` sequences run side by side, as the columns of one
    batch; the loop over steps is the only loop.

    Arguments:
        parameters -- the model: for ``cell="rnn"`` ``Wax (n_a, n_y)``, ``Waa``, ``ba``, ``Wya (n_y, n_a)``,
            ``by``; for ``"gru"``/``"lstm"`` the cell's parameters (:mod:`course_utils.nn.recurrent`)
            with n_x = n_y, and ``Wy``, ``by``.
        end_index -- the end token's index in ``[0, n_y)``.
        seed -- an int or a ``np.random.Generator`` (its stream continues).
        cell -- ``"rnn"``, ``"gru"`` or ``"lstm"``; temperature -- T >= 0 (see the module docstring).
        max_length -- the most tokens a sequence gets (>= 1); n_samples -- how many sequences (>= 1).
        start_index -- None (the first input is zeros), or the index of a token to start from (not
            included in the result).
    Returns: a list of ``n_samples`` lists of int token indices. With one sample at T = 1 the draws are
        ``rng.choice(n_y, p=y.ravel())`` at every step, the classic exercise's.
    Raises: ValueError for an unknown cell, missing parameters or an input size different from the
        vocabulary, an index outside the vocabulary, a length or count below 1, or a bad temperature.
    """
    where = "sample_sequence"
    if cell not in CELLS:
        raise ValueError(f"{where}: cell must be one of {list(CELLS)}, got {cell!r}")
    T = _temperature(temperature, where)
    n_a, n_y = _lm_sizes(parameters, cell, where)
    end_index = _whole(end_index, "end_index", 0, where)
    if end_index >= n_y:
        raise ValueError(f"{where}: end_index {end_index} is outside the vocabulary of {n_y} tokens (0 to {n_y - 1})")
    max_length = _whole(max_length, "max_length", 1, where)
    m = _whole(n_samples, "n_samples", 1, where)
    rng = make_rng(seed)
    x = np.zeros((n_y, m))
    if start_index is not None:
        start_index = _whole(start_index, "start_index", 0, where)
        if start_index >= n_y:
            raise ValueError(f"{where}: start_index {start_index} is outside the vocabulary of {n_y} tokens")
        x[start_index] = 1.0
    a, c = np.zeros((n_a, m)), np.zeros((n_a, m))
    tokens = np.full((max_length, m), -1, dtype=np.int64)    # -1: the sequence has ended
    running = np.ones(m, dtype=bool)
    columns = np.arange(m)
    for step in range(max_length):
        if cell == "rnn":
            a, _ = rnn_cell_forward(x, a, parameters)
        elif cell == "gru":
            a, _ = gru_cell_forward(x, a, parameters)
        else:
            (a, c), _ = lstm_cell_forward(x, a, c, parameters)
        y = softmax_output_forward(a[:, :, None], parameters)[0][:, :, 0]
        if m == 1:
            idx = np.array([sample_index(y[:, 0], rng, T)])   # rng.random(): the classic rng.choice draw
        else:
            idx = sample_index(y, rng, T)
        tokens[step] = np.where(running, idx, -1)
        running &= idx != end_index
        if not running.any():
            break
        x = np.zeros((n_y, m))
        x[idx, columns] = 1.0
    return [[int(k) for k in column if k >= 0] for column in tokens.T]
