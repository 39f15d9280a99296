"""Inverted dropout as a layer: ``dropout_forward -> (out, cache)``, ``dropout_backward(d_out, cache)``.

In training, each unit is kept with probability ``keep_prob`` and the kept ones are divided by
``keep_prob``, so the expected activation is unchanged and nothing needs rescaling at test time;
at test time (``training=False``) the layer is the identity.

Source: Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov (2014), "Dropout: A Simple Way to
Prevent Neural Networks from Overfitting", JMLR 15; the "inverted" scaling at training time is the
common implementation of the paper's test-time weight scaling.
"""

from __future__ import annotations

import numpy as np

from course_utils.rng import make_rng

__all__ = ["dropout_forward", "dropout_backward"]


def dropout_forward(A, keep_prob: float, rng=None, training: bool = True):
    """Drop units of A at random (training) or pass A through (test).

    Arguments:
        A -- activations, any shape (``(n, m)`` in a fully connected network).
        keep_prob -- probability of keeping a unit, in (0, 1].
        rng -- seed or ``np.random.Generator`` (a Generator is used and advanced, so successive calls
            draw different masks). The mask is ``rng.random(A.shape) < keep_prob``: one draw per call.
        training -- False: no mask is drawn and ``out = A``.
    Returns:
        ``(out, cache)``: out of A's shape, ``A * D / keep_prob`` in training; cache ``(D, keep_prob)``
        with the boolean mask D (None at test time).
    Raises: ValueError if keep_prob is not in (0, 1].
    """
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}")
    A = np.asarray(A, dtype=float)
    if not training:
        return A.copy(), (None, keep_prob)
    D = make_rng(rng).random(A.shape) < keep_prob
    return A * D / keep_prob, (D, keep_prob)


def dropout_backward(d_out, cache):
    """Gradient through dropout: ``d_out * D / keep_prob`` (the identity at test time).

    Arguments: d_out of the forward output's shape; cache from :func:`dropout_forward`.
    Returns: ``(dA, {})`` -- dropout has no parameters.
    Raises: ValueError if d_out's shape differs from the mask's.
    """
    D, keep_prob = cache
    d_out = np.asarray(d_out, dtype=float)
    if D is None:
        return d_out.copy(), {}
    if d_out.shape != np.shape(D):
        raise ValueError(f"dropout_backward: d_out has shape {d_out.shape}, the mask {np.shape(D)}")
    return d_out * (np.asarray(D, dtype=float) / keep_prob), {}
