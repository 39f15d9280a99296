"""Additive attention for a sequence-to-sequence decoder: one output step attends over all input steps.

The notes' attention model: an encoder (a bidirectional RNN) gives one vector ``a<t'>`` per input step
t' = 1 ... T_x; before output step t the decoder, in state ``s<t-1>``, scores every input step with a
small network, ``e<t,t'> = v tanh(W [s<t-1>; a<t'>] + b)``, turns the scores into weights with a softmax
over t', ``alpha<t,t'> = exp(e<t,t'>) / sum_t'' exp(e<t,t''>)`` (they are >= 0 and sum to 1 over t'), and
reads the context ``c<t> = sum_t' alpha<t,t'> a<t'>``, a weighted average of the encoder's vectors.
The decoder computes T_x scores at each of its T_y steps: the T_x T_y cost the notes point out.

Padding: inputs of different lengths are padded to T_x; a ``mask (m, T_x)`` (True for a real input
step, False for padding) leaves padded steps out of the softmax: their alpha is exactly 0. A row with no
real step at all (every position masked) has alpha 0 everywhere and a zero context, never NaN.

Shapes (the classic ones, :mod:`course_utils.nn.recurrent`'s: one column per example, time last):
    a ``(n_a, m, T_x)`` the encoder's vectors; s_prev ``(n_s, m)`` the decoder's state; mask ``(m, T_x)``;
    scores e and weights alpha ``(m, T_x)``; context ``(n_a, m)``.
Parameters (a dict; other keys are ignored, so a whole model's dict can be passed):
    ``W_att (n_e, n_s + n_a)`` acting on ``[s_prev; a<t'>]`` (its first n_s columns multiply s_prev),
    ``b_att (n_e, 1)``, ``v_att (1, n_e)``; n_e is the width of the scoring network (a tanh layer, then one
    linear unit: e = v_att tanh(W_att [s_prev; a<t'>] + b_att)).
Interface (the library's): ``one_step_attention_forward -> ((context, alpha), cache)`` and
``one_step_attention_backward(dcontext, cache) -> (da, grads)`` with ``grads = {"da", "ds_prev",
"dW_att", "db_att", "dv_att"}``: sums over the batch (the cost carries the 1/m). :func:`masked_softmax`
is the softmax over a masked axis, used here and wherever attention weights are computed.

Source: D. Bahdanau, K. Cho and Y. Bengio (2015), "Neural Machine Translation by Jointly Learning to
Align and Translate", ICLR (the additive score ``v^T tanh(W s + U h)``, appendix A.1.2); the
decoder-state-and-encoder-vector concatenation follows the lecture's small network.
"""

from __future__ import annotations

import numpy as np

__all__ = ["masked_softmax", "masked_softmax_backward", "initialize_attention", "one_step_attention",
           "one_step_attention_forward", "one_step_attention_backward"]


def _float(x):
    x = np.asarray(x)
    return x.astype(np.result_type(x.dtype, np.float32), copy=False)


def _check_mask(mask, shape, where):
    """mask as a bool array of ``shape`` (all True for None)."""
    if mask is None:
        return np.ones(shape, dtype=bool)
    mask = np.asarray(mask)
    if mask.shape != tuple(shape):
        raise ValueError(f"{where}: mask has shape {mask.shape}, but the scores are {tuple(shape)}: the mask "
                         f"must be (m, T_x) = {tuple(shape)}, True where an input step is real")
    if mask.dtype != bool:
        if not np.all((mask == 0) | (mask == 1)):
            raise ValueError(f"{where}: mask must hold True/False (or 1/0), got other values")
        mask = mask.astype(bool)
    return mask


def masked_softmax(e, mask=None, axis=-1):
    """Softmax of the scores along ``axis``, leaving out the masked positions.

    Arguments: e -- scores of any shape (attention: ``(m, T_x)``); mask -- None (nothing masked) or an
        array of e's shape, True (or 1) where a position takes part, False (0) where it is padding;
        axis -- the axis to normalise over (the input steps t').
    Returns: alpha, e's shape (float, float32 stays float32): ``exp(e - max) / sum exp(e - max)`` over
        the unmasked positions, exactly 0 at masked ones; a row with every position masked is all 0
        (there is nothing to attend to; no NaN).
    Raises: ValueError if mask's shape differs from e's or it holds values other than 0/1.
    """
    e = _float(e)
    mask = _check_mask(mask, e.shape, "masked_softmax")
    filled = np.where(mask, e, -np.inf)
    top = np.max(filled, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    ex = np.where(mask, np.exp(np.where(mask, e - top, 0.0)), 0.0)
    total = ex.sum(axis=axis, keepdims=True)
    return (ex / np.where(total > 0, total, 1.0)).astype(e.dtype, copy=False)


def masked_softmax_backward(dalpha, alpha, axis=-1):
    """Backward pass of :func:`masked_softmax`: the gradient with respect to the scores e.

    Arguments: dalpha -- the gradient with respect to alpha; alpha -- what :func:`masked_softmax` returned
        (same shape); axis -- the axis it normalised over.
    Returns: de, same shape: ``alpha * (dalpha - sum(alpha * dalpha, axis))``; 0 at masked positions
        (their alpha is 0) and in fully masked rows.
    Raises: ValueError if the shapes differ.
    """
    dalpha, alpha = _float(dalpha), _float(alpha)
    if dalpha.shape != alpha.shape:
        raise ValueError(f"masked_softmax_backward: dalpha has shape {dalpha.shape}, but alpha has shape "
                         f"{alpha.shape}; they must match")
    return alpha * (dalpha - np.sum(alpha * dalpha, axis=axis, keepdims=True))


def initialize_attention(n_s, n_a, n_e=10, seed=0):
    """Random weights for :func:`one_step_attention`: Xavier-scaled normals, a zero bias.

    Arguments: n_s -- the decoder state's size; n_a -- the encoder vectors' size; n_e -- the scoring
        network's width (>= 1); seed -- an int seed or a ``np.random.Generator``.
    Returns: ``{"W_att" (n_e, n_s + n_a), "b_att" (n_e, 1), "v_att" (1, n_e)}``, float64.
    Raises: ValueError if a size is < 1.
    """
    from course_utils.rng import make_rng

    if min(n_s, n_a, n_e) < 1:
        raise ValueError(f"initialize_attention: n_s, n_a and n_e must be >= 1, got {n_s}, {n_a}, {n_e}")
    rng = make_rng(seed)
    return {"W_att": rng.standard_normal((n_e, n_s + n_a)) * np.sqrt(1.0 / (n_s + n_a)),
            "b_att": np.zeros((n_e, 1)),
            "v_att": rng.standard_normal((1, n_e)) * np.sqrt(1.0 / n_e)}


def _check(a, s_prev, parameters, where):
    a, s_prev = _float(a), _float(s_prev)
    if a.ndim != 3 or 0 in a.shape:
        raise ValueError(f"{where}: a must be 3-D (n_a, m, T_x) with no empty axis, got shape {a.shape}")
    n_a, m, T_x = a.shape
    if s_prev.ndim != 2 or s_prev.shape[1] != m:
        raise ValueError(f"{where}: s_prev has shape {s_prev.shape}, but a has shape {a.shape}: s_prev must be "
                         f"(n_s, m) = (n_s, {m})")
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: parameters must be a dict of arrays, got {type(parameters).__name__}")
    for k in ("W_att", "b_att", "v_att"):
        if k not in parameters:
            raise ValueError(f"{where}: parameters lack {k!r}; got the keys {sorted(parameters)}")
    W, b, v = (_float(parameters[k]) for k in ("W_att", "b_att", "v_att"))
    n_s = s_prev.shape[0]
    if W.ndim != 2 or W.shape[1] != n_s + n_a:
        raise ValueError(f"{where}: W_att has shape {W.shape}, but s_prev {s_prev.shape} and a {a.shape} need "
                         f"(n_e, n_s + n_a) = (n_e, {n_s + n_a})")
    n_e = W.shape[0]
    if b.shape != (n_e, 1) or v.shape != (1, n_e):
        raise ValueError(f"{where}: b_att {b.shape} and v_att {v.shape} must be (n_e, 1) = {(n_e, 1)} and "
                         f"(1, n_e) = {(1, n_e)} for W_att {W.shape}")
    dtype = np.result_type(a, s_prev, W, b, v)
    return a.astype(dtype, copy=False), s_prev.astype(dtype, copy=False), W, b, v


def one_step_attention_forward(a, s_prev, parameters, mask=None):
    """One decoder step's attention: the scores, their masked softmax over t', and the context.

    ``z<t'> = W_att [s_prev; a<t'>] + b_att``, ``e<t'> = v_att tanh(z<t'>)``, ``alpha = masked_softmax(e)``
    over t', ``context = sum_t' alpha<t'> a<t'>``.
    Arguments: a ``(n_a, m, T_x)``; s_prev ``(n_s, m)``; parameters with ``W_att (n_e, n_s + n_a)``,
        ``b_att (n_e, 1)``, ``v_att (1, n_e)``; mask -- None or ``(m, T_x)``, True for real input steps.
    Returns: ``((context, alpha), cache)``: context ``(n_a, m)``, alpha ``(m, T_x)`` (each row sums to 1
        over its real steps; 0 at padding; a fully masked row is 0 and its context 0), and the cache for
        :func:`one_step_attention_backward`.
    Raises: ValueError if a is not 3-D, s_prev's batch differs from a's, a parameter is missing or has
        another shape, or the mask is not ``(m, T_x)`` of 0/1.
    Source: Bahdanau, Cho & Bengio (2015), "Neural Machine Translation by Jointly Learning to Align and
        Translate", ICLR.
    """
    where = "one_step_attention"
    a, s_prev, W, b, v = _check(a, s_prev, parameters, where)
    n_a, m, T_x = a.shape
    mask = _check_mask(mask, (m, T_x), where)
    n_s = s_prev.shape[0]
    Ws, Wa = W[:, :n_s], W[:, n_s:]
    z = (Wa @ a.reshape(n_a, m * T_x)).reshape(-1, m, T_x) + (Ws @ s_prev + b)[:, :, None]
    h = np.tanh(z)                                                           # (n_e, m, T_x)
    e = (v @ h.reshape(h.shape[0], m * T_x)).reshape(m, T_x)
    alpha = masked_softmax(e, mask, axis=-1).astype(a.dtype, copy=False)
    context = np.einsum("nmt,mt->nm", a, alpha)
    return (context, alpha), (a, s_prev, W, v, h, alpha)


def one_step_attention(a, s_prev, parameters, mask=None):
    """The context and the attention weights of one decoder step (:func:`one_step_attention_forward` without its cache).

    Arguments: a ``(n_a, m, T_x)``; s_prev ``(n_s, m)``; parameters ``{"W_att", "b_att", "v_att"}``;
        mask -- None or ``(m, T_x)``.
    Returns: ``(context, alpha)``: ``(n_a, m)`` and ``(m, T_x)``.
    Raises: ValueError as :func:`one_step_attention_forward`.
    Source: Bahdanau, Cho & Bengio (2015), ICLR.
    """
    return one_step_attention_forward(a, s_prev, parameters, mask)[0]


def one_step_attention_backward(dcontext, cache, dalpha=None):
    """Backward pass of :func:`one_step_attention_forward`.

    Arguments: dcontext ``(n_a, m)``, the gradient with respect to the context; cache from the forward
        pass; dalpha -- optional ``(m, T_x)`` gradient with respect to alpha itself (None: the weights
        are used only through the context).
    Returns: ``(da, grads)`` with ``grads = {"da" (n_a, m, T_x), "ds_prev" (n_s, m), "dW_att"
        (n_e, n_s + n_a), "db_att" (n_e, 1), "dv_att" (1, n_e)}``; da is ``grads["da"]``. Masked positions
        receive no gradient (their alpha is 0, and the softmax's gradient is 0 there).
    Raises: ValueError if dcontext (or dalpha) has another shape than the forward pass's output.
    """
    a, s_prev, W, v, h, alpha = cache
    n_a, m, T_x = a.shape
    n_s, n_e = s_prev.shape[0], h.shape[0]
    dcontext = _float(dcontext)
    if dcontext.shape != (n_a, m):
        raise ValueError(f"one_step_attention_backward: dcontext has shape {dcontext.shape}, but the context "
                         f"is {(n_a, m)}")
    da = dcontext[:, :, None] * alpha[None]
    d_alpha = np.einsum("nm,nmt->mt", dcontext, a)
    if dalpha is not None:
        dalpha = _float(dalpha)
        if dalpha.shape != (m, T_x):
            raise ValueError(f"one_step_attention_backward: dalpha has shape {dalpha.shape}, but alpha is "
                             f"{(m, T_x)}")
        d_alpha = d_alpha + dalpha
    de = masked_softmax_backward(d_alpha, alpha, axis=-1)                       # (m, T_x)
    hf = h.reshape(n_e, m * T_x)
    dv = de.reshape(1, m * T_x) @ hf.T
    dz = (v.T @ de.reshape(1, m * T_x)) * (1.0 - hf * hf)                   # (n_e, m T_x)
    Ws, Wa = W[:, :n_s], W[:, n_s:]
    dz_sum = dz.reshape(n_e, m, T_x).sum(axis=2)                            # (n_e, m)
    dWs = dz_sum @ s_prev.T
    dWa = dz @ a.reshape(n_a, m * T_x).T
    da = da + (Wa.T @ dz).reshape(n_a, m, T_x)
    grads = {"da": da, "ds_prev": Ws.T @ dz_sum, "dW_att": np.concatenate([dWs, dWa], axis=1),
             "db_att": dz_sum.sum(axis=1, keepdims=True), "dv_att": dv}
    return da, grads


# the names of the result's parts, for the visible checks' messages (course_utils.grading.checks.output_parts)
one_step_attention.__output_parts__ = "context, alpha"
