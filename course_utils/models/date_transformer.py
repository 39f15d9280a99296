"""A small transformer that translates human-readable dates into ISO dates (Track 5, notebook 09).

The same task, data and evaluation as notebook 07's attention RNN
(:mod:`course_utils.models.date_attention`: :func:`~course_utils.models.date_attention.date_data`, fresh
dates of seed :data:`~course_utils.models.date_attention.FRESH_SEED`), with the layers of
:mod:`course_utils.nn.transformer` (Vaswani et al., 2017, "Attention Is All You Need"):

- encoder: character embedding ``E_x`` + sinusoidal positional encoding, then ``enc_layers`` encoder
  layers (self-attention with the padding masked, feed-forward, post-norm);
- decoder: the previous ISO character (a start token at t = 0: teacher forcing in training)
  embedded by ``E_y`` + positional encoding, then ``dec_layers`` decoder layers (causal self-attention,
  cross-attention to the encoder with the padding masked, feed-forward);
- output: a linear layer to the 11 characters ``"0123456789-"`` and a softmax at every step.

Layout is batch first: X ``(m, T_x)`` int, Y ``(m, T_y)`` int, activations ``(m, T, d_model)``.
The cost is notebook 07's: the cross-entropy summed over the T_y = 10 steps, averaged over the batch.
Decoding is greedy and autoregressive: step t reads the characters chosen at steps 0..t-1.
"""

from __future__ import annotations

import functools

import numpy as np

from course_utils.data.dates import T_Y, human_vocabulary
from course_utils.models.date_attention import N_Y, START, train_kit_date_model
from course_utils.nn.activations import log_softmax
from course_utils.nn.embedding import embedding_backward, embedding_forward
from course_utils.nn.transformer import (attention_maps, causal_mask, decoder_layer_backward, decoder_layer_forward,
                                         encoder_layer_backward, encoder_layer_forward, initialize_decoder_layer,
                                         initialize_encoder_layer, padding_mask, positional_encoding)
from course_utils.optim.loop import train
from course_utils.optim.schedules import exponential_lr

__all__ = ["KIT", "initialize_date_transformer", "date_transformer_forward", "date_transformer_backward",
           "date_transformer_step", "train_date_transformer", "translate", "train_kit_date_transformer"]

#: the kit model's settings
KIT = {"d_model": 32, "num_heads": 4, "d_ff": 64, "enc_layers": 1, "dec_layers": 1, "train_m": 40000,
       "train_seed": 3, "init_seed": 0, "shuffle_seed": 4, "num_epochs": 4, "mini_batch_size": 100,
       "learning_rate": 0.005, "decay_base": 0.6, "test_m": 2000}


def _config(parameters):
    d = parameters["E_x"].shape[0]
    enc = sorted({k.split("_")[0] for k in parameters if k.startswith("enc")})
    dec = sorted({k.split("_")[0] for k in parameters if k.startswith("dec")})
    return d, int(round(float(parameters["num_heads"]))), enc, dec


def _sub(parameters, prefix):
    return {k[len(prefix):]: v for k, v in parameters.items() if k.startswith(prefix)}


def initialize_date_transformer(n_x=None, d_model=KIT["d_model"], num_heads=KIT["num_heads"], d_ff=KIT["d_ff"],
                                enc_layers=KIT["enc_layers"], dec_layers=KIT["dec_layers"], n_y=N_Y, seed=0):
    """Random parameters of the date transformer.

    Arguments: n_x -- the input vocabulary's size (None: :func:`~course_utils.data.dates.human_vocabulary`'s,
        50); d_model -- the width of every position's vector; num_heads -- h (d_k = d_v = d_model / h);
        d_ff -- the feed-forward width; enc_layers, dec_layers -- how many layers (>= 1); n_y -- output
        characters (the decoder reads n_y + 1 tokens: the start token is index n_y); seed -- an int.
    Returns: a dict of float64 arrays: "E_x" ``(d_model, n_x)``, "E_y" ``(d_model, n_y + 1)`` (normal,
        std 1), "enc{l}_..." and "dec{l}_..." (the keys of
        :func:`~course_utils.nn.transformer.initialize_encoder_layer` and
        :func:`~course_utils.nn.transformer.initialize_decoder_layer`), "Wy" ``(d_model, n_y)``, "by"
        ``(n_y,)``, and "num_heads", a 0-d array (a setting the optimiser leaves alone: it has no gradient).
    Raises: ValueError if num_heads does not divide d_model or a size is below 1.
    """
    n_x = len(human_vocabulary()) if n_x is None else int(n_x)
    if min(n_x, d_model, num_heads, d_ff, enc_layers, dec_layers, n_y) < 1:
        raise ValueError("every size must be at least 1")
    rng = np.random.default_rng(seed)
    p = {"E_x": rng.standard_normal((d_model, n_x)), "E_y": rng.standard_normal((d_model, n_y + 1))}
    for l in range(enc_layers):
        p.update({f"enc{l}_{k}": v for k, v in initialize_encoder_layer(d_model, num_heads, d_ff, rng).items()})
    for l in range(dec_layers):
        p.update({f"dec{l}_{k}": v for k, v in initialize_decoder_layer(d_model, num_heads, d_ff, rng).items()})
    p["Wy"] = rng.standard_normal((d_model, n_y)) / np.sqrt(d_model)
    p["by"] = np.zeros(n_y)
    p["num_heads"] = np.array(float(num_heads))
    return p


def _embed(indices, E):
    e, cache = embedding_forward(indices, E)                       # (d, m, T)
    pe = positional_encoding(indices.shape[1], E.shape[0]).astype(E.dtype)
    return e.transpose(1, 2, 0) + pe, cache


def _trim(X):
    # the trailing columns that are padding in every row: masked anyway, so dropping them changes no output
    used = np.nonzero((X != 0).any(axis=0))[0]
    return X[:, :max(int(used[-1]) + 1 if used.size else 1, 1)]


def _encode(parameters, X):
    d, h, enc, _ = _config(parameters)
    X = _trim(X)
    x, c_emb = _embed(X, parameters["E_x"])
    mask = padding_mask(X, 0)
    caches = []
    for name in enc:
        x, c = encoder_layer_forward(x, _sub(parameters, name + "_"), h, mask)
        caches.append(c)
    return x, mask, (c_emb, caches)


def _decode(parameters, Y_in, enc_out, mask):
    d, h, _, dec = _config(parameters)
    y, c_emb = _embed(Y_in, parameters["E_y"])
    causal = causal_mask(Y_in.shape[1])
    caches = []
    for name in dec:
        y, c = decoder_layer_forward(y, enc_out, _sub(parameters, name + "_"), h, causal, mask)
        caches.append(c)
    return y @ parameters["Wy"] + parameters["by"], y, (c_emb, caches)


def _shifted(Y):
    Y = np.asarray(Y)
    return np.concatenate([np.full((Y.shape[0], 1), START, dtype=np.int64), Y[:, :-1]], axis=1)


def _check(parameters, X, Y=None):
    X = np.asarray(X)
    if X.ndim != 2 or not np.issubdtype(X.dtype, np.integer):
        raise ValueError(f"X must be (m, T_x) integer character indices, got shape {X.shape} and dtype {X.dtype}")
    if Y is not None:
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[0] != X.shape[0] or not np.issubdtype(Y.dtype, np.integer):
            raise ValueError(f"Y must be (m, T_y) integer indices with X's m = {X.shape[0]}, got shape {Y.shape}")
    return X, Y


def date_transformer_forward(parameters, X, Y):
    """Forward pass with teacher forcing: the logits of every step.

    Arguments: parameters -- from :func:`initialize_date_transformer` (or the kit's); X ``(m, T_x)`` int
        characters (PAD = 0 at the end); Y ``(m, T_y)`` int, the target ISO characters (step t reads Y[:, t-1],
        step 0 the start token).
    Returns: ``(logits, cache)``: logits ``(m, T_y, n_y)``.
    Raises: ValueError for X or Y of the wrong shape or dtype.
    """
    X, Y = _check(parameters, X, Y)
    enc_out, mask, c_enc = _encode(parameters, X)
    logits, y, c_dec = _decode(parameters, _shifted(Y), enc_out, mask)
    return logits, (parameters, c_enc, c_dec, y)


def date_transformer_backward(d_logits, cache):
    """Backward pass of :func:`date_transformer_forward`.

    Arguments: d_logits ``(m, T_y, n_y)``; cache from the forward pass.
    Returns: grads, a dict with "d" + name for every parameter except "num_heads".
    Raises: ValueError if d_logits's shape is not the logits'.
    """
    parameters, (c_ex, enc_caches), (c_ey, dec_caches), y = cache
    if np.shape(d_logits) != y.shape[:2] + (parameters["Wy"].shape[1],):
        raise ValueError(f"d_logits has shape {np.shape(d_logits)}, but the logits have shape "
                         f"{y.shape[:2] + (parameters['Wy'].shape[1],)}")
    _, _, enc, dec = _config(parameters)
    grads = {"dWy": y.reshape(-1, y.shape[-1]).T @ d_logits.reshape(-1, d_logits.shape[-1]),
             "dby": d_logits.sum(axis=(0, 1))}
    dy = d_logits @ parameters["Wy"].T
    d_enc = 0
    for name, c in zip(reversed(dec), reversed(dec_caches)):
        (dy, de), g = decoder_layer_backward(dy, c)
        d_enc = d_enc + de
        grads.update({"d" + name + "_" + k[1:]: v for k, v in g.items()})
    grads["dE_y"] = embedding_backward(dy.transpose(2, 0, 1), c_ey)[1]["dE"]
    dx = d_enc
    for name, c in zip(reversed(enc), reversed(enc_caches)):
        dx, g = encoder_layer_backward(dx, c)
        grads.update({"d" + name + "_" + k[1:]: v for k, v in g.items()})
    grads["dE_x"] = embedding_backward(dx.transpose(2, 0, 1), c_ex)[1]["dE"]
    grads["dnum_heads"] = np.zeros_like(parameters["num_heads"])
    return grads


def date_transformer_step(parameters, X, Y):
    """One step for :func:`course_utils.optim.loop.train` (``example_axis=0``): the cost and its gradients.

    Arguments: parameters; X ``(m, T_x)``; Y ``(m, T_y)`` int.
    Returns: ``(cost, grads)``: the cross-entropy summed over the T_y steps and averaged over the m examples
        (notebook 07's cost), a float, and its gradients ("dnum_heads" is 0: the setting does not train).
    Raises: ValueError as :func:`date_transformer_forward`.
    """
    logits, cache = date_transformer_forward(parameters, X, Y)
    Y = np.asarray(Y)
    m = Y.shape[0]
    logp = log_softmax(logits, axis=-1)
    picked = np.take_along_axis(logp, Y[..., None], axis=-1)
    cost = -float(picked.sum()) / m
    d_logits = np.exp(logp)
    np.put_along_axis(d_logits, Y[..., None], np.take_along_axis(d_logits, Y[..., None], axis=-1) - 1, axis=-1)
    return cost, date_transformer_backward(d_logits / m, cache)


def train_date_transformer(X, Y, parameters, *, learning_rate=KIT["learning_rate"], num_epochs=1,
                           mini_batch_size=KIT["mini_batch_size"], seed=0, decay_base=None, progress=False,
                           desc="date transformer", metrics=None):
    """Train with Adam through :func:`course_utils.optim.loop.train` (``example_axis=0``).

    Arguments: X ``(m, T_x)``, Y ``(m, T_y)`` int; parameters (not modified); learning_rate, num_epochs,
        mini_batch_size, seed (epoch e shuffles with seed + e), progress, desc, metrics -- for the loop;
        decay_base -- None for a constant learning rate, or b for learning_rate * b**epoch
        (:func:`course_utils.optim.schedules.exponential_lr`).
    Returns: ``(parameters, history)`` as the loop returns them.
    Raises: ValueError as :func:`date_transformer_step` and the loop.
    """
    return train(date_transformer_step, parameters, np.asarray(X), np.asarray(Y), optimizer="adam",
                 config={"learning_rate": learning_rate}, num_epochs=num_epochs, mini_batch_size=mini_batch_size,
                 seed=seed, progress=progress, desc=desc, example_axis=0, metrics=metrics,
                 schedule=None if decay_base is None else functools.partial(exponential_lr, base=float(decay_base)))


def translate(parameters, X, return_attention=False, batch_size=1000):
    """Greedy autoregressive decoding: step t reads the characters chosen at steps 0..t-1 (causal mask).

    Arguments: parameters; X ``(m, T_x)`` int characters; return_attention -- also return the last decoder
        layer's cross-attention weights; batch_size -- examples decoded at once (memory only).
    Returns: ``Y_hat`` ``(m, 10)`` int64 indices of ``"0123456789-"``; with return_attention,
        ``(Y_hat, weights)``, weights ``(m, h, 10, T_x)``: head k's attention of output step t over the
        input characters, from the last decoding pass (each row sums to 1, padding gets 0).
    Raises: ValueError for X of the wrong shape or dtype.
    """
    X, _ = _check(parameters, X)
    outs, maps = [], []
    for start in range(0, X.shape[0], int(batch_size)):
        Xb = X[start:start + int(batch_size)]
        enc_out, mask, _ = _encode(parameters, Xb)
        Y_in = np.full((Xb.shape[0], 1), START, dtype=np.int64)
        for t in range(T_Y):
            logits, _, (_, caches) = _decode(parameters, Y_in, enc_out, mask)
            nxt = logits[:, -1].argmax(axis=-1)
            Y_in = np.concatenate([Y_in, nxt[:, None]], axis=1)
        outs.append(Y_in[:, 1:])
        if return_attention:
            W = attention_maps(caches[-1])["cross"]                 # (m, h, 10, T_x of the trimmed batch)
            maps.append(np.pad(W, [(0, 0), (0, 0), (0, 0), (0, X.shape[1] - W.shape[-1])]))
    Y_hat = np.concatenate(outs, axis=0) if outs else np.zeros((0, T_Y), dtype=np.int64)
    if return_attention:
        _, h, _, _ = _config(parameters)
        W = np.concatenate(maps, axis=0) if maps else np.zeros((0, h, T_Y, X.shape[1]))
        return Y_hat, W
    return Y_hat


def load_date_transformer():
    """The kit's trained parameters (data store dataset ``"date_transformer"``, built by :func:`kit_weights`).

    Returns: the parameter dict (float32 arrays, the keys of :func:`initialize_date_transformer`).
    Raises: DataError (course_utils.data.store) if the weights are not built or do not match the manifest.
    """
    from course_utils.data.store import load_arrays

    return dict(load_arrays("date_transformer"))


def train_kit_date_transformer(num_epochs=None, train_m=None, test_m=None):
    """Train the kit's transformer deterministically (one BLAS thread) and measure it on fresh dates.

    Arguments: num_epochs, train_m, test_m -- None for :data:`KIT`'s settings; smaller values make a quick run
        for tests (not the kit's file).
    Returns: ``(arrays, meta)`` as :func:`course_utils.models.date_attention.train_kit_date_model`, the recipe
    both date models share.
    """
    k = KIT
    architecture = (f"course_utils.models.date_transformer.kit_weights(): character embedding + sinusoidal "
                    f"positions -> {k['enc_layers']} encoder layers -> {k['dec_layers']} decoder layers (causal "
                    f"self-attention, cross-attention, padding masked) -> softmax over 11 characters; d_model "
                    f"{k['d_model']}, {k['num_heads']} heads, d_ff {k['d_ff']}, post-norm, no dropout")
    return train_kit_date_model(KIT, initialize_date_transformer, ("d_model", "num_heads", "d_ff", "enc_layers",
                                                                     "dec_layers"),
                                train_date_transformer, translate, architecture, num_epochs, train_m, test_m)


def kit_weights():
    """The kit's ``date_transformer`` weights, for the data store
    (``python -m course_utils.data build date_transformer``): :func:`train_kit_date_transformer` with the kit's
    settings.

    Returns: ``(arrays, meta)`` as :func:`train_kit_date_transformer`.
    """
    return train_kit_date_transformer()
