"""Recurrent layers: the plain RNN, the GRU (the notes' simplified and full versions) and the LSTM,
each as a cell (one time step) and as a whole sequence (forward, and backward through time); a
bidirectional wrapper; the softmax output layer applied at every time step and its cost.

Shapes (the classic ones: one column per example, time on the last axis):
    x ``(n_x, m, T_x)``; hidden states a, and memory cells c, ``(n_a, m, T_x)``; y_pred ``(n_y, m, T_x)``;
    one step: xt ``(n_x, m)``, a_prev / c_prev / a0 / c0 ``(n_a, m)``.
Parameters (dicts with the classic names):
    RNN   ``Wax (n_a, n_x)``, ``Waa (n_a, n_a)``, ``ba (n_a, 1)``;
    GRU   ``Wu, Wr, Wc (n_a, n_a + n_x)``, ``bu, br, bc (n_a, 1)``; the simplified GRU has no ``Wr, br``
          (which version runs is decided by whether ``Wr`` is in the dict);
    LSTM  ``Wf, Wi, Wc, Wo (n_a, n_a + n_x)``, ``bf, bi, bc, bo (n_a, 1)``;
    output (:func:`softmax_output_forward`) ``Wya (n_y, n_a)`` for the RNN or ``Wy (n_y, n_a)`` for
    the GRU and LSTM, and ``by (n_y, 1)``.
The gated cells' W act on the concatenation ``[a_prev; xt]`` (the notes' ``W_a [a, x]``): its first
n_a columns multiply ``a_prev``, the last n_x multiply ``xt``. Other keys in a parameter dict (the
output layer's, for instance) are ignored by the recurrent layers.

Interface (the library's, :mod:`course_utils.nn`): ``*_forward(...) -> (out, cache)`` with a cache the
caller passes back unopened, and ``*_backward(d_out, cache) -> (d_input, grads)``. ``grads`` is a dict
keyed ``"d" + name`` that holds *every* gradient: the parameters' (``dWax``, ``dba``, ...) and the
inputs' (``dx`` and ``da0`` for a sequence, ``dxt`` and ``da_prev`` for a cell), so the classic
exercise's dictionary is ``grads`` itself, and an update rule, which reads only the keys of the
parameters, can take it as it is. ``d_input`` is ``grads["dx"]`` (``grads["dxt"]``), the same array.
Backward through time takes ``da (n_a, m, T_x)``, the gradient of the loss with respect to every
hidden state (what the output layer sends back, :func:`softmax_output_backward`); the gradient that
flows from step t + 1 into step t is added inside. Gradients are sums over the batch (the cost
carries the 1/m: :func:`sequence_cross_entropy_cost_backward`).

Vectorisation: the time loop is the only Python loop. The input's contribution ``W_x x<t> + b`` is one
matrix product for all time steps before the loop; inside it, each step multiplies the recurrent
weights by the (n_a, m) states of the whole batch; after the backward loop the parameter gradients
are one product each over all steps. Float32 inputs stay float32; integers compute in float64.

Sources: the simple recurrent network, J. L. Elman (1990), "Finding Structure in Time", Cognitive
Science 14(2); backpropagation through time, P. J. Werbos (1990), "Backpropagation Through Time: What
It Does and How to Do It", Proc. IEEE 78(10); the GRU, K. Cho et al. (2014), "Learning Phrase
Representations using RNN Encoder-Decoder for Statistical Machine Translation", EMNLP (the notes
write the update gate the other way round from Cho et al.: ``c<t> = Gamma_u * c~<t> + (1 - Gamma_u) *
c<t-1>``, where Cho's z multiplies the old state; the two are the same model with z = 1 - Gamma_u);
the LSTM, S. Hochreiter and J. Schmidhuber (1997), "Long Short-Term Memory", Neural Computation 9(8),
with the forget gate of F. A. Gers, J. Schmidhuber and F. Cummins (2000), "Learning to Forget:
Continual Prediction with LSTM", Neural Computation 12(10); bidirectional RNNs, M. Schuster and
K. K. Paliwal (1997), "Bidirectional Recurrent Neural Networks", IEEE Trans. Signal Processing 45(11).
"""

from __future__ import annotations

import numpy as np

from course_utils.nn.activations import softmax
from course_utils.nn.init import weight_scale
from course_utils.rng import make_rng

__all__ = ["CELLS", "sequence_layer", "initialize_recurrent_parameters",
           "rnn_cell_forward", "rnn_cell_backward", "rnn_forward", "rnn_backward",
           "gru_cell_forward", "gru_cell_backward", "gru_forward", "gru_backward",
           "lstm_cell_forward", "lstm_cell_backward", "lstm_forward", "lstm_backward", "memory_cells", "gate_values",
           "bidirectional_forward", "bidirectional_backward",
           "softmax_output_forward", "softmax_output_backward",
           "sequence_cross_entropy_cost", "sequence_cross_entropy_cost_backward"]

#: the recurrent cells a name can choose (:func:`sequence_layer`, :func:`bidirectional_forward`)
CELLS = ("rnn", "gru", "lstm")


# --- checks -------------------------------------------------------------------------------------

def _float(x):
    x = np.asarray(x)
    return x.astype(np.result_type(x.dtype, np.float32), copy=False)


def _dtype(*arrays):
    return np.result_type(*(np.asarray(a).dtype for a in arrays), np.float32)


def _sigmoid(z):
    """The logistic sigmoid with one exponential (``exp(-|z|)``, which never overflows), in z's dtype.

    Same values as :func:`course_utils.nn.activations.sigmoid` (which takes two transcendental calls
    and computes in float64); the gates call it on every step, where it is most of the time.
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _input_part(Wx, x, b, dtype):
    """``Wx x<t> + b`` for every step at once: one product, as a contiguous ``(T, rows, m)``."""
    n_x, m, T = x.shape
    flat = Wx @ x.astype(dtype, copy=False).transpose(0, 2, 1).reshape(n_x, T * m)     # columns t m + i
    return np.ascontiguousarray(flat.reshape(-1, T, m).transpose(1, 0, 2)) + b


def _gru_keys(parameters, where):
    has_r, has_br = "Wr" in parameters, "br" in parameters
    if has_r != has_br:
        missing = "br" if has_r else "Wr"
        raise ValueError(f"{where}: parameters hold {'Wr' if has_r else 'br'} but not {missing}: the full GRU "
                         f"needs both Wr and br, the simplified GRU neither")
    return ("Wu", "bu", "Wr", "br", "Wc", "bc") if has_r else ("Wu", "bu", "Wc", "bc")


def _param_shapes(kind, n_x, n_a, parameters, where):
    """{name: (expected shape, how it is written)} for the parameters of a cell of ``kind``."""
    if kind == "rnn":
        return {"Wax": ((n_a, n_x), "(n_a, n_x)"), "Waa": ((n_a, n_a), "(n_a, n_a)"), "ba": ((n_a, 1), "(n_a, 1)")}
    names = _gru_keys(parameters, where) if kind == "gru" else ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")
    return {k: ((n_a, n_a + n_x), "(n_a, n_a + n_x)") if k.startswith("W") else ((n_a, 1), "(n_a, 1)")
            for k in names}


def _check_parameters(kind, parameters, n_x, n_a, where, inputs):
    """The parameters of ``kind`` as float arrays, in the order of :func:`_param_shapes`.

    ``inputs`` says which inputs fixed n_x and n_a, for the messages (``"x (3, 4, 5) and a0 (6, 4)"``).
    """
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: parameters must be a dict of arrays, got {type(parameters).__name__}")
    out = {}
    for name, (shape, written) in _param_shapes(kind, n_x, n_a, parameters, where).items():
        if name not in parameters:
            raise ValueError(f"{where}: parameters lack {name!r}, which must be {written} = {shape}; "
                             f"got the keys {sorted(parameters)}")
        value = _float(parameters[name])
        if value.shape != shape:
            raise ValueError(f"{where}: {name} has shape {value.shape}, but {inputs} need {name} "
                             f"{written} = {shape}")
        out[name] = value
    return out


def _check_sequence(x, a0, where, x_name="x", a_name="a0", c0=None, c_name="c0"):
    """x as ``(n_x, m, T_x)`` and a0 (and c0) as ``(n_a, m)``, float; their shapes must agree."""
    x, a0 = _float(x), _float(a0)
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(f"{where}: {x_name} must be 3-D (n_x, m, T_x) with no empty axis, got shape {x.shape}")
    if a0.ndim != 2 or a0.shape[1] != x.shape[1] or a0.shape[0] == 0:
        raise ValueError(f"{where}: {a_name} has shape {a0.shape}, but {x_name} has shape {x.shape}: {a_name} "
                         f"must be (n_a, m) = (n_a, {x.shape[1]})")
    if c0 is not None:
        c0 = _float(c0)
        if c0.shape != a0.shape:
            raise ValueError(f"{where}: {c_name} has shape {c0.shape}, but {a_name} has shape {a0.shape}; "
                             f"they must match")
    return x, a0, c0


def _check_step(xt, a_prev, where, a_name="a_prev", c_prev=None, c_name="c_prev"):
    """xt ``(n_x, m)`` and a_prev ``(n_a, m)`` (and c_prev) as one-step sequences ``(n, m, 1)``."""
    xt, a_prev = _float(xt), _float(a_prev)
    if xt.ndim != 2 or 0 in xt.shape:
        raise ValueError(f"{where}: xt must be 2-D (n_x, m), got shape {xt.shape}")
    if a_prev.ndim != 2 or a_prev.shape[1] != xt.shape[1] or a_prev.shape[0] == 0:
        raise ValueError(f"{where}: {a_name} has shape {a_prev.shape}, but xt has shape {xt.shape}: {a_name} "
                         f"must be (n_a, m) = (n_a, {xt.shape[1]})")
    if c_prev is not None:
        c_prev = _float(c_prev)
        if c_prev.shape != a_prev.shape:
            raise ValueError(f"{where}: {c_name} has shape {c_prev.shape}, but {a_name} has shape "
                             f"{a_prev.shape}; they must match")
    return xt, a_prev, c_prev



def _opened(cache, kind, where, one_step):
    """The states of a cache of ``kind``, after checking that it is one (of one step, for a cell).

    Raises: ValueError naming the function whose cache is needed and what was given instead.
    """
    forward = f"{kind}_cell_forward" if one_step else f"{kind}_forward"
    if not (isinstance(cache, tuple) and len(cache) == 6 and cache[0] in CELLS):
        raise ValueError(f"{where}: cache must be the cache that {forward} returned, got {type(cache).__name__}")
    if cache[0] != kind:
        raise ValueError(f"{where}: cache comes from the {cache[0]} layer ({cache[0]}_...forward); it needs the cache "
                         f"of {forward}")
    if one_step and cache[4].shape[0] != 1:
        raise ValueError(f"{where}: cache is a sequence of {cache[4].shape[0]} steps; it needs the one-step cache of "
                         f"{forward} (backward through a whole sequence is {kind}_backward)")
    return cache[4]


def _check_upstream(d, shape, name, what, where):
    d = _float(d)
    if d.shape != shape:
        raise ValueError(f"{where}: {name} has shape {d.shape}, but the forward pass's {what} has shape {shape}; "
                         f"they must match")
    return d


# --- layout helpers: (T, n, m) time-major inside, (n, m, T) outside ------------------------------

def _time_major(x):
    """``(n, m, T)`` -> a contiguous ``(T, n, m)``: one step is then a contiguous (n, m) block."""
    return np.ascontiguousarray(np.moveaxis(x, -1, 0))


def _flat(tm):
    """``(T, n, m)`` -> ``(n, T m)``: all steps side by side, for one product over all of them."""
    T, n, m = tm.shape
    return tm.transpose(1, 0, 2).reshape(n, T * m)


def _unflat(flat, T):
    """``(n, T m)`` -> ``(n, m, T)``, the inverse of :func:`_flat` followed by the outside layout."""
    n = flat.shape[0]
    return np.ascontiguousarray(flat.reshape(n, T, -1).transpose(0, 2, 1))


def _outside(tm):
    """``(T, n, m)`` -> a contiguous ``(n, m, T)`` the caller owns."""
    return np.ascontiguousarray(np.moveaxis(tm, 0, -1))


def _shifted(tm, first):
    """The states before every step: ``first`` followed by ``tm[:-1]``, ``(T, n, m)``."""
    return np.concatenate([first[None], tm[:-1]], axis=0)


# --- RNN (Elman 1990) ---------------------------------------------------------------------------

def _rnn_forward(x, a0, p, dtype):
    Wax, Waa, ba = (p[k].astype(dtype, copy=False) for k in ("Wax", "Waa", "ba"))
    n_x, m, T = x.shape
    pre = _input_part(Wax, x, ba, dtype)
    A = np.empty((T, a0.shape[0], m), dtype=dtype)
    a = a0.astype(dtype, copy=False)
    for t in range(T):
        a = np.tanh(pre[t] + Waa @ a)
        A[t] = a
    return A, ("rnn", x, a0, (Wax, Waa, ba), A, None)


def _rnn_backward(dA, dc_last, cache):
    _, x, a0, (Wax, Waa, ba), A, _ = cache
    T = A.shape[0]
    dZ = np.empty_like(A)
    da_next = np.zeros_like(A[0])
    for t in range(T - 1, -1, -1):
        dz = (dA[t] + da_next) * (1.0 - A[t] * A[t])
        dZ[t] = dz
        da_next = Waa.T @ dz
    dZf = _flat(dZ)
    dx = _unflat(Wax.T @ dZf, T)
    grads = {"dx": dx, "da0": da_next,
             "dWax": dZf @ _flat(_time_major(x.astype(A.dtype, copy=False))).T,
             "dWaa": dZf @ _flat(_shifted(A, a0.astype(A.dtype, copy=False))).T,
             "dba": dZ.sum(axis=(0, 2))[:, None]}
    return grads, None


# --- GRU (Cho et al. 2014; the notes' gate convention) -------------------------------------------

def _gru_forward(x, c0, p, dtype):
    full = "Wr" in p
    n_x, m, T = x.shape
    n_a = c0.shape[0]
    gates = ("Wu", "Wr", "Wc") if full else ("Wu", "Wc")
    W = {k: p[k].astype(dtype, copy=False) for k in gates}
    b = np.concatenate([p["b" + k[1:]].astype(dtype, copy=False) for k in gates], axis=0)
    Wx = np.concatenate([W[k][:, n_a:] for k in gates], axis=0)          # input part of every gate
    pre = _input_part(Wx, x, b, dtype)
    W_ur = np.concatenate([W[k][:, :n_a] for k in gates[:-1]], axis=0)    # state part of Gamma_u (, Gamma_r)
    Wc_c = W["Wc"][:, :n_a]
    C = np.empty((T, n_a, m), dtype=dtype)
    U = np.empty_like(C)
    R = np.empty_like(C) if full else None
    Cc = np.empty_like(C)
    c = c0.astype(dtype, copy=False)
    k = len(gates) - 1
    for t in range(T):
        g = _sigmoid(pre[t, :k * n_a] + W_ur @ c)
        u = g[:n_a]
        if full:
            r = g[n_a:]
            cc = np.tanh(pre[t, k * n_a:] + Wc_c @ (r * c))
            R[t] = r
        else:
            cc = np.tanh(pre[t, k * n_a:] + Wc_c @ c)
        c = u * cc + (1.0 - u) * c
        U[t], Cc[t], C[t] = u, cc, c
    return C, ("gru", x, c0, (W, Wx, W_ur, Wc_c, gates), C, (U, R, Cc))


def _gru_backward(dC, dc_last, cache):
    _, x, c0, (W, Wx, W_ur, Wc_c, gates), C, (U, R, Cc) = cache
    full = R is not None
    T, n_a, m = C.shape
    C_prev = _shifted(C, c0.astype(C.dtype, copy=False))
    dZu, dZc = np.empty_like(C), np.empty_like(C)
    dZr = np.empty_like(C) if full else None
    dc_next = np.zeros_like(C[0])
    Wu_c = W_ur[:n_a]
    for t in range(T - 1, -1, -1):
        dc = dC[t] + dc_next
        u, cc, c_prev = U[t], Cc[t], C_prev[t]
        dzc = dc * u * (1.0 - cc * cc)
        dzu = dc * (cc - c_prev) * u * (1.0 - u)
        dc_prev = dc * (1.0 - u) + Wu_c.T @ dzu
        if full:
            r = R[t]
            drc = Wc_c.T @ dzc                       # gradient of Gamma_r * c_prev
            dzr = drc * c_prev * r * (1.0 - r)
            dc_prev += drc * r + W_ur[n_a:].T @ dzr
            dZr[t] = dzr
        else:
            dc_prev += Wc_c.T @ dzc
        dZu[t], dZc[t] = dzu, dzc
        dc_next = dc_prev
    Xf = _flat(_time_major(x.astype(C.dtype, copy=False)))
    Cf = _flat(C_prev)
    dz_all = [dZu, dZr, dZc] if full else [dZu, dZc]
    dx = _unflat(Wx.T @ np.concatenate([_flat(d) for d in dz_all], axis=0), T)
    grads = {"dx": dx, "dc0": dc_next}
    for name, dZ in zip(gates, dz_all):
        dZf = _flat(dZ)
        state = _flat(R * C_prev) if (name == "Wc" and full) else Cf   # c~ sees Gamma_r * c_prev
        grads["d" + name] = np.concatenate([dZf @ state.T, dZf @ Xf.T], axis=1)
        grads["db" + name[1:]] = dZ.sum(axis=(0, 2))[:, None]
    return grads, None


# --- LSTM (Hochreiter & Schmidhuber 1997, forget gate of Gers et al. 2000) -----------------------

_LSTM_GATES = ("Wf", "Wi", "Wc", "Wo")


def _lstm_forward(x, a0, p, dtype, c0=None):
    n_x, m, T = x.shape
    n_a = a0.shape[0]
    W = np.concatenate([p[k].astype(dtype, copy=False) for k in _LSTM_GATES], axis=0)   # (4 n_a, n_a + n_x)
    b = np.concatenate([p["b" + k[1:]].astype(dtype, copy=False) for k in _LSTM_GATES], axis=0)
    Wa, Wx = W[:, :n_a], W[:, n_a:]
    pre = _input_part(Wx, x, b, dtype)
    A = np.empty((T, n_a, m), dtype=dtype)
    C = np.empty_like(A)
    G = np.empty((T, 4 * n_a, m), dtype=dtype)      # the gates after their activations: f, i, c~, o
    TC = np.empty_like(A)                           # tanh(c<t>), which the backward pass needs too
    a = a0.astype(dtype, copy=False)
    c = np.zeros_like(a) if c0 is None else c0.astype(dtype, copy=False)
    c_first = c
    for t in range(T):
        z = pre[t] + Wa @ a
        g = G[t]
        g[:2 * n_a] = _sigmoid(z[:2 * n_a])
        g[2 * n_a:3 * n_a] = np.tanh(z[2 * n_a:3 * n_a])
        g[3 * n_a:] = _sigmoid(z[3 * n_a:])
        c = g[:n_a] * c + g[n_a:2 * n_a] * g[2 * n_a:3 * n_a]
        np.tanh(c, out=TC[t])
        a = g[3 * n_a:] * TC[t]
        A[t], C[t] = a, c
    return A, ("lstm", x, a0, (W, Wa, Wx), A, (C, G, c_first, TC))


def _lstm_backward(dA, dc_last, cache):
    _, x, a0, (W, Wa, Wx), A, (C, G, c0, TC) = cache
    T, n_a, m = A.shape
    C_prev = _shifted(C, c0)
    dZ = np.empty_like(G)
    da_next = np.zeros_like(A[0])
    dc_next = np.zeros_like(A[0]) if dc_last is None else dc_last
    for t in range(T - 1, -1, -1):
        f, i, cc, o = G[t, :n_a], G[t, n_a:2 * n_a], G[t, 2 * n_a:3 * n_a], G[t, 3 * n_a:]
        da = dA[t] + da_next
        tc = TC[t]
        dc = dc_next + da * o * (1.0 - tc * tc)
        dz = dZ[t]
        dz[:n_a] = dc * C_prev[t] * f * (1.0 - f)
        dz[n_a:2 * n_a] = dc * cc * i * (1.0 - i)
        dz[2 * n_a:3 * n_a] = dc * i * (1.0 - cc * cc)
        dz[3 * n_a:] = da * tc * o * (1.0 - o)
        da_next = Wa.T @ dz
        dc_next = dc * f
    dZf = _flat(dZ)
    dW = np.concatenate([dZf @ _flat(_shifted(A, a0.astype(A.dtype, copy=False))).T,
                         dZf @ _flat(_time_major(x.astype(A.dtype, copy=False))).T], axis=1)
    db = dZ.sum(axis=(0, 2))[:, None]
    grads = {"dx": _unflat(Wx.T @ dZf, T), "da0": da_next, "dc0": dc_next}
    for j, name in enumerate(_LSTM_GATES):
        grads["d" + name] = dW[j * n_a:(j + 1) * n_a]
        grads["db" + name[1:]] = db[j * n_a:(j + 1) * n_a]
    return grads, None


# --- public: sequences --------------------------------------------------------------------------

def rnn_forward(x, a0, parameters):
    """The RNN over a whole sequence: ``a<t> = tanh(Wax x<t> + Waa a<t-1> + ba)`` for t = 1, ..., T_x.

    Arguments: x ``(n_x, m, T_x)``; a0 ``(n_a, m)``, the state before the first step (zeros in the
        classic exercise); parameters with ``Wax (n_a, n_x)``, ``Waa (n_a, n_a)``, ``ba (n_a, 1)``.
    Returns: ``(a, cache)``: the hidden states a ``(n_a, m, T_x)`` (``a[:, :, t]`` after step t + 1) and
        a cache for :func:`rnn_backward`. The output ``y_pred`` is :func:`softmax_output_forward` of a.
    Raises: ValueError if x is not 3-D, a0 is not ``(n_a, m)`` for x's m, or a parameter is missing or
        has another shape (the message names it, its shape and the inputs that fix the expected one).
    Source: Elman (1990), "Finding Structure in Time", Cognitive Science 14(2).
    """
    where = "rnn_forward"
    x, a0, _ = _check_sequence(x, a0, where)
    p = _check_parameters("rnn", parameters, x.shape[0], a0.shape[0], where, f"x {x.shape} and a0 {a0.shape}")
    A, cache = _rnn_forward(x, a0, p, _dtype(x, a0, *p.values()))
    return _outside(A), cache


def rnn_backward(da, cache):
    """Backpropagation through time for :func:`rnn_forward`.

    Arguments: da ``(n_a, m, T_x)``, the gradient of the loss with respect to every hidden state (from
        the output layer; zeros where a step has no output); cache from :func:`rnn_forward`.
    Returns: ``(dx, grads)`` with ``grads = {"dx" (n_x, m, T_x), "da0" (n_a, m), "dWax" (n_a, n_x),
        "dWaa" (n_a, n_a), "dba" (n_a, 1)}``, sums over the batch and over time; ``dx`` is ``grads["dx"]``.
    Raises: ValueError if da's shape differs from the hidden states' ``(n_a, m, T_x)``, or the cache is not
        :func:`rnn_forward`'s.
    Source: Werbos (1990), "Backpropagation Through Time: What It Does and How to Do It", Proc. IEEE 78(10).
    """
    A = _opened(cache, "rnn", "rnn_backward", one_step=False)
    dA = _time_major(_check_upstream(da, _outside_shape(A), "da", "hidden states a", "rnn_backward"))
    grads, _ = _rnn_backward(dA.astype(A.dtype, copy=False), None, cache)
    return grads["dx"], grads


def gru_forward(x, c0, parameters):
    """The GRU over a whole sequence, in the notes' form (the memory cell is the hidden state, a = c):

        Gamma_u = sigmoid(Wu [c<t-1>, x<t>] + bu)             (update gate)
        Gamma_r = sigmoid(Wr [c<t-1>, x<t>] + br)             (relevance gate; full GRU only)
        c~<t>   = tanh(Wc [Gamma_r * c<t-1>, x<t>] + bc)      (simplified: Wc [c<t-1>, x<t>])
        c<t>    = Gamma_u * c~<t> + (1 - Gamma_u) * c<t-1>

    Arguments: x ``(n_x, m, T_x)``; c0 ``(n_a, m)``; parameters with ``Wu, Wc (n_a, n_a + n_x)``,
        ``bu, bc (n_a, 1)`` and, for the full GRU, ``Wr (n_a, n_a + n_x)``, ``br (n_a, 1)``; without
        ``Wr`` and ``br`` the simplified GRU runs.
    Returns: ``(c, cache)`` with c ``(n_a, m, T_x)``, for :func:`gru_backward` (:func:`gate_values` reads
        the gates from it).
    Raises: ValueError if x is not 3-D, c0 is not ``(n_a, m)``, only one of ``Wr``, ``br`` is given, or
        a parameter is missing or has another shape.
    Source: Cho et al. (2014), "Learning Phrase Representations using RNN Encoder-Decoder for
    Statistical Machine Translation", EMNLP; Cho's ``h = z h_prev + (1 - z) h~`` is this with
    z = 1 - Gamma_u.
    """
    where = "gru_forward"
    x, c0, _ = _check_sequence(x, c0, where, a_name="c0")
    p = _check_parameters("gru", parameters, x.shape[0], c0.shape[0], where, f"x {x.shape} and c0 {c0.shape}")
    C, cache = _gru_forward(x, c0, p, _dtype(x, c0, *p.values()))
    return _outside(C), cache


def gru_backward(dc, cache):
    """Backpropagation through time for :func:`gru_forward`.

    Arguments: dc ``(n_a, m, T_x)``, the gradient of the loss with respect to every state c<t>;
        cache from :func:`gru_forward`.
    Returns: ``(dx, grads)`` with ``grads = {"dx" (n_x, m, T_x), "dc0" (n_a, m), "dWu", "dWc"
        (n_a, n_a + n_x), "dbu", "dbc" (n_a, 1)}`` and, for the full GRU, ``"dWr"``, ``"dbr"``.
    Raises: ValueError if dc's shape differs from the states' ``(n_a, m, T_x)``, or the cache is not
        :func:`gru_forward`'s.
    """
    C = _opened(cache, "gru", "gru_backward", one_step=False)
    dC = _time_major(_check_upstream(dc, _outside_shape(C), "dc", "states c", "gru_backward"))
    grads, _ = _gru_backward(dC.astype(C.dtype, copy=False), None, cache)
    return grads["dx"], grads


def lstm_forward(x, a0, parameters, c0=None):
    """The LSTM over a whole sequence, in the notes' form (Gamma_u is the input gate, ``Wi``):

        Gamma_f = sigmoid(Wf [a<t-1>, x<t>] + bf)     Gamma_u = sigmoid(Wi [a<t-1>, x<t>] + bi)
        c~<t>   = tanh(Wc [a<t-1>, x<t>] + bc)        Gamma_o = sigmoid(Wo [a<t-1>, x<t>] + bo)
        c<t>    = Gamma_f * c<t-1> + Gamma_u * c~<t>  a<t> = Gamma_o * tanh(c<t>)

    Arguments: x ``(n_x, m, T_x)``; a0 ``(n_a, m)``; parameters with ``Wf, Wi, Wc, Wo (n_a, n_a + n_x)``
        and ``bf, bi, bc, bo (n_a, 1)``; c0 ``(n_a, m)``, the memory cell before the first step (None:
        zeros, as in the classic exercise).
    Returns: ``(a, cache)`` with the hidden states a ``(n_a, m, T_x)``; :func:`memory_cells` reads the
        cells c ``(n_a, m, T_x)`` from the cache, :func:`gate_values` the gates.
    Raises: ValueError if x is not 3-D, a0 (or c0) is not ``(n_a, m)``, or a parameter is missing or has
        another shape.
    Source: Hochreiter & Schmidhuber (1997), "Long Short-Term Memory", Neural Computation 9(8); the
    forget gate: Gers, Schmidhuber & Cummins (2000), "Learning to Forget", Neural Computation 12(10).
    """
    where = "lstm_forward"
    x, a0, c0 = _check_sequence(x, a0, where, c0=c0)
    p = _check_parameters("lstm", parameters, x.shape[0], a0.shape[0], where, f"x {x.shape} and a0 {a0.shape}")
    A, cache = _lstm_forward(x, a0, p, _dtype(x, a0, *p.values()), c0)
    return _outside(A), cache


def lstm_backward(da, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Arguments: da ``(n_a, m, T_x)``, the gradient of the loss with respect to every hidden state;
        cache from :func:`lstm_forward`. (The memory cells get their gradient through the states.)
    Returns: ``(dx, grads)`` with ``grads = {"dx" (n_x, m, T_x), "da0" (n_a, m), "dc0" (n_a, m),
        "dWf", "dWi", "dWc", "dWo" (n_a, n_a + n_x), "dbf", "dbi", "dbc", "dbo" (n_a, 1)}``.
    Raises: ValueError if da's shape differs from the hidden states' ``(n_a, m, T_x)``, or the cache is not
        :func:`lstm_forward`'s.
    """
    A = _opened(cache, "lstm", "lstm_backward", one_step=False)
    dA = _time_major(_check_upstream(da, _outside_shape(A), "da", "hidden states a", "lstm_backward"))
    grads, _ = _lstm_backward(dA.astype(A.dtype, copy=False), None, cache)
    return grads["dx"], grads


def memory_cells(cache):
    """The memory cells c ``(n_a, m, T_x)`` of the sequence whose cache this is (a new array).

    Arguments: a cache from :func:`lstm_forward` or :func:`gru_forward` (for the GRU, c is the output).
    Raises: ValueError for the cache of a plain RNN (it has no memory cell) or anything else.
    """
    kind = cache[0] if isinstance(cache, tuple) and cache else None
    if kind == "lstm":
        return _outside(cache[5][0])
    if kind == "gru":
        return _outside(cache[4])
    raise ValueError(f"memory_cells: needs the cache of lstm_forward or gru_forward, got "
                     f"{'the cache of rnn_forward (a plain RNN has no memory cell)' if kind == 'rnn' else 'another value'}")


def gate_values(cache):
    """The gates of every step of a GRU or LSTM, as the notes name them, to look at (or to plot).

    Arguments: a cache from :func:`lstm_forward`, :func:`gru_forward` or their cells (one step).
    Returns: a dict of new arrays ``(n_a, m, T_x)``: for the LSTM ``{"Gamma_f", "Gamma_u", "c_tilde",
        "Gamma_o"}`` (Gamma_u is the input gate, computed with ``Wi``); for the GRU ``{"Gamma_u", "Gamma_r",
        "c_tilde"}``, without ``"Gamma_r"`` for the simplified GRU.
    Raises: ValueError for the cache of a plain RNN (it has no gates) or anything else.
    """
    kind = cache[0] if isinstance(cache, tuple) and len(cache) == 6 else None
    if kind == "lstm":
        G = cache[5][1]
        n_a = G.shape[1] // 4
        return {name: _outside(G[:, j * n_a:(j + 1) * n_a])
                for j, name in enumerate(("Gamma_f", "Gamma_u", "c_tilde", "Gamma_o"))}
    if kind == "gru":
        U, R, Cc = cache[5]
        out = {"Gamma_u": _outside(U)}
        if R is not None:
            out["Gamma_r"] = _outside(R)
        out["c_tilde"] = _outside(Cc)
        return out
    raise ValueError(f"gate_values: needs the cache of an LSTM or GRU layer, got "
                     f"{'the cache of rnn_forward (a plain RNN has no gates)' if kind == 'rnn' else 'another value'}")


def _outside_shape(tm):
    T, n, m = tm.shape
    return (n, m, T)


# --- public: cells (one step: the sequence code with T_x = 1) -------------------------------------

def _step_grads(grads, renames):
    out = {}
    for key, value in grads.items():
        if key == "dx":
            out["dxt"] = value[:, :, 0]
        elif key in renames:
            out[renames[key]] = value
        else:
            out[key] = value
    return out


def rnn_cell_forward(xt, a_prev, parameters):
    """One step of the RNN: ``a_next = tanh(Wax xt + Waa a_prev + ba)``.

    Arguments: xt ``(n_x, m)``; a_prev ``(n_a, m)``; parameters with ``Wax (n_a, n_x)``,
        ``Waa (n_a, n_a)``, ``ba (n_a, 1)`` (the notes' sizes: Waa (100, 100), Wax (100, 10000)).
    Returns: ``(a_next, cache)`` with a_next ``(n_a, m)``, for :func:`rnn_cell_backward`.
    Raises: ValueError if xt or a_prev is not 2-D, their m differ, or a parameter is missing or has
        another shape (the message names both shapes).
    Source: Elman (1990), Cognitive Science 14(2).
    """
    where = "rnn_cell_forward"
    xt, a_prev, _ = _check_step(xt, a_prev, where)
    p = _check_parameters("rnn", parameters, xt.shape[0], a_prev.shape[0], where,
                          f"xt {xt.shape} and a_prev {a_prev.shape}")
    A, cache = _rnn_forward(xt[:, :, None], a_prev, p, _dtype(xt, a_prev, *p.values()))
    return A[0].copy(), cache


def rnn_cell_backward(da_next, cache):
    """Backward pass of one RNN step.

    Arguments: da_next ``(n_a, m)``, the gradient of the loss with respect to a_next (all of it: from
        this step's output and from the next step); cache from :func:`rnn_cell_forward`.
    Returns: ``(dxt, grads)`` with ``grads = {"dxt" (n_x, m), "da_prev" (n_a, m), "dWax" (n_a, n_x),
        "dWaa" (n_a, n_a), "dba" (n_a, 1)}``: ``dz = da_next * (1 - a_next^2)``, ``dxt = Wax^T dz``,
        ``da_prev = Waa^T dz``, ``dWax = dz xt^T``, ``dWaa = dz a_prev^T``, ``dba`` = dz summed over the batch.
    Raises: ValueError if da_next's shape differs from a_next's, or the cache is not :func:`rnn_cell_forward`'s
        (one of a whole sequence included: that is :func:`rnn_backward`'s).
    """
    A = _opened(cache, "rnn", "rnn_cell_backward", one_step=True)
    da_next = _check_upstream(da_next, A.shape[1:], "da_next", "a_next", "rnn_cell_backward")
    grads, _ = _rnn_backward(da_next[None].astype(A.dtype, copy=False), None, cache)
    grads = _step_grads(grads, {"da0": "da_prev"})
    return grads["dxt"], grads


def gru_cell_forward(xt, c_prev, parameters):
    """One step of the GRU (full, or simplified without ``Wr, br``); the equations of :func:`gru_forward`.

    Arguments: xt ``(n_x, m)``; c_prev ``(n_a, m)``; parameters with ``Wu, Wc`` (and ``Wr``)
        ``(n_a, n_a + n_x)`` and ``bu, bc`` (and ``br``) ``(n_a, 1)``.
    Returns: ``(c_next, cache)`` with c_next ``(n_a, m)`` (also the hidden state a_next), for
        :func:`gru_cell_backward`.
    Raises: ValueError if xt or c_prev is not 2-D, their m differ, only one of ``Wr``, ``br`` is given,
        or a parameter is missing or has another shape.
    Source: Cho et al. (2014), EMNLP, with the notes' gate convention (see :func:`gru_forward`).
    """
    where = "gru_cell_forward"
    xt, c_prev, _ = _check_step(xt, c_prev, where, a_name="c_prev")
    p = _check_parameters("gru", parameters, xt.shape[0], c_prev.shape[0], where,
                          f"xt {xt.shape} and c_prev {c_prev.shape}")
    C, cache = _gru_forward(xt[:, :, None], c_prev, p, _dtype(xt, c_prev, *p.values()))
    return C[0].copy(), cache


def gru_cell_backward(dc_next, cache):
    """Backward pass of one GRU step.

    Arguments: dc_next ``(n_a, m)``, the gradient of the loss with respect to c_next; cache from
        :func:`gru_cell_forward`.
    Returns: ``(dxt, grads)`` with ``grads = {"dxt" (n_x, m), "dc_prev" (n_a, m), "dWu", "dWc"
        (n_a, n_a + n_x), "dbu", "dbc" (n_a, 1)}`` and, for the full GRU, ``"dWr"``, ``"dbr"``.
    Raises: ValueError if dc_next's shape differs from c_next's, or the cache is not :func:`gru_cell_forward`'s.
    """
    C = _opened(cache, "gru", "gru_cell_backward", one_step=True)
    dc_next = _check_upstream(dc_next, C.shape[1:], "dc_next", "c_next", "gru_cell_backward")
    grads, _ = _gru_backward(dc_next[None].astype(C.dtype, copy=False), None, cache)
    grads = _step_grads(grads, {"dc0": "dc_prev"})
    return grads["dxt"], grads


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One step of the LSTM; the equations of :func:`lstm_forward`.

    Arguments: xt ``(n_x, m)``; a_prev, c_prev ``(n_a, m)``; parameters with ``Wf, Wi, Wc, Wo
        (n_a, n_a + n_x)`` and ``bf, bi, bc, bo (n_a, 1)``.
    Returns: ``((a_next, c_next), cache)``, both ``(n_a, m)``, for :func:`lstm_cell_backward`.
    Raises: ValueError if xt, a_prev or c_prev is not 2-D, their shapes disagree, or a parameter is
        missing or has another shape.
    Source: Hochreiter & Schmidhuber (1997); Gers, Schmidhuber & Cummins (2000).
    """
    where = "lstm_cell_forward"
    xt, a_prev, c_prev = _check_step(xt, a_prev, where, c_prev=c_prev)
    p = _check_parameters("lstm", parameters, xt.shape[0], a_prev.shape[0], where,
                          f"xt {xt.shape} and a_prev {a_prev.shape}")
    A, cache = _lstm_forward(xt[:, :, None], a_prev, p, _dtype(xt, a_prev, c_prev, *p.values()), c_prev)
    return (A[0].copy(), cache[5][0][0].copy()), cache


def lstm_cell_backward(da_next, dc_next, cache):
    """Backward pass of one LSTM step.

    Arguments: da_next, dc_next ``(n_a, m)``: the gradients of the loss with respect to a_next and
        c_next (dc_next from the next step; None for zeros); cache from :func:`lstm_cell_forward`.
    Returns: ``(dxt, grads)`` with ``grads = {"dxt" (n_x, m), "da_prev", "dc_prev" (n_a, m), "dWf",
        "dWi", "dWc", "dWo" (n_a, n_a + n_x), "dbf", "dbi", "dbc", "dbo" (n_a, 1)}``.
    Raises: ValueError if da_next's or dc_next's shape differs from a_next's, or the cache is not
        :func:`lstm_cell_forward`'s.
    """
    A = _opened(cache, "lstm", "lstm_cell_backward", one_step=True)
    where = "lstm_cell_backward"
    da_next = _check_upstream(da_next, A.shape[1:], "da_next", "a_next", where)
    if dc_next is not None:
        dc_next = _check_upstream(dc_next, A.shape[1:], "dc_next", "c_next", where).astype(A.dtype, copy=False)
    grads, _ = _lstm_backward(da_next[None].astype(A.dtype, copy=False), dc_next, cache)
    grads = _step_grads(grads, {"da0": "da_prev", "dc0": "dc_prev"})
    return grads["dxt"], grads


# --- choosing a cell by name; initialisation -----------------------------------------------------

_SEQUENCE_LAYERS = {"rnn": (rnn_forward, rnn_backward), "gru": (gru_forward, gru_backward),
                    "lstm": (lstm_forward, lstm_backward)}


def sequence_layer(cell):
    """``(forward, backward)`` of the whole-sequence layer called ``cell``: ``"rnn"``, ``"gru"``, ``"lstm"``.

    ``forward(x, a0, parameters) -> (a, cache)``, ``backward(da, cache) -> (dx, grads)``.
    Raises: ValueError for a name not in :data:`CELLS`.
    """
    try:
        return _SEQUENCE_LAYERS[cell]
    except (KeyError, TypeError):
        raise ValueError(f"cell must be one of {list(CELLS)}, got {cell!r}") from None


def _hidden_size(cell, parameters, where, suffix=""):
    key = {"rnn": "Waa", "gru": "Wu", "lstm": "Wf"}[cell] + suffix
    if key not in parameters:
        raise ValueError(f"{where}: parameters lack {key!r}; got the keys {sorted(parameters)}")
    shape = np.shape(parameters[key])
    if len(shape) != 2 or shape[0] == 0:
        raise ValueError(f"{where}: {key} must be 2-D (n_a, ...), got shape {shape}")
    return shape[0]


def initialize_recurrent_parameters(cell, n_x, n_a, n_y=None, seed=0, scale="xavier", forget_bias=1.0):
    """Random weights and zero biases for a recurrent cell (and its output layer).

    Arguments:
        cell -- ``"rnn"``, ``"gru"`` (full), ``"gru_simplified"`` or ``"lstm"``.
        n_x, n_a -- input and hidden sizes; n_y -- output size, or None for no output layer.
        seed -- an int or a ``np.random.Generator`` (:func:`course_utils.rng.make_rng`).
        scale -- ``W = s * N(0, 1)`` with ``s = weight_scale(scale, fan_in)``
            (:func:`course_utils.nn.init.weight_scale`): ``"xavier"`` (1/sqrt(fan_in), the default),
            ``"he"`` or a number (0.01: the classic dinosaur exercise). fan_in is n_x for ``Wax``, n_a for
            ``Waa`` and the output weights, n_a + n_x for the gated cells' W.
        forget_bias -- the LSTM's ``bf`` (1.0: the forget gate starts open, so the cell remembers from
            the first update; Jozefowicz, Zaremba & Sutskever (2015), "An Empirical Exploration of
            Recurrent Network Architectures", ICML).
    Returns: the parameter dict with the module's names, weights drawn in the order of the keys
        (RNN: Wax, Waa, ba; GRU: Wu, bu, Wr, br, Wc, bc; LSTM: Wf, bf, Wi, bi, Wc, bc, Wo, bo), then
        ``Wya, by`` (RNN) or ``Wy, by`` (GRU, LSTM) when n_y is given; float64.
    Raises: ValueError for an unknown cell or scale, or a size below 1.
    """
    cells = ("rnn", "gru", "gru_simplified", "lstm")
    if cell not in cells:
        raise ValueError(f"cell must be one of {list(cells)}, got {cell!r}")
    sizes = {"n_x": n_x, "n_a": n_a} if n_y is None else {"n_x": n_x, "n_a": n_a, "n_y": n_y}
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"initialize_recurrent_parameters: {name} must be an integer >= 1, got {value!r}")
    rng = make_rng(seed)
    p = {}
    if cell == "rnn":
        p["Wax"] = rng.standard_normal((n_a, n_x)) * weight_scale(scale, n_x)
        p["Waa"] = rng.standard_normal((n_a, n_a)) * weight_scale(scale, n_a)
        p["ba"] = np.zeros((n_a, 1))
    else:
        gates = {"gru": "urc", "gru_simplified": "uc", "lstm": "fico"}[cell]
        for g in gates:
            p["W" + g] = rng.standard_normal((n_a, n_a + n_x)) * weight_scale(scale, n_a + n_x)
            p["b" + g] = np.full((n_a, 1), float(forget_bias) if (cell == "lstm" and g == "f") else 0.0)
    if n_y is not None:
        p["Wya" if cell == "rnn" else "Wy"] = rng.standard_normal((n_y, n_a)) * weight_scale(scale, n_a)
        p["by"] = np.zeros((n_y, 1))
    return p


# --- bidirectional wrapper (Schuster & Paliwal 1997) ----------------------------------------------

_STATE_GRADS = ("dx", "da0", "dc0")


def _direction(parameters, suffix):
    return {k[:-len(suffix)]: v for k, v in parameters.items() if k.endswith(suffix)}


def bidirectional_forward(x, parameters, cell="rnn"):
    """A bidirectional recurrent layer: one ``cell`` reads x forwards, another reads it backwards.

    ``a<t> = [a_fw<t>; a_bw<t>]``, where a_fw<t> has seen x<1> ... x<t> and a_bw<t> has seen
    x<T_x> ... x<t>, so an output at step t can depend on the whole sequence, past and future (the
    notes' "Teddy" sentences). Both directions start from zero states.

    Arguments: x ``(n_x, m, T_x)``; parameters -- one flat dict holding each direction's parameters with
        the suffix ``"_fw"`` (forward in time) or ``"_bw"`` (backward in time): ``Wax_fw, Waa_fw, ba_fw,
        Wax_bw, Waa_bw, ba_bw`` for ``cell="rnn"``, ``Wf_fw, ...`` for ``"lstm"``, ``Wu_fw, ...`` for
        ``"gru"``; other keys (an output layer's) are ignored, so a whole model's dict trains through
        :func:`course_utils.optim.loop.train`. cell -- ``"rnn"``, ``"gru"`` or ``"lstm"``.
    Returns: ``(a, cache)`` with a ``(n_a_fw + n_a_bw, m, T_x)``, the forward states on top.
    Raises: ValueError for an unknown cell, a missing parameter (named with its suffix), or shapes
        that disagree (see :func:`rnn_forward`).
    Source: Schuster & Paliwal (1997), "Bidirectional Recurrent Neural Networks", IEEE Trans. Signal
    Processing 45(11).
    """
    forward, _ = sequence_layer(cell)
    x = _float(x)
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(f"bidirectional_forward: x must be 3-D (n_x, m, T_x) with no empty axis, got shape {x.shape}")
    outs, caches = [], []
    for suffix, xs in (("_fw", x), ("_bw", x[:, :, ::-1])):
        n_a = _hidden_size(cell, parameters, "bidirectional_forward", suffix)
        p = _direction(parameters, suffix)
        try:
            a, cache = forward(xs, np.zeros((n_a, x.shape[1]), dtype=x.dtype), p)
        except ValueError as e:
            raise ValueError(f"bidirectional_forward, the {suffix[1:]} direction (keys ending in {suffix}): {e}") from None
        outs.append(a if suffix == "_fw" else a[:, :, ::-1])
        caches.append(cache)
    return np.concatenate(outs, axis=0), (cell, caches[0], caches[1], outs[0].shape[0])


def bidirectional_backward(da, cache):
    """Backward pass of :func:`bidirectional_forward`.

    Arguments: da ``(n_a_fw + n_a_bw, m, T_x)``, the gradient with respect to every concatenated state;
        cache from :func:`bidirectional_forward`.
    Returns: ``(dx, grads)`` with ``grads = {"dx" (n_x, m, T_x), "dWax_fw", ..., "dWax_bw", ...}``: each
        direction's parameter gradients keyed ``"d" + name + suffix``.
    Raises: ValueError if da's shape differs from the forward pass's output.
    """
    cell, cache_fw, cache_bw, n_fw = cache
    _, backward = sequence_layer(cell)
    T, n_bw, m = cache_bw[4].shape
    da = _check_upstream(da, (n_fw + n_bw, m, T), "da", "output a", "bidirectional_backward")
    dx_fw, g_fw = backward(da[:n_fw], cache_fw)
    dx_bw, g_bw = backward(da[n_fw:, :, ::-1], cache_bw)
    grads = {"dx": dx_fw + dx_bw[:, :, ::-1]}
    for suffix, g in (("_fw", g_fw), ("_bw", g_bw)):
        grads.update({k + suffix: v for k, v in g.items() if k not in _STATE_GRADS})
    return grads["dx"], grads


# --- output layer at every step, and the cost summed over time ------------------------------------

def _output_key(parameters, where):
    keys = [k for k in ("Wya", "Wy") if k in parameters]
    if len(keys) != 1:
        raise ValueError(f"{where}: parameters must hold exactly one of 'Wya' (RNN) and 'Wy' (GRU, LSTM), "
                         f"got the keys {sorted(parameters)}")
    if "by" not in parameters:
        raise ValueError(f"{where}: parameters lack 'by'; got the keys {sorted(parameters)}")
    return keys[0]


def softmax_output_forward(a, parameters):
    """The output at every time step: ``y_pred<t> = softmax(Wya a<t> + by)``, all steps in one product.

    Arguments: a ``(n_a, m, T_x)``; parameters with ``Wya (n_y, n_a)`` (RNN) or ``Wy (n_y, n_a)`` (GRU,
        LSTM) and ``by (n_y, 1)``.
    Returns: ``(y_pred, cache)`` with y_pred ``(n_y, m, T_x)`` (each column sums to 1), for
        :func:`softmax_output_backward`.
    Raises: ValueError if a is not 3-D, the dict holds neither or both of ``Wya`` and ``Wy`` or no
        ``by``, or their shapes do not fit a (the message names both shapes).
    """
    where = "softmax_output_forward"
    a = _float(a)
    if a.ndim != 3:
        raise ValueError(f"{where}: a must be 3-D (n_a, m, T_x), got shape {a.shape}")
    key = _output_key(parameters, where)
    W, by = _float(parameters[key]), _float(parameters["by"])
    if W.ndim != 2 or W.shape[1] != a.shape[0]:
        raise ValueError(f"{where}: {key} has shape {W.shape}, but a has shape {a.shape}: {key} must be "
                         f"(n_y, n_a) = (n_y, {a.shape[0]})")
    if by.shape != (W.shape[0], 1):
        raise ValueError(f"{where}: by has shape {by.shape}, but {key} has shape {W.shape}: by must be "
                         f"(n_y, 1) = {(W.shape[0], 1)}")
    n_a, m, T = a.shape
    z = (W @ a.reshape(n_a, m * T)).reshape(-1, m, T) + by[:, :, None]
    return softmax(z, axis=0).astype(_dtype(a, W, by), copy=False), (a, W, key)


def softmax_output_backward(dz, cache):
    """Backward pass of :func:`softmax_output_forward`, from the gradient of the *scores*.

    Arguments: dz ``(n_y, m, T_x)``, the gradient of the cost with respect to ``Wya a<t> + by``
        (:func:`sequence_cross_entropy_cost_backward` gives it: the softmax is folded in, as in
        :mod:`course_utils.nn.losses`); cache from :func:`softmax_output_forward`.
    Returns: ``(da, grads)`` with da ``(n_a, m, T_x)`` (what :func:`rnn_backward` takes) and
        ``grads = {"dWya" or "dWy" (n_y, n_a), "dby" (n_y, 1)}``, sums over the batch and time.
    Raises: ValueError if dz's shape is not ``(n_y, m, T_x)``.
    """
    a, W, key = cache
    n_a, m, T = a.shape
    dz = _check_upstream(dz, (W.shape[0], m, T), "dz", "scores", "softmax_output_backward")
    dzf = dz.reshape(-1, m * T)
    da = (W.T @ dzf).reshape(n_a, m, T)
    return da, {"d" + key: dzf @ a.reshape(n_a, m * T).T, "dby": dz.sum(axis=(1, 2))[:, None]}


def _targets(y_pred, y, where):
    y_pred, y = _float(y_pred), _float(y)
    if y_pred.shape != y.shape or y.ndim != 3:
        raise ValueError(f"{where}: y_pred has shape {y_pred.shape} but y has shape {y.shape}; both must be "
                         f"(n_y, m, T_x)")
    return y_pred, y


def sequence_cross_entropy_cost(y_pred, y) -> float:
    """The loss summed over time, averaged over the batch: ``-(1/m) sum_i sum_t sum_k y log y_pred``.

    The notes' ``L = sum_t L<t>(y_pred<t>, y<t>)`` with the softmax's cross-entropy for ``L<t>``. A time
    step whose ``y`` column is all zeros has no target (padding after a short sequence) and adds nothing.
    Arguments: y_pred (probabilities) and y (one-hot, or zeros for no target), both ``(n_y, m, T_x)``.
    Returns: the cost, a float; probabilities are clipped at 1e-15, so a confident mistake is large but finite.
    Raises: ValueError if the shapes differ or are not 3-D.
    """
    y_pred, y = _targets(y_pred, y, "sequence_cross_entropy_cost")
    return float(-np.sum(y * np.log(np.clip(y_pred, 1e-15, 1.0))) / y.shape[1])


def sequence_cross_entropy_cost_backward(y_pred, y):
    """Gradient of :func:`sequence_cross_entropy_cost` with respect to the scores (softmax folded in).

    ``dz = (y_pred - y) / m`` at every step that has a target, 0 at steps whose ``y`` column is all zeros.
    Arguments: both ``(n_y, m, T_x)``. Returns: dz ``(n_y, m, T_x)``, for :func:`softmax_output_backward`.
    Raises: ValueError if the shapes differ or are not 3-D.
    """
    y_pred, y = _targets(y_pred, y, "sequence_cross_entropy_cost_backward")
    has_target = y.sum(axis=0, keepdims=True) > 0
    return np.where(has_target, y_pred - y, 0.0) / y.shape[1]
