"""Batch normalisation of a layer's pre-activations Z (Track 2, notebook 07).

Z has shape ``(n, m)``: n units, m examples of the mini-batch. Statistics are taken over
the examples (axis 1), per unit:

    mu = mean(Z), var = mean((Z - mu)**2), Z_norm = (Z - mu) / sqrt(var + eps),
    Z_tilde = gamma * Z_norm + beta        with gamma, beta of shape (n, 1), learned.

At test time there is no batch: mu and var come from exponentially weighted averages of
the training batches' statistics (``update_running_stats``): ``batchnorm_forward(...,
training=False, running_mu=..., running_var=...)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EPS", "batchnorm_forward", "batchnorm_backward", "update_running_stats"]

EPS = 1e-8


def _check(Z, gamma, beta):
    Z = np.asarray(Z, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D (n, m), got shape {Z.shape}")
    n = Z.shape[0]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if np.shape(p) != (n, 1):
            raise ValueError(f"{name} must have shape {(n, 1)}, got {np.shape(p)}")
    return Z, np.asarray(gamma, dtype=float), np.asarray(beta, dtype=float)


def batchnorm_forward(Z, gamma, beta, *, training: bool = True, running_mu=None, running_var=None,
                      eps: float = EPS):
    """Normalise each row of Z, then scale and shift: with this batch's statistics in training,
    with the running statistics at test time.

    Arguments:
        Z -- pre-activations ``(n, m)``; gamma, beta -- ``(n, 1)``; eps > 0.
        training -- True: ``mu``, ``var`` of this batch (over axis 1); False: ``running_mu``,
            ``running_var`` ``(n, 1)``, which then are required; any m works, a single example too.
    Returns:
        ``(Z_tilde, cache)`` with Z_tilde ``(n, m)``. In training ``cache = (Z_norm, mu, var, gamma, eps)``
        (mu, var ``(n, 1)``: the caller folds them into its running statistics with
        :func:`update_running_stats`); at test time ``cache = None`` (nothing to differentiate).
    Raises: ValueError if Z is not 2-D, a parameter is not ``(n, 1)``, or the running statistics are
        missing or mis-shaped at test time.
    Source: Ioffe & Szegedy (2015), "Batch Normalization: Accelerating Deep Network Training by
    Reducing Internal Covariate Shift", ICML, Algorithm 1 (training) and Algorithm 2 (inference).
    """
    Z, gamma, beta = _check(Z, gamma, beta)
    if not training:
        for name, p in (("running_mu", running_mu), ("running_var", running_var)):
            if p is None:
                raise ValueError(f"batch norm at test time needs {name} (got None)")
            if np.shape(p) != gamma.shape:
                raise ValueError(f"{name} must have shape {gamma.shape}, got {np.shape(p)}")
        return gamma * (Z - running_mu) / np.sqrt(np.asarray(running_var) + eps) + beta, None
    mu = np.mean(Z, axis=1, keepdims=True)
    var = np.mean((Z - mu) ** 2, axis=1, keepdims=True)
    Z_norm = (Z - mu) / np.sqrt(var + eps)
    return gamma * Z_norm + beta, (Z_norm, mu, var, gamma, eps)


def batchnorm_backward(dZ_tilde, cache):
    """Gradients of batch norm (training mode), summed over the batch like every layer's.

    Arguments: dZ_tilde ``(n, m)``, the gradient of the (already averaged) cost; cache from
        :func:`batchnorm_forward` in training mode.
    Returns: ``(dZ, {"dgamma": (n, 1), "dbeta": (n, 1)})``.
    Uses the compact form ``dZ = (gamma / sqrt(var + eps)) * (d - mean(d) - Z_norm * mean(d * Z_norm))``
    with ``d = dZ_tilde``, means over the batch.
    Raises: ValueError for a test-mode cache (None) or a dZ_tilde of the wrong shape.
    Source: Ioffe & Szegedy (2015), Sec. 3 (the chain rule through the batch statistics).
    """
    if cache is None:
        raise ValueError("batchnorm_backward: the forward pass ran at test time (training=False); "
                         "there is no gradient through the running statistics")
    Z_norm, mu, var, gamma, eps = cache
    d = np.asarray(dZ_tilde, dtype=float)
    if d.shape != Z_norm.shape:
        raise ValueError(f"dZ_tilde has shape {d.shape}, expected {Z_norm.shape}")
    dbeta = np.sum(d, axis=1, keepdims=True)
    dgamma = np.sum(d * Z_norm, axis=1, keepdims=True)
    dZ = (gamma / np.sqrt(var + eps)) * (d - np.mean(d, axis=1, keepdims=True)
                                         - Z_norm * np.mean(d * Z_norm, axis=1, keepdims=True))
    return dZ, {"dgamma": dgamma, "dbeta": dbeta}


def update_running_stats(running_mu, running_var, mu, var, momentum: float = 0.9):
    """EWA of the batch statistics: ``running = momentum * running + (1 - momentum) * batch``.

    All arguments ``(n, 1)``. Returns: ``(running_mu, running_var)``, new arrays.
    Raises: ValueError if the four shapes differ or are not ``(n, 1)``.
    """
    shapes = {np.shape(running_mu), np.shape(running_var), np.shape(mu), np.shape(var)}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2 or next(iter(shapes))[1] != 1:
        raise ValueError(f"update_running_stats: all arguments must have the same shape (n, 1), got {sorted(shapes)}")
    return (momentum * np.asarray(running_mu) + (1 - momentum) * np.asarray(mu),
            momentum * np.asarray(running_var) + (1 - momentum) * np.asarray(var))
