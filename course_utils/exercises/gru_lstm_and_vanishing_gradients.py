"""The references of Track 5, notebook 02 (GRU, LSTM and vanishing gradients), with the exercises' signatures.

The library's recurrent layers (:mod:`course_utils.nn.recurrent`) return caches the caller passes back
unopened; the exercises return the classic caches, which hold the gates a student computes, so a check
can say which gate is wrong. These adapters compute with the library and lay its values out that way:

* ``gru_cell_forward(xt, c_prev, parameters) -> (c_next, cache)``, the full GRU, with
  ``cache = (c_next, c_prev, gamma_u, gamma_r, c_tilde, xt, parameters)``;
* ``lstm_cell_forward(xt, a_prev, c_prev, parameters) -> (a_next, c_next, cache)`` with the classic
  ``cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)``;
* ``lstm_forward(x, a0, parameters) -> (a, c, caches)`` with ``caches = (cell_caches, x)``, the list of the T_x
  cell caches and x
  (the classic exercise's, without its output layer ``y``: the output layer is
  :func:`course_utils.nn.recurrent.softmax_output_forward`, applied to ``a``);
* ``lstm_cell_backward(da_next, dc_next, cache) -> gradients``, the dict of
  :func:`course_utils.nn.recurrent.lstm_cell_backward` computed from a classic cache.

Shapes: xt ``(n_x, m)``; a_prev, c_prev and every gate ``(n_a, m)``; x ``(n_x, m, T_x)``; a, c
``(n_a, m, T_x)``; the gates' weights ``(n_a, n_a + n_x)`` acting on ``[a_prev; xt]`` (``[c_prev; xt]`` for
the GRU) and biases ``(n_a, 1)``. The notebook's ``clip`` has the library's signature: its reference is
:func:`course_utils.optim.clipping.clip` itself.
"""

from __future__ import annotations

import numpy as np

from course_utils.nn import recurrent

__all__ = ["gru_cell_forward", "lstm_cell_forward", "lstm_forward", "lstm_cell_backward"]


def _lstm_steps(cache):
    """The library's LSTM cache as time-major arrays: states A, cells C, gates G (f, i, c~, o stacked), c0.

    The layout is :mod:`course_utils.nn.recurrent`'s (``("lstm", x, a0, weights, A (T, n_a, m), (C, G, c0, tanh C))``);
    tests/exercises/test_gru_lstm_and_vanishing_gradients.py fails if it changes.
    """
    _, _, _, _, A, (C, G, c0, _) = cache
    return A, C, G, c0


def gru_cell_forward(xt, c_prev, parameters):
    """One step of the full GRU, with the exercise's cache.

    Arguments: xt ``(n_x, m)``; c_prev ``(n_a, m)``; parameters with ``Wu, Wr, Wc (n_a, n_a + n_x)`` and
        ``bu, br, bc (n_a, 1)`` (other keys are ignored).
    Returns: ``(c_next, cache)``, c_next ``(n_a, m)`` and ``cache = (c_next, c_prev, gamma_u, gamma_r,
        c_tilde, xt, parameters)``, every gate ``(n_a, m)``: ``gamma_u = sigmoid(Wu [c_prev; xt] + bu)``,
        ``gamma_r = sigmoid(Wr [c_prev; xt] + br)``, ``c_tilde = tanh(Wc [gamma_r * c_prev; xt] + bc)``,
        ``c_next = gamma_u * c_tilde + (1 - gamma_u) * c_prev``.
    Raises: ValueError if parameters lack ``Wr`` or ``br`` (this exercise is the full GRU; the simplified
        one is :func:`course_utils.nn.recurrent.gru_cell_forward` without them), or as that function
        (shapes that disagree, a missing or misshapen parameter).
    """
    if "Wr" not in parameters or "br" not in parameters:
        raise ValueError(f"gru_cell_forward: the full GRU needs Wr and br (the relevance gate); got the keys "
                         f"{sorted(parameters)}")
    c_next, cache = recurrent.gru_cell_forward(xt, c_prev, parameters)
    _, _, _, _, _, (U, R, Cc) = cache
    return c_next, (c_next, np.array(c_prev, dtype=c_next.dtype), U[0].copy(), R[0].copy(), Cc[0].copy(),
                    np.array(xt, dtype=c_next.dtype), parameters)


gru_cell_forward.__output_parts__ = "c_next, cache=(c_next, c_prev, gamma_u, gamma_r, c_tilde, xt, parameters)"


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One step of the LSTM, with the classic exercise's cache.

    Arguments: xt ``(n_x, m)``; a_prev, c_prev ``(n_a, m)``; parameters with ``Wf, Wi, Wc, Wo
        (n_a, n_a + n_x)`` and ``bf, bi, bc, bo (n_a, 1)`` (other keys are ignored).
    Returns: ``(a_next, c_next, cache)``, both states ``(n_a, m)``, and ``cache = (a_next, c_next, a_prev,
        c_prev, ft, it, cct, ot, xt, parameters)`` with the forget, update (input) and output gates ft,
        it, ot and the candidate cct, each ``(n_a, m)``.
    Raises: ValueError as :func:`course_utils.nn.recurrent.lstm_cell_forward` (shapes that disagree, a
        missing or misshapen parameter).
    """
    (a_next, c_next), cache = recurrent.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    _, _, G, _ = _lstm_steps(cache)
    ft, it, cct, ot = (g.copy() for g in np.split(G[0], 4, axis=0))
    dtype = a_next.dtype
    return a_next, c_next, (a_next, c_next, np.array(a_prev, dtype=dtype), np.array(c_prev, dtype=dtype),
                            ft, it, cct, ot, np.array(xt, dtype=dtype), parameters)


lstm_cell_forward.__output_parts__ = ("a_next, c_next, cache=(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, "
                                      "parameters)")


def lstm_forward(x, a0, parameters):
    """The LSTM over a whole sequence, from zero memory cells, with the classic exercise's caches.

    Arguments: x ``(n_x, m, T_x)``; a0 ``(n_a, m)``; parameters as :func:`lstm_cell_forward`.
    Returns: ``(a, c, caches)``: the hidden states a and the memory cells c, both ``(n_a, m, T_x)``
        (``[:, :, t]`` after step t + 1), and ``caches = (cell_caches, x)`` with cell_caches the list of the T_x
        caches of :func:`lstm_cell_forward`;
        step 1's ``c_prev`` is zeros.
    Raises: ValueError as :func:`course_utils.nn.recurrent.lstm_forward`.
    """
    a, cache = recurrent.lstm_forward(x, a0, parameters)
    A, C, G, c0 = _lstm_steps(cache)
    x = np.asarray(x, dtype=a.dtype)
    a_prev, c_prev = np.array(a0, dtype=a.dtype), c0.copy()
    steps = []
    for t in range(A.shape[0]):
        ft, it, cct, ot = (g.copy() for g in np.split(G[t], 4, axis=0))
        steps.append((A[t].copy(), C[t].copy(), a_prev, c_prev, ft, it, cct, ot, x[:, :, t].copy(), parameters))
        a_prev, c_prev = A[t].copy(), C[t].copy()
    return a, recurrent.memory_cells(cache), (steps, x)


lstm_forward.__output_parts__ = ("a, c, caches=(cell_caches=[(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, "
                                 "parameters)], x)")


def lstm_cell_backward(da_next, dc_next, cache):
    """Backward pass of one LSTM step, from the classic cache of :func:`lstm_cell_forward`.

    Arguments: da_next, dc_next ``(n_a, m)``: the gradients of the loss with respect to a_next and c_next;
        cache ``(a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)``.
    Returns: gradients, a dict with ``"dxt" (n_x, m)``, ``"da_prev", "dc_prev" (n_a, m)``, ``"dWf", "dWi",
        "dWc", "dWo" (n_a, n_a + n_x)`` and ``"dbf", "dbi", "dbc", "dbo" (n_a, 1)``: sums over the batch.
    Raises: ValueError if the cache is not a tuple of 10 items, or as
        :func:`course_utils.nn.recurrent.lstm_cell_backward` (shapes that disagree with the cache's).
    """
    if not (isinstance(cache, tuple) and len(cache) == 10):
        raise ValueError("lstm_cell_backward: cache must be the 10-tuple (a_next, c_next, a_prev, c_prev, ft, it, cct, "
                         "ot, xt, parameters) that lstm_cell_forward returned")
    _, _, a_prev, c_prev, _, _, _, _, xt, parameters = cache
    _, library_cache = recurrent.lstm_cell_forward(xt, a_prev, c_prev, parameters)
    _, gradients = recurrent.lstm_cell_backward(da_next, dc_next, library_cache)
    return gradients
