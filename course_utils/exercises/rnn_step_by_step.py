"""Track 5, notebook 01 (RNN step by step): the classic exercise signatures.

The classic assignment's RNN cell returns its prediction with its state, ``(a_next, yt_pred, cache)``,
and keeps flat tuple caches: one step's cache is ``(a_next, a_prev, xt, parameters)``, a whole
sequence's is ``(list of the T_x step caches, x)``. Its backward passes take those caches and return
one dict of gradients. The library (:mod:`course_utils.nn.recurrent`) computes the same states with
the layer interface (``forward -> (out, cache)``, the softmax output a layer of its own,
:func:`~course_utils.nn.recurrent.softmax_output_forward`, and caches the caller does not open); these
adapters give the classic results on top of it.

Shapes: xt ``(n_x, m)``, a_prev ``(n_a, m)``, x ``(n_x, m, T_x)``, a ``(n_a, m, T_x)``, y_pred
``(n_y, m, T_x)``; parameters ``Wax (n_a, n_x)``, ``Waa (n_a, n_a)``, ``Wya (n_y, n_a)``, ``ba (n_a, 1)``,
``by (n_y, 1)``. Gradients are sums over the batch (the classic exercise's, and the library's).
"""

from __future__ import annotations

import numpy as np

from course_utils.nn import recurrent

__all__ = ["rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward"]


def _step_cache(cache, where):
    """The four parts of a classic step cache, after checking that it is one."""
    if not (isinstance(cache, (tuple, list)) and len(cache) == 4 and isinstance(cache[3], dict)):
        got = f"a {type(cache).__name__} of {len(cache)} items" if isinstance(cache, (tuple, list)) else \
            type(cache).__name__
        raise ValueError(f"{where}: cache must be the (a_next, a_prev, xt, parameters) that rnn_cell_forward "
                         f"returned, got {got}")
    return cache


def _sequence_caches(caches, where):
    """The step caches and x of a classic sequence cache, after checking that it is one."""
    if not (isinstance(caches, (tuple, list)) and len(caches) == 2 and isinstance(caches[0], (tuple, list))
            and len(caches[0]) > 0):
        raise ValueError(f"{where}: caches must be the (list of step caches, x) that rnn_forward returned, got "
                         f"{type(caches).__name__}")
    steps, x = caches
    if len(steps) != np.shape(x)[-1]:
        raise ValueError(f"{where}: caches hold {len(steps)} step caches but x has T_x = {np.shape(x)[-1]} steps")
    return [_step_cache(c, where) for c in steps], x


def rnn_cell_forward(xt, a_prev, parameters):
    """One step of the RNN with its prediction: the classic cell.

    ``a_next = tanh(Waa a_prev + Wax xt + ba)``, ``yt_pred = softmax(Wya a_next + by)`` (over the n_y rows).

    Arguments: xt ``(n_x, m)``; a_prev ``(n_a, m)``; parameters with ``Wax (n_a, n_x)``,
        ``Waa (n_a, n_a)``, ``Wya (n_y, n_a)``, ``ba (n_a, 1)``, ``by (n_y, 1)``.
    Returns: ``(a_next, yt_pred, cache)``: a_next ``(n_a, m)``, yt_pred ``(n_y, m)`` (each column sums to
        1) and ``cache = (a_next, a_prev, xt, parameters)``, for :func:`rnn_cell_backward`.
    Raises: ValueError if the shapes disagree or a parameter is missing (the library's messages:
        :func:`course_utils.nn.recurrent.rnn_cell_forward`, :func:`~course_utils.nn.recurrent.softmax_output_forward`).
    """
    a_next, _ = recurrent.rnn_cell_forward(xt, a_prev, parameters)
    y, _ = recurrent.softmax_output_forward(a_next[:, :, None], parameters)
    yt_pred = y[:, :, 0]
    cache = (a_next, a_prev, xt, parameters)
    return a_next, yt_pred, cache


def rnn_forward(x, a0, parameters):
    """The RNN over a whole sequence with a prediction at every step: the classic loop of cells.

    Arguments: x ``(n_x, m, T_x)``; a0 ``(n_a, m)``, the state before the first step; parameters as
        :func:`rnn_cell_forward`.
    Returns: ``(a, y_pred, caches)``: a ``(n_a, m, T_x)`` and y_pred ``(n_y, m, T_x)``, whose ``[:, :, t]``
        are :func:`rnn_cell_forward`'s a_next and yt_pred at step t, and ``caches = (list of the T_x step
        caches, x)``, step t's being ``(a[:, :, t], a_prev, x[:, :, t], parameters)`` with a_prev = a0 at
        t = 0 and ``a[:, :, t - 1]`` after, for :func:`rnn_backward`.
    Raises: ValueError as :func:`course_utils.nn.recurrent.rnn_forward` (x not 3-D, a0 not ``(n_a, m)``, a
        parameter missing or of another shape).
    """
    a, _ = recurrent.rnn_forward(x, a0, parameters)
    y_pred, _ = recurrent.softmax_output_forward(a, parameters)
    a_prev = [a0] + [a[:, :, t] for t in range(a.shape[2] - 1)]
    steps = [(a[:, :, t], a_prev[t], x[:, :, t], parameters) for t in range(a.shape[2])]
    return a, y_pred, (steps, x)


#: the names of the results' parts in check messages (course_utils.grading.checks.output_parts)
rnn_cell_forward.__output_parts__ = "a_next, yt_pred, cache=(a_next, a_prev, xt, parameters)"
rnn_forward.__output_parts__ = "a, y_pred, caches=(step_caches=[(a_next, a_prev, xt, parameters)], x)"


def rnn_cell_backward(da_next, cache):
    """Backward pass of one classic RNN step.

    ``dz = da_next * (1 - a_next^2)``; ``dxt = Wax^T dz``, ``da_prev = Waa^T dz``, ``dWax = dz xt^T``,
    ``dWaa = dz a_prev^T``, ``dba`` = dz summed over the batch (the library's
    :func:`course_utils.nn.recurrent.rnn_cell_backward`, run on the step the cache describes).

    Arguments: da_next ``(n_a, m)``, the gradient of the loss with respect to a_next; cache, the
        ``(a_next, a_prev, xt, parameters)`` of :func:`rnn_cell_forward`.
    Returns: ``{"dxt" (n_x, m), "da_prev" (n_a, m), "dWax" (n_a, n_x), "dWaa" (n_a, n_a), "dba" (n_a, 1)}``.
    Raises: ValueError if cache is not such a tuple, or da_next's shape is not a_next's.
    """
    _, a_prev, xt, parameters = _step_cache(cache, "rnn_cell_backward")
    _, step = recurrent.rnn_cell_forward(xt, a_prev, parameters)
    _, gradients = recurrent.rnn_cell_backward(da_next, step)
    return gradients


def rnn_backward(da, caches):
    """Backpropagation through time for the classic :func:`rnn_forward`.

    Arguments: da ``(n_a, m, T_x)``, the gradient of the loss with respect to every hidden state coming
        from the outputs (the part from the next step is added inside, step by step from the last);
        caches, the ``(list of step caches, x)`` of :func:`rnn_forward`.
    Returns: ``{"dx" (n_x, m, T_x), "da0" (n_a, m), "dWax" (n_a, n_x), "dWaa" (n_a, n_a), "dba" (n_a, 1)}``,
        the parameter gradients summed over the batch and over time (the library's
        :func:`course_utils.nn.recurrent.rnn_backward` on the sequence the caches describe).
    Raises: ValueError if caches is not such a pair, or da's shape is not ``(n_a, m, T_x)``.
    """
    steps, x = _sequence_caches(caches, "rnn_backward")
    a0, parameters = steps[0][1], steps[0][3]
    _, sequence = recurrent.rnn_forward(x, a0, parameters)
    _, gradients = recurrent.rnn_backward(da, sequence)
    return gradients
