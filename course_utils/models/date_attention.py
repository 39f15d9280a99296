"""The date translator: a bidirectional-LSTM encoder and an LSTM decoder with attention, human dates -> ISO dates.

The notes' attention model on a task small enough for one core: read "mardi 30 août 1958" (or "8/30/58", "30 Aug
1958", in 7 locales and 11 formats, :mod:`course_utils.data.dates`), write "1958-08-30".

Model (shapes as :mod:`course_utils.nn.recurrent`'s: features, examples, time):
    encoder   the one-hot characters x ``(n_x, m, T_x)`` -> a bidirectional LSTM
              (:func:`~course_utils.nn.recurrent.bidirectional_forward`, cell "lstm", keys ``Wf_fw, ..., Wf_bw,
              ...``) -> a ``(2 n_a, m, T_x)``;
    decoder   for t = 1 ... T_y (10): the attention of state s<t-1> over a, padding masked
              (:func:`course_utils.nn.attention.one_step_attention_forward`, keys ``W_att, b_att, v_att``) gives
              the context c<t>; an LSTM cell (keys ``Wf_dec, ..., bo_dec``) reads ``[c<t>; y<t-1>]``, the
              context and the one-hot of the previous output character (n_y + 1 entries: the 11 ISO characters
              and the start token, index :data:`START`, at t = 1); ``y_pred<t> = softmax(Wy s<t> + by)``.
Teacher forcing in training: y<t-1> is the true previous character. The decoder is autoregressive, so
greedy decoding (:func:`translate`, the most likely character at each step) is not ``argmax P(y | x)``
(notebook 08's beam search, through :func:`step_function`).

Data: :func:`date_data` (indices ``X (m, T_x)``, ``Y (m, T_y)``; PAD is index 0). Training goes through
:func:`course_utils.optim.loop.train` with ``example_axis=0`` and :func:`date_attention_step`.
The kit's weights: :func:`kit_weights` (data store dataset ``"date_attention"``), loaded by
:func:`load_date_attention`. Kit training uses seeds < 1000; notebooks 07-09 measure on the fresh dates
of seed :data:`FRESH_SEED`.

Sources: the encoder-decoder, I. Sutskever, O. Vinyals and Q. V. Le (2014), "Sequence to Sequence Learning
with Neural Networks", NeurIPS, and K. Cho et al. (2014), EMNLP; attention, D. Bahdanau, K. Cho and Y.
Bengio (2015), "Neural Machine Translation by Jointly Learning to Align and Translate", ICLR; teacher
forcing, R. J. Williams and D. Zipser (1989), "A Learning Algorithm for Continually Running Fully Recurrent
Neural Networks", Neural Computation 1(2); Adam, D. P. Kingma and J. Ba (2015), ICLR.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from course_utils.data.dates import T_X, T_Y, dates_to_arrays, human_vocabulary, machine_vocabulary, make_dates
from course_utils.metrics.sequence import accuracy_by_group, exact_match, exact_matches
from course_utils.models.char_lm import one_hot_indices
from course_utils.nn.activations import log_softmax
from course_utils.nn.attention import initialize_attention, one_step_attention_backward, one_step_attention_forward
from course_utils.nn.recurrent import (bidirectional_backward, bidirectional_forward, initialize_recurrent_parameters,
                                       lstm_cell_backward, lstm_cell_forward, sequence_cross_entropy_cost,
                                       sequence_cross_entropy_cost_backward, softmax_output_backward,
                                       softmax_output_forward)
from course_utils.optim.loop import train
from course_utils.optim.schedules import exponential_lr

# kit_weights is public but not listed: the data store calls it, and it trains for over a minute
# (train_kit_date_attention is the same with settings a test can make small)
__all__ = ["FRESH_SEED", "N_Y", "START", "KIT", "date_data", "initialize_date_attention", "date_attention_forward",
           "date_attention_backward", "date_attention_step", "train_date_attention", "translate",
           "sequence_log_probability", "step_function", "step_function_many", "load_date_attention", "train_kit_date_attention",
           "train_kit_date_model"]

#: the seed of the fresh evaluation dates shared by notebooks 07, 08 and 09 (kit training uses seeds < 1000)
FRESH_SEED = 2026
#: the output vocabulary's size: "0123456789-"
N_Y = 11
#: the decoder's input index of the start token: n_y, after the output characters (11 for the ISO dates)
START = N_Y
_LSTM = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")
#: the kit model's settings
KIT = {"n_a": 32, "n_s": 64, "n_e": 16, "train_m": 8000, "train_seed": 1, "init_seed": 0, "shuffle_seed": 2,
       "num_epochs": 6, "mini_batch_size": 100, "learning_rate": 0.015, "decay_base": 0.8, "test_m": 2000}


def date_data(m, seed):
    """m date pairs as index arrays, written by :func:`course_utils.data.dates.make_dates` (default grid, lowercase).

    Arguments: m -- how many pairs (>= 0); seed -- an int >= 0 (kit training uses seeds < 1000, the notebooks
        :data:`FRESH_SEED`).
    Returns: ``(X, Y, human, iso, locales, formats)``: X ``(m, T_X)`` int64 (characters of
        :func:`~course_utils.data.dates.human_vocabulary`, PAD = 0 at the end), Y ``(m, T_Y)`` int64 (of
        :func:`~course_utils.data.dates.machine_vocabulary`), and four lists of m str: the human date, the ISO
        date, the locale and the format.
    Raises: ValueError as :func:`~course_utils.data.dates.make_dates`.
    """
    human, iso, locales, formats = make_dates(m, seed)
    X, Y = dates_to_arrays(human, iso, T_X, human_vocabulary(), machine_vocabulary())
    return X, Y, human, iso, locales, formats


def initialize_date_attention(n_x=None, n_a=KIT["n_a"], n_s=KIT["n_s"], n_e=KIT["n_e"], n_y=N_Y, seed=0):
    """Random parameters of the model.

    Arguments: n_x -- the input vocabulary's size (None: :func:`~course_utils.data.dates.human_vocabulary`'s, 50);
        n_a -- each encoder direction's state size; n_s -- the decoder's; n_e -- the attention network's
        width; n_y -- output characters; seed -- an int or a Generator.
    Returns: a dict of float64 arrays: ``Wf_fw ... bo_fw``, ``Wf_bw ... bo_bw`` (n_a, n_a + n_x) / (n_a, 1);
        ``W_att (n_e, n_s + 2 n_a)``, ``b_att (n_e, 1)``, ``v_att (1, n_e)``; ``Wf_dec ... bo_dec``
        (n_s, n_s + 2 n_a + n_y + 1) / (n_s, 1); ``Wy (n_y, n_s)``, ``by (n_y, 1)``.
    Raises: ValueError for a size below 1.
    """
    from course_utils.rng import make_rng

    n_x = len(human_vocabulary()) if n_x is None else n_x
    rng = make_rng(seed)
    p = {}
    for suffix in ("_fw", "_bw"):
        p.update({k + suffix: v for k, v in initialize_recurrent_parameters("lstm", n_x, n_a, seed=rng).items()})
    p.update(initialize_attention(n_s, 2 * n_a, n_e, seed=rng))
    dec = initialize_recurrent_parameters("lstm", 2 * n_a + n_y + 1, n_s, n_y=n_y, seed=rng)
    p.update({k + "_dec": dec[k] for k in _LSTM})
    p["Wy"], p["by"] = dec["Wy"], dec["by"]
    return p


def _decoder(parameters):
    return {k: parameters[k + "_dec"] for k in _LSTM}


def _sizes(parameters):
    n_s, n_y = parameters["Wy"].shape[1], parameters["Wy"].shape[0]
    return n_s, n_y, parameters["Wf_fw"].shape[1] - parameters["Wf_fw"].shape[0]


def _dtype(parameters):
    return np.result_type(*(np.asarray(v).dtype for v in parameters.values()), np.float32)


def _check_X(X, n_x, where):
    X = np.asarray(X)
    if X.ndim != 2 or not np.issubdtype(X.dtype, np.integer) or 0 in X.shape:
        raise ValueError(f"{where}: X must be a 2-D integer array (m, T_x) of character indices, got shape "
                         f"{X.shape}, dtype {X.dtype}")
    if X.min() < 0 or X.max() >= n_x:
        raise ValueError(f"{where}: X holds index {int(X.min() if X.min() < 0 else X.max())}, outside the "
                         f"vocabulary's 0 .. {n_x - 1}")
    return X


def _encode(parameters, X):
    """The encoder's a ``(2 n_a, m, T_x)``, the mask ``(m, T_x)`` and the encoder's cache."""
    _, _, n_x = _sizes(parameters)
    x = one_hot_indices(X, n_x, dtype=_dtype(parameters))
    a, cache = bidirectional_forward(x, parameters, cell="lstm")
    return a, X != 0, cache


def _previous(prev, n_y, m, dtype):
    """The one-hot ``(n_y + 1, m)`` of the previous characters (START at the first step)."""
    out = np.zeros((n_y + 1, m), dtype=dtype)
    out[prev, np.arange(m)] = 1
    return out


def _decode_step(parameters, a, mask, s, c, prev, dec=None):
    """One decoder step: attention, the LSTM cell on [context; previous character]. Returns (s, c, alpha, caches)."""
    n_s, n_y, _ = _sizes(parameters)
    (context, alpha), att_cache = one_step_attention_forward(a, s, parameters, mask)
    xt = np.concatenate([context, _previous(prev, n_y, a.shape[1], context.dtype)], axis=0)
    (s, c), cell_cache = lstm_cell_forward(xt, s, c, _decoder(parameters) if dec is None else dec)
    return s, c, alpha, (att_cache, cell_cache)


def date_attention_forward(parameters, X, Y):
    """The teacher-forced forward pass: every step's probabilities, given the true previous characters.

    Arguments: parameters -- from :func:`initialize_date_attention` (or the kit's); X ``(m, T_x)`` int (human
        characters, PAD = 0); Y ``(m, T_y)`` int (ISO characters).
    Returns: ``(y_pred, alphas, cache)``: y_pred ``(n_y, m, T_y)`` probabilities of step t's character given
        X and Y's first t - 1; alphas ``(m, T_y, T_x)``; the cache for :func:`date_attention_backward`.
    Raises: ValueError for X or Y of another shape or with indices outside the vocabularies.
    """
    where = "date_attention_forward"
    n_s, n_y, n_x = _sizes(parameters)
    X = _check_X(X, n_x, where)
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[0] != X.shape[0] or not np.issubdtype(Y.dtype, np.integer) or \
            (Y.size and (Y.min() < 0 or Y.max() >= n_y)):
        raise ValueError(f"{where}: Y must be an integer array (m, T_y) = ({X.shape[0]}, T_y) of indices 0 .. "
                         f"{n_y - 1}, got shape {Y.shape}, dtype {Y.dtype}")
    m, T_y = Y.shape
    a, mask, enc_cache = _encode(parameters, X)
    dec = _decoder(parameters)
    s = np.zeros((n_s, m), dtype=a.dtype)
    c = np.zeros_like(s)
    S, alphas, steps = [], [], []
    for t in range(T_y):
        prev = np.full(m, n_y) if t == 0 else Y[:, t - 1]
        s, c, alpha, step_cache = _decode_step(parameters, a, mask, s, c, prev, dec)
        S.append(s)
        alphas.append(alpha)
        steps.append(step_cache)
    y_pred, out_cache = softmax_output_forward(np.stack(S, axis=2), parameters)
    return y_pred, np.stack(alphas, axis=1), (enc_cache, steps, out_cache, a.shape)


def date_attention_backward(dz, cache):
    """Backward pass of :func:`date_attention_forward` from the gradient of the output scores.

    Arguments: dz ``(n_y, m, T_y)``, the gradient of the cost with respect to ``Wy s<t> + by``
        (:func:`~course_utils.nn.recurrent.sequence_cross_entropy_cost_backward`); cache from the forward pass.
    Returns: grads, a dict ``{"d" + name}`` for every parameter (encoder, attention, decoder, output).
    Raises: ValueError if dz's shape differs from y_pred's.
    """
    enc_cache, steps, out_cache, a_shape = cache
    dS, grads = softmax_output_backward(dz, out_cache)
    n_a2 = a_shape[0]
    da = np.zeros(a_shape, dtype=dS.dtype)
    ds_next = np.zeros(dS.shape[:2], dtype=dS.dtype)
    dc_next = None
    for t in reversed(range(len(steps))):
        att_cache, cell_cache = steps[t]
        dxt, g = lstm_cell_backward(dS[:, :, t] + ds_next, dc_next, cell_cache)
        for k in _LSTM:
            grads["d" + k + "_dec"] = grads.get("d" + k + "_dec", 0) + g["d" + k]
        dc_next = g["dc_prev"]
        da_t, ga = one_step_attention_backward(dxt[:n_a2], att_cache)
        da += da_t
        ds_next = g["da_prev"] + ga["ds_prev"]
        for k in ("W_att", "b_att", "v_att"):
            grads["d" + k] = grads.get("d" + k, 0) + ga["d" + k]
    _, g_enc = bidirectional_backward(da, enc_cache)
    grads.update({k: v for k, v in g_enc.items() if k != "dx"})
    return grads


def date_attention_step(parameters, X, Y):
    """One step for :func:`course_utils.optim.loop.train` (``example_axis=0``): the cost and its gradients.

    Arguments: parameters; X ``(m, T_x)``; Y ``(m, T_y)`` int.
    Returns: ``(cost, grads)``: the cross-entropy summed over the T_y steps, averaged over the batch
        (:func:`~course_utils.nn.recurrent.sequence_cross_entropy_cost`), and its gradients.
    Raises: ValueError as :func:`date_attention_forward`.
    """
    y_pred, _, cache = date_attention_forward(parameters, X, Y)
    y = one_hot_indices(np.asarray(Y), y_pred.shape[0], dtype=y_pred.dtype)
    cost = sequence_cross_entropy_cost(y_pred, y)
    return cost, date_attention_backward(sequence_cross_entropy_cost_backward(y_pred, y), cache)


def train_date_attention(X, Y, parameters, *, learning_rate=0.005, num_epochs=1, mini_batch_size=100, seed=0,
                         decay_base=None, progress=False, desc="date attention", metrics=None):
    """Train with Adam through :func:`course_utils.optim.loop.train` (``example_axis=0``).

    Arguments: X ``(m, T_x)``, Y ``(m, T_y)`` int; parameters (not modified); learning_rate, num_epochs,
        mini_batch_size, seed (epoch e shuffles with seed + e), progress, desc, metrics -- for the loop;
        decay_base -- None for a constant learning rate, else epoch e's is ``learning_rate decay_base**e``
        (:func:`course_utils.optim.schedules.exponential_lr`).
    Returns: ``(parameters, history)`` as the loop returns them.
    Raises: ValueError as :func:`date_attention_step` and the loop.
    """
    return train(date_attention_step, parameters, np.asarray(X), np.asarray(Y), optimizer="adam",
                 config={"learning_rate": learning_rate}, num_epochs=num_epochs, mini_batch_size=mini_batch_size,
                 seed=seed, progress=progress, desc=desc, example_axis=0, metrics=metrics,
                 schedule=None if decay_base is None else functools.partial(exponential_lr, base=float(decay_base)))


def translate(parameters, X, return_attention=False, batch_size=1000):
    """Greedy decoding: at each step the most likely character, fed back as the next step's previous character.

    Arguments: parameters; X ``(m, T_x)`` int; return_attention -- also return the weights; batch_size --
        examples decoded together (memory only; the result does not depend on it).
    Returns: Y_hat ``(m, T_y)`` int64 (machine-vocabulary indices), and with return_attention alphas
        ``(m, T_y, T_x)`` (float, each row sums to 1 over the real characters).
    Raises: ValueError for X that is not a 2-D integer array of the vocabulary's indices.
    """
    n_s, n_y, n_x = _sizes(parameters)
    X = _check_X(X, n_x, "translate")
    outs, alps = [], []
    dec = _decoder(parameters)
    for k in range(0, X.shape[0], int(batch_size)):
        Xb = X[k:k + batch_size]
        m = Xb.shape[0]
        a, mask, _ = _encode(parameters, Xb)
        s = np.zeros((n_s, m), dtype=a.dtype)
        c = np.zeros_like(s)
        prev = np.full(m, n_y)
        ys, als = [], []
        for _t in range(T_Y):
            s, c, alpha, _ = _decode_step(parameters, a, mask, s, c, prev, dec)
            prev = np.argmax(parameters["Wy"] @ s + parameters["by"], axis=0)
            ys.append(prev)
            als.append(alpha)
        outs.append(np.stack(ys, axis=1))
        alps.append(np.stack(als, axis=1))
    Y_hat = np.concatenate(outs).astype(np.int64)
    return (Y_hat, np.concatenate(alps)) if return_attention else Y_hat


def sequence_log_probability(parameters, X, Y):
    """``log P(Y | X)``, the sum over the T_y steps of the log-probability of Y's character (teacher forced).

    Arguments: parameters; X ``(m, T_x)`` int; Y ``(m, T_y)`` int (any candidate translation).
    Returns: ``(m,)`` float64, each <= 0.
    Raises: ValueError as :func:`date_attention_forward`.
    """
    Y = np.asarray(Y)
    y_pred, _, _ = date_attention_forward(parameters, X, Y)
    p = np.take_along_axis(y_pred.astype(np.float64), Y[None], axis=0)[0]            # (m, T_y)
    return np.log(np.clip(p, 1e-300, 1.0)).sum(axis=1)


def step_function_many(parameters, X):
    """A next-character function for beam search on m inputs at once, decoder states cached per (input, prefix).

    Arguments: parameters; X ``(m, T_x)`` int, the inputs' characters (PAD = 0).
    Returns: ``step_fn_many(rows, prefixes) -> log_probs``: rows -- a list of k input indices in [0, m);
        prefixes -- a list of k tuples of output indices, all of one length t (0 <= t < T_y; the empty tuple
        at the start); log_probs ``(k, n_y)`` float64, ``log P(next character | X[row], prefix)``. The inputs
        are encoded once; the decoder state after each (row, prefix) is kept in a dict, so a call runs one
        batched decoder step for the pairs not seen before (their missing ancestors first, one step per
        length). :func:`course_utils.models.decoding.beam_search_many` searches all the inputs in lockstep
        with it (300 dates one at a time cost seconds of Python overhead per beam width).
        step_fn_many raises ValueError if rows and prefixes differ in length, the prefixes differ in length,
        a prefix has T_y or more characters, or a row or an index is out of range.
    Raises: ValueError if X is not a 2-D integer array of the vocabulary's indices.
    """
    n_s, n_y, n_x = _sizes(parameters)
    X = _check_X(X, n_x, "step_function_many")
    a_all, mask_all, _ = _encode(parameters, X)
    dec = _decoder(parameters)
    m = X.shape[0]
    states = {}                                      # (row, prefix) -> (s (n_s,), c (n_s,), log-probabilities (n_y,))

    def run(keys):
        rows = np.array([r for r, _ in keys])
        zero = np.zeros(n_s, dtype=a_all.dtype)
        parents = [states[(r, p[:-1])] if p else (zero, zero) for r, p in keys]
        s = np.stack([q[0] for q in parents], axis=1)
        c = np.stack([q[1] for q in parents], axis=1)
        prev = np.array([p[-1] if p else START for _, p in keys])
        s, c, _, _ = _decode_step(parameters, a_all[:, rows, :], mask_all[rows], s, c, prev, dec)
        logp = log_softmax((parameters["Wy"] @ s + parameters["by"]).astype(np.float64))
        for j, key in enumerate(keys):
            states[key] = (s[:, j], c[:, j], logp[:, j])

    def step_fn_many(rows, prefixes):
        rows = [int(r) for r in rows]
        prefixes = [p if type(p) is tuple else tuple(int(i) for i in p) for p in prefixes]
        if len(rows) != len(prefixes):
            raise ValueError(f"step_fn: {len(rows)} rows but {len(prefixes)} prefixes")
        if not prefixes:
            return np.zeros((0, n_y))
        t = len(prefixes[0])
        if any(len(p) != t for p in prefixes):
            raise ValueError("step_fn: the prefixes must all have the same length, got lengths "
                             f"{sorted({len(p) for p in prefixes})}")
        if t >= T_Y:
            raise ValueError(f"step_fn: a prefix of {t} characters is complete (an ISO date has {T_Y})")
        if any(not 0 <= r < m for r in rows) or any(not 0 <= i < n_y for p in prefixes for i in p):
            raise ValueError(f"step_fn: rows must be in 0 .. {m - 1} and prefix indices in 0 .. {n_y - 1}")
        keys = list(zip(rows, prefixes))
        for k in range(t + 1):                       # the missing ancestors first, one batched step per length
            todo = sorted({(r, p[:k]) for r, p in keys if (r, p[:k]) not in states})
            if todo:
                run(todo)
        return np.stack([states[key][2] for key in keys])

    return step_fn_many


def step_function(parameters, x):
    """A next-character function for beam search on ONE input: :func:`step_function_many` for one row.

    Arguments: parameters; x ``(T_x,)`` int, one human date's characters.
    Returns: ``step_fn(prefixes) -> log_probs``: prefixes -- a list of tuples of output indices, all of the
        same length t (0 <= t < T_y; the empty tuple at the start); log_probs ``(len(prefixes), n_y)``
        float64, ``log P(next character | x, prefix)``, decoder states cached per prefix.
        step_fn raises ValueError for prefixes of different lengths, a prefix of T_y or more characters, or
        an index outside 0 .. n_y - 1.
    Raises: ValueError if x is not a 1-D integer array of the vocabulary's indices.
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"step_function: x must be one input (T_x,), got shape {x.shape}")
    many = step_function_many(parameters, x[None])

    def step_fn(prefixes):
        prefixes = [tuple(int(i) for i in p) for p in prefixes]
        return many([0] * len(prefixes), prefixes)

    return step_fn


def load_date_attention():
    """The kit's trained parameters (data store dataset ``"date_attention"``, built by :func:`kit_weights`).

    Returns: the parameter dict (float32 arrays, the keys of :func:`initialize_date_attention`).
    Raises: DataError (course_utils.data.store) if the weights are not built or do not match the manifest.
    """
    from course_utils.data.store import load_arrays

    return dict(load_arrays("date_attention"))


def train_kit_date_model(settings, initialize, init_names, train_fn, translate_fn, architecture,
                         num_epochs=None, train_m=None, test_m=None):
    """Train a date model for the kit deterministically (one BLAS thread) and measure it on the fresh dates.

    The recipe both date models of Track 5 share (:mod:`course_utils.models.date_transformer` too): float32
    parameters from ``initialize``, ``train_m`` dates of seed ``train_seed``, Adam with an exponentially decaying
    learning rate through the one loop, greedy decoding of ``test_m`` dates of :data:`FRESH_SEED`.
    Arguments: settings -- the model's kit settings (:data:`KIT`: train_m, train_seed, init_seed, shuffle_seed,
        num_epochs, mini_batch_size, learning_rate, decay_base, test_m, and the ``init_names`` sizes);
        initialize -- ``initialize(**sizes, seed=...) -> parameters``; init_names -- the settings passed to it;
        train_fn -- ``train_fn(X, Y, parameters, learning_rate=, num_epochs=, mini_batch_size=, seed=,
        decay_base=) -> (parameters, history)``; translate_fn -- ``translate_fn(parameters, X) -> Y_hat``;
        architecture -- the first half of the manifest's how_built text (the layers, with their sizes);
        num_epochs, train_m, test_m -- None for the settings' values; smaller values make a quick run for tests
        (not the kit's file).
    Returns: ``(arrays, meta)``: the float32 parameters by name, and meta with "source", "licence", "how_built",
        "seed", "figures" (exact match on the fresh dates, overall and per locale; the last epoch's cost) and
        "train_seconds".
    """
    from threadpoolctl import threadpool_limits

    k = dict(settings)
    for name, value in (("num_epochs", num_epochs), ("train_m", train_m), ("test_m", test_m)):
        if value is not None:
            k[name] = int(value)
    with threadpool_limits(limits=1, user_api="blas"):      # one summation order, however many threads are allowed
        X, Y = date_data(k["train_m"], k["train_seed"])[:2]
        p0 = {n: v.astype(np.float32) for n, v in initialize(
            **{n: k[n] for n in init_names}, seed=k["init_seed"]).items()}
        start = time.perf_counter()
        params, history = train_fn(X, Y, p0, learning_rate=k["learning_rate"], num_epochs=k["num_epochs"],
                                   mini_batch_size=k["mini_batch_size"], seed=k["shuffle_seed"],
                                   decay_base=k["decay_base"])
        seconds = time.perf_counter() - start
        Xt, Yt, _, _, locales, _ = date_data(k["test_m"], FRESH_SEED)
        Y_hat = translate_fn(params, Xt)
        acc = exact_match(Y_hat, Yt)
        by_locale = accuracy_by_group(exact_matches(Y_hat, Yt), locales)
    meta = {
        "source": "trained by the kit on dates of course_utils.data.dates.make_dates (generated with faker and babel)",
        "licence": "MIT (the kit's own weights; no downloaded data)",
        "how_built": (f"{architecture}; teacher forcing; {k['train_m']} dates (seed {k['train_seed']}), Adam "
                      f"learning rate {k['learning_rate']} times {k['decay_base']}**epoch, {k['num_epochs']} epochs "
                      f"of mini-batches of {k['mini_batch_size']} (shuffle seed {k['shuffle_seed']}, init seed "
                      f"{k['init_seed']}), float32, one BLAS thread; figures on {k['test_m']} fresh dates (seed "
                      f"{FRESH_SEED}), greedy decoding"),
        "seed": k["init_seed"],
        "figures": {"exact_match_fresh": round(acc, 4),
                    **{f"exact_match_{name}": round(v[0], 4) for name, v in by_locale.items()},
                    "final_cost": round(float(history["cost"][-1]), 4) if history["cost"] else float("nan")},
        "train_seconds": round(seconds, 1),
    }
    return {n: np.asarray(v, dtype=np.float32) for n, v in params.items()}, meta


def train_kit_date_attention(num_epochs=None, train_m=None, test_m=None):
    """Train the kit's model deterministically (one BLAS thread) and measure it on fresh dates.

    Arguments: num_epochs, train_m, test_m -- None for :data:`KIT`'s settings; smaller values make a quick run
        for tests (not the kit's file).
    Returns: ``(arrays, meta)`` as :func:`train_kit_date_model`.
    """
    k = KIT
    architecture = (f"course_utils.models.date_attention.kit_weights(): one-hot characters -> bidirectional LSTM "
                    f"({k['n_a']} + {k['n_a']}) -> attention (width {k['n_e']}, padding masked) -> LSTM decoder "
                    f"({k['n_s']}) on [context; previous character] -> softmax over 11 characters")
    return train_kit_date_model(KIT, initialize_date_attention, ("n_a", "n_s", "n_e"), train_date_attention,
                                translate, architecture, num_epochs, train_m, test_m)


def kit_weights():
    """The kit's ``date_attention`` weights, for the data store (``python -m course_utils.data build date_attention``):
    :func:`train_kit_date_attention` with the kit's settings.

    Returns: ``(arrays, meta)`` as :func:`train_kit_date_attention`.
    """
    return train_kit_date_attention()
