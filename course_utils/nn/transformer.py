"""The transformer's layers (Vaswani et al., 2017, "Attention Is All You Need"), forward and backward, in numpy.

Layout: **batch first**, the field's usual layout for transformers. A batch of sequences is
``(m, T, d)``: m examples, T positions, d features per position, one position per *row*. Part 1's
recurrent layers use ``(n_x, m, T_x)``, one example per *column*; the two hold the same numbers,
``x_rec = x.transpose(2, 0, 1)``. With rows, the notes' column products become row products:
``q = W^Q x`` for a column x is ``q = x @ Wq`` for a row x, with ``Wq = (W^Q)^T`` of shape
``(d_model, d_k)``.

- :func:`scaled_dot_product_attention` -- softmax(Q K^T / sqrt(d_k)) V with an optional mask, and
  its forward/backward pair :func:`attention_forward` / :func:`attention_backward`;
- :func:`get_angles`, :func:`positional_encoding` -- the sinusoidal positional encoding;
- :func:`multi_head_attention` -- h heads (split, attend, concatenate, W_0), and its pair
  :func:`multi_head_attention_forward` / :func:`multi_head_attention_backward`;
- :func:`layer_norm_forward` / :func:`layer_norm_backward` -- layer normalisation over the features
  (Ba, Kiros and Hinton, 2016, "Layer Normalization");
- :func:`feed_forward_forward` / :func:`feed_forward_backward` -- the position-wise ReLU network;
- :func:`encoder_layer_forward` / :func:`encoder_layer_backward` and :func:`decoder_layer_forward` /
  :func:`decoder_layer_backward` -- Vaswani et al.'s layers (post-norm: LayerNorm(x + Sublayer(x))),
  without dropout; :func:`initialize_encoder_layer`, :func:`initialize_decoder_layer`;
- :func:`causal_mask`, :func:`padding_mask` -- which keys a query may attend to; :func:`attention_maps`
  reads a layer's attention weights from its cache.

Masks: 1 (True) where a query may attend to a key, 0 (False) where it may not; a masked score is
replaced by -1e9 before the softmax, so its weight is exactly 0. Every query must be allowed at
least one key. Gradients follow the library's convention: layers sum over the batch and never
divide by m (the cost's gradient carries the 1/m).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MASKED_SCORE", "scaled_dot_product_attention", "attention_forward", "attention_backward",
           "get_angles", "positional_encoding", "causal_mask", "padding_mask",
           "multi_head_attention", "multi_head_attention_forward", "multi_head_attention_backward",
           "layer_norm_forward", "layer_norm_backward", "feed_forward_forward", "feed_forward_backward",
           "initialize_encoder_layer", "initialize_decoder_layer", "encoder_layer_forward",
           "encoder_layer_backward", "decoder_layer_forward", "decoder_layer_backward", "attention_maps"]

#: the score a masked (query, key) pair gets before the softmax: its weight becomes exactly 0
MASKED_SCORE = -1e9


def _swap(a):
    return np.swapaxes(a, -1, -2)


# --- scaled dot-product attention ----------------------------------------------------------------------

def attention_forward(Q, K, V, mask=None):
    """Scaled dot-product attention, softmax(Q K^T / sqrt(d_k)) V, with its cache.

    Arguments: Q ``(..., T_q, d_k)`` queries; K ``(..., T_k, d_k)`` keys; V ``(..., T_k, d_v)``
    values (the leading axes, e.g. ``(m,)`` or ``(m, h)``, broadcast); mask -- None, or an array
    broadcastable to ``(..., T_q, T_k)``: 1/True where query i may attend to key j, 0/False where not.
    Returns: ``(out, cache)``: out ``(..., T_q, d_v)``, each row the attention-weighted sum of V's rows;
    the cache holds the weights ``(..., T_q, T_k)`` (rows sum to 1, masked entries exactly 0).
    Raises: ValueError if Q and K differ in d_k, K and V in T_k, the mask does not broadcast, or a
    query is allowed no key at all.
    """
    Q, K, V = np.asarray(Q), np.asarray(K), np.asarray(V)
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q's rows have d_k = {Q.shape[-1]} features but K's have {K.shape[-1]}: "
                         f"queries and keys must have the same length to take dot products")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K has T_k = {K.shape[-2]} keys but V has {V.shape[-2]} values: one value per key")
    scale = 1.0 / float(np.sqrt(Q.shape[-1]))   # a Python float keeps float32 inputs float32
    scores = (Q @ _swap(K)) * scale
    if mask is not None:
        try:
            allowed = np.broadcast_to(np.asarray(mask).astype(bool), scores.shape)
        except ValueError:
            raise ValueError(f"the mask of shape {np.shape(mask)} does not broadcast to the scores' shape "
                             f"{scores.shape} (..., T_q, T_k)") from None
        if not allowed.any(axis=-1).all():
            raise ValueError("a query is allowed no key (a mask row of zeros): every query must attend to something")
        scores = np.where(allowed, scores, MASKED_SCORE)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    out = weights @ V
    return out, (Q, K, V, weights, scale)


def attention_backward(d_out, cache):
    """Backward pass of :func:`attention_forward`.

    Arguments: d_out ``(..., T_q, d_v)`` -- the upstream gradient of the output; cache -- from
    :func:`attention_forward`.
    Returns: ``(dQ, dK, dV)`` with the shapes of Q ``(..., T_q, d_k)``, K ``(..., T_k, d_k)`` and V
    ``(..., T_k, d_v)`` (axes that were broadcast are summed back). No parameters. Masked pairs get
    no gradient. Raises: ValueError if d_out's shape is not the output's.
    """
    Q, K, V, weights, scale = cache
    out_shape = weights.shape[:-1] + (V.shape[-1],)
    if np.shape(d_out) != out_shape:
        raise ValueError(f"d_out has shape {np.shape(d_out)}, but the attention output has shape {out_shape}")
    dV = _swap(weights) @ d_out
    dW = d_out @ _swap(V)
    dS = weights * (dW - (dW * weights).sum(axis=-1, keepdims=True)) * scale
    dQ = dS @ K
    dK = _swap(dS) @ Q
    return _unbroadcast(dQ, Q.shape), _unbroadcast(dK, K.shape), _unbroadcast(dV, V.shape)


def _unbroadcast(g, shape):
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def scaled_dot_product_attention(Q, K, V, mask=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V (Vaswani et al., 2017), and its weights.

    Arguments: Q ``(..., T_q, d_k)``, K ``(..., T_k, d_k)``, V ``(..., T_k, d_v)``; mask -- None or
    broadcastable to ``(..., T_q, T_k)``, 1 where query i may attend to key j, 0 where it may not (its
    score becomes :data:`MASKED_SCORE`, -1e9, so its weight is 0).
    Returns: ``(output, weights)``: output ``(..., T_q, d_v)``; weights ``(..., T_q, T_k)``, each row
    a softmax over the keys. Raises: ValueError as :func:`attention_forward`.
    """
    out, cache = attention_forward(Q, K, V, mask)
    return out, cache[3]


# --- positional encoding -----------------------------------------------------------------------------

def get_angles(pos, i, d):
    """The angles of the sinusoidal positional encoding: pos / 10000^(2 floor(i/2) / d).

    Arguments: pos -- positions, an array (e.g. ``(T, 1)``); i -- feature indices 0..d-1 (e.g.
    ``(1, d)``); d -- the encoding's size d_model (an int >= 1). pos and i broadcast.
    Returns: a float array of the broadcast shape (``(T, d)`` for the examples): features 2k and 2k+1
    share the angle pos / 10000^(2k/d), so their wavelength grows from 2 pi to 10000 * 2 pi.
    Raises: ValueError for d < 1.
    """
    if int(d) < 1:
        raise ValueError(f"d must be at least 1, not {d}")
    i = np.asarray(i)
    return np.asarray(pos, dtype=np.float64) / np.power(10000.0, (2 * (i // 2)) / float(d))


def positional_encoding(positions, d):
    """The sinusoidal positional encoding of Vaswani et al. (2017), ``(positions, d)``.

    PE[pos, 2k] = sin(pos / 10000^(2k/d)), PE[pos, 2k+1] = cos(pos / 10000^(2k/d)), for positions
    0..positions-1. Arguments: positions -- how many positions (>= 1); d -- d_model (>= 1).
    Returns: a new float64 array ``(positions, d)``, values in [-1, 1]; it is added to the
    embeddings ``(m, T, d)`` of a batch by broadcasting (rows 0..T-1).
    Raises: ValueError for positions < 1 or d < 1.
    """
    if int(positions) < 1:
        raise ValueError(f"positions must be at least 1, not {positions}")
    angles = get_angles(np.arange(int(positions))[:, None], np.arange(int(d))[None, :], int(d))
    pe = np.empty_like(angles)
    pe[:, 0::2] = np.sin(angles[:, 0::2])
    pe[:, 1::2] = np.cos(angles[:, 1::2])
    return pe


def causal_mask(T):
    """The look-ahead mask of a decoder: position i may attend to positions 0..i only.

    Arguments: T -- the number of positions (>= 1). Returns: a bool array ``(T, T)``, lower
    triangular (True on and below the diagonal). Raises: ValueError for T < 1.
    """
    if int(T) < 1:
        raise ValueError(f"T must be at least 1, not {T}")
    return np.tril(np.ones((int(T), int(T)), dtype=bool))


def padding_mask(X, pad=0):
    """The mask that hides padding keys: ``(m, 1, T)``, True where ``X[j, t] != pad``.

    Arguments: X -- token indices ``(m, T)``; pad -- the padding index. Returns: a bool array
    ``(m, 1, T)`` that broadcasts against scores ``(m, T_q, T)`` (every query sees the same keys).
    Raises: ValueError if X is not 2-D.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be (m, T) token indices, got shape {X.shape}")
    return (X != pad)[:, None, :]


# --- multi-head attention ------------------------------------------------------------------------------

def _split_heads(x, h):
    m, T, hd = x.shape
    return x.reshape(m, T, h, hd // h).transpose(0, 2, 1, 3)          # (m, h, T, d)


def _merge_heads(x):
    m, h, T, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(m, T, h * d)


def _check_heads(Q, K, V, parameters, num_heads):
    for name, x in (("Q", Q), ("K", K), ("V", V)):
        if np.ndim(x) != 3:
            raise ValueError(f"{name} must be (m, T, d), got shape {np.shape(x)}")
    h = int(num_heads)
    if h < 1:
        raise ValueError(f"num_heads must be at least 1, not {num_heads}")
    for name, x in (("Wq", Q), ("Wk", K), ("Wv", V)):
        W = parameters[name]
        if W.shape[0] != x.shape[-1]:
            raise ValueError(f"{name} has {W.shape[0]} rows but its input has {x.shape[-1]} features")
        if W.shape[1] % h:
            raise ValueError(f"{name} has {W.shape[1]} columns, not a multiple of num_heads = {h}")
    if parameters["Wq"].shape[1] != parameters["Wk"].shape[1]:
        raise ValueError(f"Wq gives {parameters['Wq'].shape[1]} query features but Wk {parameters['Wk'].shape[1]} "
                         f"key features: they must match (h * d_k)")
    if parameters["Wo"].shape[0] != parameters["Wv"].shape[1]:
        raise ValueError(f"Wo has {parameters['Wo'].shape[0]} rows but the heads concatenate to "
                         f"{parameters['Wv'].shape[1]} features (h * d_v)")
    if K.shape[:2] != V.shape[:2]:
        raise ValueError(f"K {K.shape} and V {V.shape} must have the same (m, T_k)")


def multi_head_attention_forward(Q, K, V, parameters, num_heads, mask=None):
    """Multi-head attention, concat(head_1, ..., head_h) W_0 with head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V).

    Arguments: Q ``(m, T_q, d_q)``, K ``(m, T_k, d_kv)``, V ``(m, T_k, d_kv)`` (self-attention passes
    the same X three times); parameters -- "Wq" ``(d_q, h d_k)``, "Wk" ``(d_kv, h d_k)``, "Wv"
    ``(d_kv, h d_v)`` (head i uses columns ``i d_k .. (i+1) d_k - 1``) and "Wo" ``(h d_v, d_out)``, the
    notes' W_0; num_heads -- h; mask -- None or broadcastable to ``(m, T_q, T_k)`` (shared by the heads).
    Returns: ``(out, cache)``: out ``(m, T_q, d_out)``; :func:`attention_maps` reads the weights
    ``(m, h, T_q, T_k)`` from the cache. Raises: ValueError for inconsistent shapes (naming them).
    """
    Q, K, V = np.asarray(Q), np.asarray(K), np.asarray(V)
    _check_heads(Q, K, V, parameters, num_heads)
    h = int(num_heads)
    q = _split_heads(Q @ parameters["Wq"], h)
    k = _split_heads(K @ parameters["Wk"], h)
    v = _split_heads(V @ parameters["Wv"], h)
    mask4 = None if mask is None else np.expand_dims(np.asarray(mask), -3)
    heads, att_cache = attention_forward(q, k, v, mask4)
    concat = _merge_heads(heads)
    out = concat @ parameters["Wo"]
    return out, (Q, K, V, parameters, h, att_cache, concat)


def multi_head_attention_backward(d_out, cache):
    """Backward pass of :func:`multi_head_attention_forward`.

    Arguments: d_out ``(m, T_q, d_out)``; cache -- from the forward pass.
    Returns: ``((dQ, dK, dV), grads)`` with dQ ``(m, T_q, d_q)``, dK and dV ``(m, T_k, d_kv)`` (for
    self-attention the input's gradient is their sum) and grads ``{"dWq", "dWk", "dWv", "dWo"}``, summed
    over the batch. Raises: ValueError if d_out's shape is not the output's.
    """
    Q, K, V, parameters, h, att_cache, concat = cache
    out_shape = concat.shape[:2] + (parameters["Wo"].shape[1],)
    if np.shape(d_out) != out_shape:
        raise ValueError(f"d_out has shape {np.shape(d_out)}, but the multi-head output has shape {out_shape}")
    d_out = np.asarray(d_out)
    dWo = concat.reshape(-1, concat.shape[-1]).T @ d_out.reshape(-1, d_out.shape[-1])
    d_heads = _split_heads(d_out @ parameters["Wo"].T, h)
    dq, dk, dv = attention_backward(d_heads, att_cache)
    dq, dk, dv = _merge_heads(dq), _merge_heads(dk), _merge_heads(dv)
    grads = {}
    d_inputs = []
    for name, x, dx in (("Wq", Q, dq), ("Wk", K, dk), ("Wv", V, dv)):
        grads["d" + name] = x.reshape(-1, x.shape[-1]).T @ dx.reshape(-1, dx.shape[-1])
        d_inputs.append(dx @ parameters[name].T)
    grads["dWo"] = dWo
    return tuple(d_inputs), grads


def multi_head_attention(Q, K, V, parameters, num_heads, mask=None):
    """MultiHead(Q, K, V) = concat(head_1, ..., head_h) W_0 (Vaswani et al., 2017), and the heads' weights.

    Arguments: as :func:`multi_head_attention_forward`: Q ``(m, T_q, d_q)``, K and V ``(m, T_k, d_kv)``,
    parameters "Wq" ``(d_q, h d_k)``, "Wk" ``(d_kv, h d_k)``, "Wv" ``(d_kv, h d_v)``, "Wo" ``(h d_v, d_out)``,
    num_heads h, mask None or broadcastable to ``(m, T_q, T_k)``.
    Returns: ``(output, weights)``: output ``(m, T_q, d_out)``, weights ``(m, h, T_q, T_k)``.
    Raises: ValueError for inconsistent shapes.
    """
    out, cache = multi_head_attention_forward(Q, K, V, parameters, num_heads, mask)
    return out, cache[5][3]


# --- layer norm and the feed-forward network --------------------------------------------------------------

def layer_norm_forward(x, gamma, beta, eps=1e-6):
    """Layer normalisation over the last axis (Ba, Kiros and Hinton, 2016): gamma * (x - mean) / sqrt(var + eps) + beta.

    Arguments: x ``(..., d)``, e.g. ``(m, T, d_model)``: each position is normalised over its own d
    features (no batch statistics, so training and test behave the same); gamma, beta ``(d,)``; eps.
    Returns: ``(out, cache)``, out with x's shape. Raises: ValueError if gamma or beta is not ``(d,)``.
    """
    x = np.asarray(x)
    d = x.shape[-1]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if np.shape(p) != (d,):
            raise ValueError(f"{name} must have shape ({d},) for x of shape {x.shape}, got {np.shape(p)}")
    mu = x.mean(axis=-1, keepdims=True)
    inv = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - mu) * inv
    return gamma * xhat + beta, (xhat, inv, gamma)


def layer_norm_backward(d_out, cache):
    """Backward pass of :func:`layer_norm_forward`.

    Arguments: d_out ``(..., d)``; cache from the forward pass.
    Returns: ``(dx, {"dgamma", "dbeta"})``: dx ``(..., d)``; dgamma, dbeta ``(d,)`` summed over every
    position of the batch. Raises: ValueError if d_out's shape is not the output's.
    """
    xhat, inv, gamma = cache
    if np.shape(d_out) != xhat.shape:
        raise ValueError(f"d_out has shape {np.shape(d_out)}, but the layer norm's output has shape {xhat.shape}")
    d_out = np.asarray(d_out)
    d = xhat.shape[-1]
    dxhat = d_out * gamma
    dx = inv / d * (d * dxhat - dxhat.sum(axis=-1, keepdims=True)
                    - xhat * (dxhat * xhat).sum(axis=-1, keepdims=True))
    axes = tuple(range(d_out.ndim - 1))
    return dx, {"dgamma": (d_out * xhat).sum(axis=axes), "dbeta": d_out.sum(axis=axes)}


def feed_forward_forward(x, parameters):
    """The position-wise feed-forward network, max(0, x W1 + b1) W2 + b2, the same at every position.

    Arguments: x ``(..., d_model)``; parameters "W1" ``(d_model, d_ff)``, "b1" ``(d_ff,)``, "W2"
    ``(d_ff, d_model)``, "b2" ``(d_model,)``. Returns: ``(out, cache)``, out ``(..., d_model)``.
    Raises: ValueError if W1's rows do not match x's features.
    """
    x = np.asarray(x)
    if parameters["W1"].shape[0] != x.shape[-1]:
        raise ValueError(f"W1 has {parameters['W1'].shape[0]} rows but x has {x.shape[-1]} features")
    z = x @ parameters["W1"] + parameters["b1"]
    r = np.maximum(z, 0)
    return r @ parameters["W2"] + parameters["b2"], (x, z, r, parameters)


def feed_forward_backward(d_out, cache):
    """Backward pass of :func:`feed_forward_forward`.

    Arguments: d_out ``(..., d_model)``; cache from the forward pass.
    Returns: ``(dx, {"dW1", "db1", "dW2", "db2"})``, dx ``(..., d_model)``, the gradients summed over
    every position. Raises: ValueError if d_out's shape is not the output's.
    """
    x, z, r, p = cache
    out_shape = x.shape[:-1] + (p["W2"].shape[1],)
    if np.shape(d_out) != out_shape:
        raise ValueError(f"d_out has shape {np.shape(d_out)}, but the feed-forward output has shape {out_shape}")
    d2 = np.asarray(d_out).reshape(-1, out_shape[-1])
    dr = d2 @ p["W2"].T
    dz = dr * (z.reshape(dr.shape) > 0)
    grads = {"dW1": x.reshape(-1, x.shape[-1]).T @ dz, "db1": dz.sum(axis=0),
             "dW2": r.reshape(-1, r.shape[-1]).T @ d2, "db2": d2.sum(axis=0)}
    return (dz @ p["W1"].T).reshape(x.shape), grads


# --- encoder and decoder layers -------------------------------------------------------------------------

_ATTENTION = ("Wq", "Wk", "Wv", "Wo")
_FFN = ("W1", "b1", "W2", "b2")


def _sub(parameters, prefix, names):
    return {n: parameters[prefix + n] for n in names}


def _attention_init(rng, d_model, num_heads):
    s = 1.0 / np.sqrt(d_model)
    return {n: rng.standard_normal((d_model, d_model)) * s for n in _ATTENTION}


def _layer_init(seed, d_model, num_heads, d_ff, attentions):
    if d_model % int(num_heads):
        raise ValueError(f"d_model = {d_model} is not a multiple of num_heads = {num_heads}")
    rng = np.random.default_rng(seed)
    p = {}
    for prefix in attentions:
        p.update({prefix + n: w for n, w in _attention_init(rng, d_model, num_heads).items()})
    p.update({"ffn_W1": rng.standard_normal((d_model, d_ff)) * np.sqrt(2.0 / d_model), "ffn_b1": np.zeros(d_ff),
              "ffn_W2": rng.standard_normal((d_ff, d_model)) * np.sqrt(1.0 / d_ff), "ffn_b2": np.zeros(d_model)})
    for k in range(1, len(attentions) + 2):
        p[f"ln{k}_gamma"], p[f"ln{k}_beta"] = np.ones(d_model), np.zeros(d_model)
    return p


def initialize_encoder_layer(d_model, num_heads, d_ff, seed=0):
    """Parameters of one encoder layer: self-attention, layer norm, feed-forward, layer norm.

    Arguments: d_model, num_heads (h, dividing d_model: d_k = d_v = d_model / h), d_ff; seed -- an
    int or a numpy Generator (used, not reseeded). Returns: a dict of float64 arrays: "self_Wq",
    "self_Wk", "self_Wv", "self_Wo" ``(d_model, d_model)`` (normal, std 1/sqrt(d_model)), "ffn_W1"
    ``(d_model, d_ff)`` (He), "ffn_b1" ``(d_ff,)``, "ffn_W2" ``(d_ff, d_model)``, "ffn_b2"
    ``(d_model,)``, "ln1_gamma", "ln1_beta", "ln2_gamma", "ln2_beta" ``(d_model,)`` (ones, zeros).
    Raises: ValueError if num_heads does not divide d_model.
    """
    return _layer_init(seed, d_model, num_heads, d_ff, ["self_"])


def initialize_decoder_layer(d_model, num_heads, d_ff, seed=0):
    """Parameters of one decoder layer: masked self-attention, cross-attention, feed-forward, three layer norms.

    Arguments and initialisation as :func:`initialize_encoder_layer`. Returns: its keys plus "cross_Wq",
    "cross_Wk", "cross_Wv", "cross_Wo" ``(d_model, d_model)`` and "ln3_gamma", "ln3_beta" ``(d_model,)``.
    Raises: ValueError if num_heads does not divide d_model.
    """
    return _layer_init(seed, d_model, num_heads, d_ff, ["self_", "cross_"])


def _add_grads(grads, prefix, sub):
    for k, v in sub.items():
        grads["d" + prefix + k[1:]] = v


def encoder_layer_forward(x, parameters, num_heads, mask=None):
    """One encoder layer (Vaswani et al., 2017, post-norm, no dropout).

    h = LayerNorm(x + MultiHead(x, x, x)); out = LayerNorm(h + FFN(h)).
    Arguments: x ``(m, T, d_model)``; parameters -- as :func:`initialize_encoder_layer`; num_heads;
    mask -- None or broadcastable to ``(m, T, T)`` (e.g. :func:`padding_mask`).
    Returns: ``(out, cache)``, out ``(m, T, d_model)``; :func:`attention_maps` reads the
    self-attention weights. Raises: ValueError for inconsistent shapes.
    """
    a, c_att = multi_head_attention_forward(x, x, x, _sub(parameters, "self_", _ATTENTION), num_heads, mask)
    h, c_ln1 = layer_norm_forward(x + a, parameters["ln1_gamma"], parameters["ln1_beta"])
    f, c_ffn = feed_forward_forward(h, _sub(parameters, "ffn_", _FFN))
    out, c_ln2 = layer_norm_forward(h + f, parameters["ln2_gamma"], parameters["ln2_beta"])
    return out, ("encoder", c_att, c_ln1, c_ffn, c_ln2)


def encoder_layer_backward(d_out, cache):
    """Backward pass of :func:`encoder_layer_forward`.

    Arguments: d_out ``(m, T, d_model)``; cache from the forward pass.
    Returns: ``(dx, grads)``: dx ``(m, T, d_model)``; grads with a "d" + name entry for every parameter.
    Raises: ValueError if d_out's shape is not the output's.
    """
    _, c_att, c_ln1, c_ffn, c_ln2 = cache
    grads = {}
    dz2, g = layer_norm_backward(d_out, c_ln2)
    _add_grads(grads, "ln2_", g)
    dh, g = feed_forward_backward(dz2, c_ffn)
    _add_grads(grads, "ffn_", g)
    dz1, g = layer_norm_backward(dh + dz2, c_ln1)
    _add_grads(grads, "ln1_", g)
    (dq, dk, dv), g = multi_head_attention_backward(dz1, c_att)
    _add_grads(grads, "self_", g)
    return dz1 + dq + dk + dv, grads


def decoder_layer_forward(y, enc_out, parameters, num_heads, self_mask=None, cross_mask=None):
    """One decoder layer (Vaswani et al., 2017, post-norm, no dropout).

    h1 = LayerNorm(y + MultiHead(y, y, y; self_mask)); h2 = LayerNorm(h1 + MultiHead(h1, enc, enc;
    cross_mask)); out = LayerNorm(h2 + FFN(h2)). Queries come from the decoder, keys and values of the
    cross-attention from the encoder's output.
    Arguments: y ``(m, T_y, d_model)``; enc_out ``(m, T_x, d_model)``; parameters -- as
    :func:`initialize_decoder_layer`; num_heads; self_mask -- usually :func:`causal_mask` ``(T_y, T_y)``;
    cross_mask -- None or broadcastable to ``(m, T_y, T_x)`` (e.g. :func:`padding_mask` of the input).
    Returns: ``(out, cache)``, out ``(m, T_y, d_model)``; :func:`attention_maps` reads both attentions'
    weights. Raises: ValueError for inconsistent shapes.
    """
    a1, c_self = multi_head_attention_forward(y, y, y, _sub(parameters, "self_", _ATTENTION), num_heads, self_mask)
    h1, c_ln1 = layer_norm_forward(y + a1, parameters["ln1_gamma"], parameters["ln1_beta"])
    a2, c_cross = multi_head_attention_forward(h1, enc_out, enc_out, _sub(parameters, "cross_", _ATTENTION),
                                               num_heads, cross_mask)
    h2, c_ln2 = layer_norm_forward(h1 + a2, parameters["ln2_gamma"], parameters["ln2_beta"])
    f, c_ffn = feed_forward_forward(h2, _sub(parameters, "ffn_", _FFN))
    out, c_ln3 = layer_norm_forward(h2 + f, parameters["ln3_gamma"], parameters["ln3_beta"])
    return out, ("decoder", c_self, c_ln1, c_cross, c_ln2, c_ffn, c_ln3)


def decoder_layer_backward(d_out, cache):
    """Backward pass of :func:`decoder_layer_forward`.

    Arguments: d_out ``(m, T_y, d_model)``; cache from the forward pass.
    Returns: ``((dy, d_enc_out), grads)``: dy ``(m, T_y, d_model)``, d_enc_out ``(m, T_x, d_model)``, grads
    with a "d" + name entry for every parameter. Raises: ValueError if d_out's shape is not the output's.
    """
    _, c_self, c_ln1, c_cross, c_ln2, c_ffn, c_ln3 = cache
    grads = {}
    dz3, g = layer_norm_backward(d_out, c_ln3)
    _add_grads(grads, "ln3_", g)
    dh2, g = feed_forward_backward(dz3, c_ffn)
    _add_grads(grads, "ffn_", g)
    dz2, g = layer_norm_backward(dh2 + dz3, c_ln2)
    _add_grads(grads, "ln2_", g)
    (dh1, dk, dv), g = multi_head_attention_backward(dz2, c_cross)
    _add_grads(grads, "cross_", g)
    dz1, g = layer_norm_backward(dh1 + dz2, c_ln1)
    _add_grads(grads, "ln1_", g)
    (dq, dk1, dv1), g = multi_head_attention_backward(dz1, c_self)
    _add_grads(grads, "self_", g)
    return (dz1 + dq + dk1 + dv1, dk + dv), grads


def attention_maps(cache):
    """The attention weights a layer's forward pass computed, read from its cache.

    Arguments: cache -- from :func:`encoder_layer_forward`, :func:`decoder_layer_forward` or
    :func:`multi_head_attention_forward`. Returns: a dict of arrays ``(m, h, T_q, T_k)``: {"self": ...}
    for an encoder layer or a multi-head attention, {"self": ..., "cross": ...} for a decoder layer.
    Raises: ValueError for another object.
    """
    if isinstance(cache, tuple) and cache and cache[0] == "encoder":
        return {"self": cache[1][5][3]}
    if isinstance(cache, tuple) and cache and cache[0] == "decoder":
        return {"self": cache[1][5][3], "cross": cache[3][5][3]}
    if isinstance(cache, tuple) and len(cache) == 7 and isinstance(cache[5], tuple):
        return {"self": cache[5][3]}
    raise ValueError("attention_maps reads the cache of an encoder layer, a decoder layer or a multi-head attention")


# the names of the graded references' results, for the visible checks' messages (course_utils.grading.checks)
scaled_dot_product_attention.__output_parts__ = "output, weights"
multi_head_attention.__output_parts__ = "output, weights"
